//! Care homes, users and residents.

use rusqlite::{Connection, OptionalExtension, Row, params};
use time::Date;
use time::macros::format_description;

use super::{append_audit, db_error, from_ms, now_ms, resident_audit};
use crate::{
    Actor, CareHome, Id, NewCareHome, NewResident, NewUser, Resident, ResidentPatch, Role, Scope,
    StoreError, StoreResult, User,
};

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub(crate) fn date_text(d: Date) -> String {
    d.format(DATE).unwrap_or_default()
}

fn parse_date(text: &str) -> rusqlite::Result<Date> {
    Date::parse(text, DATE).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// The home a scope limits to, as a nullable SQL parameter.
pub(crate) fn scope_param(scope: Scope) -> Option<Id> {
    match scope {
        Scope::AllHomes => None,
        Scope::Home(h) => Some(h),
    }
}

pub(crate) fn meta(c: &Connection, key: &str) -> StoreResult<Option<String>> {
    c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(db_error)
}

pub(crate) fn set_meta(c: &Connection, key: &str, value: &str) -> StoreResult<()> {
    c.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )
    .map_err(db_error)?;
    Ok(())
}

fn home_row(r: &Row<'_>) -> rusqlite::Result<CareHome> {
    Ok(CareHome {
        id: r.get(0)?,
        name: r.get(1)?,
        address: r.get(2)?,
        phone: r.get(3)?,
    })
}

pub(crate) fn create_care_home(c: &mut Connection, home: NewCareHome) -> StoreResult<CareHome> {
    c.execute(
        "INSERT INTO care_home (name, address, phone) VALUES (?1, ?2, ?3)",
        params![home.name, home.address, home.phone],
    )
    .map_err(db_error)?;
    Ok(CareHome {
        id: c.last_insert_rowid(),
        name: home.name,
        address: home.address,
        phone: home.phone,
    })
}

pub(crate) fn list_care_homes(c: &mut Connection) -> StoreResult<Vec<CareHome>> {
    let mut stmt = c
        .prepare_cached("SELECT id, name, address, phone FROM care_home ORDER BY name")
        .map_err(db_error)?;
    let rows = stmt.query_map([], home_row).map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

const USER_COLUMNS: &str = "id, username, display_name, role, care_home_id, password_hash";

fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(3)?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: Role::parse(&role).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, role.into())
        })?,
        care_home_id: r.get(4)?,
        password_hash: r.get(5)?,
    })
}

pub(crate) fn create_user(c: &mut Connection, user: NewUser) -> StoreResult<User> {
    c.execute(
        "INSERT INTO user_account (username, display_name, role, care_home_id, password_hash)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            user.username,
            user.display_name,
            user.role.as_str(),
            user.care_home_id,
            user.password_hash
        ],
    )
    .map_err(db_error)?;
    Ok(User {
        id: c.last_insert_rowid(),
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        care_home_id: user.care_home_id,
        password_hash: user.password_hash,
    })
}

pub(crate) fn find_user(c: &mut Connection, username: &str) -> StoreResult<Option<User>> {
    c.query_row(
        &format!("SELECT {USER_COLUMNS} FROM user_account WHERE username = ?1 AND active = 1"),
        [username],
        user_row,
    )
    .optional()
    .map_err(db_error)
}

pub(crate) fn list_users(c: &mut Connection, role: Option<Role>) -> StoreResult<Vec<User>> {
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM user_account
             WHERE active = 1 AND (?1 IS NULL OR role = ?1) ORDER BY display_name"
        ))
        .map_err(db_error)?;
    let rows = stmt
        .query_map([role.map(Role::as_str)], user_row)
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

/// Residents on record, archived or not, within a scope (`?1`: home or NULL for all).
const RESIDENT_ON_RECORD: &str = "SELECT r.id, r.care_home_id, h.name, r.nhs_number, r.given_name,
        r.family_name, r.preferred_name, r.date_of_birth, r.room, r.created_at, r.updated_at,
        (SELECT max(version) FROM care_plan_version v WHERE v.resident_id = r.id)
    FROM resident r JOIN care_home h ON h.id = r.care_home_id
    WHERE (?1 IS NULL OR r.care_home_id = ?1)";

/// Residents currently living in a home.
fn resident_select() -> String {
    format!("{RESIDENT_ON_RECORD} AND r.archived_at IS NULL")
}

fn resident_row(r: &Row<'_>) -> rusqlite::Result<Resident> {
    let dob: String = r.get(7)?;
    Ok(Resident {
        id: r.get(0)?,
        care_home_id: r.get(1)?,
        care_home_name: r.get(2)?,
        nhs_number: r.get(3)?,
        given_name: r.get(4)?,
        family_name: r.get(5)?,
        preferred_name: r.get(6)?,
        date_of_birth: parse_date(&dob)?,
        room: r.get(8)?,
        created_at: from_ms(r.get(9)?),
        updated_at: from_ms(r.get(10)?),
        care_plan_version: r.get(11)?,
    })
}

pub(crate) fn list_residents(
    c: &mut Connection,
    scope: Scope,
    search: Option<&str>,
) -> StoreResult<Vec<Resident>> {
    let pattern = search
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| format!("%{}%", s.replace(['%', '_', '\\'], "")));
    let mut stmt = c
        .prepare_cached(&format!(
            "{} AND (?2 IS NULL OR r.given_name LIKE ?2 OR r.family_name LIKE ?2
                 OR r.preferred_name LIKE ?2 OR r.room LIKE ?2
                 OR (r.given_name || ' ' || r.family_name) LIKE ?2)
             ORDER BY h.name, r.family_name, r.given_name, r.id",
            resident_select()
        ))
        .map_err(db_error)?;
    let rows = stmt
        .query_map(params![scope_param(scope), pattern], resident_row)
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

pub(crate) fn get_resident(c: &Connection, id: Id, scope: Scope) -> StoreResult<Resident> {
    c.query_row(
        &format!("{} AND r.id = ?2", resident_select()),
        params![scope_param(scope), id],
        resident_row,
    )
    .map_err(db_error)
}

pub(crate) fn get_resident_on_record(
    c: &Connection,
    id: Id,
    scope: Scope,
) -> StoreResult<Resident> {
    c.query_row(
        &format!("{RESIDENT_ON_RECORD} AND r.id = ?2"),
        params![scope_param(scope), id],
        resident_row,
    )
    .map_err(db_error)
}

pub(crate) fn residents_on_record(
    c: &Connection,
    ids: &[Id],
    scope: Scope,
) -> StoreResult<Vec<Resident>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // `?1` is the scope; the anonymous placeholders after it number on from `?2`.
    let marks = vec!["?"; ids.len()].join(", ");
    let mut stmt = c
        .prepare(&format!("{RESIDENT_ON_RECORD} AND r.id IN ({marks})"))
        .map_err(db_error)?;
    let home = scope_param(scope);
    let values = std::iter::once(&home as &dyn rusqlite::ToSql)
        .chain(ids.iter().map(|id| id as &dyn rusqlite::ToSql));
    let rows = stmt
        .query_map(rusqlite::params_from_iter(values), resident_row)
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

pub(crate) fn create_resident(
    c: &mut Connection,
    new: NewResident,
    actor: &Actor,
) -> StoreResult<Resident> {
    let tx = c.transaction().map_err(db_error)?;
    let now = now_ms();
    tx.execute(
        "INSERT INTO resident (care_home_id, nhs_number, given_name, family_name, preferred_name,
                               date_of_birth, room, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            new.care_home_id,
            new.nhs_number,
            new.given_name,
            new.family_name,
            new.preferred_name,
            date_text(new.date_of_birth),
            new.room,
            now
        ],
    )
    .map_err(|e| match db_error(e) {
        StoreError::Conflict(m) if m.contains("nhs_number") => {
            StoreError::Conflict("a resident with this NHS number is already on record".into())
        }
        StoreError::Conflict(m) if m.contains("FOREIGN KEY") => StoreError::NotFound,
        other => other,
    })?;
    let id = tx.last_insert_rowid();
    append_audit(
        &tx,
        &resident_audit(actor, "resident.create", id, String::new()),
    )?;
    let resident = get_resident(&tx, id, Scope::AllHomes)?;
    tx.commit().map_err(db_error)?;
    Ok(resident)
}

pub(crate) fn update_resident(
    c: &mut Connection,
    id: Id,
    scope: Scope,
    patch: ResidentPatch,
    actor: &Actor,
) -> StoreResult<Resident> {
    let tx = c.transaction().map_err(db_error)?;
    let before = get_resident(&tx, id, scope)?;
    let changed: Vec<&str> = [
        ("given_name", patch.given_name.is_some()),
        ("family_name", patch.family_name.is_some()),
        ("preferred_name", patch.preferred_name.is_some()),
        ("date_of_birth", patch.date_of_birth.is_some()),
        ("room", patch.room.is_some()),
        ("care_home_id", patch.care_home_id.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    tx.execute(
        "UPDATE resident SET given_name = ?2, family_name = ?3, preferred_name = ?4,
             date_of_birth = ?5, room = ?6, care_home_id = ?7, updated_at = ?8
         WHERE id = ?1",
        params![
            id,
            patch.given_name.unwrap_or(before.given_name),
            patch.family_name.unwrap_or(before.family_name),
            patch.preferred_name.unwrap_or(before.preferred_name),
            date_text(patch.date_of_birth.unwrap_or(before.date_of_birth)),
            patch.room.unwrap_or(before.room),
            patch.care_home_id.unwrap_or(before.care_home_id),
            now_ms()
        ],
    )
    .map_err(|e| match db_error(e) {
        StoreError::Conflict(m) if m.contains("FOREIGN KEY") => StoreError::NotFound,
        other => other,
    })?;
    // The audit names which fields changed, never their values.
    let detail = format!("fields={}", changed.join(","));
    append_audit(&tx, &resident_audit(actor, "resident.update", id, detail))?;
    let after = get_resident(&tx, id, Scope::AllHomes)?;
    tx.commit().map_err(db_error)?;
    Ok(after)
}

pub(crate) fn archive_resident(
    c: &mut Connection,
    id: Id,
    scope: Scope,
    actor: &Actor,
) -> StoreResult<()> {
    let tx = c.transaction().map_err(db_error)?;
    get_resident(&tx, id, scope)?;
    tx.execute(
        "UPDATE resident SET archived_at = ?2, updated_at = ?2 WHERE id = ?1",
        params![id, now_ms()],
    )
    .map_err(db_error)?;
    append_audit(
        &tx,
        &resident_audit(actor, "resident.archive", id, String::new()),
    )?;
    tx.commit().map_err(db_error)
}
