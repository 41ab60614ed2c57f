//! A WebRTC test participant on a different stack from the relay (webrtc-rs, over str0m), so
//! interop bugs show. It sends VP8-shaped video (a keyframe every two seconds) and Opus-shaped
//! audio, and counts every RTP packet it receives per sender stream, with loss measured from
//! the sequence numbers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rtc::interceptor::Registry;
use rtc::media::Sample;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::media_engine::{
    MIME_TYPE_OPUS, MIME_TYPE_VP8, MediaEngine,
};
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::peer_connection::transport::RTCIceServer;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use webrtc::media_stream::Track;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCIceTransportPolicy,
    RTCPeerConnectionState,
};

/// Payload types the test peer offers (the relay answers with the offerer's numbers).
const VP8_PT: u8 = 96;
const OPUS_PT: u8 = 111;

/// What one received track has seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrackStats {
    /// RTP packets received.
    pub packets: u64,
    /// Packets expected from the first to the highest sequence number seen.
    pub expected: u64,
    /// VP8 keyframes seen (first packet of a frame with the P bit clear).
    pub keyframes: u64,
    first: Option<u64>,
    highest: Option<u64>,
}

impl TrackStats {
    fn record(&mut self, seq: u16, keyframe: bool) {
        // Extend the 16-bit sequence number against the highest seen so far.
        let ext = match self.highest {
            None => u64::from(seq),
            Some(h) => {
                let cycle = h & !0xFFFF;
                let mut candidate = cycle | u64::from(seq);
                if candidate + 0x8000 < h {
                    candidate += 0x1_0000;
                } else if candidate > h + 0x8000 && candidate >= 0x1_0000 {
                    candidate -= 0x1_0000;
                }
                candidate
            }
        };
        self.packets += 1;
        self.first = Some(self.first.map_or(ext, |f| f.min(ext)));
        self.highest = Some(self.highest.map_or(ext, |h| h.max(ext)));
        self.expected = self.highest.unwrap_or(0) - self.first.unwrap_or(0) + 1;
        if keyframe {
            self.keyframes += 1;
        }
    }

    /// Fraction of packets lost (0 when nothing was expected).
    pub fn loss(&self) -> f64 {
        if self.expected == 0 {
            return 0.0;
        }
        self.expected.saturating_sub(self.packets) as f64 / self.expected as f64
    }
}

/// Per sender stream (`participant-<user id>`): audio and video.
pub type Received = Arc<Mutex<HashMap<String, (TrackStats, TrackStats)>>>;

#[derive(Clone)]
struct Handler {
    received: Received,
    state: Arc<Mutex<RTCPeerConnectionState>>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = state;
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let received = Arc::clone(&self.received);
        tokio::spawn(async move {
            let video = track.kind().await == RtpCodecKind::Video;
            let mut stream = String::from("unknown");
            while let Some(event) = track.poll().await {
                match event {
                    TrackRemoteEvent::OnOpen(init) => {
                        stream = init.stream_ids.first().cloned().unwrap_or_default();
                    }
                    TrackRemoteEvent::OnRtpPacket(packet) => {
                        // VP8 payload descriptor: 1 byte, +1 with X set; the frame tag follows
                        // on the first packet of a frame (S bit).
                        let p = &packet.payload;
                        let start = p.first().is_some_and(|b| b & 0x10 != 0);
                        let offset = if p.first().is_some_and(|b| b & 0x80 != 0) {
                            2
                        } else {
                            1
                        };
                        let keyframe =
                            video && start && p.get(offset).is_some_and(|b| b & 0x01 == 0);
                        let mut map = received.lock().unwrap_or_else(|e| e.into_inner());
                        let entry = map.entry(stream.clone()).or_default();
                        let stats = if video { &mut entry.1 } else { &mut entry.0 };
                        stats.record(packet.header.sequence_number, keyframe);
                    }
                    TrackRemoteEvent::OnEnded => break,
                    _ => {}
                }
            }
        });
    }
}

/// A test participant with one audio and one video track.
pub struct TestPeer {
    pc: Arc<dyn PeerConnection>,
    audio: Arc<TrackLocalStaticSample>,
    video: Arc<TrackLocalStaticSample>,
    /// What it has received, per sender stream.
    pub received: Received,
    state: Arc<Mutex<RTCPeerConnectionState>>,
    sending: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

fn codec(mime: &str, clock_rate: u32, channels: u16, pt: u8) -> RTCRtpCodecParameters {
    RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: mime.to_owned(),
            clock_rate,
            channels,
            sdp_fmtp_line: String::new(),
            rtcp_feedback: vec![],
        },
        payload_type: pt,
    }
}

fn local_track(
    kind: RtpCodecKind,
    codec: &RTCRtpCodecParameters,
    name: &str,
) -> anyhow::Result<Arc<TrackLocalStaticSample>> {
    let track = MediaStreamTrack::new(
        format!("test-{name}"),
        format!("test-{name}-{kind}"),
        format!("{name} {kind}"),
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(rand::random::<u32>()),
                ..Default::default()
            },
            codec: codec.rtp_codec.clone(),
            ..Default::default()
        }],
    );
    Ok(Arc::new(TrackLocalStaticSample::new(
        Instant::now(),
        track,
    )?))
}

impl TestPeer {
    /// A peer on loopback; with `turn`, it may only use relayed (TURN) candidates.
    pub async fn new(name: &str, turn: Option<RTCIceServer>) -> anyhow::Result<TestPeer> {
        let mut engine = MediaEngine::default();
        let vp8 = codec(MIME_TYPE_VP8, 90_000, 0, VP8_PT);
        let opus = codec(MIME_TYPE_OPUS, 48_000, 2, OPUS_PT);
        engine.register_codec(vp8.clone(), RtpCodecKind::Video)?;
        engine.register_codec(opus.clone(), RtpCodecKind::Audio)?;
        let registry = register_default_interceptors(Registry::new(), &mut engine)?;
        let mut config = RTCConfigurationBuilder::new();
        if let Some(server) = turn {
            config = config
                .with_ice_servers(vec![server])
                .with_ice_transport_policy(RTCIceTransportPolicy::Relay);
        }
        let received: Received = Arc::default();
        let state = Arc::new(Mutex::new(RTCPeerConnectionState::New));
        let handler = Arc::new(Handler {
            received: Arc::clone(&received),
            state: Arc::clone(&state),
        });
        let pc = PeerConnectionBuilder::new()
            .with_configuration(config.build())
            .with_media_engine(engine)
            .with_interceptor_registry(registry)
            .with_handler(handler)
            .with_udp_addrs(vec!["127.0.0.1:0"])
            .build()
            .await?;
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);
        let audio = local_track(RtpCodecKind::Audio, &opus, name)?;
        let video = local_track(RtpCodecKind::Video, &vp8, name)?;
        pc.add_track(Arc::clone(&audio) as Arc<dyn TrackLocal>)
            .await?;
        pc.add_track(Arc::clone(&video) as Arc<dyn TrackLocal>)
            .await?;
        Ok(TestPeer {
            pc,
            audio,
            video,
            received,
            state,
            sending: Mutex::new(None),
        })
    }

    /// Applies a local description and returns the SDP as set.
    async fn set_local(&self, description: RTCSessionDescription) -> anyhow::Result<String> {
        self.pc.set_local_description(description).await?;
        let local = self
            .pc
            .local_description()
            .await
            .ok_or_else(|| anyhow::anyhow!("no local description"))?;
        Ok(local.sdp)
    }

    /// Creates and applies an offer; returns its SDP.
    pub async fn offer(&self) -> anyhow::Result<String> {
        let offer = self.pc.create_offer(None).await?;
        self.set_local(offer).await
    }

    /// An ICE-restart offer (new credentials), as a tablet makes after its network changed.
    pub async fn restart_offer(&self) -> anyhow::Result<String> {
        let options = rtc::peer_connection::configuration::RTCOfferOptions { ice_restart: true };
        let offer = self.pc.create_offer(Some(options)).await?;
        self.set_local(offer).await
    }

    /// Applies the relay's answer.
    pub async fn accept_answer(&self, sdp: &str) -> anyhow::Result<()> {
        self.pc
            .set_remote_description(RTCSessionDescription::answer(sdp.to_owned())?)
            .await?;
        Ok(())
    }

    /// Answers a renegotiation offer from the relay.
    pub async fn answer(&self, sdp: &str) -> anyhow::Result<String> {
        self.pc
            .set_remote_description(RTCSessionDescription::offer(sdp.to_owned())?)
            .await?;
        let answer = self.pc.create_answer(None).await?;
        self.set_local(answer).await
    }

    /// Whether the peer connection is connected.
    pub fn connected(&self) -> bool {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) == RTCPeerConnectionState::Connected
    }

    /// Starts sending: video about 30 frames/s of ~900 bytes (keyframe every 2 s), audio
    /// 50 packets/s of 100 bytes.
    pub fn start_sending(&self) {
        let (audio, video) = (Arc::clone(&self.audio), Arc::clone(&self.video));
        let task = tokio::spawn(async move {
            let (Some(a_ssrc), Some(v_ssrc)) = (
                audio.ssrcs().await.first().copied(),
                video.ssrcs().await.first().copied(),
            ) else {
                return;
            };
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            let mut n: u64 = 0;
            loop {
                tick.tick().await;
                let sample = |data: Vec<u8>, ms| Sample {
                    data: data.into(),
                    duration: Duration::from_millis(ms),
                    ..Sample::new(Instant::now())
                };
                let _ = audio
                    .sample_writer(a_ssrc, OPUS_PT)
                    .write_sample(&sample(vec![0xF8; 100], 20))
                    .await;
                if n % 3 != 2 {
                    // ~33 frames/s; the first byte is the VP8 frame tag (P bit: 0 = keyframe).
                    let key = n % 100 == 0;
                    let mut frame = vec![0u8; 900];
                    frame[0] = if key { 0x10 } else { 0x11 };
                    if key {
                        frame[3..6].copy_from_slice(&[0x9d, 0x01, 0x2a]);
                    }
                    let _ = video
                        .sample_writer(v_ssrc, VP8_PT)
                        .write_sample(&sample(frame, 30))
                        .await;
                }
                n += 1;
            }
        });
        *self.sending.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
    }

    /// What has arrived from the sender with this stream id (audio, video).
    pub fn from(&self, stream: &str) -> (TrackStats, TrackStats) {
        self.received
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(stream)
            .copied()
            .unwrap_or_default()
    }

    /// Stops sending and closes the connection.
    pub async fn close(&self) {
        if let Some(task) = self
            .sending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            task.abort();
        }
        let _ = self.pc.close().await;
    }
}
