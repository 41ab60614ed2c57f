//! The call lifecycle: every (state, action) pair checked against a table written out here
//! independently of the crate's.

use carehub_triage::lifecycle::TRANSITIONS;
use carehub_triage::{CallAction, CallState, InvalidTransition, transition};

use CallAction as A;
use CallState as S;

/// The expected table, written independently of the crate's, as a `match`.
fn expected(from: CallState, action: CallAction) -> Option<CallState> {
    match (from, action) {
        (S::Queued, A::Claim) => Some(S::Claimed),
        (S::Claimed, A::StartConsultation) => Some(S::InConsultation),
        (S::Claimed | S::InConsultation, A::Release | A::ClaimLapsed) => Some(S::Queued),
        (S::Claimed | S::InConsultation, A::EndConsultation) => Some(S::WrapUp),
        (S::WrapUp, A::RecordOutcome) => Some(S::Closed),
        (S::Queued | S::Claimed, A::Cancel) => Some(S::Cancelled),
        (S::Queued | S::Claimed | S::InConsultation, A::Abandon) => Some(S::Abandoned),
        _ => None,
    }
}

#[test]
fn every_state_and_action_pair_follows_the_table() {
    let mut allowed = 0;
    for from in CallState::ALL {
        for action in CallAction::ALL {
            let result = transition(from, action);
            match expected(from, action) {
                Some(to) => {
                    allowed += 1;
                    assert_eq!(result, Ok(to), "{from:?} --{action:?}-->");
                }
                None => assert_eq!(
                    result,
                    Err(InvalidTransition { from, action }),
                    "{from:?} --{action:?}-->"
                ),
            }
        }
    }
    assert_eq!(allowed, TRANSITIONS.len());
}

#[test]
fn terminal_states_allow_nothing() {
    for from in CallState::ALL {
        let any_allowed = CallAction::ALL
            .into_iter()
            .any(|action| transition(from, action).is_ok());
        assert_eq!(from.is_terminal(), !any_allowed, "{from:?}");
    }
    assert!(S::Queued.is_waiting());
    assert!(CallState::ALL.iter().filter(|s| s.is_waiting()).count() == 1);
}

#[test]
fn a_refusal_reads_as_a_sentence() {
    let error = transition(S::Closed, A::Claim).expect_err("closed calls cannot be claimed");
    assert_eq!(error.to_string(), "cannot claim a call that is closed");
    let error = transition(S::Queued, A::RecordOutcome).expect_err("not wrapped up");
    assert_eq!(
        error.to_string(),
        "cannot record an outcome on a call that is queued"
    );
}

#[test]
fn codes_round_trip() {
    let states: Vec<&str> = CallState::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        states,
        [
            "queued",
            "claimed",
            "in_consultation",
            "wrap_up",
            "closed",
            "cancelled",
            "abandoned"
        ]
    );
    let actions: Vec<&str> = CallAction::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "claim",
            "start_consultation",
            "release",
            "claim_lapsed",
            "end_consultation",
            "record_outcome",
            "cancel",
            "abandon",
        ]
    );
    for s in CallState::ALL {
        assert_eq!(CallState::parse(s.as_str()), Some(s));
    }
    for a in CallAction::ALL {
        assert_eq!(CallAction::parse(a.as_str()), Some(a));
    }
    assert_eq!(CallState::parse("Queued"), None);
}
