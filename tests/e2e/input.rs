//! Bad input gets a clear 4xx and changes nothing.

use carehub_e2e::TestServer;
use reqwest::Method;
use serde_json::json;

async fn resident_count(server: &TestServer, token: &str) -> usize {
    server
        .get(Some(token), "/api/residents")
        .await
        .1
        .as_array()
        .expect("array")
        .len()
}

#[tokio::test]
async fn malformed_unknown_oversized_and_mistyped_bodies_are_refused_and_change_nothing() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let before = resident_count(&server, &carer).await;
    let post = |ct: &'static str, body: Vec<u8>| {
        let server = &server;
        let carer = carer.clone();
        async move {
            server
                .send_raw(Method::POST, Some(&carer), "/api/residents", ct, body)
                .await
        }
    };
    let (status, body) = post("application/json", b"{\"nhs_number\": ".to_vec()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "malformed_json");

    let unknown = json!({"nhs_number": "999 000 0026", "given_name": "A", "family_name": "B",
                         "date_of_birth": "1940-01-01", "room": "1", "shoe_size": 9});
    let (status, body) = post("application/json", unknown.to_string().into_bytes()).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("shoe_size")
    );

    let wrong_type = json!({"nhs_number": 9990000026u64, "given_name": "A", "family_name": "B",
                            "date_of_birth": "1940-01-01", "room": "1"});
    let (status, body) = post("application/json", wrong_type.to_string().into_bytes()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "nhs_number");

    let bad_date = json!({"nhs_number": "999 000 0026", "given_name": "A", "family_name": "B",
                          "date_of_birth": "1940-13-01", "room": "1"});
    let (status, body) = post("application/json", bad_date.to_string().into_bytes()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "date_of_birth");

    let huge = format!("{{\"given_name\": \"{}\"}}", "x".repeat(200_000));
    let (status, body) = post("application/json", huge.into_bytes()).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large");

    let (status, body) = post("text/plain", b"hello".to_vec()).await;
    assert_eq!(status, 415, "{body}");

    assert_eq!(
        resident_count(&server, &carer).await,
        before,
        "nothing was created"
    );
}

#[tokio::test]
async fn bad_ids_queries_and_routes_get_json_errors() {
    let server = TestServer::start().await;
    let nurse = server.login("nurse1").await;
    let clinician = server.login("clinician1").await;
    let (status, body) = server.get(Some(&nurse), "/api/residents/abc").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_path");
    let (status, body) = server.get(Some(&clinician), "/api/audit?limit=lots").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "limit");
    let (status, body) = server.get(Some(&clinician), "/api/audit?colour=red").await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = server.get(Some(&nurse), "/api/no-such-thing").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, body) = server
        .send_json(Method::DELETE, None, "/healthz", &json!({}))
        .await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let server = TestServer::start().await;
    let resp = server
        .http
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("send");
    assert!(resp.headers().get("x-request-id").is_some());
    let resp = server
        .http
        .get(server.url("/healthz"))
        .header("x-request-id", "from-the-load-balancer")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.headers()["x-request-id"], "from-the-load-balancer");
}
