//! Records of hub calls: the current state of each call, its append-only event history, and
//! the figures computed over closed calls.
//!
//! Clinical payloads (the assessment, the triage result, the care plan snapshot, event details)
//! are opaque text to the store, written by the server; the store keeps the columns it needs to
//! order, filter and count (state, level, times, outcome) as typed values.

use carehub_triage::{CallState, FollowUp, Level, Outcome};

use crate::{Actor, Id};

/// A call to accept: everything is decided by the server before it reaches the store.
#[derive(Debug, Clone)]
pub struct NewCall {
    /// The resident the call is about.
    pub resident_id: Id,
    /// Their care home (checked by the store against the resident).
    pub care_home_id: Id,
    /// Level computed by triage.
    pub level: Level,
    /// NEWS2 total (a lower bound when incomplete), for lists and figures.
    pub news2_total: Option<u8>,
    /// The assessment as submitted (JSON).
    pub assessment: String,
    /// The triage result: NEWS2 items, band, reasons (JSON).
    pub triage: String,
    /// The one-line situation typed by staff.
    pub situation: String,
    /// The care plan version snapshotted, if the resident has a plan.
    pub care_plan_version: Option<u32>,
    /// The snapshot itself (the plan's JSON at that version), immutable from here on.
    pub care_plan_snapshot: Option<String>,
    /// Unix ms the call was accepted.
    pub at: i64,
}

/// How a change treats the nurse holding the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// Leave as it is.
    Keep,
    /// This hub nurse now holds the call.
    Set(Id),
    /// Nobody holds it.
    Clear,
}

/// The outcome a hub nurse records at wrap-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRecord {
    /// Primary outcome code.
    pub outcome: Outcome,
    /// The agreed plan, in plain words for the home.
    pub plan: String,
    /// Unix ms when staff should re-observe or follow up, if set.
    pub reobserve_at: Option<i64>,
    /// User ids of clinicians involved in the decision.
    pub clinicians: Vec<Id>,
    /// Who recorded it.
    pub recorded_by: Id,
    /// When.
    pub recorded_at: i64,
}

/// A clinician's sign-off of a closed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOff {
    /// Who signed.
    pub by: Id,
    /// Their display name.
    pub by_name: String,
    /// When.
    pub at: i64,
    /// Comment.
    pub comment: String,
}

/// One change to a call, applied atomically with its event and audit entry.
///
/// The store refuses it with `Conflict` unless the call is in `expected_state`: two nurses
/// claiming at once both send `expected_state: Queued`, and only the first commit wins.
#[derive(Debug, Clone)]
pub struct CallChange {
    /// The call.
    pub call_id: Id,
    /// State the change was decided against.
    pub expected_state: CallState,
    /// State after the change (equal to `expected_state` for events that do not move it).
    pub new_state: CallState,
    /// Event kind, a stable code: `claimed`, `released`, `claim_lapsed`,
    /// `consultation_started`, `consultation_ended`, `outcome_recorded`, `cancelled`,
    /// `abandoned`, `observations_added`, `level_changed`, `breached`.
    pub kind: String,
    /// Who did it; `None` for the system (breaches, lapses, abandonment).
    pub actor: Option<Actor>,
    /// Unix ms.
    pub at: i64,
    /// Event detail (JSON), shown in the timeline.
    pub detail: String,
    /// The holder after the change.
    pub holder: Holder,
    /// New assigned level and the unix ms its breach clock starts.
    pub level: Option<(Level, i64)>,
    /// Replaces assessment, triage JSON and NEWS2 total (re-scoring after new observations).
    pub assessment: Option<(String, String, Option<u8>)>,
    /// Sets the outcome (wrap-up → closed).
    pub outcome: Option<OutcomeRecord>,
    /// Sets `answered_at` if it is not set yet (the first claim answers the call).
    pub answered: bool,
    /// Raises the breach count to this (never lowers it).
    pub breaches: Option<u8>,
}

impl CallChange {
    /// A change with nothing but an event: callers set the fields they need.
    pub fn event(call_id: Id, state: CallState, kind: &str, actor: Option<Actor>, at: i64) -> Self {
        Self {
            call_id,
            expected_state: state,
            new_state: state,
            kind: kind.to_owned(),
            actor,
            at,
            detail: "{}".to_owned(),
            holder: Holder::Keep,
            level: None,
            assessment: None,
            outcome: None,
            answered: false,
            breaches: None,
        }
    }
}

/// A call as stored: current state plus everything lists and figures need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// Id; also the queue's final tie-break.
    pub id: Id,
    /// Resident.
    pub resident_id: Id,
    /// Care home.
    pub care_home_id: Id,
    /// Current state.
    pub state: CallState,
    /// Level assigned now (by triage, re-scoring or a nurse).
    pub level: Level,
    /// Level at arrival, for "time to answer by level".
    pub initial_level: Level,
    /// NEWS2 total now.
    pub news2_total: Option<u8>,
    /// Unix ms accepted; orders the queue within a level.
    pub arrived_at: i64,
    /// Unix ms the breach clock for `level` started.
    pub clock_start: i64,
    /// Hub nurse holding the call.
    pub holder_id: Option<Id>,
    /// Unix ms first claimed (answered), if ever.
    pub answered_at: Option<i64>,
    /// Unix ms it reached a terminal state.
    pub ended_at: Option<i64>,
    /// Most breaches it reached while waiting.
    pub breaches: u8,
    /// Assessment JSON.
    pub assessment: String,
    /// Triage JSON.
    pub triage: String,
    /// Situation line.
    pub situation: String,
    /// Snapshotted care plan version.
    pub care_plan_version: Option<u32>,
    /// Outcome, once recorded.
    pub outcome: Option<OutcomeRecord>,
    /// Follow-up flags added later.
    pub follow_up: FollowUp,
    /// Clinician sign-off.
    pub sign_off: Option<SignOff>,
    /// Sequence number of the call's latest event.
    pub last_seq: i64,
}

/// One entry of a call's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEvent {
    /// Sequence within the call, from 1.
    pub seq: i64,
    /// Unix ms.
    pub at: i64,
    /// Event kind (see [`CallChange::kind`]), or `created`, `signed_off`, `follow_up`.
    pub kind: String,
    /// Actor's user id, `None` for the system.
    pub actor_id: Option<Id>,
    /// Actor's display name.
    pub actor_name: Option<String>,
    /// Actor's role code.
    pub actor_role: Option<String>,
    /// State after the event.
    pub state: CallState,
    /// Detail (JSON).
    pub detail: String,
}

/// Filters for the review list of closed calls. All optional.
#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    /// Only this care home.
    pub care_home_id: Option<Id>,
    /// Only calls that arrived at this level.
    pub level: Option<Level>,
    /// Only this outcome.
    pub outcome: Option<Outcome>,
    /// Arrived at or after (unix ms).
    pub from: Option<i64>,
    /// Arrived before (unix ms).
    pub to: Option<i64>,
    /// Only breached (true) or only never breached (false).
    pub breached: Option<bool>,
    /// Only calls not yet signed off.
    pub unsigned: bool,
    /// Paging: only calls listed after this one (newest arrival first, then id).
    pub before_id: Option<Id>,
    /// Page size (the store caps it).
    pub limit: u32,
}

/// What the service figures cover.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportQuery {
    /// Calls that arrived at or after (unix ms).
    pub from: Option<i64>,
    /// Calls that arrived before (unix ms).
    pub to: Option<i64>,
    /// Only this care home.
    pub care_home_id: Option<Id>,
}

/// Time to answer for one level.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerTimes {
    /// The level calls arrived at.
    pub level: Level,
    /// Calls that arrived at this level.
    pub calls: u32,
    /// Of those, answered (claimed at least once).
    pub answered: u32,
    /// Median seconds from arrival to first claim, over answered calls: by nearest rank, the
    /// `ceil(n / 2)`-th smallest of the `n` times (an observed value, never an average).
    pub median_seconds: Option<f64>,
    /// 90th percentile (nearest rank) of the same: the `ceil(0.9 n)`-th smallest.
    pub p90_seconds: Option<f64>,
    /// Calls that breached their target at least once.
    pub breached: u32,
}

/// The service figures of docs/clinical-rules.md §8.2, computed over calls that arrived in the
/// period.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// All calls that arrived.
    pub calls: u32,
    /// Calls per UK calendar day (YYYY-MM-DD, count), in date order, days without calls omitted.
    pub per_day: Vec<(String, u32)>,
    /// Calls per UK local hour of day, 0-23.
    pub per_hour: [u32; 24],
    /// Calls that arrived out of hours (18:00-08:00 and weekends, UK time).
    pub out_of_hours: u32,
    /// Closed calls whose resident remained at their usual place of residence.
    pub remained_yes: u32,
    /// Closed calls whose resident did not.
    pub remained_no: u32,
    /// Closed calls where it is not yet known (OOH or AMB awaiting follow-up).
    pub remained_pending: u32,
    /// Closed calls where the question does not apply (deaths, abandoned via ABN).
    pub remained_not_applicable: u32,
    /// Time to answer, one entry per level P1-P5 (always five).
    pub answer_times: Vec<AnswerTimes>,
    /// Calls abandoned (state abandoned, or closed with outcome ABN).
    pub abandoned: u32,
    /// Calls cancelled by the caller.
    pub cancelled: u32,
    /// Calls per care home: (id, name, count), by name; homes without calls included.
    pub per_home: Vec<(Id, String, u32)>,
    /// Outcome counts: (code, count), for every outcome code in the order of docs/clinical-rules.md
    /// §8.
    pub outcomes: Vec<(Outcome, u32)>,
}

/// A connection quality sample of one participant's media leg.
#[derive(Debug, Clone, PartialEq)]
pub struct QualitySample {
    /// The call.
    pub call_id: Id,
    /// Unix ms.
    pub at: i64,
    /// Whose leg.
    pub user_id: Id,
    /// Round-trip time relay ↔ participant.
    pub rtt_ms: Option<u32>,
    /// Fraction of the participant's packets lost on the way in (0-1).
    pub loss: Option<f32>,
    /// Bitrate received from the participant.
    pub rx_kbps: u32,
    /// Bitrate sent to the participant.
    pub tx_kbps: u32,
}
