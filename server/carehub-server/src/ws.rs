//! `/api/ws`: the live channel (protocol version 1, documented in docs/signalling.md).
//!
//! A connection authenticates with its first message (`{"type":"auth","token":…}`; browsers
//! cannot set headers on a WebSocket) or an `Authorization: Bearer` header, never a query
//! string, which would end up in proxy logs. Hub staff then get the queue snapshot and every
//! change; care staff get their own home's calls with their place in the queue.
//!
//! Each connection has its own bounded outbox. A client that cannot keep up is disconnected
//! (it reconnects and gets a fresh snapshot) rather than slowing the hub or other clients.
//!
//! Built to hold every care home's tablets at once: an idle connection keeps small socket
//! buffers, tablets are woken only by events that can concern their home
//! ([`crate::hub::Hub::subscribe_home`]), and each event is encoded once for all hub screens.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::request::Parts;
use axum::response::Response;
use carehub_store::{Id, Role};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};

use crate::AppState;
use crate::auth::{Caller, Claims, bearer_token, client_address};
use crate::error::{ApiError, ErrorDetail};
use crate::hub::{CallView, HubEvent};
use crate::live::ConnId;
use crate::live::media::MediaMessage;

/// The protocol version this server speaks.
pub const PROTOCOL: u32 = 1;
/// Largest message accepted from a client; larger ones close the connection (1009).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Messages queued for one client before it counts as too slow.
const OUTBOX: usize = 512;
/// How long a new connection has to authenticate.
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
/// Read buffer of each connection. Client messages are small (a larger one grows the buffer
/// for as long as it takes); tungstenite's default of 128 KiB, allocated and zeroed up front,
/// would cost every idle tablet 128 KiB of memory.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// Messages a client sends.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
enum ClientMessage {
    #[serde(rename = "auth")]
    Auth {
        token: String,
        protocol: Option<u32>,
    },
    #[serde(rename = "ping")]
    Ping { id: Option<u64> },
    #[serde(rename = "queue.resync")]
    Resync,
}

/// Messages the server sends.
#[derive(Debug, Serialize)]
#[serde(tag = "type")]
enum ServerMessage<'a> {
    #[serde(rename = "welcome")]
    Welcome {
        protocol: u32,
        user_id: Id,
        username: &'a str,
        role: &'a str,
        care_home_id: Option<Id>,
    },
    #[serde(rename = "pong")]
    Pong { id: Option<u64> },
    #[serde(rename = "queue.snapshot")]
    QueueSnapshot {
        seq: u64,
        waiting: &'a [Arc<CallView>],
        in_progress: &'a [Arc<CallView>],
    },
    #[serde(rename = "calls.snapshot")]
    CallsSnapshot { calls: Vec<Arc<CallView>> },
    #[serde(rename = "call.changed")]
    CallChanged {
        kind: &'a str,
        call: &'a CallView,
        #[serde(skip_serializing_if = "Option::is_none")]
        order: Option<&'a [Id]>,
    },
    #[serde(rename = "call.ended")]
    CallEnded {
        kind: &'a str,
        call: &'a CallView,
        #[serde(skip_serializing_if = "Option::is_none")]
        order: Option<&'a [Id]>,
    },
    #[serde(rename = "call.breached")]
    CallBreached {
        call: &'a CallView,
        from: &'a str,
        to: &'a str,
        order: &'a [Id],
    },
    #[serde(rename = "call.photo")]
    CallPhoto {
        call_id: Id,
        photo: &'a crate::photo::PhotoView,
    },
    #[serde(rename = "call.position")]
    CallPosition {
        call_id: Id,
        position: usize,
        level: &'a str,
    },
    #[serde(rename = "error")]
    Error {
        #[serde(flatten)]
        error: ErrorDetail,
    },
}

fn encode(message: &ServerMessage<'_>) -> Option<Message> {
    serde_json::to_string(message)
        .ok()
        .map(|t| Message::Text(t.into()))
}

fn error_message(code: &'static str, message: impl Into<String>) -> Option<Message> {
    encode(&ServerMessage::Error {
        error: ErrorDetail {
            code: code.to_owned(),
            message: message.into(),
            field: None,
        },
    })
}

/// A header-authenticated caller, if the upgrade request carried one.
pub struct MaybeCaller(Option<(Caller, i64)>);

impl axum::extract::FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(token) = bearer_token(parts) else {
            return Ok(MaybeCaller(None));
        };
        let claims = state.tokens.verify(token)?;
        let exp = claims.exp;
        Ok(MaybeCaller(Some((
            Caller::from_claims(claims, client_address(parts))?,
            exp,
        ))))
    }
}

/// The live channel: queue and call updates (protocol 1, see docs/signalling.md).
#[utoipa::path(get, path = "/api/ws", tag = "live",
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 401, description = "A bearer header was sent and is invalid", body = crate::error::ErrorBody)
    ))]
pub async fn upgrade(
    State(state): State<AppState>,
    caller: MaybeCaller,
    ws: WebSocketUpgrade,
) -> Response {
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        // Every message is flushed as it is sent; nothing waits to fill a write buffer.
        .write_buffer_size(0)
        .on_upgrade(move |socket| connection(socket, state, caller.0))
}

async fn connection(socket: WebSocket, state: AppState, header: Option<(Caller, i64)>) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut outbox) = mpsc::channel::<Message>(OUTBOX);
    let writer = tokio::spawn(async move {
        while let Some(message) = outbox.recv().await {
            let close = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || close {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let authed = match header {
        Some(c) => Some(c),
        None => authenticate(&mut stream, &state, &out).await,
    };
    if let Some((caller, exp)) = authed {
        let conn = state.live.connect(caller.user_id, out.clone());
        let session = Session {
            state: state.clone(),
            caller: caller.clone(),
            out: out.clone(),
            positions: HashMap::new(),
            conn,
        };
        session.run(&mut stream, exp).await;
        // A closed live channel does not end media that is still flowing: the browser
        // reconnects and reattaches. Media that is down leaves at once (the browser rejoins).
        let media = state.media_context();
        for (call, user) in state.live.disconnect(conn) {
            media.detached(call, user, conn, &caller).await;
        }
    }
    drop(out);
    let _ = writer.await;
}

async fn authenticate(
    stream: &mut futures_util::stream::SplitStream<WebSocket>,
    state: &AppState,
    out: &mpsc::Sender<Message>,
) -> Option<(Caller, i64)> {
    let first = tokio::time::timeout(AUTH_TIMEOUT, stream.next()).await;
    let refuse = |code: &'static str, message: &str| {
        let out = out.clone();
        let message = message.to_owned();
        async move {
            if let Some(m) = error_message(code, message) {
                let _ = out.send(m).await;
            }
            let _ = out.send(Message::Close(None)).await;
        }
    };
    let text = match first {
        Ok(Some(Ok(Message::Text(text)))) => text,
        Ok(Some(Ok(_))) => {
            refuse(
                "auth_required",
                "send {\"type\":\"auth\",\"token\":…} first",
            )
            .await;
            return None;
        }
        Err(_) => {
            refuse("auth_timeout", "no auth message within 10 seconds").await;
            return None;
        }
        Ok(_) => return None,
    };
    let token = match serde_json::from_str::<ClientMessage>(&text) {
        Ok(ClientMessage::Auth { token, protocol }) if protocol.unwrap_or(PROTOCOL) == PROTOCOL => {
            token
        }
        Ok(ClientMessage::Auth { .. }) => {
            refuse("unsupported_protocol", "this server speaks protocol 1").await;
            return None;
        }
        _ => {
            refuse(
                "auth_required",
                "send {\"type\":\"auth\",\"token\":…} first",
            )
            .await;
            return None;
        }
    };
    let verified = state.tokens.verify(&token).and_then(|claims: Claims| {
        let exp = claims.exp;
        Caller::from_claims(claims, None).map(|c| (c, exp))
    });
    match verified {
        Ok(c) => Some(c),
        Err(_) => {
            refuse("unauthenticated", "sign-in token is invalid or has expired").await;
            None
        }
    }
}

struct Session {
    state: AppState,
    caller: Caller,
    out: mpsc::Sender<Message>,
    /// Last position sent to care staff, per call.
    positions: HashMap<Id, usize>,
    /// This connection in the live registry (video participants are tied to it).
    conn: ConnId,
}

impl Session {
    fn is_hub(&self) -> bool {
        matches!(self.caller.role, Role::HubNurse | Role::Clinician)
    }

    /// Queues a message; `false` when the client is too slow or gone (the connection ends).
    fn send(&self, message: Option<Message>) -> bool {
        match message {
            Some(m) => self.out.try_send(m).is_ok(),
            None => true,
        }
    }

    async fn run(mut self, stream: &mut futures_util::stream::SplitStream<WebSocket>, exp: i64) {
        let c = &self.caller;
        let role = c.role;
        let home = c.care_home_id;
        let user = c.user_id;
        let welcome = encode(&ServerMessage::Welcome {
            protocol: PROTOCOL,
            user_id: user,
            username: &c.username,
            role: role.as_str(),
            care_home_id: home,
        });
        // Tablets read only their home's events; hub screens (and admins, who ignore them)
        // read every event.
        let mut events = match (role, home) {
            (Role::CareStaff, Some(home)) => self.state.hub.subscribe_home(home),
            _ => self.state.hub.subscribe(),
        };
        self.state.hub.presence(user, role, home, true).await;
        tracing::info!(user_id = user, role = role.as_str(), "live channel opened");
        let expires = tokio::time::Instant::now()
            + Duration::from_secs(
                u64::try_from(exp - time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0),
            );
        if self.send(welcome) && self.send_snapshot() {
            self.pump(stream, &mut events, expires).await;
        }
        self.state.hub.presence(user, role, home, false).await;
        tracing::info!(user_id = user, "live channel closed");
    }

    async fn pump(
        &mut self,
        stream: &mut futures_util::stream::SplitStream<WebSocket>,
        events: &mut broadcast::Receiver<HubEvent>,
        expires: tokio::time::Instant,
    ) {
        let expiry = tokio::time::sleep_until(expires);
        tokio::pin!(expiry);
        loop {
            let alive = tokio::select! {
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => self.on_text(&text).await,
                    Some(Ok(Message::Binary(_))) => self.send(error_message("unsupported", "binary messages are not part of the protocol")),
                    Some(Ok(Message::Close(_))) | None => false,
                    Some(Ok(_)) => true,
                    Some(Err(e)) => {
                        tracing::info!(error = %e, "live channel read failed");
                        false
                    }
                },
                event = events.recv() => match event {
                    Ok(event) => self.on_event(&event),
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "live channel lagged: sending a fresh snapshot");
                        self.send_snapshot()
                    }
                    Err(broadcast::error::RecvError::Closed) => false,
                },
                () = &mut expiry => {
                    self.send(error_message("token_expired", "your sign-in has expired; sign in again"));
                    let _ = self.out.try_send(Message::Close(None));
                    false
                }
            };
            if !alive {
                break;
            }
        }
    }

    async fn on_text(&mut self, text: &str) -> bool {
        let is_media = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| {
                v.get("type")
                    .and_then(|t| t.as_str())
                    .map(|t| t.starts_with("media."))
            })
            .unwrap_or(false);
        if is_media {
            return match serde_json::from_str::<MediaMessage>(text) {
                Ok(message) => {
                    let replies = self
                        .state
                        .media_context()
                        .handle(&self.caller, self.conn, message)
                        .await;
                    replies
                        .into_iter()
                        .all(|r| self.send(Some(Message::Text(r.into()))))
                }
                Err(e) => self.send(error_message(
                    "invalid_message",
                    format!("message not understood: {e}"),
                )),
            };
        }
        match serde_json::from_str::<ClientMessage>(text) {
            Ok(ClientMessage::Ping { id }) => self.send(encode(&ServerMessage::Pong { id })),
            Ok(ClientMessage::Resync) => self.send_snapshot(),
            Ok(ClientMessage::Auth { .. }) => self.send(error_message(
                "already_authenticated",
                "this connection is already signed in",
            )),
            Err(e) => self.send(error_message(
                "invalid_message",
                format!("message not understood: {e}"),
            )),
        }
    }

    fn send_snapshot(&mut self) -> bool {
        let snapshot = self.state.hub.snapshot();
        if self.is_hub() {
            return self.send(encode(&ServerMessage::QueueSnapshot {
                seq: snapshot.seq,
                waiting: &snapshot.waiting,
                in_progress: &snapshot.in_progress,
            }));
        }
        let Some(home) = self.caller.care_home_id else {
            return true;
        };
        let calls = self.state.hub.open_calls_of_home(home);
        self.positions = calls
            .iter()
            .filter_map(|c| c.position.map(|p| (c.id, p)))
            .collect();
        self.send(encode(&ServerMessage::CallsSnapshot { calls }))
    }

    /// Whether this connection's user is one of the call's own people, who see its photos: the
    /// home's care staff, the nurse holding it, clinicians invited into it.
    fn is_in_call(&self, call: &CallView) -> bool {
        let me = self.caller.user_id;
        match self.caller.role {
            Role::CareStaff => self.caller.care_home_id == Some(call.care_home.id),
            Role::HubNurse => call.holder.as_ref().is_some_and(|h| h.id == me),
            Role::Clinician => call.invited.iter().any(|c| c.id == me),
            Role::Admin => false,
        }
    }

    fn on_event(&mut self, event: &HubEvent) -> bool {
        if let HubEvent::Photo { call, .. } = event {
            return !self.is_in_call(call) || self.send(hub_message(event));
        }
        if self.is_hub() {
            return self.send(hub_message(event));
        }
        let Some(home) = self.caller.care_home_id else {
            return true;
        };
        let call = event.call();
        let mut ok = true;
        if call.care_home.id == home {
            let message = match event {
                HubEvent::Ended { kind, .. } => ServerMessage::CallEnded {
                    kind,
                    call,
                    order: None,
                },
                HubEvent::Changed { kind, .. } => ServerMessage::CallChanged {
                    kind,
                    call,
                    order: None,
                },
                HubEvent::Breached { .. } => ServerMessage::CallChanged {
                    kind: "breached",
                    call,
                    order: None,
                },
                // Handled at the top (photos go to the call's people, not by home); kept so
                // the match stays exhaustive.
                HubEvent::Photo { photo, .. } => ServerMessage::CallPhoto {
                    call_id: call.id,
                    photo,
                },
            };
            ok = self.send(encode(&message));
            match call.position {
                Some(p) => self.positions.insert(call.id, p),
                None => self.positions.remove(&call.id),
            };
        }
        ok && self.send_position_changes()
    }

    /// Tells care staff when their waiting calls move in the queue because of other calls.
    fn send_position_changes(&mut self) -> bool {
        let Some(home) = self.caller.care_home_id else {
            return true;
        };
        let mut ok = true;
        for call in self.state.hub.open_calls_of_home(home) {
            let Some(position) = call.position else {
                continue;
            };
            if self.positions.get(&call.id) != Some(&position) {
                self.positions.insert(call.id, position);
                ok &= self.send(encode(&ServerMessage::CallPosition {
                    call_id: call.id,
                    position,
                    level: &call.level,
                }));
            }
        }
        ok
    }
}

/// The hub screens' message for an event (and a photo's message for everyone it reaches):
/// encoded by the first connection, shared by the rest.
fn hub_message(event: &HubEvent) -> Option<Message> {
    event
        .wire()
        .get_or_encode(|| {
            let message = match event {
                HubEvent::Changed {
                    call, kind, order, ..
                } => ServerMessage::CallChanged {
                    kind,
                    call,
                    order: Some(order),
                },
                HubEvent::Ended {
                    call, kind, order, ..
                } => ServerMessage::CallEnded {
                    kind,
                    call,
                    order: Some(order),
                },
                HubEvent::Breached {
                    call, from, order, ..
                } => ServerMessage::CallBreached {
                    call,
                    from: from.as_str(),
                    to: &call.level,
                    order,
                },
                HubEvent::Photo { call, photo, .. } => ServerMessage::CallPhoto {
                    call_id: call.id,
                    photo,
                },
            };
            serde_json::to_string(&message).ok().map(Into::into)
        })
        .map(Message::Text)
}
