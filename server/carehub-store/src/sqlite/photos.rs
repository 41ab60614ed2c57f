//! Photos of a call: appended with their timeline event and audit entry, listed without their
//! images, and read one at a time with an audit entry per read.

use carehub_triage::CallState;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::append_audit;
use super::call_reads::{bad_code, load};
use super::calls::{append_event, call_audit, state_words};
use super::db_error;
use crate::{Actor, CallPhoto, Id, ImageFormat, NewCallPhoto, Scope, StoreError, StoreResult};

/// Every column of [`CallPhoto`], in the order [`photo_row`] reads them (never the image).
const PHOTO_COLUMNS: &str = "p.id, p.call_id, p.taken_by,
    COALESCE(u.display_name, 'user ' || p.taken_by), p.taken_at, p.content_type, p.bytes,
    p.width, p.height";
const PHOTO_FROM: &str = "call_photo p LEFT JOIN user_account u ON u.id = p.taken_by";

fn photo_row(r: &Row<'_>) -> rusqlite::Result<CallPhoto> {
    let mime: String = r.get(5)?;
    Ok(CallPhoto {
        id: r.get(0)?,
        call_id: r.get(1)?,
        taken_by: r.get(2)?,
        taken_by_name: r.get(3)?,
        taken_at: r.get(4)?,
        format: ImageFormat::from_mime(&mime).ok_or_else(|| bad_code(5, &mime))?,
        bytes: r.get(6)?,
        width: r.get(7)?,
        height: r.get(8)?,
    })
}

fn photo(c: &Connection, call_id: Id, photo_id: Id) -> StoreResult<CallPhoto> {
    c.query_row(
        &format!("SELECT {PHOTO_COLUMNS} FROM {PHOTO_FROM} WHERE p.id = ?1 AND p.call_id = ?2"),
        params![photo_id, call_id],
        photo_row,
    )
    .map_err(db_error)
}

pub(crate) fn add(
    c: &mut Connection,
    new: &NewCallPhoto,
    scope: Scope,
    actor: &Actor,
) -> StoreResult<CallPhoto> {
    let tx = c.transaction().map_err(db_error)?;
    let call = load(&tx, new.call_id, scope)?;
    // Checked inside the transaction, so a call closed a moment ago cannot gain a photo.
    if !matches!(call.state, CallState::Claimed | CallState::InConsultation) {
        return Err(StoreError::Conflict(format!(
            "the call is {} now; photos can be sent only while a nurse is with the call",
            state_words(call.state)
        )));
    }
    tx.execute(
        "INSERT INTO call_photo (call_id, taken_by, taken_at, content_type, bytes, width,
                                 height, image)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            new.call_id,
            actor.user_id,
            new.at,
            new.format.mime(),
            new.image.len(),
            new.width,
            new.height,
            new.image
        ],
    )
    .map_err(db_error)?;
    let stored = photo(&tx, new.call_id, tx.last_insert_rowid())?;
    tx.execute(
        "UPDATE call SET last_seq = last_seq + 1 WHERE id = ?1",
        [new.call_id],
    )
    .map_err(db_error)?;
    let call = load(&tx, new.call_id, Scope::AllHomes)?;
    let detail = format!(
        r#"{{"photo":{},"content_type":"{}","bytes":{}}}"#,
        stored.id,
        stored.format.mime(),
        stored.bytes
    );
    append_event(&tx, &call, new.at, "photo_added", Some(actor), &detail)?;
    let audit = format!("photo={} bytes={}", stored.id, stored.bytes);
    append_audit(&tx, &call_audit(actor, "call.photo_add", &call, audit))?;
    tx.commit().map_err(db_error)?;
    Ok(stored)
}

pub(crate) fn list(c: &mut Connection, call_id: Id, scope: Scope) -> StoreResult<Vec<CallPhoto>> {
    let tx = c.transaction().map_err(db_error)?;
    load(&tx, call_id, scope)?;
    let photos = {
        let mut stmt = tx
            .prepare_cached(&format!(
                "SELECT {PHOTO_COLUMNS} FROM {PHOTO_FROM} WHERE p.call_id = ?1 ORDER BY p.id"
            ))
            .map_err(db_error)?;
        let rows = stmt.query_map([call_id], photo_row).map_err(db_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_error)?
    };
    tx.commit().map_err(db_error)?;
    Ok(photos)
}

pub(crate) fn read(
    c: &mut Connection,
    call_id: Id,
    photo_id: Id,
    scope: Scope,
    actor: &Actor,
) -> StoreResult<(CallPhoto, Vec<u8>)> {
    let tx = c.transaction().map_err(db_error)?;
    let call = load(&tx, call_id, scope)?;
    let meta = photo(&tx, call_id, photo_id)?;
    let image: Vec<u8> = tx
        .query_row(
            "SELECT image FROM call_photo WHERE id = ?1",
            [photo_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_error)?
        .ok_or(StoreError::NotFound)?;
    let detail = format!("photo={photo_id}");
    append_audit(&tx, &call_audit(actor, "call.photo_read", &call, detail))?;
    tx.commit().map_err(db_error)?;
    Ok((meta, image))
}
