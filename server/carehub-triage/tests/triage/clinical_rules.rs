//! docs/clinical-rules.md in step with the code: every table marked `<!-- checked: NAME -->` is
//! parsed and compared with what `carehub_triage` computes, and the worked vectors and cases
//! must be exactly the ones the other modules of this binary test.

use carehub_triage::{
    Assessment, Band, Concern, Consciousness, Item, Level, Observations, Outcome, RedFlag,
    Remained, SoftSign, Spo2Scale, Targets, assess, parse_temperature, score,
};

use crate::news2::{VECTORS, vector};
use crate::urgency::mapping_cases;

/// The document, read at compile time so editing it rebuilds this test.
const DOCUMENT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/clinical-rules.md"
));

/// The body rows of the table after `<!-- checked: NAME -->`, as trimmed cells without
/// backticks (the header and separator rows are skipped).
fn table(name: &str) -> Vec<Vec<String>> {
    let marker = format!("<!-- checked: {name} -->");
    let mut lines = DOCUMENT.lines().skip_while(|l| l.trim() != marker);
    assert!(lines.next().is_some(), "no table marked {marker}");
    let rows: Vec<Vec<String>> = lines
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            let inner = l.trim().trim_start_matches('|').trim_end_matches('|');
            inner
                .split('|')
                .map(|c| c.trim().replace('`', ""))
                .collect()
        })
        .collect();
    assert!(!rows.is_empty(), "the table marked {marker} has no rows");
    rows
}

fn number<T: std::str::FromStr>(text: &str) -> T {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

/// `None` for the document's "not recorded" dash.
fn recorded(text: &str) -> Option<&str> {
    (text != "-").then_some(text)
}

/// Observations written as in §2.4: "12, 96 s1, air, 111, 51, A, 36.1", with `-` for an item
/// not recorded, or `none` for no observations at all.
fn observations(text: &str) -> (Observations, Spo2Scale) {
    if text == "none" {
        return (Observations::default(), Spo2Scale::Scale1);
    }
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    let [rr, spo2, air, sbp, pulse, acvpu, temp] = fields.as_slice() else {
        panic!("seven inputs expected: {text:?}");
    };
    let (spo2, scale) = match recorded(spo2) {
        None => (None, Spo2Scale::Scale1),
        Some(reading) => {
            let (value, scale) = reading
                .split_once(' ')
                .unwrap_or_else(|| panic!("SpO2 without a scale: {reading:?}"));
            let scale = match scale {
                "s1" => Spo2Scale::Scale1,
                "s2" => Spo2Scale::Scale2,
                other => panic!("unknown SpO2 scale {other:?}"),
            };
            (Some(number(value)), scale)
        }
    };
    let on_oxygen = recorded(air).map(|a| match a {
        "air" => false,
        "O2" => true,
        other => panic!("air or O2 expected, not {other:?}"),
    });
    let consciousness = recorded(acvpu).map(|c| match c {
        "A" => Consciousness::Alert,
        "C" => Consciousness::Confusion,
        "V" => Consciousness::Voice,
        "P" => Consciousness::Pain,
        "U" => Consciousness::Unresponsive,
        other => panic!("an ACVPU letter expected, not {other:?}"),
    });
    let obs = Observations {
        respiration_rate: recorded(rr).map(number),
        spo2,
        on_oxygen,
        systolic_bp: recorded(sbp).map(number),
        pulse: recorded(pulse).map(number),
        consciousness,
        temperature: recorded(temp).map(|t| parse_temperature(t).expect(t)),
    };
    (obs, scale)
}

/// A comma-separated list of codes, or `-` for none.
fn codes<T>(text: &str, parse: fn(&str) -> Option<T>) -> Vec<T> {
    recorded(text).map_or_else(Vec::new, |list| {
        list.split(',')
            .map(|code| parse(code.trim()).unwrap_or_else(|| panic!("unknown code {code:?}")))
            .collect()
    })
}

fn band(label: &str) -> Band {
    Band::ALL
        .into_iter()
        .find(|b| b.label() == label)
        .unwrap_or_else(|| panic!("unknown band {label:?}"))
}

#[test]
fn the_worked_vectors_are_the_tested_ones_and_score_as_written() {
    let rows = table("vectors");
    assert_eq!(rows.len(), VECTORS.len(), "§2.4 and tests/triage/news2.rs");
    for (i, row) in rows.iter().enumerate() {
        let [n, inputs, items, total, band_label] = row.as_slice() else {
            panic!("vector row {row:?}");
        };
        assert_eq!(number::<usize>(n), i + 1, "vectors are numbered in order");
        let (obs, scale) = observations(inputs);
        assert_eq!((obs, scale), vector(i + 1), "vector {n}: inputs");
        let news2 = score(&obs, scale).expect("plausible");
        let items: Vec<Option<u8>> = items.split_whitespace().map(|p| Some(number(p))).collect();
        assert_eq!(news2.items.to_vec(), items, "vector {n}: item points");
        assert_eq!(news2.total, number::<u8>(total), "vector {n}: total");
        assert_eq!(news2.band, Some(band(band_label)), "vector {n}: band");
    }
}

#[test]
fn the_boundary_cases_score_as_written() {
    let rows = table("boundaries");
    let mut checked = 0;
    for row in &rows {
        let [item, cases] = row.as_slice() else {
            panic!("boundary row {row:?}");
        };
        for case in cases.split(',').map(str::trim) {
            let (value, points) = case
                .split_once('→')
                .unwrap_or_else(|| panic!("value→points expected: {case:?}"));
            let mut obs = Observations::default();
            let mut scale = Spo2Scale::Scale1;
            let scored = match item.as_str() {
                "respiration rate" => {
                    obs.respiration_rate = Some(number(value));
                    Item::RespirationRate
                }
                "pulse" => {
                    obs.pulse = Some(number(value));
                    Item::Pulse
                }
                "systolic BP" => {
                    obs.systolic_bp = Some(number(value));
                    Item::SystolicBp
                }
                "SpO2 scale 1" => {
                    obs.spo2 = Some(number(value));
                    Item::Spo2
                }
                "SpO2 scale 2 on air" | "SpO2 scale 2 on oxygen" => {
                    obs.spo2 = Some(number(value));
                    obs.on_oxygen = Some(item.ends_with("oxygen"));
                    scale = Spo2Scale::Scale2;
                    Item::Spo2
                }
                "temperature" => {
                    obs.temperature = Some(parse_temperature(value).expect(value));
                    Item::Temperature
                }
                other => panic!("unknown item {other:?}"),
            };
            let news2 = score(&obs, scale).expect("plausible");
            assert_eq!(news2.item(scored), Some(number(points)), "{item} {value}");
            checked += 1;
        }
    }
    assert_eq!(rows.len(), 7, "one row per scored reading");
    assert_eq!(checked, 64);
}

#[test]
fn the_worked_cases_are_the_tested_ones_and_map_as_written() {
    let rows = table("cases");
    let cases = mapping_cases();
    assert_eq!(rows.len(), cases.len(), "§4.4 and tests/triage/urgency.rs");
    for (i, (row, (name, tested, level, rules))) in rows.iter().zip(cases).enumerate() {
        let [
            n,
            _,
            inputs,
            signs,
            flags,
            concern,
            usual,
            doc_level,
            doc_rules,
        ] = row.as_slice()
        else {
            panic!("case row {row:?}");
        };
        assert_eq!(number::<usize>(n), i + 1, "cases are numbered in order");
        let (observations, scale) = observations(inputs);
        assert_eq!(scale, Spo2Scale::Scale1, "case {n}");
        let written = Assessment {
            observations,
            soft_signs: codes(signs, SoftSign::parse),
            red_flags: codes(flags, RedFlag::parse),
            concern: Concern::parse(concern).unwrap_or_else(|| panic!("concern {concern:?}")),
            baseline_news2: recorded(usual).map(number),
        };
        assert_eq!(written, tested, "case {n} is the tested case {name:?}");
        let doc_level = Level::parse(doc_level).expect("a level code");
        let doc_rules: Vec<u8> = doc_rules.split(',').map(|r| number(r.trim())).collect();
        assert_eq!(
            (doc_level, doc_rules.as_slice()),
            (level, rules),
            "case {n}"
        );
        let triage = assess(&written, scale).expect("plausible");
        let fired: Vec<u8> = triage.reasons.iter().map(|r| r.rule).collect();
        assert_eq!((triage.level, fired), (doc_level, doc_rules), "case {n}");
    }
}

#[test]
fn the_levels_names_and_default_targets_are_as_written() {
    let rows = table("levels");
    assert_eq!(rows.len(), Level::ALL.len());
    let targets = Targets::default();
    for (row, level) in rows.iter().zip(Level::ALL) {
        let [code, name, minutes, _] = row.as_slice() else {
            panic!("level row {row:?}");
        };
        assert_eq!(code, level.as_str());
        assert_eq!(name, level.name());
        assert_eq!(
            number::<u32>(minutes) * 60,
            targets.for_level(level),
            "{code}"
        );
    }
}

#[test]
fn the_soft_signs_and_red_flags_are_as_written() {
    let signs: Vec<(String, String)> = table("soft-signs")
        .into_iter()
        .map(|row| (row[0].clone(), row[1].clone()))
        .collect();
    let expected: Vec<(String, String)> = SoftSign::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    assert_eq!(signs, expected);

    let flags: Vec<(String, String)> = table("red-flags")
        .into_iter()
        .map(|row| (row[0].clone(), row[1].clone()))
        .collect();
    let expected: Vec<(String, String)> = RedFlag::ALL
        .iter()
        .map(|f| (f.as_str().to_owned(), f.question().to_owned()))
        .collect();
    assert_eq!(flags, expected);
}

#[test]
fn the_outcomes_are_as_written() {
    let rows = table("outcomes");
    assert_eq!(rows.len(), Outcome::ALL.len());
    for (row, outcome) in rows.iter().zip(Outcome::ALL) {
        let [code, label, remained] = row.as_slice() else {
            panic!("outcome row {row:?}");
        };
        assert_eq!(code, outcome.code());
        assert_eq!(label, outcome.label(), "{code}");
        let remained = match remained.as_str() {
            "yes" => Remained::Yes,
            "no" => Remained::No,
            "pending" => Remained::Pending,
            "per follow-up" => Remained::PerFollowUp,
            "n/a" => Remained::NotApplicable,
            other => panic!("unknown answer {other:?}"),
        };
        assert_eq!(remained, outcome.remained_at_residence(), "{code}");
    }
}
