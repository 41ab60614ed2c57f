//! Reading hub calls back: the row layout of the `call` table, decoding stored codes through
//! the triage enums, and the read-only lists (open calls, review list, recent calls, history).

use carehub_triage::{CallState, FollowUp, Level, Outcome};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::db_error;
use super::people::scope_param;
use crate::{
    CallEvent, CallFilter, CallRecord, Id, OutcomeRecord, Scope, SignOff, StoreError, StoreResult,
};

/// Largest page of closed calls returned at once, and the page size when none is asked for.
const CLOSED_PAGE_MAX: u32 = 500;
const CLOSED_PAGE_DEFAULT: u32 = 100;
/// Largest list of a resident's recent calls, and the size when none is asked for.
const RECENT_MAX: u32 = 100;
const RECENT_DEFAULT: u32 = 10;

/// Every column of [`CallRecord`], in the order [`call_row`] reads them.
pub(crate) const CALL_COLUMNS: &str = "id, resident_id, care_home_id, state, level,
    initial_level, news2_total, arrived_at, clock_start, holder_id, answered_at, ended_at,
    breaches, assessment, triage, situation, care_plan_version, last_seq,
    outcome, outcome_plan, reobserve_at, outcome_clinicians, outcome_by, outcome_at,
    conveyed, admitted, died_within_72h,
    signed_off_by, signed_off_by_name, signed_off_at, sign_off_comment";

/// SQL list of the terminal states, for `state IN (...)`.
pub(crate) const TERMINAL_STATES: &str = "'closed', 'cancelled', 'abandoned'";

/// A stored code the enums do not know: the row cannot be trusted, so the read fails.
pub(crate) fn bad_code(index: usize, code: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        index,
        rusqlite::types::Type::Text,
        format!("unknown code {code:?}").into(),
    )
}

/// A call state stored at column `index`.
pub(crate) fn state_at(r: &Row<'_>, index: usize) -> rusqlite::Result<CallState> {
    let code: String = r.get(index)?;
    CallState::parse(&code).ok_or_else(|| bad_code(index, &code))
}

/// A level stored at column `index`.
pub(crate) fn level_at(r: &Row<'_>, index: usize) -> rusqlite::Result<Level> {
    let code: String = r.get(index)?;
    Level::parse(&code).ok_or_else(|| bad_code(index, &code))
}

/// An outcome code (or NULL) stored at column `index`.
pub(crate) fn outcome_at(r: &Row<'_>, index: usize) -> rusqlite::Result<Option<Outcome>> {
    let code: Option<String> = r.get(index)?;
    code.map(|c| Outcome::parse(&c).ok_or_else(|| bad_code(index, &c)))
        .transpose()
}

/// Follow-up flags from three nullable 0/1 columns starting at `index`.
pub(crate) fn follow_up_at(r: &Row<'_>, index: usize) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        conveyed: r.get(index)?,
        admitted: r.get(index + 1)?,
        died_within_72h: r.get(index + 2)?,
    })
}

fn call_row(r: &Row<'_>) -> rusqlite::Result<CallRecord> {
    Ok(CallRecord {
        id: r.get(0)?,
        resident_id: r.get(1)?,
        care_home_id: r.get(2)?,
        state: state_at(r, 3)?,
        level: level_at(r, 4)?,
        initial_level: level_at(r, 5)?,
        news2_total: r.get(6)?,
        arrived_at: r.get(7)?,
        clock_start: r.get(8)?,
        holder_id: r.get(9)?,
        answered_at: r.get(10)?,
        ended_at: r.get(11)?,
        breaches: r.get(12)?,
        assessment: r.get(13)?,
        triage: r.get(14)?,
        situation: r.get(15)?,
        care_plan_version: r.get(16)?,
        last_seq: r.get(17)?,
        outcome: outcome_record(r, 18)?,
        follow_up: follow_up_at(r, 24)?,
        sign_off: sign_off(r, 27)?,
    })
}

fn outcome_record(r: &Row<'_>, index: usize) -> rusqlite::Result<Option<OutcomeRecord>> {
    let Some(outcome) = outcome_at(r, index)? else {
        return Ok(None);
    };
    let clinicians: String = r.get(index + 3)?;
    Ok(Some(OutcomeRecord {
        outcome,
        plan: r.get(index + 1)?,
        reobserve_at: r.get(index + 2)?,
        clinicians: parse_ids(&clinicians).ok_or_else(|| bad_code(index + 3, &clinicians))?,
        recorded_by: r.get(index + 4)?,
        recorded_at: r.get(index + 5)?,
    }))
}

fn sign_off(r: &Row<'_>, index: usize) -> rusqlite::Result<Option<SignOff>> {
    let Some(by) = r.get::<_, Option<Id>>(index)? else {
        return Ok(None);
    };
    Ok(Some(SignOff {
        by,
        by_name: r.get(index + 1)?,
        at: r.get(index + 2)?,
        comment: r.get(index + 3)?,
    }))
}

/// Reads `outcome_clinicians` back ("3,7", or "" for none); `None` when it is not a list of ids.
fn parse_ids(text: &str) -> Option<Vec<Id>> {
    text.split(',')
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().ok())
        .collect()
}

/// One call, `NotFound` when missing or outside the scope.
pub(crate) fn load(c: &Connection, id: Id, scope: Scope) -> StoreResult<CallRecord> {
    c.query_row(
        &format!(
            "SELECT {CALL_COLUMNS} FROM call WHERE id = ?1 AND (?2 IS NULL OR care_home_id = ?2)"
        ),
        params![id, scope_param(scope)],
        call_row,
    )
    .map_err(db_error)
}

fn query_calls(
    c: &Connection,
    sql_after_from: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Vec<CallRecord>> {
    let mut stmt = c
        .prepare_cached(&format!("SELECT {CALL_COLUMNS} FROM call {sql_after_from}"))
        .map_err(db_error)?;
    let rows = stmt.query_map(params, call_row).map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

pub(crate) fn open_calls(c: &mut Connection) -> StoreResult<Vec<CallRecord>> {
    query_calls(
        c,
        &format!("WHERE state NOT IN ({TERMINAL_STATES}) ORDER BY arrived_at, id"),
        [],
    )
}

pub(crate) fn get_call(c: &mut Connection, id: Id, scope: Scope) -> StoreResult<CallRecord> {
    load(c, id, scope)
}

pub(crate) fn events(c: &mut Connection, id: Id, scope: Scope) -> StoreResult<Vec<CallEvent>> {
    let tx = c.transaction().map_err(db_error)?;
    load(&tx, id, scope)?;
    let events = event_rows(&tx, id)?;
    tx.commit().map_err(db_error)?;
    Ok(events)
}

fn event_rows(c: &Connection, id: Id) -> StoreResult<Vec<CallEvent>> {
    let mut stmt = c
        .prepare_cached(
            "SELECT seq, at, kind, actor_id, actor_name, actor_role, state, detail
             FROM call_event WHERE call_id = ?1 ORDER BY seq",
        )
        .map_err(db_error)?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(CallEvent {
                seq: r.get(0)?,
                at: r.get(1)?,
                kind: r.get(2)?,
                actor_id: r.get(3)?,
                actor_name: r.get(4)?,
                actor_role: r.get(5)?,
                state: state_at(r, 6)?,
                detail: r.get(7)?,
            })
        })
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

pub(crate) fn list_closed(c: &mut Connection, f: &CallFilter) -> StoreResult<Vec<CallRecord>> {
    let limit = match f.limit {
        0 => CLOSED_PAGE_DEFAULT,
        n => n.min(CLOSED_PAGE_MAX),
    };
    query_calls(
        c,
        &format!(
            "WHERE state IN ({TERMINAL_STATES})
               AND (?1 IS NULL OR care_home_id = ?1) AND (?2 IS NULL OR initial_level = ?2)
               AND (?3 IS NULL OR outcome = ?3) AND (?4 IS NULL OR arrived_at >= ?4)
               AND (?5 IS NULL OR arrived_at < ?5) AND (?6 IS NULL OR (breaches > 0) = ?6)
               AND (NOT ?7 OR (state = 'closed' AND signed_off_at IS NULL))
               AND (?8 IS NULL OR (arrived_at, id) <
                    ((SELECT arrived_at FROM call WHERE id = ?8), ?8))
             ORDER BY arrived_at DESC, id DESC LIMIT ?9"
        ),
        params![
            f.care_home_id,
            f.level.map(Level::as_str),
            f.outcome.map(Outcome::code),
            f.from,
            f.to,
            f.breached,
            f.unsigned,
            f.before_id,
            limit
        ],
    )
}

pub(crate) fn recent(
    c: &mut Connection,
    resident_id: Id,
    scope: Scope,
    limit: u32,
) -> StoreResult<Vec<CallRecord>> {
    let tx = c.transaction().map_err(db_error)?;
    // The resident must be in scope, archived or not: their calls stay clinical records.
    let known = tx
        .query_row(
            "SELECT 1 FROM resident WHERE id = ?1 AND (?2 IS NULL OR care_home_id = ?2)",
            params![resident_id, scope_param(scope)],
            |_| Ok(()),
        )
        .optional()
        .map_err(db_error)?;
    known.ok_or(StoreError::NotFound)?;
    let limit = match limit {
        0 => RECENT_DEFAULT,
        n => n.min(RECENT_MAX),
    };
    let calls = query_calls(
        &tx,
        "WHERE resident_id = ?1 AND (?2 IS NULL OR care_home_id = ?2)
         ORDER BY arrived_at DESC, id DESC LIMIT ?3",
        params![resident_id, scope_param(scope), limit],
    )?;
    tx.commit().map_err(db_error)?;
    Ok(calls)
}
