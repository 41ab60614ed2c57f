//! One call's media session: a task that owns every leg of the room, feeds them datagrams and
//! time, and forwards what each leg receives to all the others.
//!
//! The task is supervised: however it ends (closed, every leg gone, or a panic), the
//! supervisor removes the room's routes, corrects the gauges and reports `RoomClosed`, so a
//! failure costs one call and leaves nothing behind.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use str0m::Input;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::adapt;
use crate::leg::{Layer, Leg, Produced};
use crate::metrics::MediaMetrics;
use crate::router::{Control, Datagram};
use crate::{Answer, MediaError, MediaEvent, ParticipantId, RoomCommand, RoomId};

/// How long an empty room waits for someone to (re)join before its task ends.
const EMPTY_ROOM_GRACE: Duration = Duration::from_secs(120);
/// How often layers are re-chosen without a new estimate (sources' rates drift, layers stop).
const ALLOCATE_EVERY: Duration = Duration::from_millis(500);

/// What a room task needs from the server.
pub(crate) struct RoomContext {
    pub id: RoomId,
    pub socket: Arc<UdpSocket>,
    pub advertised: SocketAddr,
    pub router: mpsc::Sender<Control>,
    pub events: mpsc::Sender<MediaEvent>,
    pub metrics: Arc<MediaMetrics>,
    pub max_participants: usize,
    pub stats_interval: Duration,
    pub adaptation: bool,
    pub commands: mpsc::Sender<RoomCommand>,
}

/// Starts the room task under a supervisor that cleans up however it ends.
pub(crate) fn spawn(ctx: RoomContext, commands: mpsc::Receiver<RoomCommand>) {
    let metrics = Arc::clone(&ctx.metrics);
    let router = ctx.router.clone();
    let events = ctx.events.clone();
    let id = ctx.id;
    let legs = Arc::new(AtomicI64::new(0));
    MediaMetrics::gauge(&metrics.room_tasks, 1);
    MediaMetrics::gauge(&metrics.rooms, 1);
    let room = Room {
        ctx,
        legs: Vec::new(),
        leg_gauge: Arc::clone(&legs),
        empty_since: Some(Instant::now()),
        next_allocation: Instant::now(),
    };
    let task = tokio::spawn(room.run(commands));
    tokio::spawn(async move {
        if let Err(e) = task.await
            && e.is_panic()
        {
            tracing::error!(
                room = id.0,
                "media room task panicked: the call's media ended"
            );
        }
        let _ = router.send(Control::UnregisterRoom { room: id }).await;
        MediaMetrics::gauge(&metrics.legs, -legs.swap(0, Ordering::Relaxed));
        MediaMetrics::gauge(&metrics.rooms, -1);
        MediaMetrics::gauge(&metrics.room_tasks, -1);
        let _ = events.send(MediaEvent::RoomClosed { room: id }).await;
    });
}

struct Room {
    ctx: RoomContext,
    legs: Vec<Leg>,
    /// This room's share of the global leg gauge, so the supervisor can subtract it.
    leg_gauge: Arc<AtomicI64>,
    empty_since: Option<Instant>,
    /// When layers are next re-chosen (sooner when an estimate changes or a track opens).
    next_allocation: Instant,
}

impl Room {
    async fn run(mut self, mut commands: mpsc::Receiver<RoomCommand>) {
        loop {
            let next = self.settle().await;
            let deadline = match (next, self.empty_since) {
                (Some(t), _) => t,
                (None, Some(since)) => since + EMPTY_ROOM_GRACE,
                (None, None) => Instant::now() + Duration::from_secs(1),
            };
            tokio::select! {
                command = commands.recv() => match command {
                    None | Some(RoomCommand::Close) => break,
                    Some(c) => self.handle(c).await,
                },
                () = tokio::time::sleep_until(deadline.into()) => {
                    let now = Instant::now();
                    if self.legs.is_empty() && self.empty_since.is_some_and(|s| now - s >= EMPTY_ROOM_GRACE) {
                        tracing::info!(room = self.ctx.id.0, "media room empty: ending");
                        break;
                    }
                    // The legs' timeouts are handled by `settle`, which brings every leg to now
                    // before draining it.
                }
            }
        }
        for mut leg in std::mem::take(&mut self.legs) {
            leg.rtc.disconnect();
            self.forget(&leg).await;
        }
    }

    async fn handle(&mut self, command: RoomCommand) {
        match command {
            RoomCommand::Datagram(d) => self.datagram(d),
            RoomCommand::Join {
                participant,
                offer,
                reply,
            } => {
                let _ = reply.send(self.join(participant, &offer).await);
            }
            RoomCommand::Offer {
                participant,
                offer,
                reply,
            } => {
                let _ = reply.send(self.reoffer(participant, &offer).await);
            }
            RoomCommand::Answer {
                participant,
                answer,
                reply,
            } => {
                let _ = reply.send(self.answer(participant, &answer));
            }
            RoomCommand::Candidate {
                participant,
                candidate,
                reply,
            } => {
                let result = match self.leg_mut(participant) {
                    Some(leg) => leg.add_candidate(&candidate),
                    None => Err(MediaError::NotJoined),
                };
                let _ = reply.send(result);
            }
            RoomCommand::Leave { participant } => {
                if let Some(i) = self.index(participant) {
                    self.remove(i).await;
                }
            }
            RoomCommand::Close => {}
        }
    }

    fn index(&self, participant: ParticipantId) -> Option<usize> {
        self.legs.iter().position(|l| l.participant == participant)
    }

    fn leg_mut(&mut self, participant: ParticipantId) -> Option<&mut Leg> {
        self.legs.iter_mut().find(|l| l.participant == participant)
    }

    fn datagram(&mut self, d: Datagram) {
        let leg = self
            .legs
            .iter_mut()
            .find(|l| l.accepts(d.at, d.source, d.destination, &d.bytes));
        match leg {
            Some(leg) => {
                leg.receive(d.at, d.source, d.destination, &d.bytes);
            }
            None => MediaMetrics::add(&self.ctx.metrics.datagrams_unroutable, 1),
        }
    }

    async fn join(
        &mut self,
        participant: ParticipantId,
        offer: &str,
    ) -> Result<Answer, MediaError> {
        let rejoining = self.index(participant);
        if rejoining.is_none() && self.legs.len() >= self.ctx.max_participants {
            return Err(MediaError::Full("too many participants in this call"));
        }
        let (mut leg, answer) = Leg::new(
            participant,
            offer,
            self.ctx.advertised,
            self.ctx.stats_interval,
            self.ctx.adaptation,
            Instant::now(),
        )?;
        if let Some(i) = rejoining {
            self.remove(i).await;
        }
        for other in &self.legs {
            for t in &other.tracks_in {
                leg.forward(other.participant, t.mid, t.kind);
            }
        }
        let register = Control::Register {
            ufrag: leg.ufrag.clone(),
            room: self.ctx.id,
            tx: self.ctx.commands.clone(),
        };
        let _ = self.ctx.router.send(register).await;
        self.legs.push(leg);
        self.leg_gauge.fetch_add(1, Ordering::Relaxed);
        MediaMetrics::gauge(&self.ctx.metrics.legs, 1);
        self.empty_since = None;
        tracing::info!(
            room = self.ctx.id.0,
            participant = participant.0,
            legs = self.legs.len(),
            "joined media session"
        );
        Ok(Answer { sdp: answer })
    }

    async fn reoffer(
        &mut self,
        participant: ParticipantId,
        offer: &str,
    ) -> Result<Answer, MediaError> {
        let leg = self.leg_mut(participant).ok_or(MediaError::NotJoined)?;
        let old = leg.ufrag.clone();
        let sdp = leg.accept_offer(offer)?;
        let ufrag = leg.rtc.direct_api().local_ice_credentials().ufrag;
        if ufrag != old {
            // ICE restart: route the new credentials here, and stop routing the old ones.
            leg.ufrag = ufrag.clone();
            let _ = self
                .ctx
                .router
                .send(Control::Unregister { ufrag: old })
                .await;
            let register = Control::Register {
                ufrag,
                room: self.ctx.id,
                tx: self.ctx.commands.clone(),
            };
            let _ = self.ctx.router.send(register).await;
        }
        Ok(Answer { sdp })
    }

    fn answer(&mut self, participant: ParticipantId, answer: &str) -> Result<(), MediaError> {
        let i = self.index(participant).ok_or(MediaError::NotJoined)?;
        self.legs[i].accept_answer(answer)?;
        // Video starts at once for the newcomer: choose its layers (asking for keyframes) now.
        self.next_allocation = Instant::now();
        Ok(())
    }

    fn keyframe_from(
        &mut self,
        source: ParticipantId,
        mid: str0m::media::Mid,
        rid: Option<str0m::media::Rid>,
        kind: str0m::media::KeyframeRequestKind,
    ) {
        let metrics = Arc::clone(&self.ctx.metrics);
        if let Some(leg) = self.leg_mut(source) {
            leg.request_keyframe(mid, rid, kind, &metrics);
        }
    }

    /// Chooses, for every receiver, which layer of each forwarded video it gets (or a pause),
    /// then asks senders for the keyframes the changes need and tells the server of pauses.
    async fn allocate(&mut self, now: Instant) {
        self.next_allocation = now + ALLOCATE_EVERY;
        // What each sender's videos offer now, lowest layer first.
        let mut offered = std::collections::HashMap::new();
        for leg in &self.legs {
            for t in &leg.tracks_in {
                if t.kind == str0m::media::MediaKind::Video {
                    offered.insert((leg.participant, t.mid), t.active_layers(now));
                }
            }
        }
        let mut notices = Vec::new();
        let mut keyframes = Vec::new();
        for leg in &mut self.legs {
            let open =
                |t: &&mut crate::leg::TrackOut| matches!(t.state, crate::leg::OutState::Open(_));
            let audio = leg
                .tracks_out
                .iter_mut()
                .filter(open)
                .filter(|t| t.kind == str0m::media::MediaKind::Audio)
                .count();
            let estimate = leg
                .estimate_kbps
                .unwrap_or(crate::leg::INITIAL_ESTIMATE_KBPS);
            let mut videos: Vec<&mut crate::leg::TrackOut> = leg
                .tracks_out
                .iter_mut()
                .filter(open)
                .filter(|t| t.kind == str0m::media::MediaKind::Video)
                .collect();
            let layers: Vec<Vec<(Option<str0m::media::Rid>, u32)>> = videos
                .iter()
                .map(|t| {
                    offered
                        .get(&(t.source, t.source_mid))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            let desired: u32 = layers
                .iter()
                .filter_map(|l| l.last().map(|(_, r)| *r))
                .sum::<u32>()
                + adapt::AUDIO_KBPS * audio as u32;
            // Videos whose sender sends nothing now (an uplink outage, a camera off) stay as
            // they are and out of the choice: counted in, they would look like a downgrade
            // every time and hold every other video down.
            let live: Vec<usize> = (0..videos.len())
                .filter(|&i| !layers[i].is_empty())
                .collect();
            let input: Vec<adapt::Video> = live
                .iter()
                .map(|&i| (&videos[i], &layers[i]))
                .map(|(t, l)| adapt::Video {
                    rates: l.iter().map(|(_, r)| *r).collect(),
                    current: match t.target {
                        Layer::Off => None,
                        Layer::On(rid) => l.iter().position(|(r, _)| *r == rid),
                    }
                    // A layer no longer offered: the allocator replaces it at once.
                    .or_else(|| (t.target != Layer::Off).then_some(usize::MAX)),
                })
                .collect();
            let choice: Vec<Option<usize>> = if leg.adaptive {
                adapt::allocate(estimate, audio, &input, &mut leg.hysteresis, now)
            } else {
                input.iter().map(|v| v.rates.len().checked_sub(1)).collect()
            };
            let next = adapt::next_step_kbps(audio, &input, &choice).unwrap_or(0);
            for (&i, c) in live.iter().zip(choice) {
                let (t, l) = (&mut videos[i], &layers[i]);
                t.target = match c {
                    Some(i) => Layer::On(l[i].0),
                    None => Layer::Off,
                };
                let paused = t.target == Layer::Off;
                if paused != t.paused_notice {
                    t.paused_notice = paused;
                    notices.push((leg.participant, t.source, paused));
                }
            }
            keyframes.extend(leg.pending_switches());
            leg.set_bitrate(next, desired);
        }
        for (source, mid, rid) in keyframes {
            self.keyframe_from(source, mid, rid, str0m::media::KeyframeRequestKind::Pli);
        }
        for (receiver, sender, paused) in notices {
            let room = self.ctx.id;
            self.emit(if paused {
                MediaEvent::VideoPaused {
                    room,
                    receiver,
                    sender,
                }
            } else {
                MediaEvent::VideoResumed {
                    room,
                    receiver,
                    sender,
                }
            })
            .await;
        }
    }

    async fn remove(&mut self, i: usize) {
        let mut leg = self.legs.remove(i);
        leg.rtc.disconnect();
        // Pauses end with the leg: a "video paused" left standing would cover a live picture
        // when the participant rejoins.
        let gone = leg.participant;
        let mut ended: Vec<(ParticipantId, ParticipantId)> = leg
            .tracks_out
            .iter()
            .filter(|t| t.paused_notice)
            .map(|t| (gone, t.source))
            .collect();
        for other in &mut self.legs {
            ended.extend(
                other
                    .tracks_out
                    .iter()
                    .filter(|t| t.source == gone && t.paused_notice)
                    .map(|_| (other.participant, gone)),
            );
            other.unforward(gone);
        }
        self.forget(&leg).await;
        for (receiver, sender) in ended {
            self.emit(MediaEvent::VideoResumed {
                room: self.ctx.id,
                receiver,
                sender,
            })
            .await;
        }
        if self.legs.is_empty() {
            self.empty_since = Some(Instant::now());
        }
        tracing::info!(
            room = self.ctx.id.0,
            participant = leg.participant.0,
            legs = self.legs.len(),
            "left media session"
        );
    }

    async fn forget(&self, leg: &Leg) {
        let _ = self
            .ctx
            .router
            .send(Control::Unregister {
                ufrag: leg.ufrag.clone(),
            })
            .await;
        self.leg_gauge.fetch_sub(1, Ordering::Relaxed);
        MediaMetrics::gauge(&self.ctx.metrics.legs, -1);
    }

    /// Drains every leg, forwards what they produced, renegotiates, and repeats until quiet.
    /// Returns the earliest timeout of any leg.
    async fn settle(&mut self) -> Option<Instant> {
        loop {
            let now = Instant::now();
            if now >= self.next_allocation {
                // Before draining, so the keyframe requests it makes go out in this pass.
                self.allocate(now).await;
            }
            let mut produced: Vec<(ParticipantId, Produced)> = Vec::new();
            let mut next: Option<Instant> = None;
            for leg in &mut self.legs {
                // str0m stamps what it sends (and paces) with the time it was last given: bring
                // it to now, or a room task that was kept waiting by a busy machine makes its
                // packets look delayed on the wire and the estimator sees congestion that is
                // not there.
                leg.handle_input(Input::Timeout(Instant::now()));
                let mut out = Vec::new();
                if let Some(t) = leg.drain(&self.ctx.socket, &self.ctx.metrics, &mut out) {
                    next = Some(next.map_or(t, |n| n.min(t)));
                }
                produced.extend(out.into_iter().map(|p| (leg.participant, p)));
            }
            let offers: Vec<(ParticipantId, String)> = self
                .legs
                .iter_mut()
                .filter_map(|l| l.negotiate().map(|o| (l.participant, o)))
                .collect();
            let dead: Vec<ParticipantId> = self
                .legs
                .iter()
                .filter(|l| !l.rtc.is_alive())
                .map(|l| l.participant)
                .collect();
            if produced.is_empty() && offers.is_empty() && dead.is_empty() {
                return Some(next.map_or(self.next_allocation, |n| n.min(self.next_allocation)))
                    .filter(|_| !self.legs.is_empty());
            }
            for (from, p) in produced {
                self.apply(from, p).await;
            }
            for (participant, sdp) in offers {
                self.emit(MediaEvent::Offer {
                    room: self.ctx.id,
                    participant,
                    sdp,
                })
                .await;
            }
            for participant in dead {
                if let Some(i) = self.index(participant) {
                    self.remove(i).await;
                    self.emit(MediaEvent::Disconnected {
                        room: self.ctx.id,
                        participant,
                    })
                    .await;
                }
            }
        }
    }

    async fn apply(&mut self, from: ParticipantId, produced: Produced) {
        let room = self.ctx.id;
        match produced {
            Produced::TrackIn(mid, kind) => {
                for leg in self.legs.iter_mut().filter(|l| l.participant != from) {
                    leg.forward(from, mid, kind);
                }
            }
            Produced::Media(data) => {
                let metrics = Arc::clone(&self.ctx.metrics);
                for leg in self.legs.iter_mut().filter(|l| l.participant != from) {
                    leg.write(from, &data, &metrics);
                }
            }
            Produced::KeyframeWanted {
                source,
                source_mid,
                kind,
            } => {
                // The receiver wants a keyframe of the layer it is being sent.
                let rid = self
                    .legs
                    .iter()
                    .find(|l| l.participant == from)
                    .and_then(|l| {
                        l.tracks_out
                            .iter()
                            .find(|t| t.source == source && t.source_mid == source_mid)
                    })
                    .and_then(|t| match t.layer {
                        Layer::On(rid) => Some(rid),
                        Layer::Off => None,
                    });
                if let Some(rid) = rid {
                    self.keyframe_from(source, source_mid, rid, kind);
                }
            }
            Produced::Estimate => {
                // A falling estimate must take effect at once, not at the next tick.
                self.next_allocation = Instant::now();
            }
            Produced::Connected => {
                self.emit(MediaEvent::Connected {
                    room,
                    participant: from,
                })
                .await
            }
            Produced::Disconnected => {
                self.emit(MediaEvent::Disconnected {
                    room,
                    participant: from,
                })
                .await
            }
            Produced::Quality(quality) => {
                let sample = MediaEvent::Quality {
                    room,
                    participant: from,
                    quality: *quality,
                };
                // Samples are advisory: drop one rather than wait when the server is busy.
                let _ = self.ctx.events.try_send(sample);
            }
        }
    }

    async fn emit(&self, event: MediaEvent) {
        let _ = self.ctx.events.send(event).await;
    }
}
