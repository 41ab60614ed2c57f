//! The urgency mapping against every worked case in docs/clinical-rules.md §4, plus the promise
//! that more information (a soft sign, a red flag, more concern) never makes a call less urgent.

use carehub_triage::urgency::{OTHERWISE, RULES};
use carehub_triage::{
    Assessment, Concern, Consciousness, Level, Observations, RedFlag, SoftSign, Spo2Scale, Targets,
    Triage, assess,
};
use proptest::prelude::*;

use crate::news2::vector;

fn triage(assessment: &Assessment, scale: Spo2Scale) -> Triage {
    assess(assessment, scale).expect("plausible observations")
}

/// An assessment of worked vector `n` with nothing else reported.
fn of_vector(n: usize) -> (Assessment, Spo2Scale) {
    let (observations, scale) = vector(n);
    let assessment = Assessment {
        observations,
        ..Default::default()
    };
    (assessment, scale)
}

/// Vector 1 (NEWS2 0) adjusted to a chosen complete total: RR 22 scores 2, pulse 91 scores 1.
fn complete_with_total(total: u8) -> Assessment {
    let (mut a, _) = of_vector(1);
    match total {
        0 => {}
        1 => a.observations.pulse = Some(91),
        2 => a.observations.respiration_rate = Some(22),
        _ => unreachable!("only 0-2 are needed"),
    }
    a
}

fn level_and_rules(a: &Assessment, scale: Spo2Scale) -> (Level, Vec<u8>) {
    let t = triage(a, scale);
    (t.level, t.reasons.iter().map(|r| r.rule).collect())
}

/// One worked case of docs/clinical-rules.md §4.4: name, assessment (SpO2 scale 1), level, and
/// the rules that fire in reason order.
pub type MappingCase = (&'static str, Assessment, Level, &'static [u8]);

/// Every worked case of docs/clinical-rules.md §4.4, in the document's order (the document test
/// checks that its table describes exactly these).
pub fn mapping_cases() -> [MappingCase; 16] {
    let red_flag = Assessment {
        red_flags: vec![RedFlag::ChestPain],
        ..complete_with_total(0)
    };
    let soft_sign_baseline_2 = Assessment {
        soft_signs: vec![SoftSign::Breathing],
        baseline_news2: Some(2),
        ..complete_with_total(2)
    };
    let baseline_0 = Assessment {
        baseline_news2: Some(0),
        ..complete_with_total(2)
    };
    let drowsy = Assessment {
        soft_signs: vec![SoftSign::Drowsy],
        ..complete_with_total(0)
    };
    let worried = Assessment {
        concern: Concern::Worried,
        ..complete_with_total(0)
    };
    let very_worried = Assessment {
        concern: Concern::VeryWorried,
        ..complete_with_total(1)
    };
    let mut partial = Assessment {
        soft_signs: vec![SoftSign::NotThemselves],
        ..complete_with_total(1)
    };
    partial.observations.systolic_bp = None;
    let soft_signs_only = Assessment {
        soft_signs: vec![SoftSign::EatingDrinking, SoftSign::Tired],
        ..Default::default()
    };
    let medicines_question = Assessment {
        baseline_news2: Some(0),
        ..complete_with_total(0)
    };
    // Completing observations may lower the level (§4.3): the drowsy case one reading short.
    let mut drowsy_no_temperature = drowsy.clone();
    drowsy_no_temperature.observations.temperature = None;
    let unresponsive_only = Assessment {
        observations: Observations {
            consciousness: Some(Consciousness::Unresponsive),
            ..Default::default()
        },
        ..Default::default()
    };
    // Every vector used here is on SpO2 scale 1.
    #[rustfmt::skip]
    let cases: [MappingCase; 16] = [
        ("red flag",                        red_flag,             Level::P1, &[1]),
        ("vector 4 (NEWS2 7)",              of_vector(4).0,       Level::P1, &[2]),
        ("vector 8 (NEWS2 5)",              of_vector(8).0,       Level::P2, &[3]),
        ("vector 5 (3 from new confusion)", of_vector(5).0,       Level::P2, &[3, 4]),
        ("vector 6 (4 with SpO2 91)",       of_vector(6).0,       Level::P2, &[3, 4]),
        ("vector 7 (4, no single 3)",       of_vector(7).0,       Level::P3, &[4]),
        ("NEWS2 2 + soft sign, baseline 2", soft_sign_baseline_2, Level::P3, &[4]),
        ("NEWS2 2, no soft sign, baseline 0", baseline_0,         Level::P3, &[4, 5]),
        ("NEWS2 0 + drowsy",                drowsy,               Level::P4, &[5]),
        ("NEWS2 0, no soft sign, worried",  worried,              Level::P3, &[6]),
        ("NEWS2 1, very worried",           very_worried,         Level::P2, &[6, 5]),
        ("partial NEWS2 1 (no SBP) + soft sign", partial,         Level::P3, &[4, 7]),
        ("no observations, two soft signs", soft_signs_only,      Level::P3, &[7]),
        ("medicines question, at baseline", medicines_question,   Level::P5, &[8]),
        ("NEWS2 0 + drowsy, no temperature", drowsy_no_temperature, Level::P3, &[7, 5]),
        ("only ACVPU recorded: unresponsive", unresponsive_only,  Level::P1, &[1, 3, 4]),
    ];
    cases
}

#[test]
fn every_worked_mapping_case() {
    for (name, assessment, level, rules) in mapping_cases() {
        let got = level_and_rules(&assessment, Spo2Scale::Scale1);
        assert_eq!(got, (level, rules.to_vec()), "{name}");
    }
}

#[test]
fn reasons_read_as_plain_english_most_urgent_first() {
    let assessment = Assessment {
        red_flags: vec![RedFlag::ChestPain],
        concern: Concern::VeryWorried,
        ..of_vector(4).0
    };
    let t = triage(&assessment, Spo2Scale::Scale1);
    let texts: Vec<(u8, Level, &str)> = t
        .reasons
        .iter()
        .map(|r| (r.rule, r.level, r.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            (1, Level::P1, "Red flag: chest pain"),
            (2, Level::P1, "NEWS2 7"),
            (6, Level::P2, "Staff very worried"),
        ]
    );
}

#[test]
fn a_medicines_question_gives_one_routine_reason() {
    let t = triage(&complete_with_total(0), Spo2Scale::Scale1);
    assert_eq!(t.level, Level::P5);
    assert_eq!(t.reasons.len(), 1);
    assert_eq!(t.reasons[0].rule, 8);
    assert_eq!(t.reasons[0].text, "No warning signs: routine advice");
    assert!(!Assessment::default().needs_999());
}

#[test]
fn responding_only_to_pain_or_unresponsive_is_an_emergency() {
    for level in [Consciousness::Pain, Consciousness::Unresponsive] {
        let assessment = Assessment {
            observations: Observations {
                consciousness: Some(level),
                ..Default::default()
            },
            ..Default::default()
        };
        let t = triage(&assessment, Spo2Scale::Scale1);
        assert_eq!(t.level, Level::P1, "{level:?}");
        assert_eq!(t.reasons[0].rule, 1);
    }
}

#[test]
fn several_red_flags_are_named_together_and_need_999() {
    let assessment = Assessment {
        red_flags: vec![RedFlag::Choking, RedFlag::Fitting],
        ..Default::default()
    };
    assert!(assessment.needs_999());
    let t = triage(&assessment, Spo2Scale::Scale1);
    assert_eq!(t.level, Level::P1);
    assert_eq!(t.reasons[0].text, "Red flags: choking, fitting");
}

#[test]
fn a_partial_total_feeds_the_rules_as_a_lower_bound() {
    // Vector 9 without temperature: at least 5 of 6 recorded, so rule 3 already applies.
    let (mut assessment, scale) = of_vector(9);
    assessment.observations.temperature = None;
    let t = triage(&assessment, scale);
    assert_eq!(t.news2.total, 5);
    assert_eq!(t.level, Level::P2);
    assert_eq!(t.reasons[0].text, "NEWS2 at least 5 (6 of 7 recorded)");
}

#[test]
fn incomplete_observations_with_concern_alone_are_at_least_urgent() {
    let mut assessment = Assessment {
        concern: Concern::Worried,
        ..complete_with_total(0)
    };
    assessment.observations.temperature = None;
    let (level, rules) = level_and_rules(&assessment, Spo2Scale::Scale1);
    assert_eq!((level, rules), (Level::P3, vec![6, 7]));
}

#[test]
fn no_observations_and_nothing_reported_is_routine() {
    let (level, rules) = level_and_rules(&Assessment::default(), Spo2Scale::Scale1);
    assert_eq!((level, rules), (Level::P5, vec![8]));
    let very_worried = Assessment {
        concern: Concern::VeryWorried,
        ..Default::default()
    };
    assert_eq!(triage(&very_worried, Spo2Scale::Scale1).level, Level::P2);
}

#[test]
fn implausible_observations_are_refused_not_triaged() {
    let assessment = Assessment {
        observations: Observations {
            pulse: Some(400),
            ..Default::default()
        },
        red_flags: vec![RedFlag::ChestPain],
        ..Default::default()
    };
    let error = assess(&assessment, Spo2Scale::Scale1).expect_err("pulse 400");
    assert_eq!(error.field, "pulse");
}

#[test]
fn the_rule_table_covers_rules_one_to_eight_in_order() {
    let numbers: Vec<u8> = RULES.iter().map(|r| r.number).collect();
    assert!(numbers.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(numbers.first(), Some(&1));
    assert_eq!(numbers.last(), Some(&7));
    assert_eq!((OTHERWISE.number, OTHERWISE.level), (8, Level::P5));
    assert!(RULES.iter().all(|r| !r.description.is_empty()));
}

#[test]
fn levels_targets_and_codes() {
    let names: Vec<(&str, &str)> = Level::ALL.iter().map(|l| (l.as_str(), l.name())).collect();
    assert_eq!(
        names,
        [
            ("P1", "Emergency"),
            ("P2", "Very urgent"),
            ("P3", "Urgent"),
            ("P4", "Standard"),
            ("P5", "Routine / advice"),
        ]
    );
    for (i, level) in Level::ALL.into_iter().enumerate() {
        assert_eq!(Level::parse(level.as_str()), Some(level));
        assert_eq!(level.index(), i);
    }
    assert_eq!(Level::parse("p1"), None);
    assert!(Level::P1 < Level::P2 && Level::P4 < Level::P5);
    assert_eq!(Level::P1.promoted(), Level::P1);
    assert_eq!(Level::P5.promoted(), Level::P4);
    let targets = Targets::default();
    let seconds: Vec<u32> = Level::ALL.iter().map(|l| targets.for_level(*l)).collect();
    assert_eq!(seconds, [60, 600, 1800, 3600, 14400]);
    assert_eq!(targets.millis(Level::P2), 600_000);
    for c in Concern::ALL {
        assert_eq!(Concern::parse(c.as_str()), Some(c));
    }
    assert_eq!(Concern::parse("very_worried"), Some(Concern::VeryWorried));
}

#[test]
fn soft_sign_and_red_flag_codes_match_the_reference() {
    let codes: Vec<&str> = SoftSign::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        codes,
        [
            "breathing",
            "eating_drinking",
            "temperature",
            "confusion",
            "drowsy",
            "agitated",
            "mobility",
            "skin",
            "bladder_bowels",
            "tired",
            "pain",
            "family_concern",
            "not_themselves",
        ]
    );
    for sign in SoftSign::ALL {
        assert_eq!(SoftSign::parse(sign.as_str()), Some(sign));
        assert!(!sign.label().is_empty());
    }
    assert_eq!(
        SoftSign::Breathing.label(),
        "More breathless, chesty, new cough"
    );
    let codes: Vec<&str> = RedFlag::ALL.iter().map(|f| f.as_str()).collect();
    assert_eq!(
        codes,
        [
            "not_breathing",
            "unresponsive",
            "choking",
            "major_bleeding",
            "fitting",
            "stroke",
            "chest_pain",
            "severe_allergic_reaction",
        ]
    );
    for flag in RedFlag::ALL {
        assert_eq!(RedFlag::parse(flag.as_str()), Some(flag));
        assert!(flag.question().ends_with('?'));
    }
    assert_eq!(
        RedFlag::NotBreathingNormally.question(),
        "Is the resident not breathing, or not breathing normally?"
    );
    assert_eq!(SoftSign::parse("Breathing"), None);
}

fn any_assessment() -> impl Strategy<Value = Assessment> {
    let plausible = (
        (
            proptest::option::of(0..=60u16),
            proptest::option::of(50..=100u16),
            proptest::option::of(any::<bool>()),
            proptest::option::of(40..=300u16),
        ),
        (
            proptest::option::of(20..=250u16),
            proptest::option::of(proptest::sample::select(Consciousness::ALL.to_vec())),
            proptest::option::of(250..=450i32),
        ),
    )
        .prop_map(
            |((rr, spo2, on_oxygen, sbp), (pulse, consciousness, temp))| Observations {
                respiration_rate: rr,
                spo2,
                on_oxygen,
                systolic_bp: sbp,
                pulse,
                consciousness,
                temperature: temp.map(carehub_triage::TempTenths),
            },
        );
    (
        plausible,
        proptest::sample::subsequence(SoftSign::ALL.to_vec(), 0..=3),
        proptest::sample::subsequence(RedFlag::ALL.to_vec(), 0..=1),
        proptest::sample::select(Concern::ALL.to_vec()),
        proptest::option::of(0..=20u8),
    )
        .prop_map(
            |(observations, soft_signs, red_flags, concern, baseline_news2)| Assessment {
                observations,
                soft_signs,
                red_flags,
                concern,
                baseline_news2,
            },
        )
}

fn any_scale() -> impl Strategy<Value = Spo2Scale> {
    proptest::sample::select(vec![Spo2Scale::Scale1, Spo2Scale::Scale2])
}

proptest! {
    #[test]
    fn more_information_never_makes_a_call_less_urgent(
        base in any_assessment(),
        scale in any_scale(),
        sign in proptest::sample::select(SoftSign::ALL.to_vec()),
        flag in proptest::sample::select(RedFlag::ALL.to_vec()),
        concern in proptest::sample::select(Concern::ALL.to_vec()),
    ) {
        let before = triage(&base, scale).level;
        let mut with_sign = base.clone();
        with_sign.soft_signs.push(sign);
        prop_assert!(triage(&with_sign, scale).level <= before);
        let mut with_flag = base.clone();
        with_flag.red_flags.push(flag);
        prop_assert_eq!(triage(&with_flag, scale).level, Level::P1);
        let mut raised = base.clone();
        raised.concern = raised.concern.max(concern);
        prop_assert!(triage(&raised, scale).level <= before);
    }

    #[test]
    fn the_level_is_the_most_urgent_reason(base in any_assessment(), scale in any_scale()) {
        let t = triage(&base, scale);
        prop_assert!(!t.reasons.is_empty());
        prop_assert_eq!(t.reasons[0].level, t.level);
        prop_assert!(t.reasons.windows(2).all(|w| w[0].level <= w[1].level));
        prop_assert!(t.reasons.iter().all(|r| (1..=8).contains(&r.rule) && !r.text.is_empty()));
        let routine_only = t.reasons.iter().any(|r| r.rule == 8);
        prop_assert_eq!(routine_only, t.reasons.len() == 1 && t.level == Level::P5);
    }
}
