//! The side-by-side peer: the same three-party call shape through Janus Gateway's VideoRoom
//! plugin, over its WebSocket API. Each participant publishes its audio and video on one
//! peer connection and, once all three have published, subscribes to the other two on a
//! second (Janus's multistream subscriber), so every participant sends and receives exactly
//! what it does through CareHub's relay, with the same marked media and the same measurements.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::carehub::{Call, Participant};
use crate::payload;
use crate::peer::{Control, Peer};
use crate::stats::SharedStats;

type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const TIMEOUT: Duration = Duration::from_secs(20);
/// Janus ends sessions that are silent for 60 s.
const KEEPALIVE: Duration = Duration::from_secs(20);
/// Room ids start here (one room per call).
const FIRST_ROOM: u64 = 10_000;

static TRANSACTION: AtomicU64 = AtomicU64::new(1);

/// One Janus session on its own WebSocket.
struct Session {
    ws: WsStream,
    id: u64,
}

impl Session {
    async fn open(url: &str) -> anyhow::Result<Session> {
        let mut request = url.into_client_request()?;
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", "janus-protocol".parse()?);
        let (ws, _) = tokio::time::timeout(TIMEOUT, tokio_tungstenite::connect_async(request))
            .await
            .context("Janus: connect timed out")??;
        let mut s = Session { ws, id: 0 };
        let created = s.call(json!({"janus": "create"})).await?;
        s.id = created["data"]["id"]
            .as_u64()
            .ok_or_else(|| anyhow::anyhow!("Janus: no session id in {created}"))?;
        Ok(s)
    }

    /// Sends a request and waits for its outcome (skipping `ack` and unrelated events).
    async fn call(&mut self, mut request: Value) -> anyhow::Result<Value> {
        let transaction = TRANSACTION.fetch_add(1, Ordering::Relaxed).to_string();
        request["transaction"] = json!(transaction);
        if self.id != 0 {
            request["session_id"] = json!(self.id);
        }
        self.ws
            .send(Message::Text(request.to_string().into()))
            .await?;
        let reply = tokio::time::timeout(TIMEOUT, async {
            while let Some(m) = self.ws.next().await {
                let Message::Text(text) = m? else { continue };
                let v: Value = serde_json::from_str(&text)?;
                if v["transaction"].as_str() != Some(transaction.as_str()) || v["janus"] == "ack" {
                    continue;
                }
                if v["janus"] == "error" || v["plugindata"]["data"]["error"].is_string() {
                    anyhow::bail!("Janus refused {}: {v}", request["janus"]);
                }
                return Ok(v);
            }
            anyhow::bail!("Janus closed the connection")
        })
        .await
        .context("Janus: no reply")??;
        Ok(reply)
    }

    async fn attach(&mut self) -> anyhow::Result<u64> {
        let attached = self
            .call(json!({"janus": "attach", "plugin": "janus.plugin.videoroom"}))
            .await?;
        attached["data"]["id"]
            .as_u64()
            .ok_or_else(|| anyhow::anyhow!("Janus: no handle id"))
    }

    async fn message(
        &mut self,
        handle: u64,
        body: Value,
        jsep: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut m = json!({"janus": "message", "handle_id": handle, "body": body});
        if let Some(j) = jsep {
            m["jsep"] = j;
        }
        self.call(m).await
    }

    /// Keeps the session alive and drains its events until aborted.
    fn keep(mut self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(KEEPALIVE);
            loop {
                tokio::select! {
                    m = self.ws.next() => if !matches!(m, Some(Ok(_))) { break },
                    _ = tick.tick() => {
                        let k = json!({"janus": "keepalive", "session_id": self.id,
                            "transaction": TRANSACTION.fetch_add(1, Ordering::Relaxed).to_string()});
                        if self.ws.send(Message::Text(k.to_string().into())).await.is_err() {
                            break;
                        }
                    }
                }
            }
        })
    }
}

fn sdp_of(v: &Value) -> anyhow::Result<String> {
    v["jsep"]["sdp"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("Janus: no SDP in {v}"))
}

/// A participant that has published and waits to subscribe.
struct Publisher {
    session: Session,
    feed: u64,
    stats: SharedStats,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    control: mpsc::Sender<Control>,
}

async fn publish(url: &str, room: u64, ip: IpAddr, sender: u32) -> anyhow::Result<Publisher> {
    let mut session = Session::open(url).await?;
    let handle = session.attach().await?;
    let joined = session
        .message(
            handle,
            json!({"request": "join", "ptype": "publisher", "room": room,
                   "display": format!("loadgen-{sender}")}),
            None,
        )
        .await?;
    let feed = joined["plugindata"]["data"]["id"]
        .as_u64()
        .ok_or_else(|| anyhow::anyhow!("Janus: no publisher id"))?;
    let stats = SharedStats::default();
    let (peer, offer) =
        Peer::offerer(ip, sender, &format!("loadgen-{sender}"), Arc::clone(&stats)).await?;
    let (control, control_rx) = mpsc::channel(4);
    let (out, _out_rx) = mpsc::channel(4);
    let media = peer.spawn(control_rx, out);
    let configured = session
        .message(
            handle,
            json!({"request": "publish", "audio": true, "video": true}),
            Some(json!({"type": "offer", "sdp": offer})),
        )
        .await?;
    control.send(Control::Answer(sdp_of(&configured)?)).await?;
    Ok(Publisher {
        session,
        feed,
        stats,
        tasks: vec![media],
        control,
    })
}

async fn subscribe(
    mut p: Publisher,
    room: u64,
    ip: IpAddr,
    feeds: Vec<u64>,
) -> anyhow::Result<Participant> {
    let handle = p.session.attach().await?;
    let streams: Vec<Value> = feeds.iter().map(|f| json!({"feed": f})).collect();
    // Janus only lets a feed be subscribed once its publisher's connection is up: retry
    // "no such feed" (428) for a while.
    let mut tries = 0;
    let attached = loop {
        let r = p
            .session
            .message(
                handle,
                json!({"request": "join", "ptype": "subscriber", "room": room, "streams": streams}),
                None,
            )
            .await;
        match r {
            Err(e) if tries < 100 && e.to_string().contains("\"error_code\":428") => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => break other?,
        }
    };
    let (peer, answer) = Peer::answerer(ip, &sdp_of(&attached)?, Arc::clone(&p.stats)).await?;
    let (control, control_rx) = mpsc::channel(4);
    let (out, _out_rx) = mpsc::channel(4);
    let media = peer.spawn(control_rx, out);
    p.session
        .message(
            handle,
            json!({"request": "start", "room": room}),
            Some(json!({"type": "answer", "sdp": answer})),
        )
        .await?;
    let mut tasks = std::mem::take(&mut p.tasks);
    tasks.push(media);
    tasks.push(p.session.keep());
    // The subscriber's control channel must outlive its peer: park it in a task.
    tasks.push(tokio::spawn(async move {
        let _keep = (control, p.control);
        std::future::pending::<()>().await;
    }));
    Ok(Participant::new(p.stats, tasks))
}

/// Creates room `FIRST_ROOM + n` and brings three participants into it, each publishing
/// audio and video and subscribing to the other two. Sender ids are `3n`, `3n+1`, `3n+2`.
pub async fn start_call(url: &str, n: u32, ip: IpAddr) -> anyhow::Result<Call> {
    let room = FIRST_ROOM + u64::from(n);
    {
        let mut admin = Session::open(url).await?;
        let handle = admin.attach().await?;
        admin
            .message(
                handle,
                json!({"request": "create", "room": room, "publishers": 3,
                       "audiocodec": "opus", "videocodec": "vp8", "bitrate": 0,
                       "is_private": true}),
                None,
            )
            .await?;
        let _ = admin.call(json!({"janus": "destroy"})).await;
    }
    let answered_us = payload::now_us();
    let (a, b, c) = tokio::try_join!(
        publish(url, room, ip, 3 * n),
        publish(url, room, ip, 3 * n + 1),
        publish(url, room, ip, 3 * n + 2)
    )?;
    let feeds = [a.feed, b.feed, c.feed];
    let others = |me: u64| {
        feeds
            .iter()
            .copied()
            .filter(|&f| f != me)
            .collect::<Vec<_>>()
    };
    let (fa, fb, fc) = (others(a.feed), others(b.feed), others(c.feed));
    let (a, b, c) = tokio::try_join!(
        subscribe(a, room, ip, fa),
        subscribe(b, room, ip, fb),
        subscribe(c, room, ip, fc)
    )?;
    Ok(Call {
        id: i64::from(n),
        answered_us,
        participants: vec![a, b, c],
    })
}
