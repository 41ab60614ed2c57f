//! Observations as entered (docs/clinical-rules.md §2.2): plausibility limits, temperature text
//! rounded half-up in decimal, and merging observations added to a waiting call.

use carehub_triage::{Observations, Spo2Scale, TempTenths, parse_temperature, score};
use proptest::prelude::*;

fn temp(text: &str) -> TempTenths {
    parse_temperature(text).expect(text)
}

#[test]
fn plausibility_limits_accept_each_edge_and_reject_one_beyond() {
    type Set = fn(&mut Observations, u16);
    let whole: [(&str, Set, u16, u16); 4] = [
        (
            "respiration_rate",
            |o, v| o.respiration_rate = Some(v),
            0,
            60,
        ),
        ("spo2", |o, v| o.spo2 = Some(v), 50, 100),
        ("systolic_bp", |o, v| o.systolic_bp = Some(v), 40, 300),
        ("pulse", |o, v| o.pulse = Some(v), 20, 250),
    ];
    for (field, set, min, max) in whole {
        for (value, ok) in [
            (min, true),
            (max, true),
            (max + 1, false),
            (u16::MAX, false),
        ] {
            let mut obs = Observations::default();
            set(&mut obs, value);
            check_plausibility(obs, field, value, ok);
        }
        if min > 0 {
            let mut obs = Observations::default();
            set(&mut obs, min - 1);
            check_plausibility(obs, field, min - 1, false);
        }
    }
    for (text, ok) in [
        ("25.0", true),
        ("45.0", true),
        ("24.9", false),
        ("45.1", false),
    ] {
        let obs = Observations {
            temperature: Some(temp(text)),
            ..Default::default()
        };
        check_plausibility(obs, "temperature_c", 0, ok);
    }
}

fn check_plausibility(obs: Observations, field: &str, value: u16, ok: bool) {
    match (obs.validate(), ok) {
        (Ok(()), true) => assert!(score(&obs, Spo2Scale::Scale1).is_ok()),
        (Err(e), false) => {
            assert_eq!(e.field, field, "{field} {value}");
            assert!(!e.message.is_empty());
            assert_eq!(e.to_string(), e.message);
            assert_eq!(score(&obs, Spo2Scale::Scale1), Err(e));
        }
        (result, _) => panic!("{field} {value}: expected ok={ok}, got {result:?}"),
    }
}

#[test]
fn respiration_rate_message_is_plain_english() {
    let obs = Observations {
        respiration_rate: Some(61),
        ..Default::default()
    };
    let error = obs.validate().expect_err("61 is implausible");
    assert_eq!(
        error.message,
        "respiration rate must be a whole number from 0 to 60 breaths per minute"
    );
}

#[test]
fn temperature_text_rounds_half_up_in_decimal() {
    let cases = [
        ("38.05", 381),
        ("35.05", 351),
        ("36.05", 361),
        ("39.05", 391),
        ("38", 380),
        ("38.0", 380),
        ("38.", 380),
        ("37.95", 380),
        ("37.249999", 372),
        ("37.25", 373),
        ("37.04", 370),
        (" 36.6 ", 366),
        ("+37.5", 375),
        ("0037.5", 375),
        ("-1", -10),
        ("-0.05", -1),
        ("-35.05", -351),
    ];
    for (text, tenths) in cases {
        assert_eq!(parse_temperature(text), Ok(TempTenths(tenths)), "{text:?}");
    }
}

#[test]
fn temperature_text_that_is_not_a_plain_decimal_is_rejected() {
    let cases = [
        "",
        " ",
        "NaN",
        "nan",
        "inf",
        "1e3",
        "3.8e1",
        "abc",
        "38,5",
        "38.5.1",
        ".5",
        "-",
        "+",
        "--1",
        "38 .5",
        "38.-5",
        "3 8",
        "٣٨",
        "99999999999999999999",
    ];
    for text in cases {
        let error = parse_temperature(text).expect_err(text);
        assert_eq!(error.field, "temperature_c", "{text:?}");
        assert!(!error.message.is_empty());
    }
}

#[test]
fn temperature_displays_one_decimal_place() {
    assert_eq!(TempTenths(381).to_string(), "38.1");
    assert_eq!(TempTenths(380).to_string(), "38.0");
    assert_eq!(TempTenths(-5).to_string(), "-0.5");
}

#[test]
fn newer_observations_win_when_merged() {
    let older = Observations {
        respiration_rate: Some(18),
        pulse: Some(80),
        ..Default::default()
    };
    let newer = Observations {
        pulse: Some(95),
        temperature: Some(TempTenths(375)),
        ..Default::default()
    };
    let merged = older.merged_with(&newer);
    assert_eq!(merged.respiration_rate, Some(18));
    assert_eq!(merged.pulse, Some(95));
    assert_eq!(merged.temperature, Some(TempTenths(375)));
    assert_eq!(merged.recorded(), 3);
    assert_eq!(older.merged_with(&Observations::default()), older);
}

proptest! {
    #[test]
    fn temperature_parsing_never_panics(text in "\\PC{0,12}") {
        let _ = parse_temperature(&text);
    }

    #[test]
    fn temperature_parsing_matches_decimal_rounding(whole in 0i32..100, frac in 0i32..10_000) {
        let text = format!("{whole}.{frac:04}");
        let expected = (whole * 10_000 + frac + 500) / 1000;
        prop_assert_eq!(parse_temperature(&text), Ok(TempTenths(expected)));
    }
}
