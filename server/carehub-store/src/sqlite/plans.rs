//! Versioned care plan summaries and the audit log.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::people::get_resident;
use super::{append_audit, db_error, from_ms, now_ms, resident_audit, to_ms};
use crate::{
    Actor, AuditQuery, AuditRecord, CarePlanVersion, CarePlanVersionInfo, Id, Scope, StoreError,
    StoreResult,
};

/// Largest page of audit entries returned at once.
const AUDIT_PAGE_MAX: u32 = 500;

const VERSION_SELECT: &str = "SELECT v.resident_id, v.version, v.content, v.author_id,
        u.display_name, v.created_at
    FROM care_plan_version v JOIN user_account u ON u.id = v.author_id";

fn version_row(r: &Row<'_>) -> rusqlite::Result<CarePlanVersion> {
    Ok(CarePlanVersion {
        resident_id: r.get(0)?,
        version: r.get(1)?,
        content: r.get(2)?,
        author_id: r.get(3)?,
        author_name: r.get(4)?,
        created_at: from_ms(r.get(5)?),
    })
}

fn current(c: &Connection, resident_id: Id) -> StoreResult<Option<CarePlanVersion>> {
    c.query_row(
        &format!("{VERSION_SELECT} WHERE v.resident_id = ?1 ORDER BY v.version DESC LIMIT 1"),
        [resident_id],
        version_row,
    )
    .optional()
    .map_err(db_error)
}

pub(crate) fn read_current(
    c: &mut Connection,
    resident_id: Id,
    scope: Scope,
    actor: &Actor,
) -> StoreResult<Option<CarePlanVersion>> {
    let tx = c.transaction().map_err(db_error)?;
    get_resident(&tx, resident_id, scope)?;
    let plan = current(&tx, resident_id)?;
    let detail = plan.as_ref().map_or_else(
        || "version=none".to_owned(),
        |p| format!("version={}", p.version),
    );
    append_audit(
        &tx,
        &resident_audit(actor, "care_plan.read", resident_id, detail),
    )?;
    tx.commit().map_err(db_error)?;
    Ok(plan)
}

pub(crate) fn read_version(
    c: &mut Connection,
    resident_id: Id,
    version: u32,
    scope: Scope,
    actor: &Actor,
) -> StoreResult<CarePlanVersion> {
    let tx = c.transaction().map_err(db_error)?;
    get_resident(&tx, resident_id, scope)?;
    let plan = tx
        .query_row(
            &format!("{VERSION_SELECT} WHERE v.resident_id = ?1 AND v.version = ?2"),
            params![resident_id, version],
            version_row,
        )
        .map_err(db_error)?;
    let detail = format!("version={version}");
    append_audit(
        &tx,
        &resident_audit(actor, "care_plan.read", resident_id, detail),
    )?;
    tx.commit().map_err(db_error)?;
    Ok(plan)
}

pub(crate) fn history(
    c: &mut Connection,
    resident_id: Id,
    scope: Scope,
) -> StoreResult<Vec<CarePlanVersionInfo>> {
    get_resident(c, resident_id, scope)?;
    let mut stmt = c
        .prepare_cached(
            "SELECT v.version, v.author_id, u.display_name, v.created_at
             FROM care_plan_version v JOIN user_account u ON u.id = v.author_id
             WHERE v.resident_id = ?1 ORDER BY v.version DESC",
        )
        .map_err(db_error)?;
    let rows = stmt
        .query_map([resident_id], |r| {
            Ok(CarePlanVersionInfo {
                version: r.get(0)?,
                author_id: r.get(1)?,
                author_name: r.get(2)?,
                created_at: from_ms(r.get(3)?),
            })
        })
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

pub(crate) fn save(
    c: &mut Connection,
    resident_id: Id,
    scope: Scope,
    expected_current: Option<u32>,
    content: String,
    actor: &Actor,
) -> StoreResult<CarePlanVersion> {
    let tx = c.transaction().map_err(db_error)?;
    let resident = get_resident(&tx, resident_id, scope)?;
    if resident.care_plan_version != expected_current {
        return Err(StoreError::Conflict(format!(
            "the care plan is at version {}, not {}; reload it and apply your change again",
            describe(resident.care_plan_version),
            describe(expected_current)
        )));
    }
    let version = expected_current.unwrap_or(0) + 1;
    tx.execute(
        "INSERT INTO care_plan_version (resident_id, version, content, author_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![resident_id, version, content, actor.user_id, now_ms()],
    )
    .map_err(db_error)?;
    let detail = format!("version={version}");
    append_audit(
        &tx,
        &resident_audit(actor, "care_plan.update", resident_id, detail),
    )?;
    let saved = tx
        .query_row(
            &format!("{VERSION_SELECT} WHERE v.resident_id = ?1 AND v.version = ?2"),
            params![resident_id, version],
            version_row,
        )
        .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    Ok(saved)
}

fn describe(version: Option<u32>) -> String {
    version.map_or_else(|| "none".to_owned(), |v| v.to_string())
}

pub(crate) fn query_audit(c: &mut Connection, q: &AuditQuery) -> StoreResult<Vec<AuditRecord>> {
    let mut stmt = c
        .prepare_cached(
            "SELECT id, at, actor_id, actor_name, actor_role, action, target_type, target_id,
                    resident_id, address, detail
             FROM audit_log
             WHERE (?1 IS NULL OR resident_id = ?1) AND (?2 IS NULL OR actor_id = ?2)
               AND (?3 IS NULL OR action = ?3) AND (?4 IS NULL OR at >= ?4)
               AND (?5 IS NULL OR at < ?5) AND (?6 IS NULL OR id < ?6)
             ORDER BY id DESC LIMIT ?7",
        )
        .map_err(db_error)?;
    let limit = q.limit.clamp(1, AUDIT_PAGE_MAX);
    let rows = stmt
        .query_map(
            params![
                q.resident_id,
                q.actor_id,
                q.action,
                q.from.map(to_ms),
                q.to.map(to_ms),
                q.before_id,
                limit
            ],
            |r| {
                Ok(AuditRecord {
                    id: r.get(0)?,
                    at: from_ms(r.get(1)?),
                    actor_id: r.get(2)?,
                    actor_name: r.get(3)?,
                    actor_role: r.get(4)?,
                    action: r.get(5)?,
                    target_type: r.get(6)?,
                    target_id: r.get(7)?,
                    resident_id: r.get(8)?,
                    address: r.get(9)?,
                    detail: r.get(10)?,
                })
            },
        )
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}
