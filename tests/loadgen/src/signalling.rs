//! Signalling at national scale: many idle tablets, a room of hub screens and a steady stream
//! of new calls, so the figures that decide whether CareHub carries every care home in England
//! on a small server (memory per idle connection, create-to-hub-screen latency, durable
//! acknowledgement latency) come from the real API and the real live channel.
//!
//! Usage (every option has a default; loopback targets only):
//!
//! ```text
//! loadgen signalling [--base http://127.0.0.1:8080] [--tablets 20000] [--hubs 200]
//!     [--rate 10] [--duration 30] [--hold 5] [--homes 200] [--sources N]
//!     [--connect-concurrency 256] [--server-pid PID] [--password demo-password]
//!     [--json out.json]
//! ```
//!
//! It signs in once per user (the admin, the demo hub nurses, one care-staff user per load
//! home it creates or reuses), opens `--hubs` hub screens and `--tablets` tablets on `/api/ws`
//! (authenticating with the `auth` message, as browsers do), measures the server's resident
//! memory before and after the tablets (`--server-pid`), then creates `--rate` calls per
//! second for `--duration` seconds with `POST /api/calls`, cancelling each `--hold` seconds
//! after it was created so the queue stays at a realistic size. It reports the time from
//! sending the create request to its `201` (stored, so durable) and to every hub screen
//! having received its `call.changed` (`kind: created`). Everything stops by itself.
//!
//! JSON keys (stable; the benchmark report reads them): `scenario`, `config`, `connections`,
//! `memory`, `calls`, `ack_ms`, `fanout_all_ms`, `fanout_each_ms`, `server_cpu`, `targets`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Resident memory per idle tablet connection must stay under this (KiB).
const TARGET_RSS_PER_CONNECTION_KIB: f64 = 15.0;
/// Every hub screen must see a new call within this, at the 99th percentile (ms).
const TARGET_FANOUT_P99_MS: f64 = 50.0;
/// A new call must be stored and acknowledged within this, at the 99th percentile (ms).
const TARGET_ACK_P99_MS: f64 = 20.0;
/// Connections one source address may hold comfortably (the ephemeral range is ~28,000).
const PER_SOURCE: usize = 10_000;
/// Password of the care-staff users this scenario creates (fictional load users).
const LOAD_PASSWORD: &str = "loadgen-password-not-secret";
/// Descriptors each process needs besides the connections (database, listeners, HTTP
/// connections for the calls; a server that runs out fails to accept and stalls every request).
const FD_MARGIN: usize = 300;
/// Create and cancel requests in flight at once, at most (bounds the generator's descriptors).
const MAX_IN_FLIGHT: usize = 100;
/// How long one WebSocket may take to connect and be welcomed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Command-line options.
#[derive(Debug, Clone)]
struct Options {
    base: String,
    tablets: usize,
    hubs: usize,
    rate: f64,
    duration: f64,
    hold: f64,
    homes: usize,
    sources: usize,
    connect_concurrency: usize,
    server_pid: Option<u32>,
    password: String,
    json: Option<String>,
}

const USAGE: &str = "loadgen signalling [--base http://127.0.0.1:8080] [--tablets 20000] \
[--hubs 200] [--rate 10] [--duration 30] [--hold 5] [--homes 200] [--sources N] \
[--connect-concurrency 256] [--server-pid PID] [--password demo-password] [--json out.json]";

fn parse(args: Vec<String>) -> anyhow::Result<Options> {
    let mut o = Options {
        base: "http://127.0.0.1:8080".into(),
        tablets: 20_000,
        hubs: 200,
        rate: 10.0,
        duration: 30.0,
        hold: 5.0,
        homes: 200,
        sources: 0,
        connect_concurrency: 256,
        server_pid: None,
        password: "demo-password".into(),
        json: None,
    };
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = it
            .next()
            .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |e: &dyn std::fmt::Display| anyhow::anyhow!("{flag} {value}: {e}");
        match flag.as_str() {
            "--base" => o.base = value.trim_end_matches('/').to_owned(),
            "--tablets" => o.tablets = value.parse().map_err(|e| bad(&e))?,
            "--hubs" => o.hubs = value.parse().map_err(|e| bad(&e))?,
            "--rate" => o.rate = value.parse().map_err(|e| bad(&e))?,
            "--duration" => o.duration = value.parse().map_err(|e| bad(&e))?,
            "--hold" => o.hold = value.parse().map_err(|e| bad(&e))?,
            "--homes" => o.homes = value.parse().map_err(|e| bad(&e))?,
            "--sources" => o.sources = value.parse().map_err(|e| bad(&e))?,
            "--connect-concurrency" => {
                o.connect_concurrency = value.parse().map_err(|e| bad(&e))?;
            }
            "--server-pid" => o.server_pid = Some(value.parse().map_err(|e| bad(&e))?),
            "--password" => o.password = value,
            "--json" => o.json = Some(value),
            _ => bail!("unknown option {flag}\n{USAGE}"),
        }
    }
    if o.homes == 0 || o.hubs == 0 || o.connect_concurrency == 0 {
        bail!("--homes, --hubs and --connect-concurrency must be at least 1");
    }
    let rate_ok = o.rate > 0.0 && o.rate <= 1000.0;
    let duration_ok = o.duration > 0.0 && o.duration <= 3600.0;
    if !rate_ok || !duration_ok {
        bail!("--rate must be in (0, 1000] and --duration in (0, 3600] seconds");
    }
    if !(0.0..=600.0).contains(&o.hold) {
        bail!("--hold must be 0 to 600 seconds");
    }
    if o.sources == 0 {
        o.sources = (o.tablets + o.hubs).div_ceil(PER_SOURCE).max(1);
    }
    if o.sources > 250 {
        bail!("--sources must be at most 250 (127.0.0.2 to 127.0.0.251)");
    }
    Ok(o)
}

/// The server's address, refused unless it is on loopback: load goes nowhere else.
fn server_addr(base: &str) -> anyhow::Result<SocketAddr> {
    let hostport = base
        .strip_prefix("http://")
        .context("--base must be http://HOST:PORT")?;
    let hostport = hostport.split('/').next().unwrap_or(hostport);
    let hostport = hostport.replace("localhost", "127.0.0.1");
    let addr: SocketAddr = hostport
        .parse()
        .with_context(|| format!("--base {base}: expected http://IP:PORT"))?;
    if !addr.ip().is_loopback() {
        bail!("--base {base}: load is only ever sent to loopback addresses");
    }
    Ok(addr)
}

/// Open-file limit (soft) of a process (`self` or a pid), from /proc.
fn open_file_limit(process: &str) -> Option<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{process}/limits")).ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// VmRSS of a process, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User plus system CPU time of a process, in seconds.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some((utime + stime) / 100.0)
}

/// A valid, fictional NHS number (the 999 range is never issued to patients).
fn fictional_nhs_number(n: usize) -> String {
    for extra in 0..100 {
        let body = format!("999{:06}", (n * 7 + extra) % 1_000_000);
        let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = digits.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            c => c,
        };
        return format!("{body}{check}");
    }
    unreachable!("some body in any 100 consecutive numbers has a check digit")
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// p50, p99 and max of a set of milliseconds, for the table and the JSON.
fn summary(mut values: Vec<f64>) -> Value {
    values.sort_by(f64::total_cmp);
    let round = |v: Option<f64>| v.map(|v| (v * 100.0).round() / 100.0);
    json!({
        "count": values.len(),
        "p50": round(percentile(&values, 50.0)),
        "p99": round(percentile(&values, 99.0)),
        "max": round(values.last().copied()),
    })
}

/// A small JSON-over-HTTP client for setup and calls.
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(b);
        }
        let response = request.send().await.with_context(|| path.to_owned())?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, value))
    }

    async fn login(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let (status, body) = self
            .send(
                reqwest::Method::POST,
                "/api/auth/login",
                None,
                Some(&json!({"username": username, "password": password})),
            )
            .await?;
        if status != 200 {
            bail!("signing in as {username}: HTTP {status} {body}");
        }
        body["token"]
            .as_str()
            .map(str::to_owned)
            .context("login answer has no token")
    }
}

/// One load home: its care-staff token and a resident to call about.
#[derive(Debug, Clone)]
struct Home {
    token: String,
    resident: i64,
}

/// Creates (or reuses) the load homes, one care-staff user and one resident each.
async fn prepare_homes(api: &Arc<Api>, admin: &str, count: usize) -> anyhow::Result<Vec<Home>> {
    let (status, homes) = api
        .send(reqwest::Method::GET, "/api/care-homes", Some(admin), None)
        .await?;
    if status != 200 {
        bail!("listing care homes: HTTP {status}");
    }
    let existing: HashMap<String, i64> = homes
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| Some((h["name"].as_str()?.to_owned(), h["id"].as_i64()?)))
                .collect()
        })
        .unwrap_or_default();
    let existing = Arc::new(existing);
    let gate = Arc::new(Semaphore::new(4));
    let mut tasks = Vec::new();
    for i in 0..count {
        let (api, admin, existing, gate) = (
            api.clone(),
            admin.to_owned(),
            existing.clone(),
            gate.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await?;
            prepare_home(&api, &admin, &existing, i).await
        }));
    }
    let mut out = Vec::with_capacity(count);
    for (i, task) in tasks.into_iter().enumerate() {
        out.push(
            task.await?
                .with_context(|| format!("preparing load home {i}"))?,
        );
        if (i + 1) % 50 == 0 {
            eprintln!("  setup: {}/{count} load homes ready", i + 1);
        }
    }
    Ok(out)
}

async fn prepare_home(
    api: &Api,
    admin: &str,
    existing: &HashMap<String, i64>,
    i: usize,
) -> anyhow::Result<Home> {
    use reqwest::Method;
    let name = format!("Loadgen Home {i:05}");
    let home_id = match existing.get(&name) {
        Some(id) => *id,
        None => {
            let (status, home) = api
                .send(
                    Method::POST,
                    "/api/care-homes",
                    Some(admin),
                    Some(
                        &json!({"name": name, "address": format!("{i} Test Lane, Nowhere"),
                                 "phone": "01632 960000"}),
                    ),
                )
                .await?;
            if status != 201 {
                bail!("creating {name}: HTTP {status} {home}");
            }
            home["id"].as_i64().context("home has no id")?
        }
    };
    let username = format!("loadgen-carer-{i:05}");
    let (status, body) = api
        .send(
            Method::POST,
            "/api/users",
            Some(admin),
            Some(
                &json!({"username": username, "display_name": format!("Load Carer {i}"),
                         "role": "care_staff", "care_home_id": home_id,
                         "password": LOAD_PASSWORD}),
            ),
        )
        .await?;
    if status != 201 && status != 409 {
        bail!("creating {username}: HTTP {status} {body}");
    }
    let token = api.login(&username, LOAD_PASSWORD).await?;
    let (status, residents) = api
        .send(Method::GET, "/api/residents", Some(&token), None)
        .await?;
    if status != 200 {
        bail!("listing residents of {name}: HTTP {status}");
    }
    let resident = match residents
        .as_array()
        .and_then(|a| a.first())
        .and_then(|r| r["id"].as_i64())
    {
        Some(id) => id,
        None => admit_resident(api, admin, home_id, i)
            .await
            .with_context(|| format!("admitting a resident to {name}"))?,
    };
    Ok(Home { token, resident })
}

/// Admits one fictional resident to a load home; tries another number if one is taken.
async fn admit_resident(api: &Api, admin: &str, home_id: i64, i: usize) -> anyhow::Result<i64> {
    for attempt in 0..20 {
        let number = fictional_nhs_number(400_000 + i * 13 + attempt * 997);
        let (status, r) = api
            .send(
                reqwest::Method::POST,
                "/api/residents",
                Some(admin),
                Some(&json!({"care_home_id": home_id, "nhs_number": number,
                             "given_name": "Load", "family_name": format!("Resident{i}"),
                             "date_of_birth": "1936-04-01", "room": "1"})),
            )
            .await?;
        match status {
            201 => return r["id"].as_i64().context("resident has no id"),
            409 => continue,
            _ => bail!("HTTP {status} {r}"),
        }
    }
    bail!("no free fictional NHS number found")
}

/// Small buffers: the generator holds tens of thousands of idle connections.
fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
}

type Ws = WebSocketStream<TcpStream>;

/// Opens `/api/ws` from `source`, authenticates with the `auth` message and waits for the
/// welcome. Returns the stream and when it was welcomed.
async fn open_ws(server: SocketAddr, source: IpAddr, token: &str) -> anyhow::Result<Ws> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    let url = format!("ws://{server}/api/ws");
    let (mut ws, _) =
        tokio_tungstenite::client_async_with_config(url, stream, Some(ws_config())).await?;
    let auth = json!({"type": "auth", "token": token, "protocol": 1}).to_string();
    ws.send(Message::Text(auth.into())).await?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                if t.contains("\"welcome\"") {
                    return Ok(ws);
                }
                bail!(
                    "expected welcome, got {}",
                    t.chars().take(200).collect::<String>()
                );
            }
            Some(Ok(Message::Close(_))) | None => bail!("closed before welcome"),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
        }
    }
}

/// Counters shared by every connection task.
#[derive(Default)]
struct Counters {
    tablets_connected: AtomicUsize,
    tablets_failed: AtomicUsize,
    tablets_dropped: AtomicUsize,
    tablet_messages: AtomicU64,
    hubs_dropped: AtomicUsize,
    hub_messages: AtomicU64,
    hub_snapshots: AtomicU64,
    calls_sent: AtomicUsize,
    calls_acked: AtomicUsize,
    calls_failed: AtomicUsize,
    cancels_ok: AtomicUsize,
    cancels_failed: AtomicUsize,
}

/// What a hub screen reads from an event; everything else is skipped.
#[derive(Deserialize)]
struct HubEventHead {
    #[serde(rename = "type")]
    kind_of: String,
    kind: Option<String>,
    call: Option<CallHead>,
}

#[derive(Deserialize)]
struct CallHead {
    id: i64,
}

/// Reads one hub screen until stopped; returns when it saw each call's `created` event.
async fn hub_screen(
    mut ws: Ws,
    mut stop: watch::Receiver<bool>,
    counters: Arc<Counters>,
) -> Vec<(i64, Instant)> {
    let mut seen = Vec::new();
    loop {
        tokio::select! {
            message = ws.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let at = Instant::now();
                    counters.hub_messages.fetch_add(1, Ordering::Relaxed);
                    if let Ok(head) = serde_json::from_str::<HubEventHead>(&text) {
                        match (head.kind_of.as_str(), head.kind.as_deref(), head.call) {
                            ("call.changed", Some("created"), Some(call)) => seen.push((call.id, at)),
                            ("queue.snapshot", _, _) => {
                                counters.hub_snapshots.fetch_add(1, Ordering::Relaxed);
                            }
                            _ => {}
                        }
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    counters.hubs_dropped.fetch_add(1, Ordering::Relaxed);
                    break;
                }
            },
            _ = stop.changed() => break,
        }
    }
    let _ = ws.close(None).await;
    seen
}

/// Keeps one tablet connected and reading until stopped.
async fn tablet(mut ws: Ws, mut stop: watch::Receiver<bool>, counters: Arc<Counters>) {
    loop {
        tokio::select! {
            message = ws.next() => match message {
                Some(Ok(_)) => {
                    counters.tablet_messages.fetch_add(1, Ordering::Relaxed);
                }
                Some(Err(_)) | None => {
                    counters.tablets_dropped.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            },
            _ = stop.changed() => return,
        }
    }
}

/// One created call, as the generator timed it.
struct CallTiming {
    id: i64,
    sent: Instant,
    ack_ms: f64,
}

/// Prints a progress line every second until `stop` flips.
fn progress(
    counters: Arc<Counters>,
    phase: Arc<Mutex<&'static str>>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let start = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => return,
            }
            let c = &counters;
            let phase = *phase.lock().unwrap_or_else(|p| p.into_inner());
            eprintln!(
                "[{:>4}s] {phase:<10} tablets {} (failed {}, dropped {}) | calls sent {} acked {} \
                 failed {} cancelled {} | hub msgs {} tablet msgs {}",
                start.elapsed().as_secs(),
                c.tablets_connected.load(Ordering::Relaxed),
                c.tablets_failed.load(Ordering::Relaxed),
                c.tablets_dropped.load(Ordering::Relaxed),
                c.calls_sent.load(Ordering::Relaxed),
                c.calls_acked.load(Ordering::Relaxed),
                c.calls_failed.load(Ordering::Relaxed),
                c.cancels_ok.load(Ordering::Relaxed),
                c.hub_messages.load(Ordering::Relaxed),
                c.tablet_messages.load(Ordering::Relaxed),
            );
        }
    })
}

/// Runs the signalling scenario with its own options.
pub async fn main(args: Vec<String>) -> anyhow::Result<()> {
    let mut o = parse(args)?;
    let server = server_addr(&o.base)?;
    // Both ends hold one descriptor per connection. Where neither limit can be raised far
    // enough (raising a hard limit needs CAP_SYS_RESOURCE), fit the tablets to the lower one
    // and say so in the results rather than failing half-way through.
    let tablets_requested = o.tablets;
    let limit = [
        open_file_limit("self"),
        o.server_pid.and_then(|p| open_file_limit(&p.to_string())),
    ]
    .into_iter()
    .flatten()
    .min();
    if let Some(limit) = limit {
        let room = usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .saturating_sub(o.hubs + FD_MARGIN);
        if room < o.tablets {
            eprintln!(
                "signalling: open-file limit {limit} leaves room for {room} tablets, not {}: \
                 running with {room} (raise it with `ulimit -n` / `prlimit --nofile`)",
                o.tablets
            );
            o.tablets = room;
        }
    }
    let fd_limit = limit;
    let sources: Vec<IpAddr> = (0..o.sources)
        .map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i as u8)))
        .collect();
    let api = Arc::new(Api {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .timeout(Duration::from_secs(30))
            .build()?,
        base: o.base.clone(),
    });
    let counters = Arc::new(Counters::default());
    let phase = Arc::new(Mutex::new("setup"));
    let (stop_tx, stop) = watch::channel(false);
    let (progress_stop_tx, progress_stop) = watch::channel(false);
    let progress_task = progress(counters.clone(), phase.clone(), progress_stop);
    let set_phase = |p: &'static str| {
        *phase.lock().unwrap_or_else(|e| e.into_inner()) = p;
    };

    // Setup: one sign-in per user, reused by every connection of that user.
    eprintln!(
        "signalling: {} tablets, {} hub screens, {} calls/s for {}s against {} from {} source \
         address(es)",
        o.tablets, o.hubs, o.rate, o.duration, o.base, o.sources
    );
    let admin = api.login("admin", &o.password).await?;
    let nurses = [
        api.login("nurse1", &o.password).await?,
        api.login("nurse2", &o.password).await?,
    ];
    let homes = prepare_homes(&api, &admin, o.homes).await?;

    // Hub screens.
    set_phase("hubs");
    let mut hub_tasks = Vec::with_capacity(o.hubs);
    for i in 0..o.hubs {
        let ws = tokio::time::timeout(
            CONNECT_TIMEOUT,
            open_ws(server, sources[i % sources.len()], &nurses[i % 2]),
        )
        .await
        .context("hub screen timed out connecting")?
        .with_context(|| format!("hub screen {i}"))?;
        hub_tasks.push(tokio::spawn(hub_screen(ws, stop.clone(), counters.clone())));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_before = o.server_pid.and_then(rss_kib);

    // Idle tablets.
    set_phase("tablets");
    let connect_started = Instant::now();
    let gate = Arc::new(Semaphore::new(o.connect_concurrency));
    let mut tablet_tasks = Vec::with_capacity(o.tablets);
    // Memory per connection is the growth from half to all of the tablets: the setup (password
    // hashing in particular) leaves the allocator holding memory that a before/after
    // difference would count against, or for, the connections.
    let half = o.tablets / 2;
    let mut rss_half = None;
    let mut connected_half = 0;
    for i in 0..o.tablets {
        if i == half && half > 0 {
            let _ = gate.acquire_many(o.connect_concurrency as u32).await?;
            tokio::time::sleep(Duration::from_secs(3)).await;
            rss_half = o.server_pid.and_then(rss_kib);
            connected_half = counters.tablets_connected.load(Ordering::Relaxed);
        }
        let permit = gate.clone().acquire_owned().await?;
        let home = &homes[i % homes.len()];
        let (token, stop, counters) = (home.token.clone(), stop.clone(), counters.clone());
        let source = sources[(i + o.hubs) % sources.len()];
        tablet_tasks.push(tokio::spawn(async move {
            let opened = tokio::time::timeout(CONNECT_TIMEOUT, open_ws(server, source, &token))
                .await
                .map_err(anyhow::Error::from)
                .and_then(|r| r);
            drop(permit);
            match opened {
                Ok(ws) => {
                    counters.tablets_connected.fetch_add(1, Ordering::Relaxed);
                    tablet(ws, stop, counters).await;
                }
                Err(e) => {
                    if counters.tablets_failed.fetch_add(1, Ordering::Relaxed) < 5 {
                        eprintln!("  tablet {i} failed to connect: {e:#}");
                    }
                }
            }
        }));
    }
    // Wait for the last handshakes.
    let _ = gate.acquire_many(o.connect_concurrency as u32).await?;
    let connect_seconds = connect_started.elapsed().as_secs_f64();
    set_phase("idle");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_after = o.server_pid.and_then(rss_kib);
    let idle_cpu_start = o.server_pid.and_then(cpu_seconds);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle_cpu = o
        .server_pid
        .and_then(cpu_seconds)
        .zip(idle_cpu_start)
        .map(|(b, a)| (b - a) / 5.0);
    let connected = counters.tablets_connected.load(Ordering::Relaxed);

    // Calls at a steady rate, each cancelled `hold` seconds later.
    set_phase("calls");
    let timings = Arc::new(Mutex::new(Vec::<CallTiming>::new()));
    let total_calls = (o.rate * o.duration).round() as usize;
    let calls_started = Instant::now();
    let calls_cpu_start = o.server_pid.and_then(cpu_seconds);
    let loadgen_cpu_start = cpu_seconds(std::process::id());
    let mut call_tasks = Vec::with_capacity(total_calls);
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let assessment = json!({
        "observations": {"respiration_rate": 16, "spo2": 97, "on_oxygen": false,
                         "systolic_bp": 130, "pulse": 70, "consciousness": "alert",
                         "temperature_c": 36.8},
        "soft_signs": ["drowsy"], "concern": "none"});
    for n in 0..total_calls {
        let due = calls_started + Duration::from_secs_f64(n as f64 / o.rate);
        tokio::time::sleep_until(due.into()).await;
        let home = homes[n % homes.len()].clone();
        let (api, timings, counters) = (api.clone(), timings.clone(), counters.clone());
        let in_flight = in_flight.clone();
        let body = json!({"resident_id": home.resident,
                          "situation": "Load test: not herself this morning",
                          "assessment": assessment});
        let hold = Duration::from_secs_f64(o.hold);
        call_tasks.push(tokio::spawn(async move {
            counters.calls_sent.fetch_add(1, Ordering::Relaxed);
            let sent = Instant::now();
            let permit = in_flight.acquire().await;
            let answer = api
                .send(
                    reqwest::Method::POST,
                    "/api/calls",
                    Some(&home.token),
                    Some(&body),
                )
                .await;
            let ack_ms = sent.elapsed().as_secs_f64() * 1000.0;
            drop(permit);
            let id = match answer {
                Ok((201, call)) => call["id"].as_i64(),
                Ok((status, body)) => {
                    if counters.calls_failed.load(Ordering::Relaxed) < 5 {
                        eprintln!("  call refused: HTTP {status} {body}");
                    }
                    None
                }
                Err(e) => {
                    if counters.calls_failed.load(Ordering::Relaxed) < 5 {
                        eprintln!("  call failed: {e:#}");
                    }
                    None
                }
            };
            let Some(id) = id else {
                counters.calls_failed.fetch_add(1, Ordering::Relaxed);
                return;
            };
            counters.calls_acked.fetch_add(1, Ordering::Relaxed);
            timings
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(CallTiming { id, sent, ack_ms });
            tokio::time::sleep_until((sent + hold).into()).await;
            let _permit = in_flight.acquire().await;
            let cancelled = api
                .send(
                    reqwest::Method::POST,
                    &format!("/api/calls/{id}/cancel"),
                    Some(&home.token),
                    Some(&json!({})),
                )
                .await;
            match cancelled {
                Ok((200, _)) => counters.cancels_ok.fetch_add(1, Ordering::Relaxed),
                _ => counters.cancels_failed.fetch_add(1, Ordering::Relaxed),
            };
        }));
    }
    let sending_seconds = calls_started.elapsed().as_secs_f64();
    for task in call_tasks {
        let _ = tokio::time::timeout(Duration::from_secs(60), task).await;
    }
    let calls_cpu = o
        .server_pid
        .and_then(cpu_seconds)
        .zip(calls_cpu_start)
        .map(|(b, a)| (b - a) / calls_started.elapsed().as_secs_f64());
    let loadgen_cpu = cpu_seconds(std::process::id())
        .zip(loadgen_cpu_start)
        .map(|(b, a)| (b - a) / calls_started.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Stop everything and gather the figures.
    set_phase("stopping");
    let tablets_dropped = counters.tablets_dropped.load(Ordering::Relaxed);
    let hubs_dropped = counters.hubs_dropped.load(Ordering::Relaxed);
    let _ = stop_tx.send(true);
    let mut seen_by_call: HashMap<i64, Vec<Instant>> = HashMap::new();
    for task in hub_tasks {
        if let Ok(Ok(seen)) = tokio::time::timeout(Duration::from_secs(30), task).await {
            for (id, at) in seen {
                seen_by_call.entry(id).or_default().push(at);
            }
        }
    }
    for task in tablet_tasks {
        let _ = tokio::time::timeout(Duration::from_secs(30), task).await;
    }
    let _ = progress_stop_tx.send(true);
    let _ = progress_task.await;

    let timings = std::mem::take(&mut *timings.lock().unwrap_or_else(|p| p.into_inner()));
    let mut ack = Vec::new();
    let mut fanout_all = Vec::new();
    let mut fanout_each = Vec::new();
    let mut missed = 0usize;
    for t in &timings {
        ack.push(t.ack_ms);
        let seen = seen_by_call.get(&t.id).map(Vec::as_slice).unwrap_or(&[]);
        if seen.len() < o.hubs {
            missed += 1;
        }
        let ms = |at: &Instant| at.saturating_duration_since(t.sent).as_secs_f64() * 1000.0;
        fanout_each.extend(seen.iter().map(ms));
        if seen.len() == o.hubs
            && let Some(last) = seen.iter().max()
        {
            fanout_all.push(ms(last));
        }
    }
    let ack = summary(ack);
    let fanout_all = summary(fanout_all);
    let fanout_each = summary(fanout_each);
    let per_conn = match (rss_half, rss_after) {
        (Some(b), Some(a)) if connected > connected_half => Some(
            ((a as f64 - b as f64) / (connected - connected_half) as f64 * 100.0).round() / 100.0,
        ),
        _ => None,
    };
    let met = |value: Option<f64>, target: f64| value.map(|v| v < target);
    let ack_p99 = ack["p99"].as_f64();
    let fanout_p99 = fanout_all["p99"].as_f64();
    let result = json!({
        "scenario": "signalling",
        "config": {
            "base": o.base, "tablets": o.tablets, "tablets_requested": tablets_requested,
            "open_file_limit": fd_limit, "hubs": o.hubs, "rate_per_s": o.rate,
            "duration_s": o.duration, "hold_s": o.hold, "homes": o.homes,
            "sources": o.sources, "connect_concurrency": o.connect_concurrency,
        },
        "connections": {
            "tablets_connected": connected,
            "tablets_failed": counters.tablets_failed.load(Ordering::Relaxed),
            "tablets_dropped": tablets_dropped,
            "hubs_connected": o.hubs,
            "hubs_dropped": hubs_dropped,
            "connect_seconds": (connect_seconds * 100.0).round() / 100.0,
            "tablet_messages": counters.tablet_messages.load(Ordering::Relaxed),
            "hub_messages": counters.hub_messages.load(Ordering::Relaxed),
            "hub_snapshots": counters.hub_snapshots.load(Ordering::Relaxed),
        },
        "memory": {
            "server_rss_before_kib": rss_before,
            "server_rss_half_kib": rss_half,
            "tablets_at_half": connected_half,
            "server_rss_after_kib": rss_after,
            "rss_per_connection_kib": per_conn,
        },
        "calls": {
            "sent": counters.calls_sent.load(Ordering::Relaxed),
            "acked": counters.calls_acked.load(Ordering::Relaxed),
            "failed": counters.calls_failed.load(Ordering::Relaxed),
            "cancelled": counters.cancels_ok.load(Ordering::Relaxed),
            "cancel_failed": counters.cancels_failed.load(Ordering::Relaxed),
            "not_seen_by_every_hub": missed,
            "achieved_rate_per_s": (timings.len() as f64 / sending_seconds * 100.0).round() / 100.0,
        },
        "ack_ms": ack,
        "fanout_all_ms": fanout_all,
        "fanout_each_ms": fanout_each,
        "server_cpu": {
            "idle_cores": idle_cpu.map(|v| (v * 1000.0).round() / 1000.0),
            "calls_cores": calls_cpu.map(|v| (v * 1000.0).round() / 1000.0),
            "loadgen_calls_cores": loadgen_cpu.map(|v| (v * 1000.0).round() / 1000.0),
        },
        "targets": {
            "rss_per_connection_kib": {"target": TARGET_RSS_PER_CONNECTION_KIB, "value": per_conn,
                                       "met": met(per_conn, TARGET_RSS_PER_CONNECTION_KIB)},
            "fanout_all_p99_ms": {"target": TARGET_FANOUT_P99_MS, "value": fanout_p99,
                                  "met": met(fanout_p99, TARGET_FANOUT_P99_MS)},
            "ack_p99_ms": {"target": TARGET_ACK_P99_MS, "value": ack_p99,
                           "met": met(ack_p99, TARGET_ACK_P99_MS)},
        },
    });
    print_table(&result);
    if let Some(path) = &o.json {
        std::fs::write(path, serde_json::to_string_pretty(&result)? + "\n")
            .with_context(|| format!("writing {path}"))?;
        eprintln!("results written to {path}");
    }
    Ok(())
}

fn print_table(r: &Value) {
    let show = |v: &Value| match v {
        Value::Null => "n/a".to_owned(),
        v => v.to_string(),
    };
    let verdict = |t: &Value| match t["met"].as_bool() {
        Some(true) => "met",
        Some(false) => "NOT MET",
        None => "not measured",
    };
    let c = &r["connections"];
    let m = &r["memory"];
    let calls = &r["calls"];
    let t = &r["targets"];
    println!();
    println!("Signalling at national scale");
    println!("{:<44} {:>12}  target", "figure", "value");
    let row = |name: &str, value: String, target: String| {
        println!("{name:<44} {value:>12}  {target}");
    };
    row(
        "tablets connected / dropped / failed",
        format!(
            "{}/{}/{}",
            show(&c["tablets_connected"]),
            show(&c["tablets_dropped"]),
            show(&c["tablets_failed"])
        ),
        String::new(),
    );
    row(
        "hub screens connected / dropped",
        format!(
            "{}/{}",
            show(&c["hubs_connected"]),
            show(&c["hubs_dropped"])
        ),
        String::new(),
    );
    row(
        "time to connect the tablets (s)",
        show(&c["connect_seconds"]),
        String::new(),
    );
    row(
        "server RSS before / half / all tablets (KiB)",
        format!(
            "{}/{}/{}",
            show(&m["server_rss_before_kib"]),
            show(&m["server_rss_half_kib"]),
            show(&m["server_rss_after_kib"])
        ),
        String::new(),
    );
    let rt = &t["rss_per_connection_kib"];
    row(
        "server RSS per idle connection (KiB)",
        show(&m["rss_per_connection_kib"]),
        format!("< {} ({})", rt["target"], verdict(rt)),
    );
    row(
        "CPU: server idle / server calls / loadgen calls",
        format!(
            "{}/{}/{}",
            show(&r["server_cpu"]["idle_cores"]),
            show(&r["server_cpu"]["calls_cores"]),
            show(&r["server_cpu"]["loadgen_calls_cores"])
        ),
        String::new(),
    );
    row(
        "calls sent / acked / failed / cancelled",
        format!(
            "{}/{}/{}/{}",
            show(&calls["sent"]),
            show(&calls["acked"]),
            show(&calls["failed"]),
            show(&calls["cancelled"])
        ),
        String::new(),
    );
    row(
        "calls not seen by every hub screen",
        show(&calls["not_seen_by_every_hub"]),
        String::new(),
    );
    let at = &t["ack_p99_ms"];
    row(
        "create -> durable ack p50 / p99 (ms)",
        format!(
            "{}/{}",
            show(&r["ack_ms"]["p50"]),
            show(&r["ack_ms"]["p99"])
        ),
        format!("p99 < {} ({})", at["target"], verdict(at)),
    );
    let ft = &t["fanout_all_p99_ms"];
    row(
        "create -> every hub screen p50 / p99 (ms)",
        format!(
            "{}/{}",
            show(&r["fanout_all_ms"]["p50"]),
            show(&r["fanout_all_ms"]["p99"])
        ),
        format!("p99 < {} ({})", ft["target"], verdict(ft)),
    );
    row(
        "create -> one hub screen p50 / p99 (ms)",
        format!(
            "{}/{}",
            show(&r["fanout_each_ms"]["p50"]),
            show(&r["fanout_each_ms"]["p99"])
        ),
        String::new(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fictional_nhs_numbers_carry_a_valid_check_digit() {
        for n in [0, 1, 17, 999, 123_456] {
            let number = fictional_nhs_number(n);
            assert_eq!(number.len(), 10);
            assert!(number.starts_with("999"));
            let d: Vec<u32> = number.bytes().map(|b| u32::from(b - b'0')).collect();
            let sum: u32 = (0..9).map(|i| d[i] * (10 - i as u32)).sum();
            assert_eq!((11 - sum % 11) % 11, d[9], "{number}");
        }
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(50.0));
        assert_eq!(percentile(&v, 99.0), Some(99.0));
        assert_eq!(percentile(&[], 99.0), None);
    }

    #[test]
    fn only_loopback_servers_are_accepted() {
        assert!(server_addr("http://127.0.0.1:8080").is_ok());
        assert!(server_addr("http://localhost:8080/").is_ok());
        assert!(server_addr("http://192.168.1.10:8080").is_err());
        assert!(server_addr("https://127.0.0.1:8080").is_err());
    }
}
