//! The live channel: queue order across nurses, breaches, claim races, grace periods, and
//! bad messages.

use std::time::Duration;

use carehub_e2e::{LiveClient, TestServer};
use serde_json::{Value, json};

use crate::calls::{action, create, p1, p4, p5, resident};

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn an_emergency_call_overtakes_an_older_routine_call_in_every_nurses_queue() {
    let server = TestServer::start().await;
    let mut n1 = LiveClient::connect(&server, &server.login("nurse1").await).await;
    let mut n2 = LiveClient::connect(&server, &server.login("nurse2").await).await;
    for n in [&mut n1, &mut n2] {
        let snapshot = n.expect("queue.snapshot").await;
        assert_eq!(snapshot["waiting"], json!([]));
    }
    let carer = server.login("carer1").await;
    let older = create(&server, &carer, resident(&server, "Jean").await, p4()).await;
    let urgent = create(&server, &carer, resident(&server, "Elsie").await, p1()).await;
    for n in [&mut n1, &mut n2] {
        let msg = n
            .wait_for("call.changed", WAIT, |m| m["call"]["id"] == urgent["id"])
            .await
            .expect("every nurse sees the new call");
        assert_eq!(msg["order"], json!([urgent["id"], older["id"]]));
        assert_eq!(msg["call"]["level"], "P1");
        assert_eq!(msg["call"]["position"], 1);
        assert_eq!(msg["call"]["resident"]["given_name"], "Elsie");
        assert_eq!(msg["call"]["dial_999"], true);
    }
}

#[tokio::test]
async fn a_breached_call_is_promoted_and_every_nurse_is_alerted() {
    let server = TestServer::start_with(vec![
        ("CAREHUB__TRIAGE__TARGET_P1_SECONDS", "1"),
        ("CAREHUB__TRIAGE__TARGET_P2_SECONDS", "1"),
        ("CAREHUB__TRIAGE__TARGET_P3_SECONDS", "1"),
        ("CAREHUB__TRIAGE__TARGET_P4_SECONDS", "1"),
        ("CAREHUB__TRIAGE__TARGET_P5_SECONDS", "1"),
        ("CAREHUB__TRIAGE__TICK_MS", "50"),
    ])
    .await;
    let mut nurse = LiveClient::connect(&server, &server.login("nurse1").await).await;
    nurse.expect("queue.snapshot").await;
    let carer = server.login("carer1").await;
    let mut tablet = LiveClient::connect(&server, &carer).await;
    tablet.expect("calls.snapshot").await;
    let call = create(&server, &carer, resident(&server, "Arthur").await, p5()).await;
    assert_eq!(call["level"], "P5");
    let alert = nurse
        .wait_for("call.breached", WAIT, |m| m["call"]["id"] == call["id"])
        .await
        .expect("breach alert");
    assert_eq!(alert["from"], "P5");
    assert_eq!(alert["to"], "P4");
    assert_eq!(alert["call"]["breaches"], 1);
    assert_eq!(
        alert["call"]["assigned_level"], "P5",
        "promotion keeps the assigned level"
    );
    let on_tablet = tablet
        .wait_for("call.changed", WAIT, |m| m["kind"] == "breached")
        .await
        .expect("the home sees it too");
    assert_eq!(on_tablet["call"]["id"], call["id"]);
    let nurse_token = server.login("nurse1").await;
    let (_, detail) = server
        .get(Some(&nurse_token), &format!("/api/calls/{}", call["id"]))
        .await;
    assert!(
        detail["timeline"]
            .as_array()
            .expect("timeline")
            .iter()
            .any(|e| e["kind"] == "breached")
    );
}

#[tokio::test]
async fn two_nurses_racing_to_claim_one_call_exactly_one_wins() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let (n1, n2) = (server.login("nurse1").await, server.login("nurse2").await);
    for name in ["Margaret", "Harold", "Dorothy", "Arthur", "Jean"] {
        let call = create(&server, &carer, resident(&server, name).await, p4()).await;
        let (a, b) = tokio::join!(
            action(&server, &n1, &call["id"], "claim"),
            action(&server, &n2, &call["id"], "claim")
        );
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
        let (_, detail) = server
            .get(Some(&n1), &format!("/api/calls/{}", call["id"]))
            .await;
        let claims = detail["timeline"]
            .as_array()
            .expect("timeline")
            .iter()
            .filter(|e| e["kind"] == "claimed")
            .count();
        assert_eq!(claims, 1);
    }
}

#[tokio::test]
async fn a_disconnected_nurse_loses_held_calls_after_the_grace_period_unless_back_in_time() {
    let server = TestServer::start_with(vec![
        ("CAREHUB__TRIAGE__CLAIM_GRACE_SECONDS", "1"),
        ("CAREHUB__TRIAGE__TICK_MS", "50"),
    ])
    .await;
    let carer = server.login("carer1").await;
    let n1 = server.login("nurse1").await;
    let mut watcher = LiveClient::connect(&server, &server.login("nurse2").await).await;
    watcher.expect("queue.snapshot").await;

    // Reconnecting within the grace period keeps the call.
    let kept = create(&server, &carer, resident(&server, "Margaret").await, p4()).await;
    let live = LiveClient::connect(&server, &n1).await;
    assert_eq!(action(&server, &n1, &kept["id"], "claim").await.0, 200);
    live.close().await;
    let back = LiveClient::connect(&server, &n1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, detail) = server
        .get(Some(&n1), &format!("/api/calls/{}", kept["id"]))
        .await;
    assert_eq!(detail["state"], "claimed");

    // Staying away past it returns the call to the queue.
    back.close().await;
    let lapsed = watcher
        .wait_for("call.changed", WAIT, |m| {
            m["kind"] == "claim_lapsed" && m["call"]["id"] == kept["id"]
        })
        .await
        .expect("the call comes back to the queue");
    assert_eq!(lapsed["call"]["state"], "queued");
    assert_eq!(lapsed["call"]["holder"], Value::Null);
}

#[tokio::test]
async fn care_staff_see_their_own_calls_and_place_in_queue_but_not_the_hub_queue() {
    let server = TestServer::start().await;
    let carer1 = server.login("carer1").await;
    let carer2 = server.login("carer2").await;
    let mut tablet = LiveClient::connect(&server, &carer1).await;
    let first = tablet.next(WAIT).await.expect("snapshot");
    assert_eq!(
        first["type"], "calls.snapshot",
        "care staff never get the hub queue"
    );
    let mine = create(&server, &carer1, resident(&server, "Margaret").await, p4()).await;
    let seen = tablet
        .wait_for("call.changed", WAIT, |m| m["call"]["id"] == mine["id"])
        .await
        .expect("own call");
    assert_eq!(seen["call"]["position"], 1);
    assert!(seen.get("order").is_none(), "no view of other homes' calls");
    // Another home's urgent call moves our call down: we hear our new place, not their call.
    let (_, theirs) = server.get(Some(&carer2), "/api/residents").await;
    create(
        &server,
        &carer2,
        theirs[0]["id"].as_i64().expect("id"),
        p1(),
    )
    .await;
    let moved = tablet
        .wait_for("call.position", WAIT, |m| m["call_id"] == mine["id"])
        .await
        .expect("position");
    assert_eq!(moved["position"], 2);
    while let Some(m) = tablet.next(Duration::from_millis(300)).await {
        if let Some(call) = m.get("call") {
            assert_eq!(
                call["care_home"]["id"], mine["care_home"]["id"],
                "leaked: {m}"
            );
        }
    }
}

#[tokio::test]
async fn bad_messages_get_typed_errors_and_the_connection_stays_usable() {
    let server = TestServer::start().await;
    // No auth first.
    let mut anon = LiveClient::connect_raw(&server).await;
    anon.send(&json!({"type": "ping"})).await;
    let err = anon.expect("error").await;
    assert_eq!(err["code"], "auth_required");
    assert!(anon.closed(WAIT).await);
    // A bad token.
    let mut bad = LiveClient::connect_raw(&server).await;
    bad.send(&json!({"type": "auth", "token": "nope"})).await;
    assert_eq!(bad.expect("error").await["code"], "unauthenticated");

    let mut nurse = LiveClient::connect(&server, &server.login("nurse1").await).await;
    nurse.expect("queue.snapshot").await;
    for text in [
        "{not json",
        r#"{"type": "dance"}"#,
        r#"{"type": "ping", "extra": 1}"#,
        "[]",
    ] {
        nurse.send_text(text.to_owned()).await;
        let err = nurse.expect("error").await;
        assert_eq!(err["code"], "invalid_message", "{text}");
    }
    nurse.send(&json!({"type": "ping", "id": 7})).await;
    assert_eq!(nurse.expect("pong").await["id"], 7);
    nurse.send(&json!({"type": "queue.resync"})).await;
    nurse.expect("queue.snapshot").await;
    // Oversize messages close the connection; the server goes on serving others.
    nurse.send_text("x".repeat(200_000)).await;
    assert!(nurse.closed(WAIT).await);
    let mut other = LiveClient::connect(&server, &server.login("nurse2").await).await;
    other.expect("queue.snapshot").await;
}
