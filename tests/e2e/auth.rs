//! Sign-in: tokens, failures, rate limiting, the bearer challenge.

use carehub_e2e::TestServer;
use serde_json::json;

#[tokio::test]
async fn demo_users_sign_in_and_get_role_and_home() {
    let server = TestServer::start().await;
    for (user, role) in [
        ("carer1", "care_staff"),
        ("carer2", "care_staff"),
        ("nurse1", "hub_nurse"),
        ("nurse2", "hub_nurse"),
        ("clinician1", "clinician"),
        ("admin", "admin"),
    ] {
        let (status, body) = server
            .post_json(
                None,
                "/api/auth/login",
                &json!({"username": user, "password": "demo-password"}),
            )
            .await;
        assert_eq!(status, 200, "{user}: {body}");
        assert_eq!(body["role"], role);
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["expires_in"].as_i64().expect("ttl") > 0);
        assert_eq!(
            body["care_home"].is_object(),
            role == "care_staff",
            "{user}: {body}"
        );
    }
    let carer = server.login("carer1").await;
    let (status, me) = server.get(Some(&carer), "/api/auth/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "carer1");
    assert!(me["care_home"]["name"].is_string());
}

#[tokio::test]
async fn wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let server = TestServer::start().await;
    let (s1, b1) = server
        .post_json(
            None,
            "/api/auth/login",
            &json!({"username": "carer1", "password": "nope"}),
        )
        .await;
    let (s2, b2) = server
        .post_json(
            None,
            "/api/auth/login",
            &json!({"username": "nobody", "password": "nope"}),
        )
        .await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(b1["error"]["message"], b2["error"]["message"]);
    assert_eq!(b1["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_username() {
    let server =
        TestServer::start_with(vec![("CAREHUB__AUTH__MAX_FAILURES_PER_USERNAME", "3")]).await;
    for _ in 0..3 {
        let (status, _) = server
            .post_json(
                None,
                "/api/auth/login",
                &json!({"username": "nurse2", "password": "guess"}),
            )
            .await;
        assert_eq!(status, 401);
    }
    let resp = server
        .http
        .post(server.url("/api/auth/login"))
        .json(&json!({"username": "nurse2", "password": "demo-password"}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        resp.status(),
        429,
        "even the right password waits out the window"
    );
    assert!(resp.headers().get("retry-after").is_some());
    // Other accounts are unaffected.
    server.login("nurse1").await;
}

#[tokio::test]
async fn missing_or_bad_token_gets_401_with_bearer_challenge() {
    let server = TestServer::start().await;
    for auth in [None, Some("Bearer not-a-jwt"), Some("Basic abc")] {
        let mut req = server.http.get(server.url("/api/residents"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = req.send().await.expect("send");
        assert_eq!(resp.status(), 401, "{auth:?}");
        let challenge = resp.headers().get("www-authenticate").expect("challenge");
        assert!(challenge.to_str().expect("ascii").starts_with("Bearer"));
    }
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let a = TestServer::start().await;
    let b = TestServer::start_with(vec![(
        "CAREHUB__AUTH__JWT_SECRET",
        "another-signing-key-another-signing-key",
    )])
    .await;
    let token = a.login("nurse1").await;
    let (status, _) = b.get(Some(&token), "/api/residents").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_signed_in_user_can_refresh_their_token_and_a_bad_token_cannot() {
    let server = TestServer::start().await;
    let token = server.login("nurse1").await;
    let resp = server
        .http
        .post(server.url("/api/auth/refresh"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.expect("json");
    let fresh = body["token"].as_str().expect("token");
    assert_eq!(body["role"], "hub_nurse");
    assert_eq!(server.get(Some(fresh), "/api/auth/me").await.0, 200);
    let resp = server
        .http
        .post(server.url("/api/auth/refresh"))
        .bearer_auth("forged")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 401);
}
