//! `POST /api/triage/score`: the server's one implementation of scoring, over HTTP.

use carehub_e2e::TestServer;
use serde_json::json;

#[tokio::test]
async fn score_reproduces_domain_vectors_over_http() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    // Worked vector 10: 25, 91 s1, O2, 220, 131, U, 35.0 → 20, High; ACVPU U → P1.
    let (status, body) = server
        .post_json(Some(&carer), "/api/triage/score", &json!({"observations": {
            "respiration_rate": 25, "spo2": 91, "spo2_scale": 1, "on_oxygen": true, "systolic_bp": 220,
            "pulse": 131, "consciousness": "unresponsive", "temperature_c": 35.0}}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["news2"]["total"], 20);
    assert_eq!(body["news2"]["band"], "high");
    assert_eq!(body["news2"]["complete"], true);
    assert_eq!(body["level"], "P1");
    assert_eq!(body["target_answer_seconds"], 60);
    // Worked vector 14 on scale 2: 18, 96 s2, O2, 125, 95, A, 37.0 → 5, Medium → P2.
    let (_, body) = server
        .post_json(Some(&carer), "/api/triage/score", &json!({"observations": {
            "respiration_rate": 18, "spo2": 96, "spo2_scale": 2, "on_oxygen": true, "systolic_bp": 125,
            "pulse": 95, "consciousness": "alert", "temperature_c": 37.0}}))
        .await;
    assert_eq!(body["news2"]["total"], 5);
    assert_eq!(body["news2"]["items"]["spo2"], 2);
    assert_eq!(body["level"], "P2");
}

#[tokio::test]
async fn partial_sets_are_at_least_n_and_temperatures_round_half_up_in_decimal() {
    let server = TestServer::start().await;
    let nurse = server.login("nurse1").await;
    let (_, body) = server
        .post_json(
            Some(&nurse),
            "/api/triage/score",
            &json!({
            "observations": {"temperature_c": 38.05}, "soft_signs": ["drowsy"]}),
        )
        .await;
    assert_eq!(
        body["news2"]["items"]["temperature"], 1,
        "38.05 scores as 38.1"
    );
    assert_eq!(body["news2"]["complete"], false);
    assert_eq!(
        body["news2"]["band"],
        serde_json::Value::Null,
        "a partial set is never Low"
    );
    assert_eq!(
        body["news2"]["summary"],
        "NEWS2 at least 1 (1 of 7 recorded)"
    );
    assert_eq!(body["level"], "P3");
    assert!(!body["reasons"].as_array().expect("reasons").is_empty());
    // A red flag: dial 999, still P1.
    let (_, body) = server
        .post_json(
            Some(&nurse),
            "/api/triage/score",
            &json!({"red_flags": ["choking"]}),
        )
        .await;
    assert_eq!(body["level"], "P1");
    assert_eq!(body["dial_999"], true);
}

#[tokio::test]
async fn implausible_or_unknown_values_are_refused_with_the_field_named() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let cases = [
        (
            json!({"observations": {"pulse": 400}}),
            "observations.pulse",
        ),
        (
            json!({"observations": {"respiration_rate": 12.5}}),
            "observations.respiration_rate",
        ),
        (
            json!({"observations": {"temperature_c": 50.0}}),
            "observations.temperature_c",
        ),
        (
            json!({"observations": {"temperature_c": "hot"}}),
            "observations.temperature_c",
        ),
        (
            json!({"observations": {"spo2_scale": 3}}),
            "observations.spo2_scale",
        ),
        (
            json!({"observations": {"consciousness": "sleepy"}}),
            "observations.consciousness",
        ),
        (json!({"soft_signs": ["grumpy"]}), "soft_signs[0]"),
        (json!({"concern": "frantic"}), "concern"),
    ];
    for (body, field) in cases {
        let (status, err) = server
            .post_json(Some(&carer), "/api/triage/score", &body)
            .await;
        assert_eq!(status, 422, "{body}: {err}");
        assert_eq!(err["error"]["field"], field, "{body}");
    }
    let (status, _) = server
        .post_json(Some(&carer), "/api/triage/score", &json!({"mood": "ok"}))
        .await;
    assert_eq!(status, 422);
    let admin = server.login("admin").await;
    assert_eq!(
        server
            .post_json(Some(&admin), "/api/triage/score", &json!({}))
            .await
            .0,
        403
    );
}
