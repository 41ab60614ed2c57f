//! What the media relay leaves on a call's record: who joined and left the video (as timeline
//! events that do not change the call's state) and connection quality samples.

use rusqlite::{Connection, params};

use super::call_reads::load;
use super::calls::append_event;
use super::db_error;
use crate::{Actor, Id, QualitySample, Scope, StoreResult};

/// Samples kept per call at most, oldest dropped from reads (a long call samples every few
/// seconds per participant).
const MAX_SAMPLES: u32 = 2000;

pub(crate) fn append_event_only(
    c: &mut Connection,
    call_id: Id,
    kind: &str,
    actor: Option<&Actor>,
    detail: &str,
    at: i64,
) -> StoreResult<()> {
    let tx = c.transaction().map_err(db_error)?;
    let updated = tx
        .execute(
            "UPDATE call SET last_seq = last_seq + 1 WHERE id = ?1",
            [call_id],
        )
        .map_err(db_error)?;
    if updated == 0 {
        return Err(crate::StoreError::NotFound);
    }
    let call = load(&tx, call_id, Scope::AllHomes)?;
    append_event(&tx, &call, at, kind, actor, detail)?;
    tx.commit().map_err(db_error)
}

pub(crate) fn record_quality(c: &mut Connection, s: &QualitySample) -> StoreResult<()> {
    c.execute(
        "INSERT INTO call_quality (call_id, at, user_id, rtt_ms, loss, rx_kbps, tx_kbps)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            s.call_id,
            s.at,
            s.user_id,
            s.rtt_ms,
            s.loss.map(f64::from),
            s.rx_kbps,
            s.tx_kbps
        ],
    )
    .map_err(db_error)?;
    Ok(())
}

pub(crate) fn quality_samples(
    c: &mut Connection,
    call_id: Id,
    scope: Scope,
) -> StoreResult<Vec<QualitySample>> {
    load(c, call_id, scope)?;
    let mut stmt = c
        .prepare_cached(
            "SELECT call_id, at, user_id, rtt_ms, loss, rx_kbps, tx_kbps FROM (
                 SELECT * FROM call_quality WHERE call_id = ?1 ORDER BY at DESC LIMIT ?2
             ) ORDER BY at",
        )
        .map_err(db_error)?;
    let rows = stmt
        .query_map(params![call_id, MAX_SAMPLES], |r| {
            Ok(QualitySample {
                call_id: r.get(0)?,
                at: r.get(1)?,
                user_id: r.get(2)?,
                rtt_ms: r.get(3)?,
                loss: r.get::<_, Option<f64>>(4)?.map(|l| l as f32),
                rx_kbps: r.get(5)?,
                tx_kbps: r.get(6)?,
            })
        })
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}
