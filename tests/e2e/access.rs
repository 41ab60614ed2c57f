//! Who may see and touch what: roles and care-home scope.

use carehub_e2e::TestServer;
use reqwest::Method;
use serde_json::json;

use crate::resident_ids;

#[tokio::test]
async fn care_staff_see_only_their_own_homes_residents() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let (_, me) = server.get(Some(&carer), "/api/auth/me").await;
    let home = me["care_home"]["id"].as_i64().expect("home");
    let (status, list) = server.get(Some(&carer), "/api/residents").await;
    assert_eq!(status, 200);
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 10);
    assert!(list.iter().all(|r| r["care_home"]["id"] == home));

    let nurse = server.login("nurse1").await;
    let (_, all) = server.get(Some(&nurse), "/api/residents").await;
    assert_eq!(
        all.as_array().expect("array").len(),
        30,
        "hub nurses see every home"
    );

    let (_, homes) = server.get(Some(&carer), "/api/care-homes").await;
    assert_eq!(homes.as_array().expect("array").len(), 1);
}

#[tokio::test]
async fn care_staff_get_404_for_another_homes_resident_on_every_route() {
    let server = TestServer::start().await;
    let (own, other) = resident_ids(&server).await;
    let carer = server.login("carer1").await;
    let foreign = other[0];
    let missing = 999_999;
    for id in [foreign, missing] {
        for path in [
            format!("/api/residents/{id}"),
            format!("/api/residents/{id}/care-plan"),
            format!("/api/residents/{id}/care-plan/versions"),
            format!("/api/residents/{id}/care-plan/versions/1"),
        ] {
            let (status, body) = server.get(Some(&carer), &path).await;
            assert_eq!(status, 404, "{path}: {body}");
            assert_eq!(body["error"]["code"], "not_found");
        }
        let (status, _) = server
            .send_json(
                Method::PATCH,
                Some(&carer),
                &format!("/api/residents/{id}"),
                &json!({"room": "1"}),
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = server
            .send_json(
                Method::DELETE,
                Some(&carer),
                &format!("/api/residents/{id}"),
                &json!({}),
            )
            .await;
        assert_eq!(status, 404);
    }
    // Admitting a resident into another home is the same 404.
    let nurse = server.login("nurse1").await;
    let (_, foreign_res) = server
        .get(Some(&nurse), &format!("/api/residents/{foreign}"))
        .await;
    let other_home = foreign_res["care_home"]["id"].as_i64().expect("home");
    let (status, _) = server
        .post_json(
            Some(&carer),
            "/api/residents",
            &json!({"care_home_id": other_home, "nhs_number": "999 000 0026", "given_name": "A",
                    "family_name": "B", "date_of_birth": "1940-01-01", "room": "1"}),
        )
        .await;
    assert_eq!(status, 404);
    // Their own residents are fine.
    let (status, _) = server
        .get(
            Some(&carer),
            &format!("/api/residents/{}/care-plan", own[0]),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn roles_are_checked_on_every_endpoint() {
    let server = TestServer::start().await;
    let (own, _) = resident_ids(&server).await;
    let carer = server.login("carer1").await;
    let admin = server.login("admin").await;
    let nurse = server.login("nurse1").await;
    let clinician = server.login("clinician1").await;

    // Care staff may not read the audit log or list users.
    assert_eq!(server.get(Some(&carer), "/api/audit").await.0, 403);
    assert_eq!(server.get(Some(&carer), "/api/users").await.0, 403);
    // Hub nurses may not read the audit log; clinicians and admins may.
    assert_eq!(server.get(Some(&nurse), "/api/audit").await.0, 403);
    assert_eq!(server.get(Some(&clinician), "/api/audit").await.0, 200);
    assert_eq!(server.get(Some(&admin), "/api/audit").await.0, 200);
    // Admins run the service but do not read clinical content.
    let (status, _) = server
        .get(
            Some(&admin),
            &format!("/api/residents/{}/care-plan", own[0]),
        )
        .await;
    assert_eq!(status, 403);
    // Only admins add care homes and users.
    let home = json!({"name": "New Home", "address": "1 Road", "phone": "01632 960000"});
    assert_eq!(
        server
            .post_json(Some(&nurse), "/api/care-homes", &home)
            .await
            .0,
        403
    );
    assert_eq!(
        server
            .post_json(Some(&admin), "/api/care-homes", &home)
            .await
            .0,
        201
    );
    let user = json!({"username": "carer9", "display_name": "C Nine", "role": "hub_nurse",
                      "care_home_id": null, "password": "a-long-enough-password"});
    assert_eq!(
        server.post_json(Some(&carer), "/api/users", &user).await.0,
        403
    );
    assert_eq!(
        server.post_json(Some(&admin), "/api/users", &user).await.0,
        201
    );
    let (status, token) = server
        .post_json(
            None,
            "/api/auth/login",
            &json!({"username": "carer9", "password": "a-long-enough-password"}),
        )
        .await;
    assert_eq!(status, 200, "{token}");
    // Hub nurses cannot admit residents; care staff can, into their own home.
    let resident = json!({"nhs_number": "999 000 0026", "given_name": "Edna", "family_name": "Test",
                          "date_of_birth": "1939-03-02", "room": "7"});
    assert_eq!(
        server
            .post_json(Some(&nurse), "/api/residents", &resident)
            .await
            .0,
        403
    );
    let (status, created) = server
        .post_json(Some(&carer), "/api/residents", &resident)
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["nhs_number"], "999 000 0026");
    assert_eq!(created["care_plan_version"], serde_json::Value::Null);
    // Clinicians list clinicians for the invite picker.
    let (status, list) = server.get(Some(&nurse), "/api/users?role=clinician").await;
    assert_eq!(status, 200);
    assert!(
        list.as_array()
            .expect("array")
            .iter()
            .all(|u| u["role"] == "clinician")
    );
    assert!(list.to_string().find("password").is_none());
}

#[tokio::test]
async fn archived_residents_leave_the_list_but_stay_on_record() {
    let server = TestServer::start().await;
    let (own, _) = resident_ids(&server).await;
    let carer = server.login("carer1").await;
    let (status, _) = server
        .send_json(
            Method::DELETE,
            Some(&carer),
            &format!("/api/residents/{}", own[0]),
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, list) = server.get(Some(&carer), "/api/residents").await;
    assert_eq!(list.as_array().expect("array").len(), 9);
    let clinician = server.login("clinician1").await;
    let (_, audit) = server
        .get(
            Some(&clinician),
            &format!("/api/audit?resident_id={}&action=resident.archive", own[0]),
        )
        .await;
    assert_eq!(audit.as_array().expect("array").len(), 1);
}

#[tokio::test]
async fn the_invite_picker_shows_which_clinicians_are_online() {
    let server = TestServer::start().await;
    let nurse = server.login("nurse1").await;
    let online = |list: &serde_json::Value| list[0]["online"].as_bool().expect("online flag");
    let (_, list) = server.get(Some(&nurse), "/api/users?role=clinician").await;
    assert!(!online(&list));
    let live = carehub_e2e::LiveClient::connect(&server, &server.login("clinician1").await).await;
    let (_, list) = server.get(Some(&nurse), "/api/users?role=clinician").await;
    assert!(online(&list), "{list}");
    live.close().await;
    let mut gone = false;
    for _ in 0..50 {
        let (_, list) = server.get(Some(&nurse), "/api/users?role=clinician").await;
        if !online(&list) {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(gone, "offline again after the connection closed");
}
