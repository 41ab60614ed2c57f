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

use str0m::bwe::{Bitrate, BweKind};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::media::{Direction, KeyframeRequestKind, MediaData, MediaKind, MediaTime, Mid, Rid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};
use tokio::net::UdpSocket;

use crate::adapt;
use crate::metrics::MediaMetrics;
use crate::{MediaError, ParticipantId};

/// Keyframe requests to one layer of a sender's track are sent at most this often.
const KEYFRAME_THROTTLE: Duration = Duration::from_millis(500);
/// A layer with no frame for this long is taken as stopped by its sender.
const LAYER_IDLE: Duration = Duration::from_millis(1000);
/// The downlink estimate a new leg starts from: enough for the lowest layers of two videos and
/// the audio, not so much that a weak link is flooded before the first feedback.
pub(crate) const INITIAL_ESTIMATE_KBPS: u32 = 600;
/// Rate assumed for a layer not yet measured, by its place (lowest first), kbit/s.
const UNMEASURED_KBPS: [u32; 3] = [120, 350, 1000];

/// Bytes over a short window, smoothed: the rate a sender's layer actually runs at.
#[derive(Debug, Default)]
struct RateMeter {
    window_start: Option<Instant>,
    bytes: u64,
    kbps: Option<f64>,
}

impl RateMeter {
    const WINDOW: Duration = Duration::from_millis(500);

    fn add(&mut self, now: Instant, bytes: usize) {
        let start = *self.window_start.get_or_insert(now);
        self.bytes += bytes as u64;
        let elapsed = now.saturating_duration_since(start);
        if elapsed >= Self::WINDOW {
            let kbps = self.bytes as f64 * 8.0 / elapsed.as_secs_f64() / 1000.0;
            self.kbps = Some(self.kbps.map_or(kbps, |k| 0.6 * k + 0.4 * kbps));
            self.window_start = Some(now);
            self.bytes = 0;
        }
    }
}

/// One encoding of an incoming video: a simulcast layer (`rid`), or the only one.
#[derive(Debug)]
pub(crate) struct LayerIn {
    pub rid: Option<Rid>,
    meter: RateMeter,
    last_frame: Option<Instant>,
    last_keyframe_request: Option<Instant>,
}

/// A track the participant sends us.
#[derive(Debug)]
pub(crate) struct TrackIn {
    pub mid: Mid,
    pub kind: MediaKind,
    /// Encodings seen so far (video: simulcast layers in order of arrival).
    layers: Vec<LayerIn>,
}

impl TrackIn {
    fn layer_mut(&mut self, rid: Option<Rid>) -> &mut LayerIn {
        let i = match self.layers.iter().position(|l| l.rid == rid) {
            Some(i) => i,
            None => {
                self.layers.push(LayerIn {
                    rid,
                    meter: RateMeter::default(),
                    last_frame: None,
                    last_keyframe_request: None,
                });
                self.layers.len() - 1
            }
        };
        &mut self.layers[i]
    }

    /// The layers still arriving, lowest rate first, with the rate each needs.
    pub fn active_layers(&self, now: Instant) -> Vec<(Option<Rid>, u32)> {
        let mut layers: Vec<(Option<Rid>, Option<f64>)> = self
            .layers
            .iter()
            .filter(|l| {
                l.last_frame
                    .is_some_and(|t| now.saturating_duration_since(t) < LAYER_IDLE)
            })
            .map(|l| (l.rid, l.meter.kbps))
            .collect();
        // Unmeasured layers sort by the conventional names (quarter, half, full), then rate.
        let rank = |rid: &Option<Rid>| match rid.as_deref() {
            Some("q") => 0,
            Some("h") => 1,
            Some("f") => 2,
            _ => 1,
        };
        layers.sort_by(|a, b| match (a.1, b.1) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => rank(&a.0).cmp(&rank(&b.0)),
        });
        layers
            .iter()
            .enumerate()
            .map(|(i, (rid, kbps))| {
                let assumed = UNMEASURED_KBPS[i.min(UNMEASURED_KBPS.len() - 1)];
                let rate = kbps.map_or(assumed, |k| (k.round() as u32).max(30));
                (*rid, rate)
            })
            .collect()
    }
}

/// What a receiver is sent of one forwarded video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    /// Nothing (paused for a weak downlink, or not started).
    Off,
    /// This encoding.
    On(Option<Rid>),
}

/// Keeps a forwarded video's RTP clock continuous when its source layer changes: each layer
/// has its own timestamp base, and a jump would stall the receiver's jitter buffer.
#[derive(Debug, Default, Clone, Copy)]
struct Timeline {
    offset: i64,
    last: Option<(Instant, u64)>,
}

impl Timeline {
    /// Re-anchors at a switch: the new layer's frame lands where wall-clock time says it should.
    fn rebase(&mut self, at: Instant, time: MediaTime) {
        let source = time.numer() as i64;
        self.offset = match self.last {
            Some((then, out)) => {
                let hz = u64::from(time.frequency().get());
                let elapsed = at.saturating_duration_since(then);
                let ticks = (elapsed.as_micros() as u64 * hz / 1_000_000).max(1);
                (out + ticks) as i64 - source
            }
            None => 0,
        };
    }

    fn map(&mut self, at: Instant, time: MediaTime) -> MediaTime {
        let out = (time.numer() as i64 + self.offset).max(0) as u64;
        self.last = Some((at, out));
        MediaTime::new(out, time.frequency())
    }
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
    /// The layer forwarded now (video only).
    pub layer: Layer,
    /// The layer we want; a switch happens on that layer's next keyframe.
    pub target: Layer,
    /// Whether the others were told this video is paused for this receiver.
    pub paused_notice: bool,
    timeline: Timeline,
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
    Quality(Box<crate::Quality>),
    /// The downlink estimate changed: the room re-allocates layers.
    Estimate,
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
    /// Downlink estimate from transport-wide feedback, once the receiver gives any.
    pub estimate_kbps: Option<u32>,
    /// Whether what is forwarded here is fitted to `estimate_kbps` (off: everything, top layer).
    pub adaptive: bool,
    pub hysteresis: adapt::Hysteresis,
    /// Worst loss the participant reported on what we send it, since the last sample.
    egress_loss: Option<f32>,
    /// The estimate when the path was lost, restored when it comes back.
    estimate_before_outage: Option<u32>,
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
        adaptive: bool,
        now: Instant,
    ) -> Result<(Leg, String), MediaError> {
        // Adaptation needs a receiver whose transport-wide feedback the estimator can trust and
        // a sender with layers to choose from; a client that publishes simulcast (every browser
        // running our web client) is taken as both. Others (the Rust test peers, the load
        // generator) are forwarded everything, as before: webrtc-rs 0.21's feedback timing makes
        // the estimator see congestion on an idle loopback link.
        let adaptive = adaptive && offer.contains("a=simulcast:");
        let offer = SdpOffer::from_sdp_string(offer).map_err(bad_sdp)?;
        // RED carries each Opus frame twice, so a lost packet's sound arrives in the next one:
        // on a lossy care-home link that is what keeps speech whole.
        let mut builder = Rtc::builder()
            .set_ice_lite(true)
            .clear_codecs()
            .enable_opus(true, adaptive)
            .enable_vp8(true)
            .enable_h264(true)
            .set_stats_interval(Some(stats_interval));
        if adaptive {
            builder = builder.enable_bwe(Some(Bitrate::kbps(u64::from(INITIAL_ESTIMATE_KBPS))));
        }
        let mut rtc = builder.build(now);
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
            estimate_kbps: None,
            adaptive,
            hysteresis: adapt::Hysteresis::default(),
            egress_loss: None,
            estimate_before_outage: None,
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

    /// The client's answer to our offer. Forwarded videos that just opened start at the next
    /// allocation, which asks their senders for a keyframe.
    pub fn accept_answer(&mut self, answer: &str) -> Result<(), MediaError> {
        let answer = SdpAnswer::from_sdp_string(answer).map_err(bad_sdp)?;
        let pending = self.pending.take().ok_or(MediaError::NoPendingOffer)?;
        self.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(bad_sdp)?;
        for t in &mut self.tracks_out {
            if let OutState::Negotiating(m) = t.state {
                t.state = OutState::Open(m);
            }
        }
        self.tracks_out
            .retain(|t| !matches!(t.state, OutState::NegotiatingStop(_)));
        Ok(())
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
            let layer = if kind == MediaKind::Audio {
                Layer::On(None)
            } else {
                Layer::Off
            };
            self.tracks_out.push(TrackOut {
                source,
                source_mid,
                kind,
                state: OutState::ToOpen,
                layer,
                target: layer,
                paused_notice: false,
                timeline: Timeline::default(),
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
                self.estimate_before_outage = self.estimate_kbps;
                out.push(Produced::Disconnected);
            }
            Event::IceConnectionStateChange(
                IceConnectionState::Connected | IceConnectionState::Completed,
            ) => {
                // Back after an outage: the estimator saw only loss while the path was gone and
                // would climb from the floor for seconds; the link is the one it measured before.
                if let Some(kbps) = self.estimate_before_outage.take()
                    && self.adaptive
                {
                    self.rtc.bwe().reset(Bitrate::kbps(u64::from(kbps)));
                    self.estimate_kbps = Some(kbps);
                    out.push(Produced::Estimate);
                }
            }
            Event::MediaAdded(m)
                if matches!(m.direction, Direction::RecvOnly | Direction::SendRecv)
                    && !self.tracks_in.iter().any(|t| t.mid == m.mid) =>
            {
                self.tracks_in.push(TrackIn {
                    mid: m.mid,
                    kind: m.kind,
                    layers: Vec::new(),
                });
                out.push(Produced::TrackIn(m.mid, m.kind));
            }
            Event::MediaData(data) => {
                let video = self.is_video(data.mid);
                if let Some(track) = self.tracks_in.iter_mut().find(|t| t.mid == data.mid) {
                    let layer = track.layer_mut(data.rid);
                    layer.meter.add(data.network_time, data.data.len());
                    layer.last_frame = Some(data.network_time);
                }
                if !data.contiguous && video {
                    self.request_keyframe(data.mid, data.rid, KeyframeRequestKind::Pli, metrics);
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
            Event::EgressBitrateEstimate(BweKind::Twcc { estimate, .. }) => {
                let kbps = u32::try_from(estimate.as_u64() / 1000).unwrap_or(u32::MAX);
                tracing::trace!(participant = self.participant.0, kbps, "downlink estimate");
                if self.estimate_kbps != Some(kbps) {
                    self.estimate_kbps = Some(kbps);
                    out.push(Produced::Estimate);
                }
            }
            Event::MediaEgressStats(s) => {
                MediaMetrics::add(&metrics.nacks, s.nacks);
                if let Some(loss) = s.loss {
                    self.egress_loss = Some(self.egress_loss.map_or(loss, |l| l.max(loss)));
                }
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
        let videos = self
            .tracks_out
            .iter()
            .filter(|t| t.kind == MediaKind::Video && matches!(t.state, OutState::Open(_)));
        let (mut paused, mut total) = (0, 0);
        for t in videos {
            total += 1;
            if t.target == Layer::Off {
                paused += 1;
            }
        }
        Produced::Quality(Box::new(crate::Quality {
            rtt_ms: s
                .rtt
                .map(|r| u32::try_from(r.as_millis()).unwrap_or(u32::MAX)),
            loss,
            rx_kbps,
            tx_kbps,
            down_estimate_kbps: self.estimate_kbps.filter(|_| self.adaptive),
            down_loss: self.egress_loss.take(),
            videos_paused: paused,
            videos_forwarded: total,
        }))
    }

    fn is_video(&self, mid: Mid) -> bool {
        self.tracks_in
            .iter()
            .any(|t| t.mid == mid && t.kind == MediaKind::Video)
    }

    /// Asks this participant's sender for a keyframe of one layer of `mid`, at most every
    /// 500 ms per layer: every keyframe is large, and on a weak link a pile of them is what
    /// keeps the picture from ever completing.
    pub fn request_keyframe(
        &mut self,
        mid: Mid,
        rid: Option<Rid>,
        kind: KeyframeRequestKind,
        metrics: &MediaMetrics,
    ) -> bool {
        let now = Instant::now();
        let Some(track) = self.tracks_in.iter_mut().find(|t| t.mid == mid) else {
            return false;
        };
        let layer = track.layer_mut(rid);
        if layer
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
        if writer.request_keyframe(rid, kind).is_ok() {
            layer.last_keyframe_request = Some(now);
            MediaMetrics::add(&metrics.keyframe_requests, 1);
            return true;
        }
        false
    }

    /// Layer changes decided for forwarded videos that now need their sender's keyframe.
    pub fn pending_switches(&self) -> impl Iterator<Item = (ParticipantId, Mid, Option<Rid>)> {
        self.tracks_out.iter().filter_map(|t| match t.target {
            Layer::On(rid) if t.kind == MediaKind::Video && t.layer != t.target => {
                matches!(t.state, OutState::Open(_)).then_some((t.source, t.source_mid, rid))
            }
            _ => None,
        })
    }

    /// Writes a frame from `source` to this participant, if we forward that track (and that
    /// layer of it) here.
    pub fn write(&mut self, source: ParticipantId, data: &MediaData, metrics: &MediaMetrics) {
        let Some(track) = self.tracks_out.iter_mut().find(|t| {
            matches!(t.state, OutState::Open(_)) && t.source == source && t.source_mid == data.mid
        }) else {
            return;
        };
        let OutState::Open(mid) = track.state else {
            return;
        };
        let time = if track.kind == MediaKind::Video {
            let this = Layer::On(data.rid);
            if track.target != track.layer && track.target == this && data.is_keyframe() {
                // The layer we want has a keyframe: switch here, without a gap in the clock.
                track.layer = this;
                track.timeline.rebase(data.network_time, data.time);
            } else if track.target == Layer::Off {
                track.layer = Layer::Off;
            }
            if track.layer != this {
                return;
            }
            track.timeline.map(data.network_time, data.time)
        } else {
            data.time
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
            .write(pt, data.network_time, time, Arc::clone(&data.data))
            .is_ok()
        {
            MediaMetrics::add(&metrics.frames_forwarded, 1);
            MediaMetrics::add(&metrics.bytes_forwarded, bytes);
        }
    }

    /// Tells the estimator what this receiver could use (it probes for that much) and what
    /// the next layer up needs (it pads towards that, within the estimate, so the estimate can
    /// grow while video runs below it).
    pub fn set_bitrate(&mut self, next_kbps: u32, desired_kbps: u32) {
        if self.adaptive {
            self.rtc.bwe().set_bitrate(
                Bitrate::kbps(u64::from(next_kbps.min(desired_kbps))),
                Bitrate::kbps(u64::from(desired_kbps)),
            );
        }
    }
}
