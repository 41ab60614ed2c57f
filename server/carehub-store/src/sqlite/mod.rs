//! The SQLite adapter: one file under `data/`, WAL mode, migrations applied at open.
//!
//! One connection behind a std mutex, used only inside `spawn_blocking`, so the async threads
//! never wait on disk and the lock is never held across an `.await`. SQLite serialises writers
//! anyway; reads are short. Each use-case method is one transaction.

mod call_reads;
mod calls;
mod media;
mod migrate;
mod people;
mod photos;
mod plans;
mod report;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use time::OffsetDateTime;

use crate::{
    Actor, AuditEntry, AuditQuery, AuditRecord, CallChange, CallEvent, CallFilter, CallPhoto,
    CallRecord, CareHome, CarePlanVersion, CarePlanVersionInfo, Id, NewCall, NewCallPhoto,
    NewCareHome, NewResident, NewUser, QualitySample, Report, ReportQuery, Resident, ResidentPatch,
    Role, Scope, Store, StoreError, StoreResult, User,
};

/// How to open the database.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// Database file; its folder is created when missing.
    pub path: PathBuf,
    /// fsync every commit (`true`) or only at checkpoints.
    pub synchronous_full: bool,
    /// Lock wait in milliseconds.
    pub busy_timeout_ms: u32,
}

/// [`Store`] over SQLite. Cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStore")
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(options: &SqliteOptions) -> StoreResult<SqliteStore> {
        if let Some(dir) = options.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Unavailable(format!("create {}: {e}", dir.display())))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&options.path, flags).map_err(unavailable)?;
        configure(&conn, options)?;
        migrate::apply(&mut conn)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// The path a `sqlite://` URL names.
    pub fn path_from_url(url: &str) -> Option<&Path> {
        url.strip_prefix("sqlite://")
            .filter(|p| !p.is_empty())
            .map(Path::new)
    }

    /// Runs `work` on the connection off the async threads.
    async fn run<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock poisons it; the connection itself is still sound
            // (SQLite rolls back the open transaction), so carry on with it.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            work(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("store task failed: {e}")))?
    }
}

fn configure(conn: &Connection, options: &SqliteOptions) -> StoreResult<()> {
    let sync = if options.synchronous_full {
        "FULL"
    } else {
        "NORMAL"
    };
    conn.busy_timeout(std::time::Duration::from_millis(
        options.busy_timeout_ms.into(),
    ))
    .map_err(unavailable)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;"
    ))
    .map_err(unavailable)
}

/// Maps a driver error: constraint violations are conflicts, the rest is unavailability.
pub(crate) fn db_error(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) if f.code == ErrorCode::ConstraintViolation => {
            StoreError::Conflict(msg.clone().unwrap_or_else(|| "constraint violated".into()))
        }
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        _ => unavailable(e),
    }
}

fn unavailable(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// Current time as stored: unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    to_ms(OffsetDateTime::now_utc())
}

pub(crate) fn to_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(crate) fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Appends an audit entry inside the caller's transaction.
pub(crate) fn append_audit(tx: &Connection, entry: &AuditEntry) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor_id, actor_name, actor_role, action, target_type,
                                target_id, resident_id, address, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        rusqlite::params![
            now_ms(),
            entry.actor.user_id,
            entry.actor.username,
            entry.actor.role.as_str(),
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.resident_id,
            entry.actor.address,
            entry.detail,
        ],
    )
    .map_err(db_error)?;
    Ok(())
}

/// Builds an audit entry about a resident.
pub(crate) fn resident_audit(
    actor: &Actor,
    action: &str,
    resident: Id,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        actor: actor.clone(),
        action: action.to_owned(),
        target_type: "resident".to_owned(),
        target_id: resident,
        resident_id: Some(resident),
        detail,
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.run(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(db_error))
            .await
    }

    async fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        let key = key.to_owned();
        self.run(move |c| people::meta(c, &key)).await
    }

    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.run(move |c| people::set_meta(c, &key, &value)).await
    }

    async fn create_care_home(&self, home: NewCareHome) -> StoreResult<CareHome> {
        self.run(move |c| people::create_care_home(c, home)).await
    }

    async fn list_care_homes(&self) -> StoreResult<Vec<CareHome>> {
        self.run(people::list_care_homes).await
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        self.run(move |c| people::create_user(c, user)).await
    }

    async fn find_user(&self, username: &str) -> StoreResult<Option<User>> {
        let username = username.to_owned();
        self.run(move |c| people::find_user(c, &username)).await
    }

    async fn list_users(&self, role: Option<Role>) -> StoreResult<Vec<User>> {
        self.run(move |c| people::list_users(c, role)).await
    }

    async fn list_residents(
        &self,
        scope: Scope,
        search: Option<&str>,
    ) -> StoreResult<Vec<Resident>> {
        let search = search.map(str::to_owned);
        self.run(move |c| people::list_residents(c, scope, search.as_deref()))
            .await
    }

    async fn get_resident(&self, id: Id, scope: Scope) -> StoreResult<Resident> {
        self.run(move |c| people::get_resident(c, id, scope)).await
    }

    async fn get_resident_on_record(&self, id: Id, scope: Scope) -> StoreResult<Resident> {
        self.run(move |c| people::get_resident_on_record(c, id, scope))
            .await
    }

    async fn residents_on_record(&self, ids: Vec<Id>, scope: Scope) -> StoreResult<Vec<Resident>> {
        self.run(move |c| people::residents_on_record(c, &ids, scope))
            .await
    }

    async fn create_resident(&self, resident: NewResident, actor: &Actor) -> StoreResult<Resident> {
        let actor = actor.clone();
        self.run(move |c| people::create_resident(c, resident, &actor))
            .await
    }

    async fn update_resident(
        &self,
        id: Id,
        scope: Scope,
        patch: ResidentPatch,
        actor: &Actor,
    ) -> StoreResult<Resident> {
        let actor = actor.clone();
        self.run(move |c| people::update_resident(c, id, scope, patch, &actor))
            .await
    }

    async fn archive_resident(&self, id: Id, scope: Scope, actor: &Actor) -> StoreResult<()> {
        let actor = actor.clone();
        self.run(move |c| people::archive_resident(c, id, scope, &actor))
            .await
    }

    async fn read_current_care_plan(
        &self,
        resident_id: Id,
        scope: Scope,
        actor: &Actor,
    ) -> StoreResult<Option<CarePlanVersion>> {
        let actor = actor.clone();
        self.run(move |c| plans::read_current(c, resident_id, scope, &actor))
            .await
    }

    async fn read_care_plan_version(
        &self,
        resident_id: Id,
        version: u32,
        scope: Scope,
        actor: &Actor,
    ) -> StoreResult<CarePlanVersion> {
        let actor = actor.clone();
        self.run(move |c| plans::read_version(c, resident_id, version, scope, &actor))
            .await
    }

    async fn care_plan_history(
        &self,
        resident_id: Id,
        scope: Scope,
    ) -> StoreResult<Vec<CarePlanVersionInfo>> {
        self.run(move |c| plans::history(c, resident_id, scope))
            .await
    }

    async fn save_care_plan(
        &self,
        resident_id: Id,
        scope: Scope,
        expected_current: Option<u32>,
        content: String,
        actor: &Actor,
    ) -> StoreResult<CarePlanVersion> {
        let actor = actor.clone();
        self.run(move |c| plans::save(c, resident_id, scope, expected_current, content, &actor))
            .await
    }

    async fn create_call(&self, call: NewCall, actor: &Actor) -> StoreResult<CallRecord> {
        let actor = actor.clone();
        self.run(move |c| calls::create_call(c, call, &actor)).await
    }

    async fn change_call(&self, change: CallChange) -> StoreResult<CallRecord> {
        self.run(move |c| calls::change_call(c, change)).await
    }

    async fn open_calls(&self) -> StoreResult<Vec<CallRecord>> {
        self.run(call_reads::open_calls).await
    }

    async fn get_call(&self, id: Id, scope: Scope) -> StoreResult<CallRecord> {
        self.run(move |c| call_reads::get_call(c, id, scope)).await
    }

    async fn read_call_snapshot(
        &self,
        id: Id,
        scope: Scope,
        actor: &Actor,
    ) -> StoreResult<(Option<u32>, Option<String>)> {
        let actor = actor.clone();
        self.run(move |c| calls::read_snapshot(c, id, scope, &actor))
            .await
    }

    async fn call_events(&self, id: Id, scope: Scope) -> StoreResult<Vec<CallEvent>> {
        self.run(move |c| call_reads::events(c, id, scope)).await
    }

    async fn list_closed_calls(&self, filter: CallFilter) -> StoreResult<Vec<CallRecord>> {
        self.run(move |c| call_reads::list_closed(c, &filter)).await
    }

    async fn recent_calls(
        &self,
        resident_id: Id,
        scope: Scope,
        limit: u32,
    ) -> StoreResult<Vec<CallRecord>> {
        self.run(move |c| call_reads::recent(c, resident_id, scope, limit))
            .await
    }

    async fn sign_off(
        &self,
        id: Id,
        actor: &Actor,
        comment: String,
        at: i64,
    ) -> StoreResult<CallRecord> {
        let actor = actor.clone();
        self.run(move |c| calls::sign_off_call(c, id, &actor, comment, at))
            .await
    }

    async fn set_follow_up(
        &self,
        id: Id,
        follow_up: carehub_triage::FollowUp,
        actor: &Actor,
        at: i64,
    ) -> StoreResult<CallRecord> {
        let actor = actor.clone();
        self.run(move |c| calls::set_follow_up(c, id, follow_up, &actor, at))
            .await
    }

    async fn report(&self, query: ReportQuery) -> StoreResult<Report> {
        self.run(move |c| report::report(c, &query)).await
    }

    async fn append_call_event(
        &self,
        call_id: Id,
        kind: &str,
        actor: Option<&Actor>,
        detail: String,
        at: i64,
    ) -> StoreResult<()> {
        let kind = kind.to_owned();
        let actor = actor.cloned();
        self.run(move |c| media::append_event_only(c, call_id, &kind, actor.as_ref(), &detail, at))
            .await
    }

    async fn record_quality(&self, sample: QualitySample) -> StoreResult<()> {
        self.run(move |c| media::record_quality(c, &sample)).await
    }

    async fn quality_samples(&self, call_id: Id, scope: Scope) -> StoreResult<Vec<QualitySample>> {
        self.run(move |c| media::quality_samples(c, call_id, scope))
            .await
    }

    async fn add_call_photo(
        &self,
        photo: NewCallPhoto,
        scope: Scope,
        actor: &Actor,
    ) -> StoreResult<CallPhoto> {
        let actor = actor.clone();
        self.run(move |c| photos::add(c, &photo, scope, &actor))
            .await
    }

    async fn call_photos(&self, call_id: Id, scope: Scope) -> StoreResult<Vec<CallPhoto>> {
        self.run(move |c| photos::list(c, call_id, scope)).await
    }

    async fn read_call_photo(
        &self,
        call_id: Id,
        photo_id: Id,
        scope: Scope,
        actor: &Actor,
    ) -> StoreResult<(CallPhoto, Vec<u8>)> {
        let actor = actor.clone();
        self.run(move |c| photos::read(c, call_id, photo_id, scope, &actor))
            .await
    }

    async fn record_audit(&self, entry: AuditEntry) -> StoreResult<()> {
        self.run(move |c| append_audit(c, &entry)).await
    }

    async fn query_audit(&self, query: AuditQuery) -> StoreResult<Vec<AuditRecord>> {
        self.run(move |c| plans::query_audit(c, &query)).await
    }
}
