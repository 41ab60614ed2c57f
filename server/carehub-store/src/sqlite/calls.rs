//! Changing hub calls: the current-state row, its append-only events and their audit entries,
//! each use case one transaction.

use carehub_triage::{CallState, FollowUp};
use rusqlite::{Connection, named_params, params};

use super::call_reads::load;
use super::people::get_resident;
use super::{append_audit, db_error};
use crate::{
    Actor, AuditEntry, CallChange, CallRecord, Holder, Id, NewCall, Scope, StoreError, StoreResult,
};

/// Ids as stored in `outcome_clinicians`: "3,7", or "" for none.
fn ids_text(ids: &[Id]) -> String {
    ids.iter().map(Id::to_string).collect::<Vec<_>>().join(",")
}

/// Appends the call's event number `call.last_seq` (the row is updated first, so the event
/// records the state after the change). The actor's display name is looked up from their account
/// (falling back to the username), so the timeline shows who acted as colleagues know them.
pub(crate) fn append_event(
    c: &Connection,
    call: &CallRecord,
    at: i64,
    kind: &str,
    actor: Option<&Actor>,
    detail: &str,
) -> StoreResult<()> {
    c.execute(
        "INSERT INTO call_event (call_id, seq, at, kind, actor_id, actor_name, actor_role,
                                 state, detail)
         VALUES (?1, ?2, ?3, ?4, ?5,
                 COALESCE((SELECT display_name FROM user_account WHERE id = ?5), ?6),
                 ?7, ?8, ?9)",
        params![
            call.id,
            call.last_seq,
            at,
            kind,
            actor.map(|a| a.user_id),
            actor.map(|a| a.username.as_str()),
            actor.map(|a| a.role.as_str()),
            call.state.as_str(),
            detail
        ],
    )
    .map_err(db_error)?;
    Ok(())
}

/// An audit entry about a call; `detail` must carry codes only, never clinical text.
pub(crate) fn call_audit(
    actor: &Actor,
    action: &str,
    call: &CallRecord,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        actor: actor.clone(),
        action: action.to_owned(),
        target_type: "call".to_owned(),
        target_id: call.id,
        resident_id: Some(call.resident_id),
        detail,
    }
}

pub(crate) fn state_words(state: CallState) -> String {
    state.as_str().replace('_', " ")
}

pub(crate) fn create_call(
    c: &mut Connection,
    new: NewCall,
    actor: &Actor,
) -> StoreResult<CallRecord> {
    let tx = c.transaction().map_err(db_error)?;
    // The resident must be current and live in the home the call comes from.
    get_resident(&tx, new.resident_id, Scope::Home(new.care_home_id))?;
    tx.execute(
        "INSERT INTO call (resident_id, care_home_id, state, level, initial_level, news2_total,
                           arrived_at, clock_start, assessment, triage, situation,
                           care_plan_version, care_plan_snapshot, last_seq)
         VALUES (?1, ?2, 'queued', ?3, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, 1)",
        params![
            new.resident_id,
            new.care_home_id,
            new.level.as_str(),
            new.news2_total,
            new.at,
            new.assessment,
            new.triage,
            new.situation,
            new.care_plan_version,
            new.care_plan_snapshot
        ],
    )
    .map_err(db_error)?;
    let call = load(&tx, tx.last_insert_rowid(), Scope::AllHomes)?;
    append_event(&tx, &call, new.at, "created", Some(actor), "{}")?;
    let detail = format!("level={}", new.level.as_str());
    append_audit(&tx, &call_audit(actor, "call.create", &call, detail))?;
    tx.commit().map_err(db_error)?;
    tracing::debug!(
        call_id = call.id,
        level = call.level.as_str(),
        "call created"
    );
    Ok(call)
}

/// The guarded update of a change: a `None` in the change keeps the column, and the statement
/// only matches while the call is still in the expected state.
const CHANGE_SQL: &str = "UPDATE call SET
        state = :new_state,
        holder_id = CASE WHEN :holder_keep THEN holder_id ELSE :holder_id END,
        level = COALESCE(:level, level),
        clock_start = COALESCE(:clock_start, clock_start),
        news2_total = CASE WHEN :assessment IS NULL THEN news2_total ELSE :news2 END,
        assessment = COALESCE(:assessment, assessment),
        triage = COALESCE(:triage, triage),
        reobserve_at = CASE WHEN :outcome IS NULL THEN reobserve_at ELSE :reobserve END,
        outcome = COALESCE(:outcome, outcome),
        outcome_plan = COALESCE(:plan, outcome_plan),
        outcome_clinicians = COALESCE(:clinicians, outcome_clinicians),
        outcome_by = COALESCE(:outcome_by, outcome_by),
        outcome_at = COALESCE(:outcome_at, outcome_at),
        answered_at = CASE WHEN :answered THEN COALESCE(answered_at, :at)
                           ELSE answered_at END,
        breaches = max(breaches, COALESCE(:breaches, 0)),
        ended_at = CASE WHEN :new_state IN ('closed', 'cancelled', 'abandoned')
                        THEN COALESCE(ended_at, :at) ELSE NULL END,
        last_seq = last_seq + 1
     WHERE id = :id AND state = :expected";

/// Runs [`CHANGE_SQL`] for `ch`; returns the rows changed (0 when the call is missing or has
/// moved on from the expected state).
fn apply_change(c: &Connection, ch: &CallChange) -> StoreResult<usize> {
    let (holder_keep, holder_id) = match ch.holder {
        Holder::Keep => (true, None),
        Holder::Set(id) => (false, Some(id)),
        Holder::Clear => (false, None),
    };
    let (assessment, triage, news2) = match &ch.assessment {
        Some((a, t, n)) => (Some(a.as_str()), Some(t.as_str()), *n),
        None => (None, None, None),
    };
    let out = ch.outcome.as_ref();
    c.execute(
        CHANGE_SQL,
        named_params! {
            ":id": ch.call_id,
            ":expected": ch.expected_state.as_str(),
            ":new_state": ch.new_state.as_str(),
            ":holder_keep": holder_keep,
            ":holder_id": holder_id,
            ":level": ch.level.map(|(l, _)| l.as_str()),
            ":clock_start": ch.level.map(|(_, s)| s),
            ":assessment": assessment,
            ":triage": triage,
            ":news2": news2,
            ":outcome": out.map(|o| o.outcome.code()),
            ":plan": out.map(|o| o.plan.as_str()),
            ":reobserve": out.and_then(|o| o.reobserve_at),
            ":clinicians": out.map(|o| ids_text(&o.clinicians)),
            ":outcome_by": out.map(|o| o.recorded_by),
            ":outcome_at": out.map(|o| o.recorded_at),
            ":answered": ch.answered,
            ":at": ch.at,
            ":breaches": ch.breaches,
        },
    )
    .map_err(db_error)
}

/// What the audit entry of a change says: state codes, level and breach count, nothing clinical.
fn change_detail(ch: &CallChange) -> String {
    let mut detail = format!(
        "from={} to={}",
        ch.expected_state.as_str(),
        ch.new_state.as_str()
    );
    if let Some((level, _)) = ch.level {
        detail.push_str(&format!(" level={}", level.as_str()));
    }
    if let Some(breaches) = ch.breaches {
        detail.push_str(&format!(" breaches={breaches}"));
    }
    detail
}

pub(crate) fn change_call(c: &mut Connection, ch: CallChange) -> StoreResult<CallRecord> {
    let tx = c.transaction().map_err(db_error)?;
    if apply_change(&tx, &ch)? == 0 {
        let now = load(&tx, ch.call_id, Scope::AllHomes)?;
        return Err(StoreError::Conflict(format!(
            "the call is {} now",
            state_words(now.state)
        )));
    }
    let call = load(&tx, ch.call_id, Scope::AllHomes)?;
    append_event(&tx, &call, ch.at, &ch.kind, ch.actor.as_ref(), &ch.detail)?;
    if let Some(actor) = &ch.actor {
        let action = format!("call.{}", ch.kind);
        append_audit(&tx, &call_audit(actor, &action, &call, change_detail(&ch)))?;
    }
    tx.commit().map_err(db_error)?;
    tracing::debug!(call_id = call.id, kind = %ch.kind, state = call.state.as_str(), "call changed");
    Ok(call)
}

pub(crate) fn read_snapshot(
    c: &mut Connection,
    id: Id,
    scope: Scope,
    actor: &Actor,
) -> StoreResult<(Option<u32>, Option<String>)> {
    let tx = c.transaction().map_err(db_error)?;
    let call = load(&tx, id, scope)?;
    let snapshot: Option<String> = tx
        .query_row(
            "SELECT care_plan_snapshot FROM call WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .map_err(db_error)?;
    let detail = call
        .care_plan_version
        .map_or_else(|| "version=none".to_owned(), |v| format!("version={v}"));
    append_audit(&tx, &call_audit(actor, "call.snapshot_read", &call, detail))?;
    tx.commit().map_err(db_error)?;
    Ok((call.care_plan_version, snapshot))
}

pub(crate) fn sign_off_call(
    c: &mut Connection,
    id: Id,
    actor: &Actor,
    comment: String,
    at: i64,
) -> StoreResult<CallRecord> {
    let tx = c.transaction().map_err(db_error)?;
    let before = load(&tx, id, Scope::AllHomes)?;
    if before.state != CallState::Closed {
        return Err(StoreError::Conflict(format!(
            "the call is {} now; only closed calls are signed off",
            state_words(before.state)
        )));
    }
    if before.sign_off.is_some() {
        return Err(StoreError::Conflict(
            "the call is already signed off".into(),
        ));
    }
    tx.execute(
        "UPDATE call SET signed_off_by = ?2,
             signed_off_by_name = COALESCE((SELECT display_name FROM user_account
                                            WHERE id = ?2), ?3),
             signed_off_at = ?4, sign_off_comment = ?5, last_seq = last_seq + 1
         WHERE id = ?1",
        params![id, actor.user_id, actor.username, at, comment],
    )
    .map_err(db_error)?;
    let call = load(&tx, id, Scope::AllHomes)?;
    append_event(&tx, &call, at, "signed_off", Some(actor), "{}")?;
    append_audit(
        &tx,
        &call_audit(actor, "call.sign_off", &call, String::new()),
    )?;
    tx.commit().map_err(db_error)?;
    Ok(call)
}

/// The event detail of a follow-up: every flag after the change, as JSON (true/false/null).
fn follow_up_json(f: &FollowUp) -> String {
    let flag = |v: Option<bool>| match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "null",
    };
    format!(
        r#"{{"conveyed":{},"admitted":{},"died_within_72h":{}}}"#,
        flag(f.conveyed),
        flag(f.admitted),
        flag(f.died_within_72h)
    )
}

/// The audit detail of a follow-up: which flags were set, never their values (they are clinical).
fn follow_up_fields(f: &FollowUp) -> String {
    let fields: Vec<&str> = [
        ("conveyed", f.conveyed.is_some()),
        ("admitted", f.admitted.is_some()),
        ("died_within_72h", f.died_within_72h.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    format!("fields={}", fields.join(","))
}

pub(crate) fn set_follow_up(
    c: &mut Connection,
    id: Id,
    follow_up: FollowUp,
    actor: &Actor,
    at: i64,
) -> StoreResult<CallRecord> {
    let tx = c.transaction().map_err(db_error)?;
    let before = load(&tx, id, Scope::AllHomes)?;
    if !before.state.is_terminal() {
        return Err(StoreError::Conflict(format!(
            "the call is {} now; follow-up is recorded once it has ended",
            state_words(before.state)
        )));
    }
    tx.execute(
        "UPDATE call SET conveyed = COALESCE(?2, conveyed), admitted = COALESCE(?3, admitted),
             died_within_72h = COALESCE(?4, died_within_72h), last_seq = last_seq + 1
         WHERE id = ?1",
        params![
            id,
            follow_up.conveyed,
            follow_up.admitted,
            follow_up.died_within_72h
        ],
    )
    .map_err(db_error)?;
    let call = load(&tx, id, Scope::AllHomes)?;
    let detail = follow_up_json(&call.follow_up);
    append_event(&tx, &call, at, "follow_up", Some(actor), &detail)?;
    let detail = follow_up_fields(&follow_up);
    append_audit(&tx, &call_audit(actor, "call.follow_up", &call, detail))?;
    tx.commit().map_err(db_error)?;
    Ok(call)
}
