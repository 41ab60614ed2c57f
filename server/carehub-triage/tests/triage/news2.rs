//! NEWS2 against docs/clinical-rules.md §2: every boundary, every worked vector and partial sets.

use carehub_triage::news2::TOTAL_SNOMED;
use carehub_triage::{
    Band, Consciousness, Item, News2, Observations, Spo2Scale, TempTenths, parse_temperature, score,
};
use proptest::prelude::*;

use Consciousness::{Alert, Confusion, Pain, Unresponsive, Voice};
use Spo2Scale::{Scale1, Scale2};

fn scored(obs: &Observations, scale: Spo2Scale) -> News2 {
    score(obs, scale).expect("plausible observations score")
}

fn temp(text: &str) -> TempTenths {
    parse_temperature(text).expect(text)
}

/// Points for one item scored on its own.
fn points(obs: Observations, scale: Spo2Scale, item: Item) -> Option<u8> {
    scored(&obs, scale).item(item)
}

#[test]
fn respiration_rate_boundaries() {
    for (rr, expected) in [
        (8, 3),
        (9, 1),
        (11, 1),
        (12, 0),
        (20, 0),
        (21, 2),
        (24, 2),
        (25, 3),
    ] {
        let obs = Observations {
            respiration_rate: Some(rr),
            ..Default::default()
        };
        assert_eq!(
            points(obs, Scale1, Item::RespirationRate),
            Some(expected),
            "RR {rr}"
        );
    }
}

#[test]
fn pulse_boundaries() {
    let cases = [
        (40, 3),
        (41, 1),
        (50, 1),
        (51, 0),
        (90, 0),
        (91, 1),
        (110, 1),
        (111, 2),
        (130, 2),
        (131, 3),
    ];
    for (pulse, expected) in cases {
        let obs = Observations {
            pulse: Some(pulse),
            ..Default::default()
        };
        assert_eq!(
            points(obs, Scale1, Item::Pulse),
            Some(expected),
            "pulse {pulse}"
        );
    }
}

#[test]
fn systolic_bp_boundaries() {
    let cases = [
        (90, 3),
        (91, 2),
        (100, 2),
        (101, 1),
        (110, 1),
        (111, 0),
        (219, 0),
        (220, 3),
    ];
    for (sbp, expected) in cases {
        let obs = Observations {
            systolic_bp: Some(sbp),
            ..Default::default()
        };
        assert_eq!(
            points(obs, Scale1, Item::SystolicBp),
            Some(expected),
            "SBP {sbp}"
        );
    }
}

fn spo2(value: u16, on_oxygen: Option<bool>) -> Observations {
    Observations {
        spo2: Some(value),
        on_oxygen,
        ..Default::default()
    }
}

#[test]
fn spo2_scale_1_boundaries() {
    for (value, expected) in [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0)] {
        for oxygen in [None, Some(false), Some(true)] {
            let obs = spo2(value, oxygen);
            assert_eq!(
                points(obs, Scale1, Item::Spo2),
                Some(expected),
                "SpO2 {value}"
            );
        }
    }
}

#[test]
fn spo2_scale_2_on_air_boundaries() {
    let cases = [
        (83, 3),
        (84, 2),
        (85, 2),
        (86, 1),
        (87, 1),
        (88, 0),
        (92, 0),
        (93, 0),
        (97, 0),
        (100, 0),
    ];
    for (value, expected) in cases {
        let obs = spo2(value, Some(false));
        assert_eq!(
            points(obs, Scale2, Item::Spo2),
            Some(expected),
            "SpO2 {value}"
        );
    }
}

#[test]
fn spo2_scale_2_on_oxygen_boundaries() {
    let cases = [
        (83, 3),
        (85, 2),
        (87, 1),
        (88, 0),
        (92, 0),
        (93, 1),
        (94, 1),
        (95, 2),
        (96, 2),
        (97, 3),
    ];
    for (value, expected) in cases {
        let obs = spo2(value, Some(true));
        assert_eq!(
            points(obs, Scale2, Item::Spo2),
            Some(expected),
            "SpO2 {value}"
        );
    }
}

#[test]
fn spo2_scale_2_with_oxygen_unknown_scores_as_air_and_stays_incomplete() {
    for value in [93, 95, 97, 100] {
        let news2 = scored(&spo2(value, None), Scale2);
        assert_eq!(news2.item(Item::Spo2), Some(0), "SpO2 {value}");
        assert_eq!(news2.item(Item::AirOrOxygen), None);
        assert!(!news2.complete);
        assert_eq!(news2.band, None);
    }
}

#[test]
fn temperature_boundaries_including_half_tenths() {
    let cases = [
        ("35.0", 3),
        ("35.1", 1),
        ("36.0", 1),
        ("36.1", 0),
        ("38.0", 0),
        ("38.1", 1),
        ("39.0", 1),
        ("39.1", 2),
        ("35.05", 1),
        ("36.05", 0),
        ("38.05", 1),
        ("39.05", 2),
    ];
    for (text, expected) in cases {
        let obs = Observations {
            temperature: Some(temp(text)),
            ..Default::default()
        };
        assert_eq!(
            points(obs, Scale1, Item::Temperature),
            Some(expected),
            "{text}"
        );
    }
}

#[test]
fn air_oxygen_and_consciousness_points() {
    let air = |o| Observations {
        on_oxygen: Some(o),
        ..Default::default()
    };
    assert_eq!(points(air(false), Scale1, Item::AirOrOxygen), Some(0));
    assert_eq!(points(air(true), Scale1, Item::AirOrOxygen), Some(2));
    for (level, expected) in [
        (Alert, 0),
        (Confusion, 3),
        (Voice, 3),
        (Pain, 3),
        (Unresponsive, 3),
    ] {
        let obs = Observations {
            consciousness: Some(level),
            ..Default::default()
        };
        assert_eq!(
            points(obs, Scale1, Item::Consciousness),
            Some(expected),
            "{level:?}"
        );
    }
}

/// One worked vector of docs/clinical-rules.md §2.4, column for column: RR, SpO2, scale, on
/// oxygen, SBP, pulse, ACVPU, temperature, then the expected item scores, total and band.
pub type Vector = (
    u16,
    u16,
    Spo2Scale,
    bool,
    u16,
    u16,
    Consciousness,
    &'static str,
    [u8; 7],
    u8,
    Band,
);

#[rustfmt::skip]
pub const VECTORS: [Vector; 15] = [
    (12, 96, Scale1, false, 111, 51, Alert, "36.1", [0, 0, 0, 0, 0, 0, 0], 0, Band::Low),
    (20, 100, Scale1, false, 219, 90, Alert, "38.0", [0, 0, 0, 0, 0, 0, 0], 0, Band::Low),
    (21, 95, Scale1, false, 110, 91, Alert, "38.1", [2, 1, 0, 1, 1, 0, 1], 6, Band::Medium),
    (11, 93, Scale1, false, 100, 50, Alert, "36.0", [1, 2, 0, 2, 1, 0, 1], 7, Band::High),
    (16, 97, Scale1, false, 120, 80, Confusion, "37.2", [0, 0, 0, 0, 0, 3, 0], 3, Band::LowMedium),
    (9, 91, Scale1, false, 130, 60, Alert, "36.5", [1, 3, 0, 0, 0, 0, 0], 4, Band::LowMedium),
    (22, 94, Scale1, false, 105, 85, Alert, "37.0", [2, 1, 0, 1, 0, 0, 0], 4, Band::Low),
    (22, 94, Scale1, false, 105, 95, Alert, "37.0", [2, 1, 0, 1, 1, 0, 0], 5, Band::Medium),
    (24, 92, Scale1, false, 140, 110, Alert, "39.1", [2, 2, 0, 0, 1, 0, 2], 7, Band::High),
    (25, 91, Scale1, true, 220, 131, Unresponsive, "35.0", [3, 3, 2, 3, 3, 3, 3], 20, Band::High),
    (8, 96, Scale1, true, 90, 40, Pain, "39.0", [3, 0, 2, 3, 3, 3, 1], 15, Band::High),
    (18, 95, Scale2, false, 125, 75, Alert, "37.0", [0, 0, 0, 0, 0, 0, 0], 0, Band::Low),
    (19, 90, Scale2, true, 118, 84, Alert, "36.9", [0, 0, 2, 0, 0, 0, 0], 2, Band::Low),
    (18, 96, Scale2, true, 125, 95, Alert, "37.0", [0, 2, 2, 0, 1, 0, 0], 5, Band::Medium),
    (26, 85, Scale2, true, 125, 88, Voice, "37.9", [3, 2, 2, 0, 0, 3, 0], 10, Band::High),
];

/// The observations of worked vector `n` (1-based, as numbered in docs/clinical-rules.md §2.4),
/// with its scale.
pub fn vector(n: usize) -> (Observations, Spo2Scale) {
    let (rr, spo2, scale, oxygen, sbp, pulse, acvpu, temperature, ..) = VECTORS[n - 1];
    let obs = Observations {
        respiration_rate: Some(rr),
        spo2: Some(spo2),
        on_oxygen: Some(oxygen),
        systolic_bp: Some(sbp),
        pulse: Some(pulse),
        consciousness: Some(acvpu),
        temperature: Some(temp(temperature)),
    };
    (obs, scale)
}

#[test]
fn every_worked_vector_scores_as_published() {
    for (i, &(.., items, total, band)) in VECTORS.iter().enumerate() {
        let (obs, scale) = vector(i + 1);
        let news2 = scored(&obs, scale);
        assert_eq!(news2.items, items.map(Some), "vector {}", i + 1);
        assert_eq!(news2.total, total, "vector {}", i + 1);
        assert_eq!(news2.band, Some(band), "vector {}", i + 1);
        assert!(news2.complete);
        assert_eq!(news2.recorded, 7);
        assert_eq!(news2.scale, scale);
        assert_eq!(news2.summary(), format!("NEWS2 {total} ({})", band.label()));
    }
}

#[test]
fn vector_items_read_back_by_name() {
    let (obs, scale) = vector(15);
    let news2 = scored(&obs, scale);
    let by_name: Vec<Option<u8>> = Item::ALL.iter().map(|i| news2.item(*i)).collect();
    assert_eq!(by_name, news2.items.to_vec());
    assert!(news2.any_item_three());
    let (obs, scale) = vector(3);
    assert!(!scored(&obs, scale).any_item_three());
}

#[test]
fn a_partial_set_is_a_lower_bound_and_never_labelled_low() {
    let (full, scale) = vector(1);
    let partial = Observations {
        systolic_bp: None,
        temperature: None,
        ..full
    };
    let news2 = scored(&partial, scale);
    assert_eq!(news2.recorded, 5);
    assert!(!news2.complete);
    assert_eq!(news2.band, None);
    assert_eq!(news2.total, 0);
    assert_eq!(news2.item(Item::SystolicBp), None);
    assert_eq!(news2.summary(), "NEWS2 at least 0 (5 of 7 recorded)");

    let (full, scale) = vector(3);
    let partial = Observations {
        pulse: None,
        ..full
    };
    let news2 = scored(&partial, scale);
    assert_eq!(news2.total, 5);
    assert_eq!(news2.summary(), "NEWS2 at least 5 (6 of 7 recorded)");
}

#[test]
fn nothing_recorded_says_so() {
    let news2 = scored(&Observations::default(), Scale1);
    assert_eq!(news2.recorded, 0);
    assert_eq!(news2.total, 0);
    assert_eq!(news2.band, None);
    assert_eq!(news2.items, [None; 7]);
    assert_eq!(news2.summary(), "NEWS2 not recorded (0 of 7)");
    assert!(Observations::default().is_empty());
}

#[test]
fn codes_round_trip() {
    for c in Consciousness::ALL {
        assert_eq!(Consciousness::parse(c.as_str()), Some(c));
    }
    assert_eq!(Consciousness::parse("Alert"), None);
    let items: Vec<&str> = Item::ALL.iter().map(|i| i.as_str()).collect();
    assert_eq!(
        items,
        [
            "respiration_rate",
            "spo2",
            "air_or_oxygen",
            "systolic_bp",
            "pulse",
            "consciousness",
            "temperature"
        ]
    );
    let bands: Vec<(&str, &str)> = Band::ALL.iter().map(|b| (b.as_str(), b.label())).collect();
    assert_eq!(
        bands,
        [
            ("low", "Low"),
            ("low_medium", "Low-medium"),
            ("medium", "Medium"),
            ("high", "High")
        ]
    );
    assert_eq!(Spo2Scale::from_number(1), Some(Scale1));
    assert_eq!(Spo2Scale::from_number(2), Some(Scale2));
    assert_eq!(Spo2Scale::from_number(3), None);
    assert_eq!(Scale2.number(), 2);
    assert_eq!(Spo2Scale::default(), Scale1);
    assert_eq!(TOTAL_SNOMED, "1104051000000101");
    assert_eq!(Item::Spo2.snomed(Scale2), "1104321000000108");
}

fn any_observations() -> impl Strategy<Value = Observations> {
    (
        (
            proptest::option::of(0..=70u16),
            proptest::option::of(40..=110u16),
            proptest::option::of(any::<bool>()),
            proptest::option::of(30..=320u16),
        ),
        (
            proptest::option::of(10..=260u16),
            proptest::option::of(proptest::sample::select(Consciousness::ALL.to_vec())),
            proptest::option::of((240..=460i32).prop_map(TempTenths)),
        ),
    )
        .prop_map(
            |((rr, spo2, on_oxygen, sbp), (pulse, consciousness, temperature))| Observations {
                respiration_rate: rr,
                spo2,
                on_oxygen,
                systolic_bp: sbp,
                pulse,
                consciousness,
                temperature,
            },
        )
}

proptest! {
    #[test]
    fn a_score_is_consistent_with_its_items(obs in any_observations(), two in any::<bool>()) {
        let scale = if two { Scale2 } else { Scale1 };
        match score(&obs, scale) {
            Ok(news2) => {
                let sum: u8 = news2.items.iter().flatten().sum();
                prop_assert_eq!(news2.total, sum);
                prop_assert!(news2.total <= 20);
                prop_assert_eq!(news2.recorded, obs.recorded());
                prop_assert_eq!(news2.complete, news2.recorded == 7);
                prop_assert_eq!(news2.band.is_some(), news2.complete);
                prop_assert!(news2.items.iter().flatten().all(|p| *p <= 3));
            }
            Err(e) => prop_assert!(obs.validate().is_err() && !e.message.is_empty()),
        }
    }

    #[test]
    fn adding_an_observation_never_lowers_the_total(
        obs in any_observations(),
        newer in any_observations(),
    ) {
        // Filling only the gaps (older values win) adds items, so the lower bound can only rise.
        let filled = newer.merged_with(&obs);
        if let (Ok(before), Ok(after)) = (score(&obs, Scale1), score(&filled, Scale1)) {
            prop_assert!(after.total >= before.total);
        }
    }

}
