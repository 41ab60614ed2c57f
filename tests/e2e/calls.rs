//! Calls over HTTP: creation, snapshot, lifecycle, re-scoring, level changes, scope.

use carehub_e2e::{TestServer, carer1_residents};
use reqwest::Method;
use serde_json::{Value, json};

/// Observations that score NEWS2 0 on either scale.
pub fn calm_observations() -> Value {
    json!({"respiration_rate": 16, "spo2": 97, "on_oxygen": false, "systolic_bp": 130,
           "pulse": 70, "consciousness": "alert", "temperature_c": 36.8})
}

/// A P4 assessment: NEWS2 0 with a soft sign.
pub fn p4() -> Value {
    json!({"observations": calm_observations(), "soft_signs": ["drowsy"], "concern": "none"})
}

/// A P1 assessment: a red flag.
pub fn p1() -> Value {
    json!({"red_flags": ["chest_pain"], "concern": "very_worried"})
}

/// A P5 assessment: an advice question, nothing abnormal reported.
pub fn p5() -> Value {
    json!({"observations": {}, "soft_signs": [], "concern": "none"})
}

/// Resident id of carer1's resident with this given name.
pub async fn resident(server: &TestServer, given: &str) -> i64 {
    carer1_residents(server)
        .await
        .iter()
        .find(|r| r["given_name"] == given)
        .and_then(|r| r["id"].as_i64())
        .unwrap_or_else(|| panic!("no resident {given}"))
}

/// Creates a call as carer1 and returns it.
pub async fn create(
    server: &TestServer,
    token: &str,
    resident_id: i64,
    assessment: Value,
) -> Value {
    let (status, call) = server
        .post_json(
            Some(token),
            "/api/calls",
            &json!({"resident_id": resident_id,
            "situation": "Not herself this morning", "assessment": assessment}),
        )
        .await;
    assert_eq!(status, 201, "{call}");
    call
}

/// Posts a call action.
pub async fn action(server: &TestServer, token: &str, id: &Value, what: &str) -> (u16, Value) {
    server
        .post_json(Some(token), &format!("/api/calls/{id}/{what}"), &json!({}))
        .await
}

#[tokio::test]
async fn a_call_is_scored_with_the_care_plans_scale_and_attaches_a_snapshot() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    // Harold is on SpO2 scale 2 in his care plan. On oxygen at 96% scores 2 on scale 2 (0 on
    // scale 1), whatever scale the caller claims.
    let harold = resident(&server, "Harold").await;
    let mut obs = calm_observations();
    obs["spo2"] = json!(96);
    obs["on_oxygen"] = json!(true);
    obs["spo2_scale"] = json!(1);
    let call = create(
        &server,
        &carer,
        harold,
        json!({"observations": obs, "concern": "none"}),
    )
    .await;
    assert_eq!(
        call["news2"]["spo2_scale"], 2,
        "scale comes from the care plan"
    );
    assert_eq!(call["news2"]["items"]["spo2"], 2);
    assert_eq!(call["state"], "queued");
    assert_eq!(call["position"], 1);
    assert!(call["care_plan_version"].is_number());

    let nurse = server.login("nurse1").await;
    let (_, detail) = server
        .get(Some(&nurse), &format!("/api/calls/{}", call["id"]))
        .await;
    assert_eq!(detail["care_plan"]["summary"]["baseline"]["spo2_scale"], 2);
    assert_eq!(detail["timeline"][0]["kind"], "created");
    assert_eq!(detail["timeline"][0]["actor"]["name"], "Amy Carter");
}

#[tokio::test]
async fn the_snapshot_does_not_change_when_the_plan_is_edited_afterwards() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let peggy = resident(&server, "Margaret").await;
    let call = create(&server, &carer, peggy, p4()).await;
    let path = format!("/api/residents/{peggy}/care-plan");
    let (_, plan) = server.get(Some(&carer), &path).await;
    let mut summary = plan["summary"].clone();
    summary["clinical"]["allergies"] = json!([{"substance": "Latex", "reaction": "Hives"}]);
    summary["clinical"]["no_known_allergies"] = json!(false);
    let (status, saved) = server
        .send_json(
            Method::PUT,
            Some(&carer),
            &path,
            &json!({"expected_version": plan["version"], "summary": summary}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let nurse = server.login("nurse1").await;
    let (_, detail) = server
        .get(Some(&nurse), &format!("/api/calls/{}", call["id"]))
        .await;
    assert_eq!(detail["care_plan"]["version"], plan["version"]);
    assert_eq!(
        detail["care_plan"]["summary"], plan["summary"],
        "the call keeps what the nurse saw"
    );
    let clinician = server.login("clinician1").await;
    let (_, audit) = server
        .get(Some(&clinician), "/api/audit?action=call.snapshot_read")
        .await;
    assert!(
        !audit.as_array().expect("array").is_empty(),
        "reading the snapshot is audited"
    );
}

#[tokio::test]
async fn a_call_moves_through_its_lifecycle_and_invalid_transitions_get_409() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let nurse = server.login("nurse1").await;
    let nurse2 = server.login("nurse2").await;
    let call = create(&server, &carer, resident(&server, "Arthur").await, p4()).await;
    let id = &call["id"];
    assert_eq!(
        action(&server, &nurse, id, "start").await.0,
        409,
        "cannot start before claiming"
    );
    let (status, claimed) = action(&server, &nurse, id, "claim").await;
    assert_eq!((status, claimed["state"].as_str()), (200, Some("claimed")));
    assert_eq!(claimed["holder"]["name"], "Nurse Priya Shah");
    assert_eq!(
        action(&server, &nurse2, id, "start").await.0,
        409,
        "only the holder"
    );
    assert_eq!(
        action(&server, &nurse, id, "start").await.1["state"],
        "in_consultation"
    );
    assert_eq!(
        action(&server, &carer, id, "cancel").await.0,
        409,
        "cannot cancel a consultation"
    );
    assert_eq!(
        action(&server, &nurse, id, "end").await.1["state"],
        "wrap_up"
    );
    let outcome = json!({"outcome": "TIH", "plan": "Encourage fluids; paracetamol 1 g now.", "reobserve_at": "2030-01-01T12:00:00Z"});
    let (status, closed) = server
        .post_json(Some(&nurse), &format!("/api/calls/{id}/outcome"), &outcome)
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["state"], "closed");
    assert_eq!(
        action(&server, &nurse, id, "claim").await.0,
        409,
        "closed calls stay closed"
    );
    let (_, detail) = server.get(Some(&carer), &format!("/api/calls/{id}")).await;
    assert_eq!(detail["outcome"]["code"], "TIH");
    assert_eq!(
        detail["outcome"]["plan"],
        "Encourage fluids; paracetamol 1 g now."
    );
    assert_eq!(detail["outcome"]["remained_at_residence"], true);
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "claimed",
            "consultation_started",
            "consultation_ended",
            "outcome_recorded"
        ]
    );
}

#[tokio::test]
async fn released_calls_keep_their_place_and_cancelled_calls_leave_the_queue() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let nurse = server.login("nurse1").await;
    let first = create(&server, &carer, resident(&server, "Jean").await, p4()).await;
    let second = create(&server, &carer, resident(&server, "Elsie").await, p4()).await;
    action(&server, &nurse, &first["id"], "claim").await;
    let (_, queue) = server.get(Some(&nurse), "/api/calls").await;
    assert_eq!(queue["waiting"][0]["id"], second["id"]);
    let (status, released) = action(&server, &nurse, &first["id"], "release").await;
    assert_eq!(status, 200);
    assert_eq!(released["position"], 1, "back ahead of the later call");
    assert_eq!(
        action(&server, &carer, &second["id"], "cancel").await.1["state"],
        "cancelled"
    );
    let (_, queue) = server.get(Some(&nurse), "/api/calls").await;
    let ids: Vec<&Value> = queue["waiting"]
        .as_array()
        .expect("waiting")
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(ids, vec![&first["id"]]);
}

#[tokio::test]
async fn added_observations_move_a_call_up_but_never_down() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let call = create(&server, &carer, resident(&server, "Winston").await, p4()).await;
    assert_eq!(call["level"], "P4");
    let path = format!("/api/calls/{}/observations", call["id"]);
    let (status, up) = server
        .post_json(
            Some(&carer),
            &path,
            &json!({"observations": {"pulse": 135}}),
        )
        .await;
    assert_eq!(status, 200, "{up}");
    assert_eq!(up["level"], "P2", "pulse 135 scores 3");
    assert_eq!(up["news2"]["items"]["pulse"], 3);
    let (_, down) = server
        .post_json(Some(&carer), &path, &json!({"observations": {"pulse": 70}}))
        .await;
    assert_eq!(down["news2"]["items"]["pulse"], 0, "re-scored");
    assert_eq!(down["level"], "P2", "but never moved down automatically");
    let (status, err) = server
        .post_json(
            Some(&carer),
            &path,
            &json!({"observations": {"pulse": 999}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["field"], "observations.pulse");
}

#[tokio::test]
async fn a_nurse_changes_the_level_either_way_with_a_reason() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let nurse = server.login("nurse1").await;
    let call = create(&server, &carer, resident(&server, "Stanley").await, p1()).await;
    let path = format!("/api/calls/{}/level", call["id"]);
    let (status, err) = server
        .post_json(Some(&nurse), &path, &json!({"level": "P3", "reason": "  "}))
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("reason"))
    );
    assert_eq!(
        server
            .post_json(Some(&carer), &path, &json!({"level": "P3", "reason": "x"}))
            .await
            .0,
        403
    );
    let (status, changed) = server
        .post_json(
            Some(&nurse),
            &path,
            &json!({"level": "P3", "reason": "999 already attended; stable"}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["level"], "P3");
    let clinician = server.login("clinician1").await;
    let (_, audit) = server
        .get(Some(&clinician), "/api/audit?action=call.level_changed")
        .await;
    assert_eq!(audit.as_array().expect("array").len(), 1);
}

#[tokio::test]
async fn care_staff_cannot_call_for_another_homes_resident_nor_see_the_hub_queue() {
    let server = TestServer::start().await;
    let carer1 = server.login("carer1").await;
    let carer2 = server.login("carer2").await;
    let nurse = server.login("nurse1").await;
    let (_, theirs) = server.get(Some(&carer2), "/api/residents").await;
    let other = &theirs[0]["id"];
    let (status, _) = server
        .post_json(
            Some(&carer1),
            "/api/calls",
            &json!({"resident_id": other, "situation": "x", "assessment": p4()}),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(server.get(Some(&carer1), "/api/calls").await.0, 403);
    let call = create(&server, &carer2, other.as_i64().expect("id"), p4()).await;
    assert_eq!(
        server
            .get(Some(&carer1), &format!("/api/calls/{}", call["id"]))
            .await
            .0,
        404
    );
    assert_eq!(action(&server, &carer1, &call["id"], "cancel").await.0, 404);
    assert_eq!(action(&server, &carer1, &call["id"], "claim").await.0, 403);
    assert_eq!(server.get(Some(&nurse), "/api/calls").await.0, 200);
    let (status, _) = server
        .post_json(
            Some(&nurse),
            "/api/calls",
            &json!({"resident_id": other, "situation": "x", "assessment": p4()}),
        )
        .await;
    assert_eq!(status, 403, "only care staff start calls");
}

#[tokio::test]
async fn bad_call_input_changes_nothing() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let nurse = server.login("nurse1").await;
    let peggy = resident(&server, "Margaret").await;
    let cases = [
        (
            json!({"resident_id": peggy, "situation": "", "assessment": p4()}),
            "situation",
        ),
        (
            json!({"resident_id": peggy, "situation": "x".repeat(281), "assessment": p4()}),
            "situation",
        ),
        (
            json!({"resident_id": peggy, "situation": "x", "assessment": {"red_flags": ["meteor"]}}),
            "assessment.red_flags[0]",
        ),
        (
            json!({"resident_id": "Margaret", "situation": "x", "assessment": p4()}),
            "resident_id",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = server.post_json(Some(&carer), "/api/calls", &body).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(err["error"]["field"], field);
    }
    let call = create(&server, &carer, peggy, p4()).await;
    let outcome_path = format!("/api/calls/{}/outcome", call["id"]);
    action(&server, &nurse, &call["id"], "claim").await;
    let (status, err) = server
        .post_json(
            Some(&nurse),
            &outcome_path,
            &json!({"outcome": "XYZ", "plan": "p"}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("outcome"))
    );
    let (status, _) = server
        .post_json(
            Some(&nurse),
            &outcome_path,
            &json!({"outcome": "ADV", "plan": "p"}),
        )
        .await;
    assert_eq!(status, 409, "not in wrap-up yet");
    let (_, queue) = server.get(Some(&nurse), "/api/calls").await;
    assert_eq!(queue["waiting"].as_array().expect("waiting").len(), 0);
    assert_eq!(
        queue["in_progress"].as_array().expect("in progress").len(),
        1
    );
    assert_eq!(queue["in_progress"][0]["state"], "claimed");
}
