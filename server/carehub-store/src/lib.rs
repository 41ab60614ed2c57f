//! The storage port: every durable fact of CareHub passes through [`Store`].
//!
//! Methods are shaped by use case ("read the current care plan and record that it was read"),
//! not by table, so an adapter can make each one a single transaction and a PostgreSQL adapter
//! can follow without touching callers. Only this crate speaks SQL.

mod model;
mod sqlite;

pub use model::*;
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

    /// Records an audited event that has no other write attached (for example a failed access).
    async fn record_audit(&self, entry: AuditEntry) -> StoreResult<()>;
    /// Audit entries matching the query, newest first.
    async fn query_audit(&self, query: AuditQuery) -> StoreResult<Vec<AuditRecord>>;
}
