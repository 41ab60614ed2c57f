//! Test support: starts the real CareHub server on `127.0.0.1:0` with a fresh temporary
//! database and demo data, and gives tests a small HTTP client that speaks its JSON.

pub mod peer;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use carehub_server::config::Config;
use serde_json::Value;
use tokio::sync::oneshot;

/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "demo-password";

/// A server running inside the test process.
pub struct TestServer {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub base: String,
    /// Listening address.
    pub addr: SocketAddr,
    /// Holds the database; removed when the server is dropped.
    pub dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// The HTTP client.
    pub http: reqwest::Client,
}

/// Environment overrides every test server gets: loopback, a temp database, demo data.
pub fn test_env(db: &Path) -> Vec<(String, String)> {
    vec![
        ("CAREHUB__SERVER__BIND".into(), "127.0.0.1:0".into()),
        (
            "CAREHUB__DATABASE__URL".into(),
            format!("sqlite://{}", db.display()),
        ),
        ("CAREHUB__DATABASE__SYNCHRONOUS".into(), "normal".into()),
        ("CAREHUB__MEDIA__UDP_BIND".into(), "127.0.0.1:0".into()),
        // Tests count their own calls; the demo history has its own test.
        ("CAREHUB__SERVER__DEMO_HISTORY_DAYS".into(), "0".into()),
    ]
}

impl TestServer {
    /// Starts a server with the default test configuration.
    pub async fn start() -> TestServer {
        Self::start_with(Vec::new()).await
    }

    /// Starts a server with extra `CAREHUB__…` overrides.
    pub async fn start_with(extra: Vec<(&str, &str)>) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut env = test_env(&dir.path().join("carehub.db"));
        env.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())));
        let config = Config::load(None, env).expect("test config is valid");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(carehub_server::serve(config, listener, async move {
            let _ = rx.await;
        }));
        let server = TestServer {
            base: format!("http://{addr}"),
            addr,
            dir,
            shutdown: Some(tx),
            task: Some(task),
            http: reqwest::Client::new(),
        };
        server.wait_healthy().await;
        server
    }

    /// Waits until `/healthz` answers (seeding happens before the listener serves).
    pub async fn wait_healthy(&self) {
        for _ in 0..200 {
            if let Ok(r) = self.http.get(self.url("/healthz")).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("server at {} never became healthy", self.base);
    }

    /// Absolute URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs in a demo user and returns the token.
    pub async fn login(&self, username: &str) -> String {
        let (status, body) = self
            .post_json(
                None,
                "/api/auth/login",
                &serde_json::json!({"username": username, "password": DEMO_PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "login {username}: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// GET returning status and JSON (Null when the body is not JSON).
    pub async fn get(&self, token: Option<&str>, path: &str) -> (u16, Value) {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("request")).await
    }

    /// Sends a JSON body with any method.
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("request")).await
    }

    /// POST a JSON body.
    pub async fn post_json(&self, token: Option<&str>, path: &str, body: &Value) -> (u16, Value) {
        self.send_json(reqwest::Method::POST, token, path, body)
            .await
    }

    /// Sends raw bytes with a content type, for malformed-input tests.
    pub async fn send_raw(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("request")).await
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        self.shutdown_now().await;
    }

    async fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn read(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap_or_default();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A `carehub` process started from the real binary (for crash, config and log tests).
pub struct ServerProcess {
    /// The child.
    pub child: Child,
    /// Base URL once known.
    pub base: String,
}

impl ServerProcess {
    /// Starts `binary` with the given environment on a free loopback port, capturing output.
    pub fn spawn(
        binary: &Path,
        env: &[(String, String)],
        workdir: &Path,
    ) -> std::io::Result<(Child, u16)> {
        let port = free_port();
        let mut cmd = Command::new(binary);
        cmd.current_dir(workdir)
            .env_remove("RUST_LOG")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("CAREHUB__SERVER__BIND", format!("127.0.0.1:{port}"))
            .env("CAREHUB__MEDIA__UDP_BIND", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Ok((cmd.spawn()?, port))
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Polls `url` until it answers 200 or `timeout` passes.
pub async fn wait_for(url: &str, timeout: Duration) -> bool {
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline {
        if let Ok(r) = client.get(url).send().await
            && r.status().is_success()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A WebSocket client speaking CareHub's live protocol.
pub struct LiveClient {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    /// Messages read but not yet asked for.
    pending: std::collections::VecDeque<Value>,
}

impl LiveClient {
    /// Connects and authenticates with the first message; returns after `welcome`.
    pub async fn connect(server: &TestServer, token: &str) -> LiveClient {
        let mut client = Self::connect_raw(server).await;
        client
            .send(&serde_json::json!({"type": "auth", "token": token, "protocol": 1}))
            .await;
        client.expect("welcome").await;
        client
    }

    /// Connects without authenticating.
    pub async fn connect_raw(server: &TestServer) -> LiveClient {
        let url = format!("ws://{}/api/ws", server.addr);
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("websocket connects");
        LiveClient {
            stream,
            pending: std::collections::VecDeque::new(),
        }
    }

    /// Sends a JSON message.
    pub async fn send(&mut self, message: &Value) {
        self.send_text(message.to_string()).await;
    }

    /// Sends raw text.
    pub async fn send_text(&mut self, text: String) {
        use futures_util::SinkExt;
        self.stream
            .send(tokio_tungstenite::tungstenite::Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// The next JSON message, or `None` when the connection closed or `timeout` passed.
    pub async fn next(&mut self, timeout: Duration) -> Option<Value> {
        use futures_util::StreamExt;
        if let Some(v) = self.pending.pop_front() {
            return Some(v);
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??;
            match msg {
                Ok(tokio_tungstenite::tungstenite::Message::Text(t)) => {
                    return Some(serde_json::from_str(&t).expect("server sends JSON"));
                }
                Ok(tokio_tungstenite::tungstenite::Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Waits for a message of `kind` matching `pred`, keeping others for later.
    pub async fn wait_for(
        &mut self,
        kind: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut skipped = Vec::new();
        let found = loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(v) = self.next(left).await else {
                break None;
            };
            if v["type"] == kind && pred(&v) {
                break Some(v);
            }
            skipped.push(v);
        };
        for v in skipped.into_iter().rev() {
            self.pending.push_front(v);
        }
        found
    }

    /// The next message of `kind` within five seconds; panics otherwise.
    pub async fn expect(&mut self, kind: &str) -> Value {
        self.wait_for(kind, Duration::from_secs(5), |_| true)
            .await
            .unwrap_or_else(|| panic!("no {kind} message within 5 s"))
    }

    /// True when the server has closed the connection (within `timeout`).
    pub async fn closed(&mut self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            if self.next(left).await.is_none() {
                return tokio::time::Instant::now() < deadline;
            }
        }
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// A resident id of `carer1`'s home whose care plan has a given property, found by scanning.
pub async fn carer1_residents(server: &TestServer) -> Vec<Value> {
    let token = server.login("carer1").await;
    let (_, list) = server.get(Some(&token), "/api/residents").await;
    list.as_array().expect("array").clone()
}
