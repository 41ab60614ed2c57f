//! Drives real calls through CareHub: sign-in with real tokens, a call created by care staff,
//! claimed and started by a hub nurse, a clinician invited, and each of the three joining the
//! video over `/api/ws` exactly as the clients do (docs/signalling.md).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::payload;
use crate::peer::{Control, Out, Peer};
use crate::stats::{SharedStats, lock};

/// Demo password (demo mode only).
const DEMO_PASSWORD: &str = "demo-password";
/// Longest wait for a sign-in, an HTTP answer or a welcome.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct User {
    /// Sign-in token.
    pub token: String,
    /// User id.
    pub id: i64,
}

/// A care home's tablet account and the residents it may call about.
#[derive(Debug, Clone)]
pub struct Home {
    /// The care staff account.
    pub carer: User,
    /// Resident ids of the home.
    pub residents: Vec<i64>,
}

/// The accounts the calls use: the demo care staff, nurses and clinician.
#[derive(Debug, Clone)]
pub struct Accounts {
    /// One per demo care home.
    pub homes: Vec<Home>,
    /// Hub nurses.
    pub nurses: Vec<User>,
    /// The clinician invited into every call.
    pub clinician: User,
}

/// A CareHub server to drive.
#[derive(Debug, Clone)]
pub struct CareHub {
    http: reqwest::Client,
    base: String,
    ws: String,
}

impl CareHub {
    /// `base` is the server's URL, e.g. `http://10.201.0.1:8080`.
    pub fn new(base: &str) -> anyhow::Result<CareHub> {
        let base = base.trim_end_matches('/').to_owned();
        let ws = format!(
            "{}/api/ws",
            base.replacen("http://", "ws://", 1)
                .replacen("https://", "wss://", 1)
        );
        let http = reqwest::Client::builder().timeout(TIMEOUT).build()?;
        Ok(CareHub { http, base, ws })
    }

    async fn request(
        &self,
        token: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.with_context(|| path.to_owned())?;
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            anyhow::bail!("{path}: {status}: {body}");
        }
        Ok(body)
    }

    async fn post(&self, token: &str, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.request(Some(token), reqwest::Method::POST, path, Some(body))
            .await
    }

    async fn login(&self, username: &str) -> anyhow::Result<User> {
        let body = json!({"username": username, "password": DEMO_PASSWORD});
        let signed = self
            .request(None, reqwest::Method::POST, "/api/auth/login", Some(&body))
            .await?;
        let token = signed["token"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no token for {username}"))?
            .to_owned();
        let me = self
            .request(Some(&token), reqwest::Method::GET, "/api/auth/me", None)
            .await?;
        let id = me["id"]
            .as_i64()
            .ok_or_else(|| anyhow::anyhow!("no id for {username}"))?;
        Ok(User { token, id })
    }

    /// Signs in the demo accounts (carer1-3, nurse1-2, clinician1).
    pub async fn accounts(&self) -> anyhow::Result<Accounts> {
        let mut homes = Vec::new();
        for name in ["carer1", "carer2", "carer3"] {
            let carer = self.login(name).await?;
            let list = self
                .request(
                    Some(&carer.token),
                    reqwest::Method::GET,
                    "/api/residents",
                    None,
                )
                .await?;
            let residents: Vec<i64> = list
                .as_array()
                .map(|a| a.iter().filter_map(|r| r["id"].as_i64()).collect())
                .unwrap_or_default();
            if !residents.is_empty() {
                homes.push(Home { carer, residents });
            }
        }
        anyhow::ensure!(!homes.is_empty(), "no care home has residents");
        let nurses = vec![self.login("nurse1").await?, self.login("nurse2").await?];
        let clinician = self.login("clinician1").await?;
        Ok(Accounts {
            homes,
            nurses,
            clinician,
        })
    }

    /// Opens the live channel as `user` and waits for the welcome.
    async fn live(&self, user: &User) -> anyhow::Result<Live> {
        let (mut ws, _) = tokio::time::timeout(TIMEOUT, tokio_tungstenite::connect_async(&self.ws))
            .await
            .context("live channel: timed out")??;
        let auth = json!({"type": "auth", "token": user.token, "protocol": 1});
        ws.send(Message::Text(auth.to_string().into())).await?;
        let welcome = tokio::time::timeout(TIMEOUT, async {
            while let Some(m) = ws.next().await {
                if let Message::Text(t) = m? {
                    let v: Value = serde_json::from_str(&t)?;
                    match v["type"].as_str() {
                        Some("welcome") => return Ok(()),
                        Some("error") => anyhow::bail!("live channel refused: {v}"),
                        _ => {}
                    }
                }
            }
            anyhow::bail!("live channel closed before the welcome")
        })
        .await
        .context("live channel: no welcome")?;
        welcome?;
        Ok(Live { ws })
    }
}

type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An authenticated live channel, before it joins a call's video.
struct Live {
    ws: WsStream,
}

/// One participant of a call: a peer and its live channel, each on its own task.
pub struct Participant {
    /// What it measured.
    pub stats: SharedStats,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Participant {
    /// A participant whose peer(s) and signalling run on `tasks`.
    pub fn new(stats: SharedStats, tasks: Vec<tokio::task::JoinHandle<()>>) -> Participant {
        Participant { stats, tasks }
    }

    /// Stops the peer and the live channel (closing the channel leaves the video).
    pub fn stop(&self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Drop for Participant {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Joins `call` over `live` with a new peer sending as `sender`.
async fn join(
    live: Live,
    call: i64,
    ip: IpAddr,
    sender: u32,
    user: &User,
) -> anyhow::Result<Participant> {
    let stats = SharedStats::default();
    let stream = format!("loadgen-{}", user.id);
    let (peer, offer) = Peer::offerer(ip, sender, &stream, Arc::clone(&stats)).await?;
    let (control, control_rx) = mpsc::channel(16);
    let (out, out_rx) = mpsc::channel(16);
    let media = peer.spawn(control_rx, out);
    let signalling = tokio::spawn(signal(
        live.ws,
        call,
        offer,
        control,
        out_rx,
        Arc::clone(&stats),
    ));
    Ok(Participant {
        stats,
        tasks: vec![media, signalling],
    })
}

/// Relays a participant's video signalling between its live channel and its peer.
async fn signal(
    mut ws: WsStream,
    call: i64,
    offer: String,
    control: mpsc::Sender<Control>,
    mut out: mpsc::Receiver<Out>,
    stats: SharedStats,
) {
    let result: anyhow::Result<()> = async {
        let join = json!({"type": "media.join", "call_id": call, "sdp": offer});
        ws.send(Message::Text(join.to_string().into())).await?;
        loop {
            tokio::select! {
                m = ws.next() => {
                    let Some(m) = m else { anyhow::bail!("live channel closed") };
                    let Message::Text(text) = m? else { continue };
                    // Hub screens see every call's queue events; parse only what is ours.
                    if !text.contains("\"media.") && !text.contains("\"error\"") {
                        continue;
                    }
                    let v: Value = serde_json::from_str(&text)?;
                    if v["call_id"].as_i64() != Some(call) {
                        continue;
                    }
                    let sdp = || v["sdp"].as_str().unwrap_or_default().to_owned();
                    match v["type"].as_str() {
                        Some("media.answer") => control.send(Control::Answer(sdp())).await?,
                        Some("media.offer") => control.send(Control::Offer(sdp())).await?,
                        Some("media.ended") => anyhow::bail!("the call's video ended"),
                        Some("error") => anyhow::bail!("relay refused: {}", v["code"]),
                        _ => {}
                    }
                }
                o = out.recv() => match o {
                    Some(Out::Answer(sdp)) => {
                        let m = json!({"type": "media.answer", "call_id": call, "sdp": sdp});
                        ws.send(Message::Text(m.to_string().into())).await?;
                    }
                    None => anyhow::bail!("the peer stopped"),
                },
            }
        }
    }
    .await;
    if let Err(e) = result {
        lock(&stats).error.get_or_insert_with(|| format!("{e:#}"));
    }
}

/// A call in consultation with three participants in its video.
pub struct Call {
    /// Call id.
    pub id: i64,
    /// When the nurse answered (sent the claim), µs since the epoch.
    pub answered_us: u64,
    /// Tablet, nurse, clinician.
    pub participants: Vec<Participant>,
}

impl Call {
    /// Set-up times, ms from the nurse's answer to the first media at the tablet and at the
    /// nurse (None while not arrived).
    pub fn setup_ms(&self) -> [Option<f64>; 2] {
        let at = |i: usize| {
            lock(&self.participants[i].stats)
                .first_media_us
                .map(|t| t.saturating_sub(self.answered_us) as f64 / 1000.0)
        };
        [at(0), at(1)]
    }
}

/// Creates call number `n` and brings it to three participants sending media. Participants
/// get sender ids `3n`, `3n+1`, `3n+2`.
pub async fn start_call(
    hub: &CareHub,
    accounts: &Accounts,
    n: u32,
    ip: IpAddr,
) -> anyhow::Result<Call> {
    let i = n as usize;
    let home = &accounts.homes[i % accounts.homes.len()];
    let resident = home.residents[(i / accounts.homes.len()) % home.residents.len()];
    let nurse = &accounts.nurses[i % accounts.nurses.len()];
    let clinician = &accounts.clinician;
    let body = json!({
        "resident_id": resident,
        "situation": "Load test call",
        "assessment": {"observations": {}, "soft_signs": [], "concern": "none"},
    });
    let created = hub.post(&home.carer.token, "/api/calls", &body).await?;
    let id = created["id"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("no call id"))?;
    // The tablet and the hub screens are already connected when the nurse answers.
    let (tablet, screen, doctor) =
        tokio::try_join!(hub.live(&home.carer), hub.live(nurse), hub.live(clinician))?;
    let answered_us = payload::now_us();
    hub.post(&nurse.token, &format!("/api/calls/{id}/claim"), &json!({}))
        .await?;
    hub.post(&nurse.token, &format!("/api/calls/{id}/start"), &json!({}))
        .await?;
    let (a, b) = tokio::try_join!(
        join(tablet, id, ip, 3 * n, &home.carer),
        join(screen, id, ip, 3 * n + 1, nurse)
    )?;
    hub.post(
        &nurse.token,
        &format!("/api/calls/{id}/invite"),
        &json!({"clinician_id": clinician.id}),
    )
    .await?;
    let c = join(doctor, id, ip, 3 * n + 2, clinician).await?;
    Ok(Call {
        id,
        answered_us,
        participants: vec![a, b, c],
    })
}
