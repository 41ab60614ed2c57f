//! The full record of one call: what was assessed, the care plan the nurse saw, every event,
//! the outcome and its sign-off. Shared by the call screen, the tablet's "after the call" view
//! and the clinicians' review.

use std::collections::HashMap;

use carehub_store::{CallEvent, CallRecord, Id};
use carehub_triage::remained;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::views::{HomeRef, today};
use crate::assessment::{AssessmentInput, TriageView};
use crate::auth::Caller;
use crate::care_plan::{CarePlanSummary, Staleness};
use crate::error::ApiError;
use crate::extract::parse_json;
use crate::hub::{CallView, ResidentBrief, view::at};

/// Someone named in the record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    /// User id.
    pub id: Id,
    /// Display name.
    pub name: String,
}

/// The outcome as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeView {
    /// Code (docs/clinical-rules.md §8).
    pub code: String,
    /// Its meaning.
    pub label: String,
    /// The plan for the home.
    pub plan: String,
    /// When to re-observe or follow up.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reobserve_at: Option<OffsetDateTime>,
    /// Clinicians involved.
    pub clinicians: Vec<PersonRef>,
    /// Who recorded it.
    pub recorded_by: PersonRef,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: OffsetDateTime,
    /// Remained at usual place of residence: true, false, or null (pending or not applicable).
    pub remained_at_residence: Option<bool>,
}

/// Follow-up flags added after the call.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpView {
    /// Conveyed to hospital.
    pub conveyed: Option<bool>,
    /// Admitted.
    pub admitted: Option<bool>,
    /// Died within 72 hours.
    pub died_within_72h: Option<bool>,
}

/// A clinician's sign-off.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignOffView {
    /// Who.
    pub by: PersonRef,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// Comment.
    pub comment: String,
}

/// One event of the timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// Order within the call.
    pub seq: i64,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// What (`created`, `claimed`, `breached`, …).
    pub kind: String,
    /// Who; null for the system (breach, lapse, abandonment).
    pub actor: Option<PersonRef>,
    /// Their role.
    pub role: Option<String>,
    /// State after the event.
    pub state: String,
    /// Detail.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// The care plan as the nurse saw it when the call was made.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotView {
    /// Plan version (null: the resident had no plan; every decision was unknown).
    pub version: Option<u32>,
    /// The summary.
    pub summary: Option<CarePlanSummary>,
    /// Stale blocks as of the call.
    pub stale: Option<Staleness>,
}

/// One connection quality sample of a participant's video.
#[derive(Debug, Serialize, ToSchema)]
pub struct QualityView {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// Whose connection.
    pub user_id: Id,
    /// Round-trip time relay to participant, ms.
    pub rtt_ms: Option<u32>,
    /// Fraction of their packets lost on the way in (0-1).
    pub loss: Option<f32>,
    /// Bitrate received from them, kbit/s.
    pub rx_kbps: u32,
    /// Bitrate sent to them, kbit/s.
    pub tx_kbps: u32,
}

/// A call in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallDetail {
    /// Id.
    pub id: Id,
    /// State.
    pub state: String,
    /// Level now (assigned).
    pub level: String,
    /// Level at arrival.
    pub initial_level: String,
    /// Targets missed while waiting.
    pub breaches: u8,
    /// Arrival.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub arrived_at: OffsetDateTime,
    /// First answered.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<OffsetDateTime>,
    /// Reached a terminal state.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<OffsetDateTime>,
    /// The resident.
    pub resident: ResidentBrief,
    /// The home.
    pub care_home: HomeRef,
    /// Situation line.
    pub situation: String,
    /// The assessment (after any added observations).
    pub assessment: AssessmentInput,
    /// The triage result now.
    pub triage: TriageView,
    /// The care plan snapshot.
    pub care_plan: SnapshotView,
    /// The nurse holding it.
    pub holder: Option<PersonRef>,
    /// Outcome, once recorded.
    pub outcome: Option<OutcomeView>,
    /// Follow-up flags.
    pub follow_up: FollowUpView,
    /// Sign-off.
    pub sign_off: Option<SignOffView>,
    /// Every event, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Video connection quality samples, oldest first: tells a bad line from a clinical
    /// problem.
    pub quality: Vec<QualityView>,
    /// The live queue row while the call is open (position, effective level).
    pub live: Option<CallView>,
}

/// Loads a call in full for `caller`, recording the snapshot read in the audit log.
pub async fn call_detail(
    state: &AppState,
    caller: &Caller,
    id: Id,
) -> Result<CallDetail, ApiError> {
    let scope = caller.scope();
    let record = state.store.get_call(id, scope).await?;
    let (version, snapshot) = state
        .store
        .read_call_snapshot(id, scope, &caller.actor())
        .await?;
    let events = state.store.call_events(id, scope).await?;
    let quality = state.store.quality_samples(id, scope).await?;
    let resident = state
        .store
        .get_resident_on_record(record.resident_id, carehub_store::Scope::AllHomes)
        .await?;
    let names: HashMap<Id, String> = state
        .store
        .list_users(None)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let person = |id: Id| PersonRef {
        id,
        name: names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("user {id}")),
    };
    let summary: Option<CarePlanSummary> =
        snapshot
            .map(|s| parse_json(s.as_bytes()))
            .transpose()
            .map_err(|_| ApiError::Internal(format!("call {id}: snapshot does not parse")))?;
    let snapshot_day = at(record.arrived_at).date();
    let live = state
        .hub
        .snapshot()
        .calls()
        .find(|c| c.id == id)
        .map(|c| (**c).clone());
    Ok(CallDetail {
        id,
        state: record.state.as_str().to_owned(),
        level: record.level.as_str().to_owned(),
        initial_level: record.initial_level.as_str().to_owned(),
        breaches: record.breaches,
        arrived_at: at(record.arrived_at),
        answered_at: record.answered_at.map(at),
        ended_at: record.ended_at.map(at),
        resident: ResidentBrief::from_resident(&resident, today()),
        care_home: HomeRef {
            id: resident.care_home_id,
            name: resident.care_home_name.clone(),
        },
        situation: record.situation.clone(),
        assessment: parse_json(record.assessment.as_bytes())?,
        triage: parse_json(record.triage.as_bytes())?,
        care_plan: SnapshotView {
            version,
            stale: summary.as_ref().map(|s| s.staleness(snapshot_day)),
            summary,
        },
        holder: record.holder_id.map(person),
        outcome: outcome_view(&record, &person),
        follow_up: FollowUpView {
            conveyed: record.follow_up.conveyed,
            admitted: record.follow_up.admitted,
            died_within_72h: record.follow_up.died_within_72h,
        },
        sign_off: record.sign_off.as_ref().map(|s| SignOffView {
            by: person(s.by),
            at: at(s.at),
            comment: s.comment.clone(),
        }),
        timeline: events
            .into_iter()
            .map(|e| timeline_entry(e, &person))
            .collect(),
        quality: quality
            .into_iter()
            .map(|q| QualityView {
                at: at(q.at),
                user_id: q.user_id,
                rtt_ms: q.rtt_ms,
                loss: q.loss,
                rx_kbps: q.rx_kbps,
                tx_kbps: q.tx_kbps,
            })
            .collect(),
        live,
    })
}

fn outcome_view(record: &CallRecord, person: &impl Fn(Id) -> PersonRef) -> Option<OutcomeView> {
    let o = record.outcome.as_ref()?;
    Some(OutcomeView {
        code: o.outcome.code().to_owned(),
        label: o.outcome.label().to_owned(),
        plan: o.plan.clone(),
        reobserve_at: o.reobserve_at.map(at),
        clinicians: o.clinicians.iter().map(|c| person(*c)).collect(),
        recorded_by: person(o.recorded_by),
        recorded_at: at(o.recorded_at),
        remained_at_residence: remained(o.outcome, &record.follow_up),
    })
}

fn timeline_entry(e: CallEvent, person: &impl Fn(Id) -> PersonRef) -> TimelineEntry {
    TimelineEntry {
        seq: e.seq,
        at: at(e.at),
        kind: e.kind,
        actor: e.actor_id.map(|id| PersonRef {
            name: e.actor_name.clone().unwrap_or_else(|| person(id).name),
            id,
        }),
        role: e.actor_role,
        state: e.state.as_str().to_owned(),
        detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
    }
}
