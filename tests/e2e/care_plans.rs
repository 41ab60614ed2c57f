//! Care plans: versions, conflicts, audit of reads, NHS number rules.

use carehub_e2e::TestServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::resident_ids;

async fn resident_with_plan(server: &TestServer, token: &str, ids: &[i64]) -> (i64, Value) {
    for id in ids {
        let (status, plan) = server
            .get(Some(token), &format!("/api/residents/{id}/care-plan"))
            .await;
        assert_eq!(status, 200);
        if plan["version"].is_number() {
            return (*id, plan);
        }
    }
    panic!("no resident with a plan");
}

#[tokio::test]
async fn saving_a_plan_makes_a_new_version_and_old_versions_stay_readable() {
    let server = TestServer::start().await;
    let (own, _) = resident_ids(&server).await;
    let carer = server.login("carer1").await;
    let (id, plan) = resident_with_plan(&server, &carer, &own).await;
    let v1 = plan["version"].as_u64().expect("version") as u32;
    let mut summary = plan["summary"].clone();
    summary["this_is_me"]["what_matters"] = json!("Seeing the garden every morning");
    let path = format!("/api/residents/{id}/care-plan");
    let (status, saved) = server
        .send_json(
            Method::PUT,
            Some(&carer),
            &path,
            &json!({"expected_version": v1, "summary": summary}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], v1 + 1);
    assert_eq!(saved["author"], "Amy Carter");

    // A second editor still holding the old version is refused, not silently overwritten.
    let (status, body) = server
        .send_json(
            Method::PUT,
            Some(&carer),
            &path,
            &json!({"expected_version": v1, "summary": summary}),
        )
        .await;
    assert_eq!(status, 409, "{body}");

    let (_, old) = server
        .get(Some(&carer), &format!("{path}/versions/{v1}"))
        .await;
    assert_eq!(
        old["summary"], plan["summary"],
        "the old version is unchanged"
    );
    let (_, current) = server.get(Some(&carer), &path).await;
    assert_eq!(
        current["summary"]["this_is_me"]["what_matters"],
        "Seeing the garden every morning"
    );
    let (_, history) = server.get(Some(&carer), &format!("{path}/versions")).await;
    let versions: Vec<u64> = history
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v["version"].as_u64().expect("n"))
        .collect();
    assert_eq!(versions.first(), Some(&u64::from(v1 + 1)));
    assert_eq!(versions.len(), v1 as usize + 1);
}

#[tokio::test]
async fn resident_without_a_plan_reads_as_unknown_and_can_get_a_first_plan() {
    let server = TestServer::start().await;
    let nurse = server.login("nurse1").await;
    let (_, all) = server.get(Some(&nurse), "/api/residents").await;
    let all = all.as_array().expect("array");
    let without = all
        .iter()
        .find(|r| r["care_plan_version"].is_null())
        .expect("one without a plan");
    let with = all
        .iter()
        .find(|r| r["care_plan_version"].is_number())
        .expect("one with");
    let path = format!("/api/residents/{}/care-plan", without["id"]);
    let (status, plan) = server.get(Some(&nurse), &path).await;
    assert_eq!(status, 200);
    assert!(plan["version"].is_null() && plan["summary"].is_null());

    let (_, donor) = server
        .get(
            Some(&nurse),
            &format!("/api/residents/{}/care-plan", with["id"]),
        )
        .await;
    let (status, saved) = server
        .send_json(
            Method::PUT,
            Some(&nurse),
            &path,
            &json!({"expected_version": null, "summary": donor["summary"]}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 1);
}

#[tokio::test]
async fn invalid_plan_content_is_refused_with_the_field_named() {
    let server = TestServer::start().await;
    let (own, _) = resident_ids(&server).await;
    let carer = server.login("carer1").await;
    let (id, plan) = resident_with_plan(&server, &carer, &own).await;
    let path = format!("/api/residents/{id}/care-plan");
    let mut summary = plan["summary"].clone();
    summary["baseline"]["spo2_scale"] = json!(3);
    let body = json!({"expected_version": plan["version"], "summary": summary});
    let (status, err) = server
        .send_json(Method::PUT, Some(&carer), &path, &body)
        .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["field"], "summary.baseline.spo2_scale");

    let mut summary = plan["summary"].clone();
    summary["emergency_plan"]["cpr"] = json!("full_escalation");
    let body = json!({"expected_version": plan["version"], "summary": summary});
    let (status, err) = server
        .send_json(Method::PUT, Some(&carer), &path, &body)
        .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["field"], "summary.emergency_plan.cpr");

    let (_, after) = server.get(Some(&carer), &path).await;
    assert_eq!(after["version"], plan["version"], "nothing changed");
}

#[tokio::test]
async fn every_care_plan_read_is_in_the_audit_log() {
    let server = TestServer::start().await;
    let (own, _) = resident_ids(&server).await;
    let carer = server.login("carer1").await;
    let id = own[1];
    for _ in 0..2 {
        let (status, _) = server
            .get(Some(&carer), &format!("/api/residents/{id}/care-plan"))
            .await;
        assert_eq!(status, 200);
    }
    let clinician = server.login("clinician1").await;
    let (status, entries) = server
        .get(
            Some(&clinician),
            &format!("/api/audit?resident_id={id}&action=care_plan.read"),
        )
        .await;
    assert_eq!(status, 200);
    let entries = entries.as_array().expect("array");
    assert_eq!(entries.len(), 2);
    let e = &entries[0];
    assert_eq!(e["actor"], "carer1");
    assert_eq!(e["role"], "care_staff");
    assert_eq!(e["address"], "127.0.0.1");
    assert!(e["at"].is_string());
}

#[tokio::test]
async fn nhs_numbers_are_checked_with_modulus_11() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let admit = |nhs: &str| {
        json!({"nhs_number": nhs, "given_name": "Test", "family_name": "Resident",
               "date_of_birth": "1941-05-06", "room": "99"})
    };
    // docs/clinical-rules.md §9: 943 476 5919 is valid, but fixtures stay in the 999 range, so the
    // non-999 valid example is only checked as "accepted by the rule" in the triage crate.
    for invalid in [
        "943 476 5918",
        "999 000 0000",
        "123 456 7890",
        "943 476 591",
        "999-000-001X",
    ] {
        let (status, body) = server
            .post_json(Some(&carer), "/api/residents", &admit(invalid))
            .await;
        assert_eq!(status, 422, "{invalid}: {body}");
        assert_eq!(body["error"]["field"], "nhs_number");
    }
    let (status, body) = server
        .post_json(Some(&carer), "/api/residents", &admit("999-000-0026"))
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = server
        .post_json(Some(&carer), "/api/residents", &admit("9990000026"))
        .await;
    assert_eq!(status, 409, "duplicate NHS number: {body}");
}
