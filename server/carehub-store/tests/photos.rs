//! Photos of a call through the real SQLite store: appended only while a nurse is with the
//! call, scoped like the call, each image read audited, and never changed afterwards.

use std::path::PathBuf;

use carehub_store::{
    Actor, AuditQuery, CallChange, CallPhoto, Holder, Id, ImageFormat, NewCall, NewCallPhoto,
    NewCareHome, NewResident, NewUser, Role, Scope, SqliteOptions, SqliteStore, Store, StoreError,
};
use carehub_triage::{CallState, Level};
use tempfile::TempDir;
use time::macros::date;

const T0: i64 = 1_750_000_000_000;

struct World {
    _dir: TempDir,
    path: PathBuf,
    store: SqliteStore,
    home_a: Id,
    home_b: Id,
    nurse: Actor,
    staff_a: Actor,
    call: Id,
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

/// Two homes, a nurse, a carer of home A, and a waiting call from home A.
async fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("carehub.db");
    let store = SqliteStore::open(&SqliteOptions {
        path: path.clone(),
        synchronous_full: false,
        busy_timeout_ms: 5_000,
    })
    .expect("open");
    let home_a = home(&store, "Aspen House").await;
    let home_b = home(&store, "Birch Court").await;
    let admin = user(&store, "admin", Role::Admin, None).await;
    let nurse = user(&store, "nurse", Role::HubNurse, None).await;
    let staff_a = user(&store, "staff_a", Role::CareStaff, Some(home_a)).await;
    let resident = store
        .create_resident(
            NewResident {
                care_home_id: home_a,
                nhs_number: "9990000018".to_owned(),
                given_name: "Test".to_owned(),
                family_name: "Resident".to_owned(),
                preferred_name: "Test".to_owned(),
                date_of_birth: date!(1935 - 05 - 01),
                room: "1".to_owned(),
            },
            &admin,
        )
        .await
        .expect("resident");
    let call = store
        .create_call(
            NewCall {
                resident_id: resident.id,
                care_home_id: home_a,
                level: Level::P3,
                news2_total: Some(3),
                assessment: "{}".to_owned(),
                triage: "{}".to_owned(),
                situation: "a rash on her leg".to_owned(),
                care_plan_version: None,
                care_plan_snapshot: None,
                at: T0,
            },
            &staff_a,
        )
        .await
        .expect("call")
        .id;
    World {
        _dir: dir,
        path,
        store,
        home_a,
        home_b,
        nurse,
        staff_a,
        call,
    }
}

fn photo(call: Id, image: &[u8], at: i64) -> NewCallPhoto {
    NewCallPhoto {
        call_id: call,
        format: ImageFormat::Jpeg,
        width: Some(1920),
        height: Some(1080),
        image: image.to_vec(),
        at,
    }
}

async fn move_call(w: &World, from: CallState, to: CallState, kind: &str, at: i64) {
    let mut change = CallChange::event(w.call, from, kind, Some(w.nurse.clone()), at);
    change.new_state = to;
    if to == CallState::Claimed {
        change.holder = Holder::Set(w.nurse.user_id);
        change.answered = true;
    }
    w.store.change_call(change).await.expect("change");
}

async fn audit_count(w: &World, action: &str) -> usize {
    w.store
        .query_audit(AuditQuery {
            action: Some(action.to_owned()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("audit")
        .len()
}

#[tokio::test]
async fn photos_are_appended_only_while_a_nurse_is_with_the_call() {
    let w = world().await;
    let s = &w.store;
    let scope = Scope::Home(w.home_a);
    let early = s
        .add_call_photo(photo(w.call, b"\xFF\xD8\xFF1", T0), scope, &w.staff_a)
        .await;
    assert!(
        matches!(early, Err(StoreError::Conflict(_))),
        "waiting: {early:?}"
    );

    move_call(&w, CallState::Queued, CallState::Claimed, "claimed", T0 + 1).await;
    let first = s
        .add_call_photo(
            photo(w.call, b"\xFF\xD8\xFFfirst", T0 + 2),
            scope,
            &w.staff_a,
        )
        .await
        .expect("claimed call takes a photo");
    assert_eq!(
        first,
        CallPhoto {
            id: first.id,
            call_id: w.call,
            taken_by: w.staff_a.user_id,
            taken_by_name: "Display staff_a".to_owned(),
            taken_at: T0 + 2,
            format: ImageFormat::Jpeg,
            bytes: 8,
            width: Some(1920),
            height: Some(1080),
        }
    );
    move_call(
        &w,
        CallState::Claimed,
        CallState::InConsultation,
        "consultation_started",
        T0 + 3,
    )
    .await;
    let second = s
        .add_call_photo(
            photo(w.call, b"\xFF\xD8\xFFsecond", T0 + 4),
            scope,
            &w.staff_a,
        )
        .await
        .expect("a call in consultation takes a photo");
    // Another home's scope sees no such call.
    let outside = s
        .add_call_photo(
            photo(w.call, b"\xFF\xD8\xFF2", T0 + 5),
            Scope::Home(w.home_b),
            &w.staff_a,
        )
        .await;
    assert_eq!(outside, Err(StoreError::NotFound));
    move_call(
        &w,
        CallState::InConsultation,
        CallState::WrapUp,
        "consultation_ended",
        T0 + 6,
    )
    .await;
    let late = s
        .add_call_photo(photo(w.call, b"\xFF\xD8\xFF3", T0 + 7), scope, &w.staff_a)
        .await;
    assert!(
        matches!(late, Err(StoreError::Conflict(_))),
        "wrap-up: {late:?}"
    );

    assert_eq!(
        s.call_photos(w.call, Scope::AllHomes).await.expect("list"),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(
        s.call_photos(w.call, Scope::Home(w.home_b)).await,
        Err(StoreError::NotFound)
    );
    let events = s
        .call_events(w.call, Scope::AllHomes)
        .await
        .expect("events");
    let added: Vec<_> = events.iter().filter(|e| e.kind == "photo_added").collect();
    assert_eq!(added.len(), 2);
    assert!(added[0].detail.contains(&format!("\"photo\":{}", first.id)));
    assert_eq!(added[0].actor_id, Some(w.staff_a.user_id));
    assert_eq!(audit_count(&w, "call.photo_add").await, 2);
    assert_eq!(
        audit_count(&w, "call.photo_read").await,
        0,
        "listing is not a read of an image"
    );
}

#[tokio::test]
async fn every_image_read_is_audited_and_scoped_like_its_call() {
    let w = world().await;
    let s = &w.store;
    move_call(&w, CallState::Queued, CallState::Claimed, "claimed", T0 + 1).await;
    let image = b"\xFF\xD8\xFF the image".to_vec();
    let stored = s
        .add_call_photo(
            photo(w.call, &image, T0 + 2),
            Scope::Home(w.home_a),
            &w.staff_a,
        )
        .await
        .expect("add");
    for _ in 0..2 {
        let (meta, bytes) = s
            .read_call_photo(w.call, stored.id, Scope::AllHomes, &w.nurse)
            .await
            .expect("read");
        assert_eq!((meta, bytes), (stored.clone(), image.clone()));
    }
    assert_eq!(
        s.read_call_photo(w.call, stored.id, Scope::Home(w.home_b), &w.nurse)
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.read_call_photo(w.call + 1, stored.id, Scope::AllHomes, &w.nurse)
            .await,
        Err(StoreError::NotFound),
        "a photo is read only under its own call"
    );
    assert_eq!(
        s.read_call_photo(w.call, stored.id + 1, Scope::AllHomes, &w.nurse)
            .await,
        Err(StoreError::NotFound)
    );
    let reads = w
        .store
        .query_audit(AuditQuery {
            action: Some("call.photo_read".to_owned()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    assert_eq!(reads.len(), 2, "one entry per successful read");
    assert!(reads.iter().all(|r| r.actor_id == w.nurse.user_id
        && r.detail == format!("photo={}", stored.id)
        && r.target_id == w.call));
}

#[tokio::test]
async fn stored_photos_refuse_change_deletion_and_other_types() {
    let w = world().await;
    move_call(&w, CallState::Queued, CallState::Claimed, "claimed", T0 + 1).await;
    let stored = w
        .store
        .add_call_photo(
            photo(w.call, b"\xFF\xD8\xFFkeep", T0 + 2),
            Scope::AllHomes,
            &w.staff_a,
        )
        .await
        .expect("add");
    let c = rusqlite::Connection::open(&w.path).expect("raw connection");
    for sql in [
        "UPDATE call_photo SET image = x'00'",
        "UPDATE call_photo SET taken_by = taken_by + 1",
        "DELETE FROM call_photo",
        "INSERT INTO call_photo (call_id, taken_by, taken_at, content_type, bytes, image)
         SELECT call_id, taken_by, taken_at, 'image/gif', 1, x'00' FROM call_photo",
        "INSERT INTO call_photo (call_id, taken_by, taken_at, content_type, bytes, image)
         SELECT call_id, taken_by, taken_at, content_type, 5, x'00' FROM call_photo",
    ] {
        assert!(c.execute(sql, []).is_err(), "{sql} was allowed");
    }
    let (_, image) = w
        .store
        .read_call_photo(w.call, stored.id, Scope::AllHomes, &w.nurse)
        .await
        .expect("read");
    assert_eq!(image, b"\xFF\xD8\xFFkeep");
}
