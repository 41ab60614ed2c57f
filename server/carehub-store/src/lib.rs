//! The storage port: every durable fact of CareHub passes through [`Store`].
//!
//! Methods are shaped by use case ("read the current care plan and record that it was read"),
//! not by table, so an adapter can make each one a single transaction and a PostgreSQL adapter
//! can follow without touching callers. Only this crate speaks SQL.

mod calls;
mod model;
mod photos;
mod sqlite;

pub use calls::*;
pub use model::*;
pub use photos::*;
pub use sqlite::{SqliteOptions, SqliteStore};

use async_trait::async_trait;

/// Everything a store can say went wrong; callers map these to HTTP in one place.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    /// No such record, or the record lies outside the caller's scope (deliberately the same).
    #[error("not found")]
    NotFound,
    /// The change clashes with existing data (a duplicate key, a stale version).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be reached or failed; the detail is for logs only.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// The storage port. Implementations must be cheap to share (`Arc<dyn Store>`).
///
/// Every method that reads a care plan summary or changes clinical data takes the [`Actor`]
/// and writes the audit entry in the same transaction, so no read or change goes unrecorded.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Succeeds when the database answers a trivial query (readiness).
    async fn ping(&self) -> StoreResult<()>;

    /// A small key-value table for one-off markers (such as "demo data seeded").
    async fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    /// Sets a marker.
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;

    /// Creates a care home.
    async fn create_care_home(&self, home: NewCareHome) -> StoreResult<CareHome>;
    /// All care homes, by name.
    async fn list_care_homes(&self) -> StoreResult<Vec<CareHome>>;

    /// Creates a user account.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    /// Finds an active user by username (case-insensitive), for sign-in.
    async fn find_user(&self, username: &str) -> StoreResult<Option<User>>;
    /// Active users with a role, for pickers such as "invite clinician".
    async fn list_users(&self, role: Option<Role>) -> StoreResult<Vec<User>>;

    /// Residents in scope, optionally filtered by a name or room search.
    async fn list_residents(
        &self,
        scope: Scope,
        search: Option<&str>,
    ) -> StoreResult<Vec<Resident>>;
    /// One resident; `NotFound` when outside the scope.
    async fn get_resident(&self, id: Id, scope: Scope) -> StoreResult<Resident>;
    /// One resident on record, including one who has left (archived): calls and reviews
    /// outlive a resident's stay.
    async fn get_resident_on_record(&self, id: Id, scope: Scope) -> StoreResult<Resident>;
    /// The residents on record with these ids (left or not) that are in scope, in one read:
    /// lists of calls name their residents without a lookup per row. Unknown ids are skipped.
    async fn residents_on_record(&self, ids: Vec<Id>, scope: Scope) -> StoreResult<Vec<Resident>>;
    /// Admits a resident; `Conflict` when the NHS number is already on record.
    async fn create_resident(&self, resident: NewResident, actor: &Actor) -> StoreResult<Resident>;
    /// Changes identity details.
    async fn update_resident(
        &self,
        id: Id,
        scope: Scope,
        patch: ResidentPatch,
        actor: &Actor,
    ) -> StoreResult<Resident>;
    /// Archives a resident who has left; calls and plans stay on record.
    async fn archive_resident(&self, id: Id, scope: Scope, actor: &Actor) -> StoreResult<()>;

    /// The current care plan summary (or `None` when there is no plan), recording the read.
    async fn read_current_care_plan(
        &self,
        resident_id: Id,
        scope: Scope,
        actor: &Actor,
    ) -> StoreResult<Option<CarePlanVersion>>;
    /// One past or current version, recording the read.
    async fn read_care_plan_version(
        &self,
        resident_id: Id,
        version: u32,
        scope: Scope,
        actor: &Actor,
    ) -> StoreResult<CarePlanVersion>;
    /// Who changed the plan and when, newest first (no clinical content, so no audit entry).
    async fn care_plan_history(
        &self,
        resident_id: Id,
        scope: Scope,
    ) -> StoreResult<Vec<CarePlanVersionInfo>>;
    /// Saves a new version. `expected_current` is the version the editor started from
    /// (`None` for a first plan); a mismatch is a `Conflict`, so two editors never silently
    /// overwrite each other.
    async fn save_care_plan(
        &self,
        resident_id: Id,
        scope: Scope,
        expected_current: Option<u32>,
        content: String,
        actor: &Actor,
    ) -> StoreResult<CarePlanVersion>;

    /// Accepts a call: the call row, its `created` event and the audit entry, in one
    /// transaction. `NotFound` when the resident is not in `care_home_id` (or archived).
    async fn create_call(&self, call: NewCall, actor: &Actor) -> StoreResult<CallRecord>;
    /// Applies a change with its event (and, when an actor is given, an audit entry) in one
    /// transaction. `Conflict` when the call is no longer in `change.expected_state`.
    async fn change_call(&self, change: CallChange) -> StoreResult<CallRecord>;
    /// Calls not yet in a terminal state, oldest first: the queue is rebuilt from these at start.
    async fn open_calls(&self) -> StoreResult<Vec<CallRecord>>;
    /// One call in scope.
    async fn get_call(&self, id: Id, scope: Scope) -> StoreResult<CallRecord>;
    /// A call's care plan snapshot (version, JSON), recording the read in the audit log.
    async fn read_call_snapshot(
        &self,
        id: Id,
        scope: Scope,
        actor: &Actor,
    ) -> StoreResult<(Option<u32>, Option<String>)>;
    /// A call's history, oldest first.
    async fn call_events(&self, id: Id, scope: Scope) -> StoreResult<Vec<CallEvent>>;
    /// Calls in terminal states matching the filter, newest first.
    async fn list_closed_calls(&self, filter: CallFilter) -> StoreResult<Vec<CallRecord>>;
    /// The resident's most recent calls (any state), newest first.
    async fn recent_calls(
        &self,
        resident_id: Id,
        scope: Scope,
        limit: u32,
    ) -> StoreResult<Vec<CallRecord>>;
    /// Signs off a closed call. `Conflict` if it is not closed or is already signed off.
    async fn sign_off(
        &self,
        id: Id,
        actor: &Actor,
        comment: String,
        at: i64,
    ) -> StoreResult<CallRecord>;
    /// Sets follow-up flags on a terminal call (each `Some` overwrites; `None` keeps).
    async fn set_follow_up(
        &self,
        id: Id,
        follow_up: carehub_triage::FollowUp,
        actor: &Actor,
        at: i64,
    ) -> StoreResult<CallRecord>;
    /// The service figures for the period.
    async fn report(&self, query: ReportQuery) -> StoreResult<Report>;
    /// Appends a timeline event that does not change the call's state (a participant joined
    /// or left the video, an invitation).
    async fn append_call_event(
        &self,
        call_id: Id,
        kind: &str,
        actor: Option<&Actor>,
        detail: String,
        at: i64,
    ) -> StoreResult<()>;
    /// Records a media quality sample.
    async fn record_quality(&self, sample: QualitySample) -> StoreResult<()>;
    /// A call's quality samples, oldest first (the most recent 2000).
    async fn quality_samples(&self, call_id: Id, scope: Scope) -> StoreResult<Vec<QualitySample>>;

    /// Appends a photo a care worker sent during a call, with its timeline event
    /// (`photo_added`) and audit entry, in one transaction. `NotFound` when the call is not in
    /// `scope`; `Conflict` unless a nurse is with the call (claimed or in consultation), so a
    /// photo never arrives where nobody will look at it.
    async fn add_call_photo(
        &self,
        photo: NewCallPhoto,
        scope: Scope,
        actor: &Actor,
    ) -> StoreResult<CallPhoto>;
    /// A call's photos without their images, oldest first. Who sent what when is not clinical
    /// content, so the list is not audited; each image read is.
    async fn call_photos(&self, call_id: Id, scope: Scope) -> StoreResult<Vec<CallPhoto>>;
    /// One photo of a call with its image, recording the read in the audit log. `NotFound`
    /// when the call is not in `scope` or the photo is not that call's.
    async fn read_call_photo(
        &self,
        call_id: Id,
        photo_id: Id,
        scope: Scope,
        actor: &Actor,
    ) -> StoreResult<(CallPhoto, Vec<u8>)>;

    /// Records an audited event that has no other write attached (for example a failed access).
    async fn record_audit(&self, entry: AuditEntry) -> StoreResult<()>;
    /// Audit entries matching the query, newest first.
    async fn query_audit(&self, query: AuditQuery) -> StoreResult<Vec<AuditRecord>>;
}
