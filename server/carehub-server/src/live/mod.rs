//! Who is connected, and who is in each call's video: the registry that lets the server send a
//! message to one participant's connection (an SDP offer, a quality sample) or to everyone in a
//! call's video (the participant list, "the call has ended").
//!
//! It is touched on signalling only (a join, a leave, an offer), never per media packet; its
//! mutex guards short map operations and is never held across an `.await`.

pub mod media;
pub mod turn;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use axum::extract::ws::Message;
use carehub_store::{Id, Role};
use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// A connection's id in the registry.
pub type ConnId = u64;

/// One participant of a call's video, as every participant sees them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ParticipantView {
    /// User id.
    pub user_id: Id,
    /// Display name.
    pub name: String,
    /// Role code.
    pub role: &'static str,
    /// The media stream id their audio and video arrive under.
    pub stream_id: String,
    /// Their media connection is up.
    pub connected: bool,
    /// They muted their microphone.
    pub muted: bool,
    /// They turned their camera off.
    pub camera_off: bool,
    /// When they joined.
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
}

struct Participant {
    conn: ConnId,
    view: ParticipantView,
}

#[derive(Default)]
struct Inner {
    next: ConnId,
    conns: HashMap<ConnId, mpsc::Sender<Message>>,
    /// Whose each connection is, for "who is online".
    owners: HashMap<ConnId, Id>,
    calls: HashMap<Id, BTreeMap<Id, Participant>>,
}

/// The registry. Shared as part of `AppState`.
#[derive(Default)]
pub struct Live {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Live")
    }
}

fn send(conns: &HashMap<ConnId, mpsc::Sender<Message>>, conn: ConnId, message: &str) {
    if let Some(tx) = conns.get(&conn) {
        let _ = tx.try_send(Message::Text(message.to_owned().into()));
    }
}

impl Live {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a user's connection and its outbox.
    pub fn connect(&self, user: Id, outbox: mpsc::Sender<Message>) -> ConnId {
        let mut inner = self.lock();
        inner.next += 1;
        let id = inner.next;
        inner.conns.insert(id, outbox);
        inner.owners.insert(id, user);
        id
    }

    /// Users with at least one live connection (for "clinicians online").
    pub fn online_users(&self) -> std::collections::HashSet<Id> {
        self.lock().owners.values().copied().collect()
    }

    /// Forgets a connection; returns the calls whose video it was in (to leave them).
    pub fn disconnect(&self, conn: ConnId) -> Vec<(Id, Id)> {
        let mut inner = self.lock();
        inner.conns.remove(&conn);
        inner.owners.remove(&conn);
        inner
            .calls
            .iter()
            .flat_map(|(call, ps)| {
                ps.iter()
                    .filter(|(_, p)| p.conn == conn)
                    .map(|(u, _)| (*call, *u))
            })
            .collect()
    }

    /// Records that `user` joined `call`'s video from `conn` (replacing an earlier connection).
    pub fn join(&self, call: Id, user: Id, name: String, role: Role, conn: ConnId) {
        let mut inner = self.lock();
        let view = ParticipantView {
            user_id: user,
            name,
            role: role.as_str(),
            stream_id: format!("participant-{user}"),
            connected: false,
            muted: false,
            camera_off: false,
            joined_at: OffsetDateTime::now_utc(),
        };
        inner
            .calls
            .entry(call)
            .or_default()
            .insert(user, Participant { conn, view });
    }

    /// Removes `user` from `call`'s video; true when they were there.
    pub fn leave(&self, call: Id, user: Id) -> bool {
        let mut inner = self.lock();
        let Some(ps) = inner.calls.get_mut(&call) else {
            return false;
        };
        let was = ps.remove(&user).is_some();
        if ps.is_empty() {
            inner.calls.remove(&call);
        }
        was
    }

    /// Whether `user` is in `call`'s video from `conn`.
    pub fn is_participant(&self, call: Id, user: Id, conn: ConnId) -> bool {
        self.lock()
            .calls
            .get(&call)
            .and_then(|ps| ps.get(&user))
            .is_some_and(|p| p.conn == conn)
    }

    /// Moves `user`'s place in `call`'s video to `conn`, their newer live channel: a channel
    /// that reconnects keeps a healthy media leg. The old channel may still look open (a socket
    /// left half-open by a dropped link is only noticed much later), so the newest channel of
    /// the same user wins, as a fresh join would. True when moved.
    pub fn reattach(&self, call: Id, user: Id, conn: ConnId) -> bool {
        let mut inner = self.lock();
        let Inner { owners, calls, .. } = &mut *inner;
        if owners.get(&conn) != Some(&user) {
            return false;
        }
        match calls.get_mut(&call).and_then(|ps| ps.get_mut(&user)) {
            Some(p) if p.conn != conn => {
                p.conn = conn;
                true
            }
            _ => false,
        }
    }

    /// Whether `user` is in `call`'s video still on the closed connection `conn` (nobody has
    /// reattached or rejoined since).
    pub fn is_detached(&self, call: Id, user: Id, conn: ConnId) -> bool {
        let inner = self.lock();
        inner
            .calls
            .get(&call)
            .and_then(|ps| ps.get(&user))
            .is_some_and(|p| p.conn == conn && !inner.conns.contains_key(&conn))
    }

    /// Whether `user`'s media in `call` is up.
    pub fn is_media_connected(&self, call: Id, user: Id) -> bool {
        self.lock()
            .calls
            .get(&call)
            .and_then(|ps| ps.get(&user))
            .is_some_and(|p| p.view.connected)
    }

    /// Updates a participant's flags; false when they are not in the call.
    pub fn update(&self, call: Id, user: Id, change: impl FnOnce(&mut ParticipantView)) -> bool {
        let mut inner = self.lock();
        match inner.calls.get_mut(&call).and_then(|ps| ps.get_mut(&user)) {
            Some(p) => {
                change(&mut p.view);
                true
            }
            None => false,
        }
    }

    /// Everyone in a call's video.
    pub fn participants(&self, call: Id) -> Vec<ParticipantView> {
        self.lock()
            .calls
            .get(&call)
            .map(|ps| ps.values().map(|p| p.view.clone()).collect())
            .unwrap_or_default()
    }

    /// Sends to one participant's connection.
    pub fn send_to(&self, call: Id, user: Id, message: &str) {
        let inner = self.lock();
        if let Some(p) = inner.calls.get(&call).and_then(|ps| ps.get(&user)) {
            send(&inner.conns, p.conn, message);
        }
    }

    /// Sends to every participant of a call's video, optionally only those with one of `roles`.
    pub fn send_to_call(&self, call: Id, roles: Option<&[Role]>, message: &str) {
        let inner = self.lock();
        let Some(ps) = inner.calls.get(&call) else {
            return;
        };
        for p in ps.values() {
            if roles.is_none_or(|r| r.iter().any(|role| role.as_str() == p.view.role)) {
                send(&inner.conns, p.conn, message);
            }
        }
    }

    /// Ends a call's video: tells every participant and forgets them.
    pub fn end_call(&self, call: Id, message: &str) {
        let mut inner = self.lock();
        if let Some(ps) = inner.calls.remove(&call) {
            for p in ps.values() {
                send(&inner.conns, p.conn, message);
            }
        }
    }

    /// Calls with video participants (for metrics and tests).
    pub fn calls_with_video(&self) -> usize {
        self.lock().calls.len()
    }
}
