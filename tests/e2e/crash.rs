//! Durability: kill -9 the real binary with calls in every open state, restart it on the same
//! database, and find every call as it was.

use std::time::Duration;

use serde_json::{Value, json};

use crate::process::{Running, get_json, login};

async fn post(http: &reqwest::Client, base: &str, token: &str, path: &str, body: Value) -> Value {
    let resp = http
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = resp.status();
    let body: Value = resp.json().await.expect("json");
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

async fn queue(http: &reqwest::Client, base: &str, token: &str) -> Value {
    get_json(http, base, token, "/api/calls").await
}

/// (id, state, level, position, holder) of every open call, in the order served.
fn shape(q: &Value) -> Vec<(Value, Value, Value, Value, Value)> {
    q["waiting"]
        .as_array()
        .expect("waiting")
        .iter()
        .chain(q["in_progress"].as_array().expect("in progress"))
        .map(|c| {
            (
                c["id"].clone(),
                c["state"].clone(),
                c["level"].clone(),
                c["position"].clone(),
                c["holder"]["id"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn after_kill_9_and_restart_every_call_is_in_the_same_state_and_order() {
    let dir = tempfile::tempdir().expect("dir");
    let env = vec![(
        "CAREHUB__DATABASE__SYNCHRONOUS".to_owned(),
        "full".to_owned(),
    )];
    let server = Running::start(dir.path(), &env).await;
    let http = reqwest::Client::new();
    let base = server.base.clone();
    let carer = login(&http, &base, "carer1").await;
    let nurse = login(&http, &base, "nurse1").await;
    let residents: Value = get_json(&http, &base, &carer, "/api/residents").await;
    let ids: Vec<i64> = residents
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect();
    let assessments = [
        json!({"soft_signs": ["drowsy"], "observations": {"pulse": 80}}),
        json!({"red_flags": ["fitting"]}),
        json!({"concern": "worried"}),
        json!({"soft_signs": ["pain"]}),
        json!({"concern": "very_worried"}),
        json!({}),
    ];
    let mut calls = Vec::new();
    for (i, a) in assessments.iter().enumerate() {
        let call = post(
            &http,
            &base,
            &carer,
            "/api/calls",
            json!({"resident_id": ids[i], "situation": "Unwell", "assessment": a}),
        )
        .await;
        calls.push(call["id"].clone());
    }
    // One call claimed, one in consultation, one in wrap-up; the rest stay queued.
    let steps = [
        (3, "claim"),
        (4, "claim"),
        (4, "start"),
        (5, "claim"),
        (5, "end"),
    ];
    for (i, action) in steps {
        let path = format!("/api/calls/{}/{action}", calls[i]);
        post(&http, &base, &nurse, &path, json!({})).await;
    }
    let before = queue(&http, &base, &nurse).await;
    server.stop(); // SIGKILL: no graceful shutdown, no flush

    let server = Running::start(dir.path(), &env).await;
    let base = server.base.clone();
    let nurse = login(&http, &base, "nurse1").await;
    let after = queue(&http, &base, &nurse).await;
    assert_eq!(shape(&after), shape(&before));
    let states: Vec<String> = shape(&after)
        .iter()
        .map(|s| s.1.as_str().expect("state").to_owned())
        .collect();
    for expected in ["queued", "claimed", "in_consultation", "wrap_up"] {
        assert!(
            states.iter().any(|s| s == expected),
            "{expected} survived: {states:?}"
        );
    }
    server.stop();
}

#[tokio::test]
async fn breach_timers_continue_from_the_stored_arrival_time_across_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let env: Vec<(String, String)> = [
        ("CAREHUB__DATABASE__SYNCHRONOUS", "full"),
        ("CAREHUB__TRIAGE__TARGET_P1_SECONDS", "1"),
        ("CAREHUB__TRIAGE__TARGET_P2_SECONDS", "1"),
        ("CAREHUB__TRIAGE__TARGET_P3_SECONDS", "1"),
        ("CAREHUB__TRIAGE__TARGET_P4_SECONDS", "1"),
        ("CAREHUB__TRIAGE__TARGET_P5_SECONDS", "2"),
        ("CAREHUB__TRIAGE__TICK_MS", "50"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let server = Running::start(dir.path(), &env).await;
    let http = reqwest::Client::new();
    let carer = login(&http, &server.base, "carer1").await;
    let residents: Value = get_json(&http, &server.base, &carer, "/api/residents").await;
    let call = post(&http, &server.base, &carer, "/api/calls",
        json!({"resident_id": residents[0]["id"], "situation": "Question about medicines", "assessment": {}})).await;
    assert_eq!(call["level"], "P5");
    server.stop();
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let server = Running::start(dir.path(), &env).await;
    let nurse = login(&http, &server.base, "nurse1").await;
    let q = queue(&http, &server.base, &nurse).await;
    let row = &q["waiting"][0];
    assert_eq!(row["id"], call["id"]);
    assert_eq!(row["assigned_level"], "P5");
    assert_ne!(
        row["level"], "P5",
        "the target passed while the server was down: promoted at once"
    );
    assert!(row["breaches"].as_u64().expect("n") >= 1);
    server.stop();
}
