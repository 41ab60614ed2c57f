//! Outcomes and "remained at usual place of residence" against docs/clinical-rules.md §8.

use carehub_triage::{FollowUp, Outcome, Remained, remained};

#[test]
fn the_outcome_table_matches_the_reference() {
    use Remained::{No, NotApplicable, Pending, PerFollowUp, Yes};
    let expected = [
        ("ADV", Yes),
        ("TIH", Yes),
        ("RXH", Yes),
        ("GPV", Yes),
        ("GPH", Yes),
        ("UCR", Yes),
        ("OTH", Yes),
        ("OOH", Pending),
        ("EOL", Yes),
        ("AMB", PerFollowUp),
        ("EDS", No),
        ("ADM", No),
        ("DEX", NotApplicable),
        ("DUX", NotApplicable),
        ("ABN", NotApplicable),
    ];
    let actual: Vec<(&str, Remained)> = Outcome::ALL
        .iter()
        .map(|o| (o.code(), o.remained_at_residence()))
        .collect();
    assert_eq!(actual, expected);
    for outcome in Outcome::ALL {
        assert_eq!(Outcome::parse(outcome.code()), Some(outcome));
        assert!(!outcome.label().is_empty());
    }
    assert_eq!(Outcome::parse("adv"), None);
    assert_eq!(Outcome::parse(" ADV"), None);
    assert_eq!(Outcome::Adv.label(), "Advice or reassurance only");
}

#[test]
fn remained_codes_round_trip() {
    let codes: Vec<&str> = Remained::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        codes,
        ["yes", "no", "pending", "per_follow_up", "not_applicable"]
    );
    for r in Remained::ALL {
        assert_eq!(Remained::parse(r.as_str()), Some(r));
    }
}

fn follow_up(conveyed: Option<bool>, admitted: Option<bool>) -> FollowUp {
    FollowUp {
        conveyed,
        admitted,
        died_within_72h: None,
    }
}

#[test]
fn an_ambulance_call_is_decided_by_conveyance() {
    assert_eq!(
        remained(Outcome::Amb, &follow_up(Some(false), None)),
        Some(true)
    );
    assert_eq!(
        remained(Outcome::Amb, &follow_up(Some(true), None)),
        Some(false)
    );
    assert_eq!(remained(Outcome::Amb, &follow_up(None, None)), None);
    assert_eq!(
        remained(Outcome::Amb, &follow_up(Some(false), Some(true))),
        Some(false)
    );
}

#[test]
fn an_out_of_hours_referral_is_decided_by_admission() {
    assert_eq!(
        remained(Outcome::Ooh, &follow_up(None, Some(false))),
        Some(true)
    );
    assert_eq!(
        remained(Outcome::Ooh, &follow_up(None, Some(true))),
        Some(false)
    );
    assert_eq!(remained(Outcome::Ooh, &follow_up(None, None)), None);
}

#[test]
fn an_admission_always_means_the_resident_did_not_remain() {
    for outcome in Outcome::ALL {
        assert_eq!(
            remained(outcome, &follow_up(None, Some(true))),
            Some(false),
            "{outcome:?}"
        );
    }
}

#[test]
fn without_follow_up_the_table_decides() {
    for outcome in Outcome::ALL {
        let expected = match outcome.remained_at_residence() {
            Remained::Yes => Some(true),
            Remained::No => Some(false),
            Remained::Pending | Remained::PerFollowUp | Remained::NotApplicable => None,
        };
        assert_eq!(
            remained(outcome, &FollowUp::default()),
            expected,
            "{outcome:?}"
        );
    }
    // Deaths and abandoned calls are not counted, even with conveyance known.
    assert_eq!(
        remained(Outcome::Dex, &follow_up(Some(false), Some(false))),
        None
    );
}
