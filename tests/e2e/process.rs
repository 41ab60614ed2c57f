//! The real `carehub` binary: configuration errors, demo-mode key refusal, idempotent seeding,
//! and logs that never carry names or NHS numbers.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use carehub_e2e::{ServerProcess, wait_for};

use crate::carehub_binary;
use serde_json::{Value, json};

/// Runs the binary to completion with `env`; returns (exit code, stderr).
fn run_to_exit(env: &[(&str, &str)], workdir: &Path) -> (Option<i32>, String) {
    let out = std::process::Command::new(carehub_binary())
        .current_dir(workdir)
        .env("CAREHUB__MEDIA__UDP_BIND", "127.0.0.1:0")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run carehub");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bad_config_value_stops_start_up_and_names_the_key() {
    let dir = tempfile::tempdir().expect("dir");
    let (code, stderr) = run_to_exit(&[("CAREHUB__SERVER__BIND", "nowhere")], dir.path());
    assert_eq!(code, Some(78), "{stderr}");
    assert!(stderr.contains("server.bind"), "{stderr}");
    let (code, stderr) = run_to_exit(
        &[("CAREHUB__DATABASE__SYNCHRONOUS", "sometimes")],
        dir.path(),
    );
    assert_eq!(code, Some(78), "{stderr}");
    assert!(stderr.contains("database.synchronous"), "{stderr}");
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[auth]\ntoken_ttl_minutes = 0\n").expect("write");
    let (code, stderr) = run_to_exit(
        &[("CAREHUB_CONFIG", cfg.to_str().expect("utf8"))],
        dir.path(),
    );
    assert_eq!(code, Some(78), "{stderr}");
    assert!(stderr.contains("auth.token_ttl_minutes"), "{stderr}");
    assert!(!dir.path().join("data").exists(), "nothing was created");
}

#[test]
fn outside_demo_mode_the_default_signing_key_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let (code, stderr) = run_to_exit(&[("CAREHUB__SERVER__DEMO", "false")], dir.path());
    assert_eq!(code, Some(78), "{stderr}");
    assert!(stderr.contains("auth.jwt_secret"), "{stderr}");
    assert!(
        !stderr.contains("carehub-demo-signing-key"),
        "the key itself is never printed"
    );
}

/// A running binary whose output is drained into a buffer.
pub(crate) struct Running {
    pub(crate) child: Child,
    pub(crate) base: String,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Running {
    pub(crate) async fn start(workdir: &Path, env: &[(String, String)]) -> Running {
        let (mut child, port) =
            ServerProcess::spawn(&carehub_binary(), env, workdir).expect("spawn carehub");
        let output = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let sink = Arc::clone(&output);
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 8192];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock().expect("lock").extend_from_slice(&buf[..n]);
                }
            });
        }
        let base = format!("http://127.0.0.1:{port}");
        assert!(
            wait_for(&format!("{base}/healthz"), Duration::from_secs(60)).await,
            "server did not start"
        );
        Running {
            child,
            base,
            output,
        }
    }

    pub(crate) fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        String::from_utf8_lossy(&self.output.lock().expect("lock")).into_owned()
    }
}

/// GET with a bearer token, as JSON.
pub(crate) async fn get_json(http: &reqwest::Client, base: &str, token: &str, path: &str) -> Value {
    http.get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

pub(crate) async fn login(http: &reqwest::Client, base: &str, user: &str) -> String {
    let body: Value = http
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": user, "password": "demo-password"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    body["token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn logs_carry_request_ids_but_never_names_or_nhs_numbers() {
    let dir = tempfile::tempdir().expect("dir");
    let env = vec![
        ("CAREHUB__LOG__FORMAT".to_owned(), "json".to_owned()),
        ("CAREHUB__LOG__LEVEL".to_owned(), "debug".to_owned()),
        (
            "CAREHUB__DATABASE__SYNCHRONOUS".to_owned(),
            "normal".to_owned(),
        ),
    ];
    let server = Running::start(dir.path(), &env).await;
    let http = reqwest::Client::new();
    let nurse = login(&http, &server.base, "nurse1").await;
    let residents: Value = get_json(&http, &server.base, &nurse, "/api/residents").await;
    let residents = residents.as_array().expect("array").clone();
    for r in &residents {
        let family = r["family_name"].as_str().expect("name");
        let _ = http
            .get(format!("{}/api/residents?search={family}", server.base))
            .bearer_auth(&nurse)
            .send()
            .await;
        let _ = http
            .get(format!(
                "{}/api/residents/{}/care-plan",
                server.base, r["id"]
            ))
            .bearer_auth(&nurse)
            .send()
            .await;
    }
    let carer = login(&http, &server.base, "carer1").await;
    let _ = http
        .post(format!("{}/api/residents", server.base))
        .bearer_auth(&carer)
        .json(&json!({"nhs_number": "999 000 0026", "given_name": "Zebedee", "family_name": "Quixotic",
                      "date_of_birth": "1940-01-01", "room": "1"}))
        .send()
        .await;
    let logs = server.stop();
    assert!(logs.contains("request_id"), "request ids are logged");
    let request_lines = logs
        .lines()
        .filter(|l| l.contains("request served"))
        .count();
    assert!(
        request_lines > residents.len(),
        "requests were logged: {request_lines}"
    );
    for r in &residents {
        for field in ["family_name", "given_name"] {
            let name = r[field].as_str().expect("name");
            assert!(!logs.contains(name), "{field} {name} appeared in the logs");
        }
        let nhs = r["nhs_number"].as_str().expect("nhs");
        assert!(
            !logs.contains(nhs) && !logs.contains(&nhs.replace(' ', "")),
            "an NHS number appeared in the logs"
        );
    }
    for secret in ["Zebedee", "Quixotic", "9990000026", "demo-password"] {
        assert!(!logs.contains(secret), "{secret} appeared in the logs");
    }
    for line in logs.lines().filter(|l| l.starts_with('{')) {
        serde_json::from_str::<Value>(line).expect("every JSON log line parses");
    }
}

#[tokio::test]
async fn demo_data_is_seeded_once_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let env = vec![(
        "CAREHUB__DATABASE__SYNCHRONOUS".to_owned(),
        "normal".to_owned(),
    )];
    let http = reqwest::Client::new();
    let mut counts = Vec::new();
    for _ in 0..2 {
        let server = Running::start(dir.path(), &env).await;
        let nurse = login(&http, &server.base, "nurse1").await;
        let list: Value = get_json(&http, &server.base, &nurse, "/api/residents").await;
        counts.push(list.as_array().expect("array").len());
        server.stop();
    }
    assert_eq!(counts, vec![30, 30]);
    assert!(
        dir.path().join("data/carehub.db").exists(),
        "the default database lives under data/"
    );
}
