//! What hub screens and tablets see of calls: the JSON rows of the live queue.

use std::sync::Arc;

use carehub_store::{CallRecord, Id};
use carehub_triage::{Level, Ranked};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::api::HomeRef;
use crate::assessment::{News2View, ReasonView, TriageView};

/// Who the call is about, as a queue row shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResidentBrief {
    /// Resident id.
    pub id: Id,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// What they like to be called.
    pub preferred_name: String,
    /// Room.
    pub room: String,
    /// Initials for the avatar.
    pub initials: String,
    /// Age in years.
    pub age: i32,
}

impl ResidentBrief {
    /// The brief of a stored resident as of `today`.
    pub fn from_resident(r: &carehub_store::Resident, today: time::Date) -> Self {
        let view = crate::api::ResidentView::new(r.clone(), today);
        Self {
            id: r.id,
            given_name: view.given_name,
            family_name: view.family_name,
            preferred_name: view.preferred_name,
            room: view.room,
            initials: view.initials,
            age: view.age,
        }
    }
}

/// The hub nurse holding a call.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolderView {
    /// User id.
    pub id: Id,
    /// Display name.
    pub name: String,
}

/// One call as every screen shows it. Times are RFC 3339.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallView {
    /// Call id.
    pub id: Id,
    /// `queued`, `claimed`, `in_consultation`, `wrap_up`, `closed`, `cancelled`, `abandoned`.
    pub state: String,
    /// Level that decides the order now: assigned, then promoted by breaches.
    pub level: String,
    /// Its name ("Very urgent").
    pub level_name: String,
    /// Level assigned by triage, re-scoring or a nurse.
    pub assigned_level: String,
    /// Targets missed while waiting (0 = on time).
    pub breaches: u8,
    /// Target time to answer for the assigned level, seconds.
    pub target_seconds: u32,
    /// When the next breach happens if still waiting; null when not waiting.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_deadline: Option<OffsetDateTime>,
    /// When the call arrived.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub arrived_at: OffsetDateTime,
    /// When a nurse first answered, if yet.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<OffsetDateTime>,
    /// Place in the queue (1 = next); null when not waiting.
    pub position: Option<usize>,
    /// The resident.
    pub resident: ResidentBrief,
    /// Their care home.
    pub care_home: HomeRef,
    /// NEWS2 now.
    pub news2: News2View,
    /// Why the level was reached.
    pub reasons: Vec<ReasonView>,
    /// Soft sign codes ticked.
    pub soft_signs: Vec<String>,
    /// Red flag codes answered yes.
    pub red_flags: Vec<String>,
    /// Staff concern.
    pub concern: String,
    /// The situation line.
    pub situation: String,
    /// Staff were told to dial 999.
    pub dial_999: bool,
    /// The nurse holding the call.
    pub holder: Option<HolderView>,
    /// Clinicians the nurse invited into the call's video (they may join).
    pub invited: Vec<HolderView>,
    /// Care plan version attached to the call (null: no plan, every decision unknown).
    pub care_plan_version: Option<u32>,
}

/// Converts stored unix ms to a timestamp.
pub use crate::millis::to_datetime as at;

/// Everything a view is built from.
pub struct ViewParts<'a> {
    /// The stored call.
    pub record: &'a CallRecord,
    /// Resident identity.
    pub resident: &'a ResidentBrief,
    /// Home name.
    pub home_name: &'a str,
    /// Assessment (for signs and concern).
    pub assessment: &'a crate::assessment::AssessmentInput,
    /// Triage result.
    pub triage: &'a TriageView,
    /// Holder's display name.
    pub holder_name: Option<&'a str>,
    /// Invited clinicians, with names.
    pub invited: Vec<HolderView>,
    /// Queue rank, when waiting.
    pub rank: Option<&'a Ranked>,
    /// Target for the assigned level.
    pub target_seconds: u32,
}

impl CallView {
    /// Builds the row.
    pub fn new(p: ViewParts<'_>) -> Self {
        let r = p.record;
        let effective = p.rank.map_or(r.level, |k| k.effective);
        Self {
            id: r.id,
            state: r.state.as_str().to_owned(),
            level: effective.as_str().to_owned(),
            level_name: effective.name().to_owned(),
            assigned_level: r.level.as_str().to_owned(),
            breaches: p.rank.map_or(r.breaches, |k| k.breaches.max(r.breaches)),
            target_seconds: p.target_seconds,
            next_deadline: p.rank.map(|k| at(k.next_deadline)),
            arrived_at: at(r.arrived_at),
            answered_at: r.answered_at.map(at),
            position: p.rank.map(|k| k.position),
            resident: p.resident.clone(),
            care_home: HomeRef {
                id: r.care_home_id,
                name: p.home_name.to_owned(),
            },
            news2: p.triage.news2.clone(),
            reasons: p.triage.reasons.clone(),
            soft_signs: p.assessment.soft_signs.clone(),
            red_flags: p.assessment.red_flags.clone(),
            concern: p.assessment.concern.clone(),
            situation: r.situation.clone(),
            dial_999: p.triage.dial_999,
            holder: r.holder_id.zip(p.holder_name).map(|(id, name)| HolderView {
                id,
                name: name.to_owned(),
            }),
            care_plan_version: r.care_plan_version,
            invited: p.invited,
        }
    }

    /// The effective level as the triage type.
    pub fn level(&self) -> Level {
        Level::parse(&self.level).unwrap_or(Level::P1)
    }
}

/// The live queue: waiting calls in order, and calls being handled.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct QueueView {
    /// Increases with every change.
    pub seq: u64,
    /// Waiting calls, most urgent first.
    #[schema(value_type = Vec<CallView>)]
    pub waiting: Vec<Arc<CallView>>,
    /// Calls claimed, in consultation or in wrap-up.
    #[schema(value_type = Vec<CallView>)]
    pub in_progress: Vec<Arc<CallView>>,
}

impl QueueView {
    /// Every open call.
    pub fn calls(&self) -> impl Iterator<Item = &Arc<CallView>> {
        self.waiting.iter().chain(self.in_progress.iter())
    }

    /// Waiting call ids in order.
    pub fn order(&self) -> Vec<Id> {
        self.waiting.iter().map(|c| c.id).collect()
    }
}
