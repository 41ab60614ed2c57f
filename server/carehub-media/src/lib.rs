//! The media relay: a selective forwarding unit for CareHub's video calls, built on str0m.
//!
//! Each participant of a call holds one peer connection (a *leg*) to the relay; audio and video
//! from each leg are forwarded to every other leg of the same *room*. One UDP port serves every
//! leg of every room: the [`router`] task owns the socket and hands each datagram to its room by
//! the STUN username (ICE ufrag) and then by the 5-tuple it learned. One task per room owns all
//! of that room's legs, so the media path takes no locks and a panic ends one room, never the
//! server.
//!
//! This crate knows rooms, participants and tracks by opaque ids only. Who may join which room
//! is decided by the server; nothing here knows residents, urgency, users, HTTP or JSON.

mod adapt;
mod leg;
mod metrics;
mod room;
mod router;
mod stun;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

pub use metrics::MediaMetrics;

/// A room: one call's media session. The server uses the call id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomId(pub i64);

/// A participant in a room. The server uses the user id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParticipantId(pub i64);

/// Settings for the relay.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// Address the UDP socket binds to (port 0 picks a free port).
    pub udp_bind: SocketAddr,
    /// Address advertised in ICE candidates, for a server behind NAT; defaults to the bound IP.
    pub public_ip: Option<IpAddr>,
    /// Rooms allowed at once.
    pub max_rooms: usize,
    /// Participants allowed in one room.
    pub max_participants: usize,
    /// How often connection quality is sampled per leg.
    pub stats_interval: Duration,
    /// Fit what each receiver is sent to its estimated downlink (simulcast layer choice, video
    /// paused when even the lowest layer does not fit). Off: every receiver gets the top layer.
    pub adaptation: bool,
}

/// Why the relay refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// The SDP could not be parsed or negotiated.
    #[error("the session description was not accepted: {0}")]
    BadSdp(String),
    /// The ICE candidate could not be parsed.
    #[error("the ICE candidate was not accepted: {0}")]
    BadCandidate(String),
    /// The participant has no leg in that room.
    #[error("not in this media session")]
    NotJoined,
    /// An answer arrived with no offer outstanding.
    #[error("no offer is waiting for an answer")]
    NoPendingOffer,
    /// Too many rooms or participants.
    #[error("the media relay is full: {0}")]
    Full(&'static str),
    /// The room has ended.
    #[error("the media session has ended")]
    RoomClosed,
}

/// Something the server must act on (relay it to a client, or record it).
#[derive(Debug, Clone, PartialEq)]
pub enum MediaEvent {
    /// The relay renegotiates (a participant joined or left): send this offer to the client.
    Offer {
        /// Room.
        room: RoomId,
        /// Whose leg.
        participant: ParticipantId,
        /// SDP offer.
        sdp: String,
    },
    /// A leg's ICE and DTLS are up: media flows.
    Connected {
        /// Room.
        room: RoomId,
        /// Whose leg.
        participant: ParticipantId,
    },
    /// A leg's connection was lost (the participant may come back with an ICE restart or a
    /// fresh join).
    Disconnected {
        /// Room.
        room: RoomId,
        /// Whose leg.
        participant: ParticipantId,
    },
    /// A connection quality sample.
    Quality {
        /// Room.
        room: RoomId,
        /// Whose leg.
        participant: ParticipantId,
        /// The sample.
        quality: Quality,
    },
    /// The relay stopped sending `sender`'s video to `receiver`: even its lowest layer does not
    /// fit the receiver's downlink. Sound carries on.
    VideoPaused {
        /// Room.
        room: RoomId,
        /// Whose downlink is too weak.
        receiver: ParticipantId,
        /// Whose video is paused.
        sender: ParticipantId,
    },
    /// The relay sends `sender`'s video to `receiver` again.
    VideoResumed {
        /// Room.
        room: RoomId,
        /// Whose downlink recovered.
        receiver: ParticipantId,
        /// Whose video is back.
        sender: ParticipantId,
    },
    /// The room ended (closed by the server, or its task failed).
    RoomClosed {
        /// Room.
        room: RoomId,
    },
}

/// One leg's connection quality over the last sampling interval, both ways.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    /// Round-trip time between relay and participant.
    pub rtt_ms: Option<u32>,
    /// Fraction of the participant's packets lost on the way to the relay (0-1): their uplink.
    pub loss: Option<f32>,
    /// Bitrate received from the participant, kbit/s.
    pub rx_kbps: u32,
    /// Bitrate sent to the participant, kbit/s.
    pub tx_kbps: u32,
    /// The relay's estimate of the participant's downlink, kbit/s (adaptation on, once known).
    pub down_estimate_kbps: Option<u32>,
    /// Worst fraction of the relay's packets the participant reported lost: their downlink.
    pub down_loss: Option<f32>,
    /// Others' videos paused to this participant for a weak downlink.
    pub videos_paused: u32,
    /// Others' videos forwarded (or paused) to this participant.
    pub videos_forwarded: u32,
}

/// The server's answer to a join or a client offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// SDP answer for the client.
    pub sdp: String,
}

/// Commands a room task accepts.
#[derive(Debug)]
pub(crate) enum RoomCommand {
    Join {
        participant: ParticipantId,
        offer: String,
        reply: oneshot::Sender<Result<Answer, MediaError>>,
    },
    Offer {
        participant: ParticipantId,
        offer: String,
        reply: oneshot::Sender<Result<Answer, MediaError>>,
    },
    Answer {
        participant: ParticipantId,
        answer: String,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    Candidate {
        participant: ParticipantId,
        candidate: String,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    Leave {
        participant: ParticipantId,
    },
    Close,
    Datagram(router::Datagram),
}

/// Handle to the relay. Cheap to clone.
#[derive(Clone)]
pub struct MediaServer {
    inner: Arc<Inner>,
}

struct Inner {
    config: MediaConfig,
    local_addr: SocketAddr,
    advertised: SocketAddr,
    socket: Arc<UdpSocket>,
    router: mpsc::Sender<router::Control>,
    events: mpsc::Sender<MediaEvent>,
    metrics: Arc<MediaMetrics>,
    /// Signalling-path registry of room tasks (never touched per packet).
    rooms: Mutex<HashMap<RoomId, mpsc::Sender<RoomCommand>>>,
}

impl std::fmt::Debug for MediaServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaServer")
            .field("local_addr", &self.inner.local_addr)
            .finish_non_exhaustive()
    }
}

/// Commands queued per room before senders wait.
const ROOM_QUEUE: usize = 4096;

impl MediaServer {
    /// Binds the UDP port and starts the router. Events arrive on the returned receiver.
    pub async fn start(
        config: MediaConfig,
    ) -> std::io::Result<(MediaServer, mpsc::Receiver<MediaEvent>)> {
        install_crypto();
        let socket = Arc::new(UdpSocket::bind(config.udp_bind).await?);
        let local_addr = socket.local_addr()?;
        let ip = config.public_ip.unwrap_or_else(|| {
            if local_addr.ip().is_unspecified() {
                IpAddr::from([127, 0, 0, 1])
            } else {
                local_addr.ip()
            }
        });
        let advertised = SocketAddr::new(ip, local_addr.port());
        let metrics = Arc::new(MediaMetrics::default());
        let (events, events_rx) = mpsc::channel(ROOM_QUEUE);
        let router = router::spawn(Arc::clone(&socket), advertised, Arc::clone(&metrics));
        tracing::info!(%local_addr, %advertised, "media relay listening");
        let inner = Inner {
            config,
            local_addr,
            advertised,
            socket,
            router,
            events,
            metrics,
            rooms: Mutex::new(HashMap::new()),
        };
        Ok((
            MediaServer {
                inner: Arc::new(inner),
            },
            events_rx,
        ))
    }

    /// The UDP address the socket is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.local_addr
    }

    /// The relay's counters.
    pub fn metrics(&self) -> Arc<MediaMetrics> {
        Arc::clone(&self.inner.metrics)
    }

    fn room(&self, room: RoomId) -> Option<mpsc::Sender<RoomCommand>> {
        let rooms = self.inner.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms.get(&room).filter(|tx| !tx.is_closed()).cloned()
    }

    fn room_or_create(&self, room: RoomId) -> Result<mpsc::Sender<RoomCommand>, MediaError> {
        let mut rooms = self.inner.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms.retain(|_, tx| !tx.is_closed());
        if let Some(tx) = rooms.get(&room) {
            return Ok(tx.clone());
        }
        if rooms.len() >= self.inner.config.max_rooms {
            return Err(MediaError::Full("too many calls in progress"));
        }
        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
        let ctx = room::RoomContext {
            id: room,
            socket: Arc::clone(&self.inner.socket),
            advertised: self.inner.advertised,
            router: self.inner.router.clone(),
            events: self.inner.events.clone(),
            metrics: Arc::clone(&self.inner.metrics),
            max_participants: self.inner.config.max_participants,
            stats_interval: self.inner.config.stats_interval,
            adaptation: self.inner.config.adaptation,
            commands: tx.clone(),
        };
        room::spawn(ctx, rx);
        rooms.insert(room, tx.clone());
        Ok(tx)
    }

    async fn ask<T>(
        tx: mpsc::Sender<RoomCommand>,
        make: impl FnOnce(oneshot::Sender<Result<T, MediaError>>) -> RoomCommand,
    ) -> Result<T, MediaError> {
        let (reply, answer) = oneshot::channel();
        tx.send(make(reply))
            .await
            .map_err(|_| MediaError::RoomClosed)?;
        answer.await.map_err(|_| MediaError::RoomClosed)?
    }

    /// Joins `participant` to `room` (creating it) with the client's offer; a participant who
    /// is already there is replaced (a fresh join after a network drop).
    pub async fn join(
        &self,
        room: RoomId,
        participant: ParticipantId,
        offer: String,
    ) -> Result<Answer, MediaError> {
        let tx = self.room_or_create(room)?;
        Self::ask(tx, |reply| RoomCommand::Join {
            participant,
            offer,
            reply,
        })
        .await
    }

    /// A new offer from a participant already in the room (ICE restart, new tracks).
    pub async fn offer(
        &self,
        room: RoomId,
        participant: ParticipantId,
        offer: String,
    ) -> Result<Answer, MediaError> {
        let tx = self.room(room).ok_or(MediaError::NotJoined)?;
        Self::ask(tx, |reply| RoomCommand::Offer {
            participant,
            offer,
            reply,
        })
        .await
    }

    /// The client's answer to the relay's last offer.
    pub async fn answer(
        &self,
        room: RoomId,
        participant: ParticipantId,
        answer: String,
    ) -> Result<(), MediaError> {
        let tx = self.room(room).ok_or(MediaError::NotJoined)?;
        Self::ask(tx, |reply| RoomCommand::Answer {
            participant,
            answer,
            reply,
        })
        .await
    }

    /// A trickled ICE candidate from the client (`candidate:…` attribute text).
    pub async fn candidate(
        &self,
        room: RoomId,
        participant: ParticipantId,
        candidate: String,
    ) -> Result<(), MediaError> {
        let tx = self.room(room).ok_or(MediaError::NotJoined)?;
        Self::ask(tx, |reply| RoomCommand::Candidate {
            participant,
            candidate,
            reply,
        })
        .await
    }

    /// Removes a participant's leg; the others are renegotiated.
    pub async fn leave(&self, room: RoomId, participant: ParticipantId) {
        if let Some(tx) = self.room(room) {
            let _ = tx.send(RoomCommand::Leave { participant }).await;
        }
    }

    /// Ends the room: every leg closed, every map entry removed, the task ends.
    pub async fn close(&self, room: RoomId) {
        let tx = {
            let mut rooms = self.inner.rooms.lock().unwrap_or_else(|p| p.into_inner());
            rooms.remove(&room)
        };
        if let Some(tx) = tx {
            let _ = tx.send(RoomCommand::Close).await;
        }
    }

    /// Rooms with a live task.
    pub fn room_count(&self) -> usize {
        let rooms = self.inner.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms.values().filter(|tx| !tx.is_closed()).count()
    }
}

fn install_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
}
