//! One simulated participant's peer connection: a str0m `Rtc` (sans-IO) on its own UDP
//! socket, driven by one task. str0m rather than webrtc-rs because it costs far less CPU per
//! packet, so hundreds of participants fit on the generator's one core and the relay, not the
//! generator, is what the benchmark measures. (The end-to-end tests keep webrtc-rs peers, so
//! interoperability with another stack is still tested there.)
//!
//! It sends (when asked to) VP8-shaped video and Opus-shaped audio carrying markers, and
//! records every marked unit it receives in its [`SharedStats`].

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::payload::{self, Marker};
use crate::stats::{SharedStats, lock};

/// What the signalling side tells a peer.
#[derive(Debug)]
pub enum Control {
    /// The remote answer to our offer.
    Answer(String),
    /// A remote offer (renegotiation); the peer replies with [`Out::Answer`].
    Offer(String),
}

/// What a peer tells the signalling side.
#[derive(Debug)]
pub enum Out {
    /// Our answer to a remote offer.
    Answer(String),
}

/// Audio 20 ms, video 1/30 s.
const AUDIO_INTERVAL: Duration = Duration::from_millis(20);
const VIDEO_INTERVAL: Duration = Duration::from_micros(1_000_000 / payload::VIDEO_FPS as u64);

/// Datagrams read per wake-up before yielding to other peers.
const RECV_BATCH: usize = 64;

/// A participant's peer connection, before its task starts.
pub struct Peer {
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    pending: Option<SdpPendingOffer>,
    stashed: Vec<String>,
    sender: u32,
    send: Option<(Mid, Mid)>,
    stats: SharedStats,
}

fn rtc(now: Instant) -> Rtc {
    Rtc::builder()
        .clear_codecs()
        .enable_opus(true, false)
        .enable_vp8(true)
        .set_stats_interval(None)
        .build(now)
}

async fn bind(ip: IpAddr) -> anyhow::Result<(UdpSocket, SocketAddr)> {
    let socket = UdpSocket::bind(SocketAddr::new(ip, 0))
        .await
        .with_context(|| format!("binding a UDP socket on {ip}"))?;
    let local = socket.local_addr()?;
    Ok((socket, local))
}

impl Peer {
    /// A peer that sends audio and video as `sender`; returns it with its offer.
    pub async fn offerer(
        ip: IpAddr,
        sender: u32,
        stream: &str,
        stats: SharedStats,
    ) -> anyhow::Result<(Peer, String)> {
        let (socket, local) = bind(ip).await?;
        let mut rtc = rtc(Instant::now());
        rtc.add_local_candidate(Candidate::host(local, "udp")?);
        let mut change = rtc.sdp_api();
        let audio = change.add_media(
            MediaKind::Audio,
            Direction::SendOnly,
            Some(stream.to_owned()),
            None,
            None,
        );
        let video = change.add_media(
            MediaKind::Video,
            Direction::SendOnly,
            Some(stream.to_owned()),
            None,
            None,
        );
        let (offer, pending) = change
            .apply()
            .ok_or_else(|| anyhow::anyhow!("no offer made"))?;
        let peer = Peer {
            rtc,
            socket,
            local,
            pending: Some(pending),
            stashed: Vec::new(),
            sender,
            send: Some((audio, video)),
            stats,
        };
        Ok((peer, offer.to_sdp_string()))
    }

    /// A receive-only peer answering `offer`; returns it with its answer.
    pub async fn answerer(
        ip: IpAddr,
        offer: &str,
        stats: SharedStats,
    ) -> anyhow::Result<(Peer, String)> {
        let (socket, local) = bind(ip).await?;
        let mut rtc = rtc(Instant::now());
        rtc.add_local_candidate(Candidate::host(local, "udp")?);
        let offer = SdpOffer::from_sdp_string(offer)?;
        let answer = rtc.sdp_api().accept_offer(offer)?;
        let peer = Peer {
            rtc,
            socket,
            local,
            pending: None,
            stashed: Vec::new(),
            sender: u32::MAX,
            send: None,
            stats,
        };
        Ok((peer, answer.to_sdp_string()))
    }

    /// Runs the peer until `control` closes.
    pub fn spawn(
        self,
        control: mpsc::Receiver<Control>,
        out: mpsc::Sender<Out>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let stats = self.stats.clone();
            if let Err(e) = self.run(control, out).await {
                lock(&stats).error.get_or_insert_with(|| format!("{e:#}"));
            }
        })
    }

    async fn run(
        mut self,
        mut control: mpsc::Receiver<Control>,
        out: mpsc::Sender<Out>,
    ) -> anyhow::Result<()> {
        let mut buf = vec![0u8; 2048];
        let mut sender = Sender::new(self.sender);
        let mut connected = false;
        let mut pts: Option<(Pt, Pt)> = None;
        loop {
            let timeout = self.drain(&mut connected, &mut sender)?;
            if connected && pts.is_none() {
                pts = self.payload_types();
            }
            let wake = match (self.send.is_some() && pts.is_some(), &sender) {
                (true, s) => timeout.min(s.next_due()),
                (false, _) => timeout,
            };
            tokio::select! {
                c = control.recv() => match c {
                    None => break,
                    Some(Control::Answer(sdp)) => self.accept_answer(&sdp, &out).await?,
                    Some(Control::Offer(sdp)) => {
                        self.stashed.push(sdp);
                        self.answer_stashed(&out).await?;
                    }
                },
                r = self.socket.recv_from(&mut buf) => {
                    let (mut n, mut source) = r?;
                    let mut datagrams = 0u64;
                    let mut bytes = 0u64;
                    for _ in 0..RECV_BATCH {
                        datagrams += 1;
                        bytes += n as u64;
                        self.receive(&buf[..n], source)?;
                        match self.socket.try_recv_from(&mut buf) {
                            Ok((m, s)) => (n, source) = (m, s),
                            Err(_) => break,
                        }
                    }
                    let mut st = lock(&self.stats);
                    st.rx_datagrams += datagrams;
                    st.rx_bytes += bytes;
                }
                () = tokio::time::sleep_until(wake.into()) => {
                    let now = Instant::now();
                    if let (Some((audio, video)), Some((apt, vpt))) = (self.send, pts) {
                        sender.write_due(&mut self.rtc, now, (audio, apt), (video, vpt), &self.stats)?;
                    }
                    self.rtc.handle_input(Input::Timeout(now))?;
                }
            }
        }
        self.rtc.disconnect();
        Ok(())
    }

    fn payload_types(&mut self) -> Option<(Pt, Pt)> {
        let (audio, video) = self.send?;
        let pt = |rtc: &mut Rtc, mid: Mid| -> Option<Pt> {
            rtc.writer(mid)?.payload_params().next().map(|p| p.pt())
        };
        Some((pt(&mut self.rtc, audio)?, pt(&mut self.rtc, video)?))
    }

    async fn accept_answer(&mut self, sdp: &str, out: &mpsc::Sender<Out>) -> anyhow::Result<()> {
        let pending = self
            .pending
            .take()
            .ok_or_else(|| anyhow::anyhow!("an answer arrived with no offer outstanding"))?;
        let answer = SdpAnswer::from_sdp_string(sdp)?;
        self.rtc.sdp_api().accept_answer(pending, answer)?;
        self.answer_stashed(out).await
    }

    /// Answers remote offers once our own offer has been answered (an offer from the relay can
    /// arrive before the answer to our join).
    async fn answer_stashed(&mut self, out: &mpsc::Sender<Out>) -> anyhow::Result<()> {
        if self.pending.is_some() {
            return Ok(());
        }
        for sdp in std::mem::take(&mut self.stashed) {
            let offer = SdpOffer::from_sdp_string(&sdp)?;
            let answer = self.rtc.sdp_api().accept_offer(offer)?;
            out.send(Out::Answer(answer.to_sdp_string()))
                .await
                .map_err(|_| anyhow::anyhow!("signalling ended"))?;
        }
        Ok(())
    }

    fn receive(&mut self, bytes: &[u8], source: SocketAddr) -> anyhow::Result<()> {
        let Ok(contents) = bytes.try_into() else {
            return Ok(());
        };
        let input = Input::Receive(
            Instant::now(),
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.local,
                contents,
            },
        );
        if self.rtc.accepts(&input) {
            self.rtc.handle_input(input)?;
        }
        Ok(())
    }

    /// Sends what str0m has to send and handles its events; returns the next timeout.
    fn drain(&mut self, connected: &mut bool, sender: &mut Sender) -> anyhow::Result<Instant> {
        loop {
            match self.rtc.poll_output()? {
                Output::Timeout(t) => return Ok(t),
                Output::Transmit(t) => {
                    if self.socket.try_send_to(&t.contents, t.destination).is_err() {
                        lock(&self.stats).tx_dropped += 1;
                    }
                }
                Output::Event(e) => match e {
                    Event::Connected => {
                        *connected = true;
                        lock(&self.stats)
                            .connected_us
                            .get_or_insert_with(payload::now_us);
                    }
                    Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                        anyhow::bail!("ICE disconnected");
                    }
                    Event::MediaData(data) => {
                        let now = payload::now_us();
                        if data.params.spec().codec == Codec::Vp8 {
                            if let Some((_, m)) = payload::read_video(&data.data) {
                                lock(&self.stats).record(true, m, now);
                            }
                        } else if let Some(m) = payload::read_audio(&data.data) {
                            lock(&self.stats).record(false, m, now);
                        }
                    }
                    Event::KeyframeRequest(_) => {
                        sender.keyframe_wanted = true;
                        lock(&self.stats).keyframe_requests += 1;
                    }
                    _ => {}
                },
            }
        }
    }
}

/// The sending schedule and sequence numbers of one participant.
struct Sender {
    id: u32,
    next_audio: Instant,
    next_video: Instant,
    audio_seq: u32,
    video_seq: u32,
    keyframe_wanted: bool,
}

impl Sender {
    fn new(id: u32) -> Sender {
        // Spread participants over the frame interval, as real cameras are not in phase.
        let phase = Duration::from_micros(rand::random::<u64>() % 20_000);
        let now = Instant::now() + phase;
        Sender {
            id,
            next_audio: now,
            next_video: now + Duration::from_millis(7),
            audio_seq: 0,
            video_seq: 0,
            keyframe_wanted: true,
        }
    }

    fn next_due(&self) -> Instant {
        self.next_audio.min(self.next_video)
    }

    /// Writes the one unit most overdue, if any (str0m wants its output polled between two
    /// writes; the run loop comes straight back while more are due).
    fn write_due(
        &mut self,
        rtc: &mut Rtc,
        now: Instant,
        (audio, apt): (Mid, Pt),
        (video, vpt): (Mid, Pt),
        stats: &SharedStats,
    ) -> anyhow::Result<()> {
        if self.next_due() > now {
            return Ok(());
        }
        let sent_us = payload::now_us();
        if self.next_audio <= self.next_video {
            let m = Marker {
                sender: self.id,
                seq: self.audio_seq,
                sent_us,
            };
            let rtp_time = MediaTime::new(
                u64::from(self.audio_seq) * 960,
                str0m::media::Frequency::FORTY_EIGHT_KHZ,
            );
            self.next_audio += AUDIO_INTERVAL;
            if let Some(w) = rtc.writer(audio) {
                w.write(apt, now, rtp_time, payload::audio_packet(m))?;
                self.audio_seq += 1;
                lock(stats).tx_units += 1;
            }
        } else {
            let keyframe = self.keyframe_wanted || self.video_seq % payload::KEYFRAME_EVERY == 0;
            let m = Marker {
                sender: self.id,
                seq: self.video_seq,
                sent_us,
            };
            let rtp_time = MediaTime::from_90khz(u64::from(self.video_seq) * 3000);
            self.next_video += VIDEO_INTERVAL;
            if let Some(w) = rtc.writer(video) {
                w.write(vpt, now, rtp_time, payload::video_frame(keyframe, m))?;
                self.video_seq += 1;
                self.keyframe_wanted = false;
                lock(stats).tx_units += 1;
            }
        }
        Ok(())
    }
}
