//! Hub calls through the real SQLite store: the life of a call, its guards, its append-only
//! history, and the service figures checked against an independent count.

use std::collections::BTreeMap;
use std::path::PathBuf;

use carehub_store::{
    Actor, AuditQuery, CallChange, CallFilter, CallRecord, Holder, Id, NewCall, NewCareHome,
    NewResident, NewUser, OutcomeRecord, Report, ReportQuery, Resident, Role, Scope, SqliteOptions,
    SqliteStore, Store, StoreError,
};
use carehub_triage::{CallState, FollowUp, Level, Outcome};
use tempfile::TempDir;
use time::macros::{date, datetime};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A fresh database with two homes (and an empty third), staff, and a resident in each home.
struct World {
    _dir: TempDir,
    path: PathBuf,
    store: SqliteStore,
    home_a: Id,
    home_b: Id,
    home_c: Id,
    nurse: Actor,
    nurse2: Actor,
    clinician: Actor,
    staff_a: Actor,
    resident_a: Resident,
    resident_b: Resident,
}

async fn user(store: &SqliteStore, name: &str, role: Role, home: Option<Id>) -> Actor {
    let u = store
        .create_user(NewUser {
            username: name.to_owned(),
            display_name: format!("Display {name}"),
            role,
            care_home_id: home,
            password_hash: "not-a-hash".to_owned(),
        })
        .await
        .expect("user");
    Actor {
        user_id: u.id,
        username: u.username,
        role,
        address: None,
    }
}

async fn home(store: &SqliteStore, name: &str) -> Id {
    store
        .create_care_home(NewCareHome {
            name: name.to_owned(),
            address: "1 Test Lane".to_owned(),
            phone: "01632 960000".to_owned(),
        })
        .await
        .expect("home")
        .id
}

async fn resident(store: &SqliteStore, home: Id, nhs: &str, admin: &Actor) -> Resident {
    store
        .create_resident(
            NewResident {
                care_home_id: home,
                nhs_number: nhs.to_owned(),
                given_name: "Test".to_owned(),
                family_name: "Resident".to_owned(),
                preferred_name: "Test".to_owned(),
                date_of_birth: date!(1935 - 05 - 01),
                room: "1".to_owned(),
            },
            admin,
        )
        .await
        .expect("resident")
}

async fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("carehub.db");
    let store = SqliteStore::open(&SqliteOptions {
        path: path.clone(),
        synchronous_full: false,
        busy_timeout_ms: 5_000,
    })
    .expect("open");
    // Created out of name order, so "by name" is really tested.
    let home_b = home(&store, "Birch Court").await;
    let home_a = home(&store, "Aspen House").await;
    let home_c = home(&store, "Cedar Lodge").await;
    let admin = user(&store, "admin", Role::Admin, None).await;
    let nurse = user(&store, "nurse", Role::HubNurse, None).await;
    let nurse2 = user(&store, "nurse2", Role::HubNurse, None).await;
    let clinician = user(&store, "gp", Role::Clinician, None).await;
    let staff_a = user(&store, "staff_a", Role::CareStaff, Some(home_a)).await;
    let resident_a = resident(&store, home_a, "9990000018", &admin).await;
    let resident_b = resident(&store, home_b, "9990000026", &admin).await;
    World {
        _dir: dir,
        path,
        store,
        home_a,
        home_b,
        home_c,
        nurse,
        nurse2,
        clinician,
        staff_a,
        resident_a,
        resident_b,
    }
}

fn new_call(r: &Resident, level: Level, at: i64) -> NewCall {
    NewCall {
        resident_id: r.id,
        care_home_id: r.care_home_id,
        level,
        news2_total: Some(3),
        assessment: r#"{"soft_signs":["drowsy"]}"#.to_owned(),
        triage: r#"{"news2":3}"#.to_owned(),
        situation: "sleepier than usual".to_owned(),
        care_plan_version: None,
        care_plan_snapshot: None,
        at,
    }
}

/// A change moving `from` to `to`, with nothing else set.
fn step(
    id: Id,
    from: CallState,
    to: CallState,
    kind: &str,
    actor: Option<&Actor>,
    at: i64,
) -> CallChange {
    let mut change = CallChange::event(id, from, kind, actor.cloned(), at);
    change.new_state = to;
    change
}

fn claim(id: Id, nurse: &Actor, at: i64) -> CallChange {
    let mut change = step(
        id,
        CallState::Queued,
        CallState::Claimed,
        "claimed",
        Some(nurse),
        at,
    );
    change.holder = Holder::Set(nurse.user_id);
    change.answered = true;
    change
}

fn outcome(id: Id, nurse: &Actor, outcome: Outcome, clinicians: Vec<Id>, at: i64) -> CallChange {
    let mut change = step(
        id,
        CallState::WrapUp,
        CallState::Closed,
        "outcome_recorded",
        Some(nurse),
        at,
    );
    change.holder = Holder::Clear;
    change.outcome = Some(OutcomeRecord {
        outcome,
        plan: "push fluids, re-observe".to_owned(),
        reobserve_at: Some(at + 4 * HOUR),
        clinicians,
        recorded_by: nurse.user_id,
        recorded_at: at,
    });
    change
}

fn conflict(result: Result<CallRecord, StoreError>) -> String {
    match result {
        Err(StoreError::Conflict(message)) => message,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

const T0: i64 = 1_750_000_000_000;

#[tokio::test]
async fn a_call_lives_from_queue_to_sign_off_with_every_step_recorded() {
    let w = world().await;
    let s = &w.store;
    let plan = s
        .save_care_plan(
            w.resident_a.id,
            Scope::AllHomes,
            None,
            r#"{"plan":1}"#.into(),
            &w.nurse,
        )
        .await
        .expect("plan");
    let mut new = new_call(&w.resident_a, Level::P3, T0);
    new.care_plan_version = Some(plan.version);
    new.care_plan_snapshot = Some(plan.content.clone());
    let call = s.create_call(new, &w.staff_a).await.expect("create");
    assert_eq!(call.state, CallState::Queued);
    assert_eq!((call.level, call.initial_level), (Level::P3, Level::P3));
    assert_eq!(
        (call.arrived_at, call.clock_start, call.last_seq),
        (T0, T0, 1)
    );
    assert_eq!(
        (call.answered_at, call.ended_at, call.holder_id),
        (None, None, None)
    );
    let id = call.id;

    let claimed = s
        .change_call(claim(id, &w.nurse, T0 + MINUTE))
        .await
        .expect("claim");
    assert_eq!(claimed.state, CallState::Claimed);
    assert_eq!(claimed.holder_id, Some(w.nurse.user_id));
    assert_eq!(claimed.answered_at, Some(T0 + MINUTE));
    let second = s.change_call(claim(id, &w.nurse2, T0 + MINUTE)).await;
    assert_eq!(conflict(second), "the call is claimed now");

    let mut release = step(
        id,
        CallState::Claimed,
        CallState::Queued,
        "released",
        Some(&w.nurse),
        T0 + 2 * MINUTE,
    );
    release.holder = Holder::Clear;
    let released = s.change_call(release).await.expect("release");
    assert_eq!(
        (released.state, released.holder_id),
        (CallState::Queued, None)
    );
    let again = s
        .change_call(claim(id, &w.nurse2, T0 + 3 * MINUTE))
        .await
        .expect("claim again");
    assert_eq!(again.holder_id, Some(w.nurse2.user_id));
    assert_eq!(again.answered_at, Some(T0 + MINUTE), "first answer stands");

    let nurse2 = &w.nurse2;
    let started = step(
        id,
        CallState::Claimed,
        CallState::InConsultation,
        "consultation_started",
        Some(nurse2),
        T0 + 4 * MINUTE,
    );
    s.change_call(started).await.expect("start");
    let ended = step(
        id,
        CallState::InConsultation,
        CallState::WrapUp,
        "consultation_ended",
        Some(nurse2),
        T0 + 20 * MINUTE,
    );
    s.change_call(ended).await.expect("end");
    let closed = s
        .change_call(outcome(
            id,
            nurse2,
            Outcome::Gpv,
            vec![w.clinician.user_id],
            T0 + 25 * MINUTE,
        ))
        .await
        .expect("outcome");
    assert_eq!(closed.state, CallState::Closed);
    assert_eq!(closed.ended_at, Some(T0 + 25 * MINUTE));
    assert_eq!(closed.holder_id, None);
    let recorded = closed.outcome.clone().expect("outcome stored");
    assert_eq!(recorded.outcome, Outcome::Gpv);
    assert_eq!(recorded.clinicians, vec![w.clinician.user_id]);
    assert_eq!(recorded.reobserve_at, Some(T0 + 25 * MINUTE + 4 * HOUR));
    assert_eq!(recorded.recorded_by, nurse2.user_id);

    let at = T0 + DAY;
    let signed = s
        .sign_off(id, &w.clinician, "agree".into(), at)
        .await
        .expect("sign off");
    let sign = signed.sign_off.clone().expect("signed");
    assert_eq!((sign.by, sign.at), (w.clinician.user_id, at));
    assert_eq!(
        (sign.by_name.as_str(), sign.comment.as_str()),
        ("Display gp", "agree")
    );
    assert_eq!(signed.state, CallState::Closed);
    let twice = s.sign_off(id, &w.clinician, "again".into(), at + 1).await;
    assert_eq!(conflict(twice), "the call is already signed off");

    let follow = FollowUp {
        admitted: Some(false),
        ..FollowUp::default()
    };
    let followed = s
        .set_follow_up(id, follow, &w.clinician, at + HOUR)
        .await
        .expect("follow-up");
    assert_eq!(followed.follow_up, follow);
    let more = FollowUp {
        died_within_72h: Some(false),
        ..FollowUp::default()
    };
    let followed = s
        .set_follow_up(id, more, &w.clinician, at + 2 * HOUR)
        .await
        .expect("follow-up");
    assert_eq!(followed.follow_up.admitted, Some(false), "None keeps");
    assert_eq!(followed.follow_up.died_within_72h, Some(false));
    assert_eq!(s.get_call(id, Scope::AllHomes).await, Ok(followed.clone()));

    let events = s
        .call_events(id, Scope::Home(w.home_a))
        .await
        .expect("events");
    let expected = [
        ("created", CallState::Queued, "staff_a"),
        ("claimed", CallState::Claimed, "nurse"),
        ("released", CallState::Queued, "nurse"),
        ("claimed", CallState::Claimed, "nurse2"),
        ("consultation_started", CallState::InConsultation, "nurse2"),
        ("consultation_ended", CallState::WrapUp, "nurse2"),
        ("outcome_recorded", CallState::Closed, "nurse2"),
        ("signed_off", CallState::Closed, "gp"),
        ("follow_up", CallState::Closed, "gp"),
        ("follow_up", CallState::Closed, "gp"),
    ];
    assert_eq!(events.len(), expected.len());
    for (n, (event, (kind, state, who))) in events.iter().zip(expected).enumerate() {
        assert_eq!(event.seq, i64::try_from(n).expect("small") + 1);
        assert_eq!((event.kind.as_str(), event.state), (kind, state));
        assert_eq!(
            event.actor_name.as_deref(),
            Some(format!("Display {who}").as_str())
        );
    }
    assert_eq!(events[0].actor_role.as_deref(), Some("care_staff"));
    assert_eq!(events[1].at, T0 + MINUTE);
    assert_eq!(
        events[9].detail,
        r#"{"conveyed":null,"admitted":false,"died_within_72h":false}"#
    );
    assert_eq!(followed.last_seq, 10);

    let (version, snapshot) = s
        .read_call_snapshot(id, Scope::Home(w.home_a), &w.nurse)
        .await
        .expect("snapshot");
    assert_eq!((version, snapshot), (Some(1), Some(plan.content)));

    let audit = s
        .query_audit(AuditQuery {
            resident_id: Some(w.resident_a.id),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    let actions: Vec<&str> = audit
        .iter()
        .rev()
        .filter(|a| a.target_type == "call")
        .map(|a| a.action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "call.create",
            "call.claimed",
            "call.released",
            "call.claimed",
            "call.consultation_started",
            "call.consultation_ended",
            "call.outcome_recorded",
            "call.sign_off",
            "call.follow_up",
            "call.follow_up",
            "call.snapshot_read",
        ]
    );
    let create = audit
        .iter()
        .find(|a| a.action == "call.create")
        .expect("create");
    assert_eq!((create.target_id, create.detail.as_str()), (id, "level=P3"));
    let read = audit
        .iter()
        .find(|a| a.action == "call.snapshot_read")
        .expect("read");
    assert_eq!(read.detail, "version=1");
    for entry in &audit {
        assert!(
            !entry.detail.contains("fluids"),
            "no clinical text in audit"
        );
    }
}

#[tokio::test]
async fn open_calls_are_the_unfinished_ones_oldest_first() {
    let w = world().await;
    let s = &w.store;
    let late = s
        .create_call(new_call(&w.resident_b, Level::P1, T0 + HOUR), &w.nurse)
        .await
        .expect("late");
    let early = s
        .create_call(new_call(&w.resident_a, Level::P4, T0), &w.staff_a)
        .await
        .expect("early");
    let gone = s
        .create_call(new_call(&w.resident_a, Level::P2, T0 - HOUR), &w.staff_a)
        .await
        .expect("gone");
    let cancel = step(
        gone.id,
        CallState::Queued,
        CallState::Cancelled,
        "cancelled",
        Some(&w.staff_a),
        T0,
    );
    let cancelled = s.change_call(cancel).await.expect("cancel");
    assert_eq!(cancelled.ended_at, Some(T0));
    let claimed = s
        .change_call(claim(early.id, &w.nurse, T0 + 1))
        .await
        .expect("claim");
    let open: Vec<(Id, CallState)> = s
        .open_calls()
        .await
        .expect("open")
        .into_iter()
        .map(|c| (c.id, c.state))
        .collect();
    assert_eq!(
        open,
        [
            (claimed.id, CallState::Claimed),
            (late.id, CallState::Queued)
        ]
    );
}

#[tokio::test]
async fn calls_outside_the_scope_or_home_are_not_found() {
    let w = world().await;
    let s = &w.store;
    let call = s
        .create_call(new_call(&w.resident_a, Level::P3, T0), &w.staff_a)
        .await
        .expect("create");
    let other = Scope::Home(w.home_b);
    assert_eq!(s.get_call(call.id, other).await, Err(StoreError::NotFound));
    assert_eq!(
        s.call_events(call.id, other).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.read_call_snapshot(call.id, other, &w.nurse).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.recent_calls(w.resident_a.id, other, 5).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.get_call(call.id + 99, Scope::AllHomes).await,
        Err(StoreError::NotFound)
    );
    let mine = Scope::Home(w.home_a);
    assert_eq!(s.get_call(call.id, mine).await, Ok(call.clone()));
    assert_eq!(
        s.recent_calls(w.resident_a.id, mine, 5).await,
        Ok(vec![call.clone()])
    );
    assert_eq!(s.call_events(call.id, mine).await.expect("events").len(), 1);

    // A resident of another home, an unknown resident, an archived resident: not found.
    let mut wrong_home = new_call(&w.resident_b, Level::P3, T0);
    wrong_home.care_home_id = w.home_a;
    assert_eq!(
        s.create_call(wrong_home, &w.staff_a).await,
        Err(StoreError::NotFound)
    );
    let mut unknown = new_call(&w.resident_a, Level::P3, T0);
    unknown.resident_id = 9_999;
    assert_eq!(
        s.create_call(unknown, &w.staff_a).await,
        Err(StoreError::NotFound)
    );
    s.archive_resident(w.resident_a.id, Scope::AllHomes, &w.nurse)
        .await
        .expect("archive");
    let archived = new_call(&w.resident_a, Level::P3, T0);
    assert_eq!(
        s.create_call(archived, &w.staff_a).await,
        Err(StoreError::NotFound)
    );
    // The archived resident's calls remain on record.
    assert_eq!(
        s.recent_calls(w.resident_a.id, mine, 5).await,
        Ok(vec![call])
    );

    let change = claim(9_999, &w.nurse, T0);
    assert_eq!(s.change_call(change).await, Err(StoreError::NotFound));
    assert_eq!(
        s.sign_off(9_999, &w.clinician, String::new(), T0).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn levels_move_with_their_clock_and_breaches_never_go_down() {
    let w = world().await;
    let s = &w.store;
    let call = s
        .create_call(new_call(&w.resident_a, Level::P3, T0), &w.staff_a)
        .await
        .expect("create");
    let mut breach = CallChange::event(
        call.id,
        CallState::Queued,
        "breached",
        None,
        T0 + 30 * MINUTE,
    );
    breach.level = Some((Level::P2, T0 + 30 * MINUTE));
    breach.breaches = Some(2);
    let breached = s.change_call(breach).await.expect("breach");
    assert_eq!(
        (breached.level, breached.initial_level),
        (Level::P2, Level::P3)
    );
    assert_eq!(
        (breached.clock_start, breached.breaches),
        (T0 + 30 * MINUTE, 2)
    );
    let mut lower = CallChange::event(call.id, CallState::Queued, "breached", None, T0 + HOUR);
    lower.breaches = Some(1);
    assert_eq!(s.change_call(lower).await.expect("lower").breaches, 2);

    let mut rescored = CallChange::event(
        call.id,
        CallState::Queued,
        "observations_added",
        Some(w.staff_a.clone()),
        T0 + HOUR,
    );
    rescored.assessment = Some(("{\"obs\":1}".into(), "{\"news2\":null}".into(), None));
    let rescored = s.change_call(rescored).await.expect("rescore");
    assert_eq!(rescored.news2_total, None);
    assert_eq!(rescored.assessment, "{\"obs\":1}");
    assert_eq!(
        (rescored.state, rescored.level),
        (CallState::Queued, Level::P2)
    );

    let events = s
        .call_events(call.id, Scope::AllHomes)
        .await
        .expect("events");
    assert_eq!(events[1].actor_id, None, "system events have no actor");
    let audit = s
        .query_audit(AuditQuery {
            action: Some("call.breached".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    assert!(audit.is_empty(), "system changes carry no audit actor");
}

#[tokio::test]
async fn finished_calls_stay_finished_and_take_only_sign_off_and_follow_up() {
    let w = world().await;
    let s = &w.store;
    let call = s
        .create_call(new_call(&w.resident_a, Level::P4, T0), &w.staff_a)
        .await
        .expect("create");
    let early = FollowUp {
        conveyed: Some(true),
        ..FollowUp::default()
    };
    let not_yet = s.set_follow_up(call.id, early, &w.clinician, T0).await;
    assert_eq!(
        conflict(not_yet),
        "the call is queued now; follow-up is recorded once it has ended"
    );
    let cancel = step(
        call.id,
        CallState::Queued,
        CallState::Cancelled,
        "cancelled",
        Some(&w.staff_a),
        T0 + MINUTE,
    );
    s.change_call(cancel).await.expect("cancel");
    let reopen = step(
        call.id,
        CallState::Cancelled,
        CallState::Queued,
        "released",
        Some(&w.nurse),
        T0 + 2 * MINUTE,
    );
    assert!(conflict(s.change_call(reopen).await).contains("finished call"));
    let sign = s.sign_off(call.id, &w.clinician, String::new(), T0).await;
    assert!(conflict(sign).starts_with("the call is cancelled now"));
    let after = s
        .set_follow_up(call.id, early, &w.clinician, T0 + HOUR)
        .await
        .expect("follow-up on a cancelled call");
    assert_eq!(
        (after.state, after.follow_up),
        (CallState::Cancelled, early)
    );
}

/// A raw connection beside the store, to try what the application never does.
fn raw(w: &World) -> rusqlite::Connection {
    rusqlite::Connection::open(&w.path).expect("raw connection")
}

#[tokio::test]
async fn history_tables_refuse_update_and_delete() {
    let w = world().await;
    let mut new = new_call(&w.resident_a, Level::P3, T0);
    new.care_plan_version = Some(1);
    new.care_plan_snapshot = Some("{}".into());
    let call = w.store.create_call(new, &w.staff_a).await.expect("create");
    let c = raw(&w);
    for sql in [
        "UPDATE call_event SET detail = 'x'",
        "DELETE FROM call_event",
        "UPDATE audit_log SET detail = 'x'",
        "DELETE FROM audit_log",
        "UPDATE call SET care_plan_snapshot = 'x'",
        "UPDATE call SET resident_id = resident_id + 1",
        "UPDATE call SET arrived_at = 0",
        "DELETE FROM call",
        "UPDATE call SET state = 'lost'",
        "UPDATE call SET level = 'P9'",
        "UPDATE call SET outcome = 'XYZ'",
        "UPDATE call SET state = 'closed'",
    ] {
        let refused = c.execute(sql, []);
        assert!(refused.is_err(), "{sql} was allowed");
    }
    let count: i64 = c
        .query_row("SELECT count(*) FROM call_event", [], |r| r.get(0))
        .expect("count");
    assert_eq!(count, 1);
    assert_eq!(w.store.get_call(call.id, Scope::AllHomes).await, Ok(call));
}

#[tokio::test]
async fn a_corrupt_code_is_unavailable_not_a_panic() {
    let w = world().await;
    let call = w
        .store
        .create_call(new_call(&w.resident_a, Level::P3, T0), &w.staff_a)
        .await
        .expect("create");
    let c = raw(&w);
    c.execute_batch("PRAGMA ignore_check_constraints = ON; UPDATE call SET state = 'lost';")
        .expect("corrupt");
    let read = w.store.get_call(call.id, Scope::AllHomes).await;
    assert!(matches!(read, Err(StoreError::Unavailable(_))), "{read:?}");
    let report = w.store.report(ReportQuery::default()).await;
    assert!(
        matches!(report, Err(StoreError::Unavailable(_))),
        "{report:?}"
    );
}

/// Closes a fresh call of `r` at `at` with `out`, answered a minute later, breached or not.
#[tokio::test]
async fn residents_on_record_are_read_together_left_or_not_within_scope() {
    let w = world().await;
    let s = &w.store;
    s.archive_resident(w.resident_b.id, Scope::AllHomes, &w.nurse)
        .await
        .expect("archive");
    let ids = |rs: Vec<Resident>| {
        let mut ids: Vec<Id> = rs.into_iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids
    };
    let (a, b) = (w.resident_a.id, w.resident_b.id);
    let unknown = a.max(b) + 100;
    let all = s
        .residents_on_record(vec![a, b, unknown], Scope::AllHomes)
        .await
        .expect("all homes");
    let mut both = vec![a, b];
    both.sort_unstable();
    assert_eq!(
        ids(all),
        both,
        "the archived resident is on record; unknown skipped"
    );
    let home_a = s
        .residents_on_record(vec![a, b], Scope::Home(w.home_a))
        .await
        .expect("home a");
    assert_eq!(ids(home_a), [a], "another home's resident is out of scope");
    assert!(
        s.residents_on_record(Vec::new(), Scope::AllHomes)
            .await
            .expect("none")
            .is_empty()
    );
}

async fn closed_call(w: &World, r: &Resident, at: i64, out: Outcome, breached: bool) -> CallRecord {
    let s = &w.store;
    let level = if breached { Level::P3 } else { Level::P2 };
    let call = s
        .create_call(new_call(r, level, at), &w.nurse)
        .await
        .expect("create");
    if breached {
        let mut breach = CallChange::event(call.id, CallState::Queued, "breached", None, at);
        breach.breaches = Some(1);
        s.change_call(breach).await.expect("breach");
    }
    s.change_call(claim(call.id, &w.nurse, at + MINUTE))
        .await
        .expect("claim");
    let end = step(
        call.id,
        CallState::Claimed,
        CallState::WrapUp,
        "consultation_ended",
        Some(&w.nurse),
        at + 2 * MINUTE,
    );
    s.change_call(end).await.expect("end");
    let close = outcome(call.id, &w.nurse, out, Vec::new(), at + 3 * MINUTE);
    s.change_call(close).await.expect("close")
}

#[tokio::test]
async fn closed_calls_filter_and_page_newest_first() {
    let w = world().await;
    let s = &w.store;
    let a1 = closed_call(&w, &w.resident_a, T0, Outcome::Adv, false).await;
    let b1 = closed_call(&w, &w.resident_b, T0 + HOUR, Outcome::Amb, false).await;
    let a2 = closed_call(&w, &w.resident_a, T0 + 2 * HOUR, Outcome::Adm, true).await;
    let open = s
        .create_call(
            new_call(&w.resident_a, Level::P3, T0 + 3 * HOUR),
            &w.staff_a,
        )
        .await
        .expect("open");
    let cancel = step(
        open.id,
        CallState::Queued,
        CallState::Cancelled,
        "cancelled",
        Some(&w.staff_a),
        T0 + 4 * HOUR,
    );
    let cancelled = s.change_call(cancel).await.expect("cancel");
    s.create_call(
        new_call(&w.resident_a, Level::P1, T0 + 5 * HOUR),
        &w.staff_a,
    )
    .await
    .expect("still queued");
    s.sign_off(b1.id, &w.clinician, "ok".into(), T0 + DAY)
        .await
        .expect("sign");

    let ids = |calls: Vec<CallRecord>| calls.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let list = |f: CallFilter| async move { ids(s.list_closed_calls(f).await.expect("list")) };
    let all = [cancelled.id, a2.id, b1.id, a1.id];
    assert_eq!(list(CallFilter::default()).await, all);
    let home = CallFilter {
        care_home_id: Some(w.home_b),
        ..CallFilter::default()
    };
    assert_eq!(list(home).await, [b1.id]);
    let level = CallFilter {
        level: Some(Level::P3),
        ..CallFilter::default()
    };
    assert_eq!(list(level).await, [cancelled.id, a2.id]);
    let out = CallFilter {
        outcome: Some(Outcome::Adm),
        ..CallFilter::default()
    };
    assert_eq!(list(out).await, [a2.id]);
    let period = CallFilter {
        from: Some(T0 + HOUR),
        to: Some(T0 + 3 * HOUR),
        ..CallFilter::default()
    };
    assert_eq!(list(period).await, [a2.id, b1.id]);
    let breached = CallFilter {
        breached: Some(true),
        ..CallFilter::default()
    };
    assert_eq!(list(breached).await, [a2.id]);
    let clean = CallFilter {
        breached: Some(false),
        ..CallFilter::default()
    };
    assert_eq!(list(clean).await, [cancelled.id, b1.id, a1.id]);
    let unsigned = CallFilter {
        unsigned: true,
        ..CallFilter::default()
    };
    assert_eq!(list(unsigned).await, [a2.id, a1.id]);
    let page = CallFilter {
        limit: 2,
        ..CallFilter::default()
    };
    assert_eq!(list(page).await, [cancelled.id, a2.id]);
    let next = CallFilter {
        before_id: Some(a2.id),
        limit: 2,
        ..CallFilter::default()
    };
    assert_eq!(list(next).await, [b1.id, a1.id]);

    // Ids need not follow arrival (imported history): a page continues after its last row by
    // arrival time, never skipping or repeating a call.
    let early = closed_call(&w, &w.resident_b, T0 - HOUR, Outcome::Adv, false).await;
    let page_after = |before: Id| CallFilter {
        before_id: Some(before),
        limit: 2,
        ..CallFilter::default()
    };
    assert_eq!(list(page_after(a2.id)).await, [b1.id, a1.id]);
    assert_eq!(list(page_after(a1.id)).await, [early.id]);

    let recent = ids(s
        .recent_calls(w.resident_a.id, Scope::AllHomes, 2)
        .await
        .expect("recent"));
    assert_eq!(recent.len(), 2, "limit respected");
    assert_eq!(recent[1], cancelled.id, "newest first, any state");
}

// ---- Service figures -------------------------------------------------------------------------

/// How a generated call ends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Closed(Outcome),
    Cancelled,
    AbandonedUnanswered,
    AbandonedAfterClaim,
    /// Lost after a claim, with ABN recorded as it was abandoned (not a closed call).
    AbandonedWithAbn,
    OpenQueued,
    OpenClaimed,
    OpenWrapUp,
}

/// One generated call, as the test knows it independently of the store.
#[derive(Debug, Clone)]
struct Spec {
    resident: Resident,
    level: Level,
    arrived: i64,
    answered: Option<i64>,
    breaches: u8,
    fate: Fate,
    follow_up: Option<FollowUp>,
}

/// 2025-03-24 was a Monday; UK clocks went forward at 01:00 UTC on Sunday 2025-03-30.
const BASE: i64 = datetime!(2025-03-24 00:00 UTC).unix_timestamp() * 1000;
const BST_START: i64 = datetime!(2025-03-30 01:00 UTC).unix_timestamp() * 1000;
const BST_END: i64 = datetime!(2025-10-26 01:00 UTC).unix_timestamp() * 1000;
const PERIOD_END: i64 = BASE + 14 * DAY;

fn fate(i: i64) -> Fate {
    match i {
        5 | 18 | 31 | 44 => Fate::Cancelled,
        12 | 41 => Fate::AbandonedUnanswered,
        3 | 20 => Fate::AbandonedAfterClaim,
        47 => Fate::AbandonedWithAbn,
        57 => Fate::OpenQueued,
        58 => Fate::OpenClaimed,
        59 => Fate::OpenWrapUp,
        _ => Fate::Closed(Outcome::ALL[usize::try_from(i % 15).expect("index")]),
    }
}

fn follow_up(i: i64) -> Option<FollowUp> {
    let f = |conveyed, admitted, died_within_72h| {
        Some(FollowUp {
            conveyed,
            admitted,
            died_within_72h,
        })
    };
    match i {
        9 => f(Some(true), Some(true), None), // AMB, conveyed and admitted
        24 => f(Some(false), None, None),     // AMB, treated at home
        39 => f(Some(true), Some(false), None), // AMB, conveyed, not admitted
        7 => f(None, Some(false), None),      // OOH, not admitted
        22 => f(None, Some(true), None),      // OOH, admitted
        15 => f(None, Some(true), None),      // ADV, yet admitted later
        27 => f(None, None, Some(true)),      // DEX
        5 => f(None, Some(true), None),       // cancelled: never counts
        47 => f(None, Some(true), None),      // abandoned with ABN: never counts
        _ => None,
    }
}

/// Sixty calls over two weeks spanning the clock change, at every hour and on weekends, plus
/// a few placed on purpose: around local midnight either side of the change, and on both
/// edges of the period.
fn specs(w: &World) -> Vec<Spec> {
    let mut out: Vec<Spec> = (0..60)
        .map(|i| {
            let fate = fate(i);
            let arrived = BASE + i * 336 * MINUTE + (i * 7 % 50) * MINUTE + i * 1000;
            let delay = (15 + i * i * 7 % 900) * 1000 + (i % 4) * 250;
            let unanswered = matches!(
                fate,
                Fate::Cancelled | Fate::AbandonedUnanswered | Fate::OpenQueued
            );
            Spec {
                resident: if i % 3 == 0 {
                    w.resident_b.clone()
                } else {
                    w.resident_a.clone()
                },
                level: Level::ALL[usize::try_from(i * 3 % 5).expect("index")],
                arrived,
                answered: (!unanswered).then_some(arrived + delay),
                breaches: match i % 8 {
                    1 => 1,
                    5 => 2,
                    _ => 0,
                },
                fate,
                follow_up: follow_up(i),
            }
        })
        .collect();
    let extra = [
        datetime!(2025-03-29 23:30 UTC),
        datetime!(2025-03-30 00:30 UTC),
        datetime!(2025-04-02 23:30 UTC),
        datetime!(2025-03-24 07:59:59.999 UTC),
        datetime!(2025-03-24 08:00 UTC),
        datetime!(2025-03-24 18:00 UTC),
        datetime!(2025-04-06 23:59:59.999 UTC),
        // Outside the period: just before it and exactly at its end.
        datetime!(2025-03-23 23:59:59.999 UTC),
        datetime!(2025-04-07 00:00 UTC),
    ];
    for (n, t) in extra.into_iter().enumerate() {
        let arrived = t.unix_timestamp() * 1000 + i64::from(t.millisecond());
        let level = if n % 2 == 0 { Level::P2 } else { Level::P5 };
        out.push(Spec {
            resident: w.resident_a.clone(),
            level,
            arrived,
            answered: Some(arrived + 30_000 + i64::try_from(n).expect("small") * 10_000),
            breaches: 0,
            fate: Fate::Closed(Outcome::Tih),
            follow_up: None,
        });
    }
    out
}

/// Drives one spec through the store with the changes a hub would make.
async fn drive(w: &World, spec: &Spec) {
    let s = &w.store;
    let call = s
        .create_call(
            new_call(&spec.resident, spec.level, spec.arrived),
            &w.staff_a,
        )
        .await
        .expect("create");
    let id = call.id;
    let mut level = spec.level;
    for b in 1..=spec.breaches {
        let at = spec.arrived + i64::from(b);
        level = level.promoted();
        let mut breach = CallChange::event(id, CallState::Queued, "breached", None, at);
        breach.level = Some((level, at));
        breach.breaches = Some(b);
        s.change_call(breach).await.expect("breach");
    }
    let nurse = &w.nurse;
    let go = |from, to, kind: &'static str, at| step(id, from, to, kind, Some(nurse), at);
    use CallState::*;
    match spec.fate {
        Fate::Cancelled => {
            let at = spec.arrived + MINUTE;
            s.change_call(go(Queued, Cancelled, "cancelled", at))
                .await
                .expect("cancel");
        }
        Fate::AbandonedUnanswered => {
            let change = step(
                id,
                Queued,
                Abandoned,
                "abandoned",
                None,
                spec.arrived + HOUR,
            );
            s.change_call(change).await.expect("abandon");
        }
        Fate::OpenQueued => {}
        _ => {
            let answered = spec.answered.expect("answered");
            s.change_call(claim(id, nurse, answered))
                .await
                .expect("claim");
            let later = answered + MINUTE;
            match spec.fate {
                Fate::AbandonedAfterClaim => {
                    let change = step(id, Claimed, Abandoned, "abandoned", None, later);
                    s.change_call(change).await.expect("abandon");
                }
                Fate::AbandonedWithAbn => {
                    let mut change = outcome(id, nurse, Outcome::Abn, Vec::new(), later);
                    change.expected_state = Claimed;
                    change.new_state = Abandoned;
                    change.kind = "abandoned".to_owned();
                    s.change_call(change).await.expect("abandon with ABN");
                }
                Fate::OpenWrapUp => {
                    s.change_call(go(Claimed, WrapUp, "consultation_ended", later))
                        .await
                        .expect("end");
                }
                Fate::Closed(out) => {
                    let start = go(Claimed, InConsultation, "consultation_started", later);
                    s.change_call(start).await.expect("start");
                    let end = go(InConsultation, WrapUp, "consultation_ended", later + MINUTE);
                    s.change_call(end).await.expect("end");
                    let close = outcome(id, nurse, out, Vec::new(), later + 2 * MINUTE);
                    s.change_call(close).await.expect("close");
                }
                _ => {}
            }
        }
    }
    if let Some(f) = spec.follow_up {
        s.set_follow_up(id, f, &w.clinician, spec.arrived + DAY)
            .await
            .expect("follow-up");
    }
}

/// UK wall-clock time of a unix-ms instant, the test's own way: a fixed BST window for 2025.
fn local(ms: i64) -> time::OffsetDateTime {
    assert!(
        (BASE - DAY..BST_END).contains(&ms),
        "test data stays in spring 2025"
    );
    let offset = if ms >= BST_START { HOUR } else { 0 };
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms + offset) * 1_000_000)
        .expect("instant")
}

/// "yes", "no", "pending" or "n/a", written out from docs/clinical-rules.md §8 and its follow-up
/// rules.
fn remained_word(outcome: Outcome, f: &FollowUp) -> &'static str {
    if f.admitted == Some(true) {
        return "no";
    }
    match outcome.code() {
        "ADV" | "TIH" | "RXH" | "GPV" | "GPH" | "UCR" | "OTH" | "EOL" => "yes",
        "EDS" | "ADM" => "no",
        "OOH" if f.admitted == Some(false) => "yes",
        "OOH" => "pending",
        "AMB" if f.conveyed == Some(true) => "no",
        "AMB" if f.conveyed == Some(false) => "yes",
        "AMB" => "pending",
        _ => "n/a",
    }
}

/// The k-th smallest (1-based) where k is the least with k / n >= num / den.
fn rank(sorted: &[i64], num: usize, den: usize) -> Option<f64> {
    let n = sorted.len();
    let k = (1..=n).find(|k| k * den >= num * n)?;
    Some(sorted[k - 1] as f64 / 1000.0)
}

fn as_u32(n: usize) -> u32 {
    u32::try_from(n).expect("small")
}

/// The figures for `q`, counted from the specs with plain loops.
fn expected(w: &World, all: &[Spec], q: ReportQuery) -> Report {
    let calls: Vec<&Spec> = all
        .iter()
        .filter(|s| q.from.is_none_or(|f| s.arrived >= f) && q.to.is_none_or(|t| s.arrived < t))
        .filter(|s| q.care_home_id.is_none_or(|h| s.resident.care_home_id == h))
        .collect();
    let mut per_day: BTreeMap<String, u32> = BTreeMap::new();
    let mut per_hour = [0u32; 24];
    let (mut ooh, mut abandoned, mut cancelled) = (0, 0, 0);
    let mut remained: BTreeMap<&str, u32> = BTreeMap::new();
    let mut outcomes: BTreeMap<Outcome, u32> = BTreeMap::new();
    for s in &calls {
        let t = local(s.arrived);
        let day = format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day());
        *per_day.entry(day).or_default() += 1;
        per_hour[usize::from(t.hour())] += 1;
        let weekend = matches!(t.weekday(), time::Weekday::Saturday | time::Weekday::Sunday);
        if weekend || t.hour() >= 18 || t.hour() < 8 {
            ooh += 1;
        }
        match s.fate {
            Fate::Cancelled => cancelled += 1,
            Fate::AbandonedUnanswered | Fate::AbandonedAfterClaim => abandoned += 1,
            Fate::AbandonedWithAbn => {
                abandoned += 1;
                *outcomes.entry(Outcome::Abn).or_default() += 1;
            }
            Fate::Closed(o) => {
                abandoned += u32::from(o == Outcome::Abn);
                *outcomes.entry(o).or_default() += 1;
                let word = remained_word(o, &s.follow_up.unwrap_or_default());
                *remained.entry(word).or_default() += 1;
            }
            _ => {}
        }
    }
    let mut answer_times = Vec::new();
    for level in [Level::P1, Level::P2, Level::P3, Level::P4, Level::P5] {
        let at_level: Vec<&&Spec> = calls.iter().filter(|s| s.level == level).collect();
        let mut waits: Vec<i64> = at_level
            .iter()
            .filter_map(|s| s.answered.map(|a| a - s.arrived))
            .collect();
        waits.sort();
        answer_times.push(carehub_store::AnswerTimes {
            level,
            calls: as_u32(at_level.len()),
            answered: as_u32(waits.len()),
            median_seconds: rank(&waits, 1, 2),
            p90_seconds: rank(&waits, 9, 10),
            breached: as_u32(at_level.iter().filter(|s| s.breaches > 0).count()),
        });
    }
    let mut per_home = vec![
        (w.home_a, "Aspen House".to_owned(), 0),
        (w.home_b, "Birch Court".to_owned(), 0),
    ];
    for (id, _, n) in &mut per_home {
        *n = as_u32(
            calls
                .iter()
                .filter(|s| s.resident.care_home_id == *id)
                .count(),
        );
    }
    per_home.push((w.home_c, "Cedar Lodge".to_owned(), 0));
    let get = |word| remained.get(word).copied().unwrap_or(0);
    Report {
        calls: as_u32(calls.len()),
        per_day: per_day.into_iter().collect(),
        per_hour,
        out_of_hours: ooh,
        remained_yes: get("yes"),
        remained_no: get("no"),
        remained_pending: get("pending"),
        remained_not_applicable: get("n/a"),
        answer_times,
        abandoned,
        cancelled,
        per_home,
        outcomes: Outcome::ALL
            .iter()
            .map(|o| (*o, outcomes.get(o).copied().unwrap_or(0)))
            .collect(),
    }
}

#[tokio::test]
async fn service_figures_match_an_independent_count() {
    let w = world().await;
    let specs = specs(&w);
    for spec in &specs {
        drive(&w, spec).await;
    }
    let queries = [
        ReportQuery {
            from: Some(BASE),
            to: Some(PERIOD_END),
            care_home_id: None,
        },
        ReportQuery {
            from: Some(BASE + 3 * DAY),
            to: Some(BASE + 10 * DAY),
            care_home_id: Some(w.home_b),
        },
        ReportQuery::default(),
        // Nothing arrived in this period: every figure is zero and no time is measured.
        ReportQuery {
            from: Some(BASE - 10 * DAY),
            to: Some(BASE - 5 * DAY),
            care_home_id: None,
        },
    ];
    for q in queries {
        let actual = w.store.report(q).await.expect("report");
        assert_eq!(actual, expected(&w, &specs, q), "{q:?}");
    }

    // A few anchors written by hand, so the expectation above cannot drift with the code.
    let full = w.store.report(queries[0]).await.expect("report");
    assert_eq!(full.calls, 60 + 7);
    assert_eq!(full.answer_times.len(), 5);
    assert_eq!(
        (full.cancelled, full.abandoned),
        (4, 5 + 2),
        "4 cancelled; 5 lost, 2 ABN"
    );
    let days: Vec<&str> = full.per_day.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(days.first(), Some(&"2025-03-24"));
    // The last call, 2025-04-06 23:59:59.999 UTC, is 00:59 on the 7th in the UK.
    assert_eq!(days.last(), Some(&"2025-04-07"));
    let day = |d: &str| full.per_day.iter().find(|(x, _)| x == d).map(|(_, n)| *n);
    // 2025-04-02 23:30 UTC is 00:30 on the 3rd in BST; 2025-03-30 00:30 UTC is still GMT.
    assert!(day("2025-04-03").expect("3 April") >= 1);
    let empty = w.store.report(queries[3]).await.expect("report");
    assert_eq!(empty.calls, 0);
    assert!(
        empty
            .answer_times
            .iter()
            .all(|a| a.median_seconds.is_none())
    );
    assert_eq!(empty.outcomes.len(), 15);
    assert_eq!(empty.per_home.len(), 3);
}
