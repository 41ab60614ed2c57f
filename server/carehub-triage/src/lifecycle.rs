//! The life of a hub call as one explicit transition table, so no code path can invent a state.
//!
//! A call is queued, claimed by a hub nurse, assessed on video (or by other means, such as
//! phone), wrapped up and closed with an outcome; or it is cancelled or abandoned on the way.
//! Everything not in [`TRANSITIONS`] is refused with an [`InvalidTransition`].

use std::fmt;

/// Where a call is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CallState {
    /// Waiting in the hub queue.
    Queued,
    /// A hub nurse has taken it and is about to answer.
    Claimed,
    /// The nurse is assessing on video.
    InConsultation,
    /// The consultation has ended; the outcome is being recorded.
    WrapUp,
    /// Outcome recorded.
    Closed,
    /// Withdrawn by the care home before a consultation began.
    Cancelled,
    /// Lost: technical failure or nobody left on the line.
    Abandoned,
}

/// Something that happens to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CallAction {
    /// A hub nurse takes the call.
    Claim,
    /// Video starts.
    StartConsultation,
    /// The nurse hands the call back to the queue.
    Release,
    /// The nurse's claim timed out, so the call goes back to the queue.
    ClaimLapsed,
    /// The assessment is over (on video, or by other means such as phone).
    EndConsultation,
    /// The outcome is recorded.
    RecordOutcome,
    /// The care home withdraws the call.
    Cancel,
    /// The call is lost.
    Abandon,
}

/// A refused action, naming both sides so the message explains itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvalidTransition {
    /// The state the call was in.
    pub from: CallState,
    /// The action that was refused.
    pub action: CallAction,
}

/// Every allowed (from, action, to). Anything else is invalid.
pub const TRANSITIONS: [(CallState, CallAction, CallState); 14] = {
    use CallAction as A;
    use CallState as S;
    [
        (S::Queued, A::Claim, S::Claimed),
        (S::Claimed, A::StartConsultation, S::InConsultation),
        (S::Claimed, A::Release, S::Queued),
        (S::InConsultation, A::Release, S::Queued),
        (S::Claimed, A::ClaimLapsed, S::Queued),
        (S::InConsultation, A::ClaimLapsed, S::Queued),
        (S::InConsultation, A::EndConsultation, S::WrapUp),
        // The nurse assessed by other means, e.g. phone.
        (S::Claimed, A::EndConsultation, S::WrapUp),
        (S::WrapUp, A::RecordOutcome, S::Closed),
        (S::Queued, A::Cancel, S::Cancelled),
        (S::Claimed, A::Cancel, S::Cancelled),
        (S::Queued, A::Abandon, S::Abandoned),
        (S::Claimed, A::Abandon, S::Abandoned),
        (S::InConsultation, A::Abandon, S::Abandoned),
    ]
};

/// The state after `action`, or why it is not allowed from `from`.
pub fn transition(from: CallState, action: CallAction) -> Result<CallState, InvalidTransition> {
    TRANSITIONS
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
        .ok_or(InvalidTransition { from, action })
}

impl CallState {
    /// Every state, in the order a call usually moves through them.
    pub const ALL: [CallState; 7] = [
        CallState::Queued,
        CallState::Claimed,
        CallState::InConsultation,
        CallState::WrapUp,
        CallState::Closed,
        CallState::Cancelled,
        CallState::Abandoned,
    ];

    /// The stable code used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Queued => "queued",
            CallState::Claimed => "claimed",
            CallState::InConsultation => "in_consultation",
            CallState::WrapUp => "wrap_up",
            CallState::Closed => "closed",
            CallState::Cancelled => "cancelled",
            CallState::Abandoned => "abandoned",
        }
    }

    /// Reads a code written by [`CallState::as_str`].
    pub fn parse(code: &str) -> Option<CallState> {
        CallState::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// No action can move the call on: it is finished, one way or another.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CallState::Closed | CallState::Cancelled | CallState::Abandoned
        )
    }

    /// The call is in the hub queue, waiting for a nurse (and can breach its target).
    pub fn is_waiting(self) -> bool {
        self == CallState::Queued
    }

    /// Wording for messages: "a call that is {description}".
    fn description(self) -> &'static str {
        match self {
            CallState::Queued => "queued",
            CallState::Claimed => "claimed",
            CallState::InConsultation => "in consultation",
            CallState::WrapUp => "in wrap-up",
            CallState::Closed => "closed",
            CallState::Cancelled => "cancelled",
            CallState::Abandoned => "abandoned",
        }
    }
}

impl CallAction {
    /// Every action.
    pub const ALL: [CallAction; 8] = [
        CallAction::Claim,
        CallAction::StartConsultation,
        CallAction::Release,
        CallAction::ClaimLapsed,
        CallAction::EndConsultation,
        CallAction::RecordOutcome,
        CallAction::Cancel,
        CallAction::Abandon,
    ];

    /// The stable code used in the API and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            CallAction::Claim => "claim",
            CallAction::StartConsultation => "start_consultation",
            CallAction::Release => "release",
            CallAction::ClaimLapsed => "claim_lapsed",
            CallAction::EndConsultation => "end_consultation",
            CallAction::RecordOutcome => "record_outcome",
            CallAction::Cancel => "cancel",
            CallAction::Abandon => "abandon",
        }
    }

    /// Reads a code written by [`CallAction::as_str`].
    pub fn parse(code: &str) -> Option<CallAction> {
        CallAction::ALL.into_iter().find(|a| a.as_str() == code)
    }

    /// Wording for messages: "cannot {verb} a call".
    fn verb(self) -> &'static str {
        match self {
            CallAction::Claim => "claim",
            CallAction::StartConsultation => "start a consultation on",
            CallAction::Release => "release",
            CallAction::ClaimLapsed => "lapse the claim on",
            CallAction::EndConsultation => "end the consultation on",
            CallAction::RecordOutcome => "record an outcome on",
            CallAction::Cancel => "cancel",
            CallAction::Abandon => "abandon",
        }
    }
}

/// Reads as a sentence: "cannot claim a call that is closed".
impl fmt::Display for InvalidTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} a call that is {}",
            self.action.verb(),
            self.from.description()
        )
    }
}

impl std::error::Error for InvalidTransition {}
