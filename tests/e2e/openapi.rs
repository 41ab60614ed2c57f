//! The OpenAPI description: valid OpenAPI 3, and in step with what the router serves.

use std::collections::BTreeSet;

use carehub_e2e::TestServer;
use reqwest::Method;
use serde_json::{Value, json};

/// Every route the server serves. A route added to the router without its description, or
/// described without being served, fails one of the two tests below.
const SERVED: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/openapi.json"),
    ("get", "/api/service"),
    ("post", "/api/auth/login"),
    ("get", "/api/auth/me"),
    ("post", "/api/auth/refresh"),
    ("get", "/api/care-homes"),
    ("post", "/api/care-homes"),
    ("get", "/api/users"),
    ("post", "/api/users"),
    ("get", "/api/residents"),
    ("post", "/api/residents"),
    ("get", "/api/residents/{id}"),
    ("patch", "/api/residents/{id}"),
    ("delete", "/api/residents/{id}"),
    ("get", "/api/residents/{id}/care-plan"),
    ("put", "/api/residents/{id}/care-plan"),
    ("get", "/api/residents/{id}/care-plan/versions"),
    ("get", "/api/residents/{id}/care-plan/versions/{version}"),
    ("get", "/api/audit"),
    ("post", "/api/triage/score"),
    ("get", "/api/calls"),
    ("post", "/api/calls"),
    ("get", "/api/calls/{id}"),
    ("post", "/api/calls/{id}/claim"),
    ("post", "/api/calls/{id}/release"),
    ("post", "/api/calls/{id}/start"),
    ("post", "/api/calls/{id}/end"),
    ("post", "/api/calls/{id}/cancel"),
    ("post", "/api/calls/{id}/outcome"),
    ("post", "/api/calls/{id}/observations"),
    ("post", "/api/calls/{id}/level"),
    ("post", "/api/calls/{id}/sign-off"),
    ("post", "/api/calls/{id}/follow-up"),
    ("get", "/api/review/calls"),
    ("get", "/api/reports/summary"),
    ("get", "/api/media/ice-servers"),
    ("post", "/api/calls/{id}/invite"),
    ("post", "/api/calls/{id}/decline"),
    ("get", "/api/calls/{id}/photos"),
    ("post", "/api/calls/{id}/photos"),
    ("get", "/api/calls/{id}/photos/{photo_id}"),
    ("get", "/api/calls/{id}/phone"),
    ("post", "/api/calls/{id}/phone"),
    ("get", "/api/ws"),
];

fn described(spec: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.insert((method.clone(), path.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn openapi_describes_exactly_the_routes_served() {
    let server = TestServer::start().await;
    let (status, spec) = server.get(None, "/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(spec["openapi"].as_str().expect("version").starts_with("3."));
    let expected: BTreeSet<(String, String)> = SERVED
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(described(&spec), expected);

    // And every described route really is served: the router's own fallback (404/405) never
    // answers it.
    for (method, path) in described(&spec) {
        let concrete = path
            .replace("{id}", "1")
            .replace("{version}", "1")
            .replace("{photo_id}", "1");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let (status, body) = server
            .send_json(method.clone(), None, &concrete, &json!({}))
            .await;
        assert!(
            status != 404 && status != 405,
            "{method} {path} is described but not served: {status} {body}"
        );
    }
}

#[tokio::test]
async fn openapi_document_validates_as_openapi_3() {
    let server = TestServer::start().await;
    let text = server
        .http
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("body");
    let file = server.dir.path().join("openapi.json");
    std::fs::write(&file, text).expect("write spec");
    let out = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .output()
        .expect("python3 runs (tests/run-all.sh installs openapi-spec-validator)");
    assert!(
        out.status.success(),
        "openapi-spec-validator rejected the document:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
