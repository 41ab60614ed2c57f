//! One participant's peer connection to the relay: its str0m `Rtc`, the tracks it sends us
//! (`tracks_in`) and the tracks we forward to it (`tracks_out`), and the renegotiation that
//! adds and removes forwarded tracks as others join and leave.
//!
//! Forwarding works on depacketised frames: each leg writes with its own SSRCs and its own
//! negotiated payload types, answers NACKs from its own send buffer and terminates RTCP, so
//! no leg sees another's RTP numbering.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::media::{Direction, KeyframeRequestKind, MediaData, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};
use tokio::net::UdpSocket;

use crate::metrics::MediaMetrics;
use crate::{MediaError, ParticipantId};

/// Keyframe requests to one sender's track are sent at most this often.
const KEYFRAME_THROTTLE: Duration = Duration::from_millis(500);

/// A track the participant sends us.
#[derive(Debug)]
pub(crate) struct TrackIn {
    pub mid: Mid,
    pub kind: MediaKind,
    last_keyframe_request: Option<Instant>,
}

/// Where a forwarded track is in its negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutState {
    ToOpen,
    Negotiating(Mid),
    Open(Mid),
    ToStop(Mid),
    NegotiatingStop(Mid),
}

/// A track of another participant that we forward to this one.
#[derive(Debug)]
pub(crate) struct TrackOut {
    pub source: ParticipantId,
    pub source_mid: Mid,
    pub kind: MediaKind,
    pub state: OutState,
}

/// What draining a leg produced that concerns the rest of the room.
#[derive(Debug)]
pub(crate) enum Produced {
    /// A new incoming track: forward it to everyone else.
    TrackIn(Mid, MediaKind),
    /// A frame to forward (boxed: frames are large next to the other variants).
    Media(Box<MediaData>),
    /// This participant's decoder wants a keyframe of a forwarded track.
    KeyframeWanted {
        source: ParticipantId,
        source_mid: Mid,
        kind: KeyframeRequestKind,
    },
    /// ICE and DTLS are up.
    Connected,
    /// ICE lost the peer.
    Disconnected,
    /// A quality sample.
    Quality {
        rtt_ms: Option<u32>,
        loss: Option<f32>,
        rx_kbps: u32,
        tx_kbps: u32,
    },
}

/// One participant's peer connection.
pub(crate) struct Leg {
    pub participant: ParticipantId,
    pub rtc: Rtc,
    pub ufrag: String,
    pub tracks_in: Vec<TrackIn>,
    pub tracks_out: Vec<TrackOut>,
    pending: Option<SdpPendingOffer>,
    pub connected: bool,
    last_peer: Option<(Instant, u64, u64)>,
}

/// The parser's complaint, minus lines that carry internal pointers (never sent to clients).
fn bad_sdp(e: impl std::fmt::Display) -> MediaError {
    let text = e.to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains("PointerOffset") && !l.contains("0x"))
        .collect();
    MediaError::BadSdp(if lines.is_empty() {
        "malformed".to_owned()
    } else {
        lines.join("; ")
    })
}

impl Leg {
    /// A leg for `participant`, answering their first offer.
    pub fn new(
        participant: ParticipantId,
        offer: &str,
        advertised: SocketAddr,
        stats_interval: Duration,
        now: Instant,
    ) -> Result<(Leg, String), MediaError> {
        let offer = SdpOffer::from_sdp_string(offer).map_err(bad_sdp)?;
        let mut rtc = Rtc::builder()
            .set_ice_lite(true)
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .enable_h264(true)
            .set_stats_interval(Some(stats_interval))
            .build(now);
        let candidate = Candidate::host(advertised, "udp")
            .map_err(|e| MediaError::BadCandidate(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let answer: SdpAnswer = rtc.sdp_api().accept_offer(offer).map_err(bad_sdp)?;
        let ufrag = rtc.direct_api().local_ice_credentials().ufrag;
        let leg = Leg {
            participant,
            rtc,
            ufrag,
            tracks_in: Vec::new(),
            tracks_out: Vec::new(),
            pending: None,
            connected: false,
            last_peer: None,
        };
        Ok((leg, answer.to_sdp_string()))
    }

    /// A new offer from the client (ICE restart or changed tracks). An offer of ours still
    /// waiting for an answer is abandoned (the client's offer wins the glare) and re-made later.
    pub fn accept_offer(&mut self, offer: &str) -> Result<String, MediaError> {
        let offer = SdpOffer::from_sdp_string(offer).map_err(bad_sdp)?;
        if self.pending.take().is_some() {
            for t in &mut self.tracks_out {
                t.state = match t.state {
                    OutState::Negotiating(_) => OutState::ToOpen,
                    OutState::NegotiatingStop(m) => OutState::ToStop(m),
                    s => s,
                };
            }
        }
        let answer = self.rtc.sdp_api().accept_offer(offer).map_err(bad_sdp)?;
        Ok(answer.to_sdp_string())
    }

    /// The client's answer to our offer; returns the forwarded video tracks that just opened
    /// (they need a keyframe from their sender so the picture starts at once).
    pub fn accept_answer(&mut self, answer: &str) -> Result<Vec<(ParticipantId, Mid)>, MediaError> {
        let answer = SdpAnswer::from_sdp_string(answer).map_err(bad_sdp)?;
        let pending = self.pending.take().ok_or(MediaError::NoPendingOffer)?;
        self.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(bad_sdp)?;
        let mut opened = Vec::new();
        for t in &mut self.tracks_out {
            if let OutState::Negotiating(m) = t.state {
                t.state = OutState::Open(m);
                if t.kind == MediaKind::Video {
                    opened.push((t.source, t.source_mid));
                }
            }
        }
        self.tracks_out
            .retain(|t| !matches!(t.state, OutState::NegotiatingStop(_)));
        Ok(opened)
    }

    /// A trickled remote candidate.
    pub fn add_candidate(&mut self, text: &str) -> Result<(), MediaError> {
        let text = text.trim();
        let line = text.strip_prefix("a=").unwrap_or(text);
        let candidate = Candidate::from_sdp_string(line)
            .map_err(|e| MediaError::BadCandidate(e.to_string()))?;
        self.rtc.add_remote_candidate(candidate);
        Ok(())
    }

    /// Starts forwarding another participant's track to this one (negotiated later).
    pub fn forward(&mut self, source: ParticipantId, source_mid: Mid, kind: MediaKind) {
        let exists = self
            .tracks_out
            .iter()
            .any(|t| t.source == source && t.source_mid == source_mid);
        if !exists {
            self.tracks_out.push(TrackOut {
                source,
                source_mid,
                kind,
                state: OutState::ToOpen,
            });
        }
    }

    /// Stops forwarding everything from `source`.
    pub fn unforward(&mut self, source: ParticipantId) {
        self.tracks_out
            .retain(|t| !(t.source == source && t.state == OutState::ToOpen));
        for t in self.tracks_out.iter_mut().filter(|t| t.source == source) {
            t.state = match t.state {
                OutState::Open(m) | OutState::Negotiating(m) => OutState::ToStop(m),
                s => s,
            };
        }
    }

    /// Makes an offer if forwarded tracks changed and no offer is outstanding.
    pub fn negotiate(&mut self) -> Option<String> {
        if self.pending.is_some() || !self.rtc.is_alive() {
            return None;
        }
        let stream_id = self.participant_stream_ids();
        let mut change = self.rtc.sdp_api();
        for t in &mut self.tracks_out {
            match t.state {
                OutState::ToOpen => {
                    let stream = stream_id(t.source);
                    let mid =
                        change.add_media(t.kind, Direction::SendOnly, Some(stream), None, None);
                    t.state = OutState::Negotiating(mid);
                }
                OutState::ToStop(m) => {
                    change.stop_media(m);
                    t.state = OutState::NegotiatingStop(m);
                }
                _ => {}
            }
        }
        if !change.has_changes() {
            return None;
        }
        let (offer, pending) = change.apply()?;
        self.pending = Some(pending);
        Some(offer.to_sdp_string())
    }

    /// Stream ids name the participant, so clients can group a sender's audio and video and
    /// label them from the participant list.
    fn participant_stream_ids(&self) -> impl Fn(ParticipantId) -> String + use<> {
        |p: ParticipantId| format!("participant-{}", p.0)
    }

    /// Feeds one input; `false` when the leg is dead.
    pub fn handle_input(&mut self, input: Input<'_>) -> bool {
        if !self.rtc.is_alive() {
            return false;
        }
        if let Err(e) = self.rtc.handle_input(input) {
            tracing::debug!(participant = self.participant.0, error = %e, "leg input failed: disconnecting");
            self.rtc.disconnect();
            return false;
        }
        true
    }

    /// Feeds a received datagram.
    pub fn receive(
        &mut self,
        at: Instant,
        source: SocketAddr,
        destination: SocketAddr,
        bytes: &[u8],
    ) -> bool {
        let Ok(contents) = bytes.try_into() else {
            return true;
        };
        self.handle_input(Input::Receive(
            at,
            Receive {
                proto: Protocol::Udp,
                source,
                destination,
                contents,
            },
        ))
    }

    /// Whether `input` belongs to this leg.
    pub fn accepts(
        &self,
        at: Instant,
        source: SocketAddr,
        destination: SocketAddr,
        bytes: &[u8],
    ) -> bool {
        let Ok(contents) = bytes.try_into() else {
            return false;
        };
        self.rtc.accepts(&Input::Receive(
            at,
            Receive {
                proto: Protocol::Udp,
                source,
                destination,
                contents,
            },
        ))
    }

    /// Drains output until the next timeout, sending datagrams and collecting what the room
    /// must act on. Returns the next timeout.
    pub fn drain(
        &mut self,
        socket: &UdpSocket,
        metrics: &MediaMetrics,
        out: &mut Vec<Produced>,
    ) -> Option<Instant> {
        loop {
            if !self.rtc.is_alive() {
                return None;
            }
            let output = match self.rtc.poll_output() {
                Ok(o) => o,
                Err(e) => {
                    tracing::debug!(participant = self.participant.0, error = %e, "leg output failed: disconnecting");
                    self.rtc.disconnect();
                    return None;
                }
            };
            match output {
                Output::Timeout(t) => return Some(t),
                Output::Transmit(t) => {
                    if socket.try_send_to(&t.contents, t.destination).is_ok() {
                        MediaMetrics::add(&metrics.datagrams_out, 1);
                        MediaMetrics::add(&metrics.bytes_out, t.contents.len() as u64);
                    }
                }
                Output::Event(e) => self.on_event(e, metrics, out),
            }
        }
    }

    fn on_event(&mut self, event: Event, metrics: &MediaMetrics, out: &mut Vec<Produced>) {
        match event {
            Event::Connected => {
                self.connected = true;
                out.push(Produced::Connected);
            }
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.connected = false;
                out.push(Produced::Disconnected);
            }
            Event::MediaAdded(m)
                if matches!(m.direction, Direction::RecvOnly | Direction::SendRecv)
                    && !self.tracks_in.iter().any(|t| t.mid == m.mid) =>
            {
                self.tracks_in.push(TrackIn {
                    mid: m.mid,
                    kind: m.kind,
                    last_keyframe_request: None,
                });
                out.push(Produced::TrackIn(m.mid, m.kind));
            }
            Event::MediaData(data) => {
                if !data.contiguous && self.is_video(data.mid) {
                    self.request_keyframe(data.mid, KeyframeRequestKind::Pli, metrics);
                }
                out.push(Produced::Media(Box::new(data)));
            }
            Event::KeyframeRequest(req) => {
                if let Some(t) = self
                    .tracks_out
                    .iter()
                    .find(|t| t.state == OutState::Open(req.mid))
                {
                    out.push(Produced::KeyframeWanted {
                        source: t.source,
                        source_mid: t.source_mid,
                        kind: req.kind,
                    });
                }
            }
            Event::MediaEgressStats(s) => {
                MediaMetrics::add(&metrics.nacks, s.nacks);
            }
            Event::PeerStats(s) => out.push(self.quality(&s, metrics)),
            _ => {}
        }
    }

    fn quality(&mut self, s: &str0m::stats::PeerStats, metrics: &MediaMetrics) -> Produced {
        let kbps = |bytes: u64, prev: u64, secs: f64| {
            let bits = bytes.saturating_sub(prev) as f64 * 8.0;
            if secs > 0.0 {
                (bits / secs / 1000.0) as u32
            } else {
                0
            }
        };
        let (rx_kbps, tx_kbps) = match self.last_peer {
            Some((at, rx, tx)) => {
                let secs = s.timestamp.saturating_duration_since(at).as_secs_f64();
                (
                    kbps(s.peer_bytes_rx, rx, secs),
                    kbps(s.peer_bytes_tx, tx, secs),
                )
            }
            None => (0, 0),
        };
        self.last_peer = Some((s.timestamp, s.peer_bytes_rx, s.peer_bytes_tx));
        let loss = s.ingress_loss_fraction;
        if let Some(l) = loss {
            // Rough packets lost in the interval: loss fraction of ~100 packets/s of media.
            MediaMetrics::add(&metrics.packets_lost, (f64::from(l) * 100.0) as u64);
        }
        Produced::Quality {
            rtt_ms: s
                .rtt
                .map(|r| u32::try_from(r.as_millis()).unwrap_or(u32::MAX)),
            loss,
            rx_kbps,
            tx_kbps,
        }
    }

    fn is_video(&self, mid: Mid) -> bool {
        self.tracks_in
            .iter()
            .any(|t| t.mid == mid && t.kind == MediaKind::Video)
    }

    /// Asks this participant's sender for a keyframe of `mid`, at most every 500 ms.
    pub fn request_keyframe(
        &mut self,
        mid: Mid,
        kind: KeyframeRequestKind,
        metrics: &MediaMetrics,
    ) -> bool {
        let now = Instant::now();
        let Some(track) = self.tracks_in.iter_mut().find(|t| t.mid == mid) else {
            return false;
        };
        if track
            .last_keyframe_request
            .is_some_and(|t| now.saturating_duration_since(t) < KEYFRAME_THROTTLE)
        {
            return false;
        }
        let Some(mut writer) = self.rtc.writer(mid) else {
            return false;
        };
        if !writer.is_request_keyframe_possible(kind) {
            return false;
        }
        if writer.request_keyframe(None, kind).is_ok() {
            track.last_keyframe_request = Some(now);
            MediaMetrics::add(&metrics.keyframe_requests, 1);
            return true;
        }
        false
    }

    /// Writes a frame from `source` to this participant, if we forward that track here.
    pub fn write(&mut self, source: ParticipantId, data: &MediaData, metrics: &MediaMetrics) {
        let Some(mid) = self.tracks_out.iter().find_map(|t| match t.state {
            OutState::Open(m) if t.source == source && t.source_mid == data.mid => Some(m),
            _ => None,
        }) else {
            return;
        };
        let Some(writer) = self.rtc.writer(mid) else {
            return;
        };
        let Some(pt) = writer.match_params(data.params) else {
            return;
        };
        let mut writer = writer;
        if let Some(o) = data.ext_vals.video_orientation {
            writer = writer.video_orientation(o);
        }
        if let Some(level) = data.ext_vals.audio_level {
            writer = writer.audio_level(level, data.ext_vals.voice_activity.unwrap_or(false));
        }
        let bytes = data.data.len() as u64;
        if writer
            .write(pt, data.network_time, data.time, Arc::clone(&data.data))
            .is_ok()
        {
            MediaMetrics::add(&metrics.frames_forwarded, 1);
            MediaMetrics::add(&metrics.bytes_forwarded, bytes);
        }
    }
}
