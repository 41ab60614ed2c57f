//! Video signalling on `/api/ws`: who may join a call's media session, the SDP and ICE
//! messages between browser and relay, the participant list, and what the relay reports back
//! (offers when someone joins or leaves, connection state, quality samples, the end of a room).

use std::sync::Arc;

use carehub_media::{MediaError, MediaEvent, MediaServer, ParticipantId, Quality, RoomId};
use carehub_store::{Id, QualitySample, Role, Store};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;

use super::{ConnId, Live};
use crate::auth::Caller;
use crate::hub::{CallView, Hub};
use crate::millis::now as now_ms;

/// Largest SDP accepted from a client (browsers send a few KiB).
const MAX_SDP: usize = 32 * 1024;
/// How long a participant whose live channel closed keeps a working media leg for the channel
/// to come back (a care-home link that drops for a few seconds takes the WebSocket with it).
const REATTACH_GRACE: std::time::Duration = std::time::Duration::from_secs(30);
/// Longest a connection check may hold a relay leg.
const CHECK_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// A video signalling message from a client.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum MediaMessage {
    /// Join the call's video with a first offer.
    #[serde(rename = "media.join")]
    Join {
        /// The call.
        call_id: Id,
        /// SDP offer.
        sdp: String,
    },
    /// A new offer from a participant (ICE restart, changed tracks).
    #[serde(rename = "media.offer")]
    Offer {
        /// The call.
        call_id: Id,
        /// SDP offer.
        sdp: String,
    },
    /// The answer to the relay's offer.
    #[serde(rename = "media.answer")]
    Answer {
        /// The call.
        call_id: Id,
        /// SDP answer.
        sdp: String,
    },
    /// A trickled ICE candidate.
    #[serde(rename = "media.candidate")]
    Candidate {
        /// The call.
        call_id: Id,
        /// The `candidate:…` attribute.
        candidate: String,
    },
    /// Leave the call's video.
    #[serde(rename = "media.leave")]
    Leave {
        /// The call.
        call_id: Id,
    },
    /// A connection check before a call: a peer connection to the relay alone, no call, so
    /// the browser can measure its path (round trip, loss, upload estimate).
    #[serde(rename = "media.check")]
    Check {
        /// SDP offer.
        sdp: String,
    },
    /// The connection check is over.
    #[serde(rename = "media.check_end")]
    CheckEnd {},
    /// Microphone and camera state, shown to the others.
    #[serde(rename = "media.state")]
    State {
        /// The call.
        call_id: Id,
        /// Microphone muted.
        muted: bool,
        /// Camera off.
        camera_off: bool,
    },
}

impl MediaMessage {
    fn call_id(&self) -> Option<Id> {
        match self {
            MediaMessage::Join { call_id, .. }
            | MediaMessage::Offer { call_id, .. }
            | MediaMessage::Answer { call_id, .. }
            | MediaMessage::Candidate { call_id, .. }
            | MediaMessage::Leave { call_id }
            | MediaMessage::State { call_id, .. } => Some(*call_id),
            MediaMessage::Check { .. } | MediaMessage::CheckEnd {} => None,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            MediaMessage::Join { .. } => "media.join",
            MediaMessage::Offer { .. } => "media.offer",
            MediaMessage::Answer { .. } => "media.answer",
            MediaMessage::Candidate { .. } => "media.candidate",
            MediaMessage::Leave { .. } => "media.leave",
            MediaMessage::State { .. } => "media.state",
            MediaMessage::Check { .. } => "media.check",
            MediaMessage::CheckEnd {} => "media.check_end",
        }
    }
}

/// What the video code needs from the server.
#[derive(Clone)]
pub struct MediaContext {
    /// The relay.
    pub media: MediaServer,
    /// Connections and participants.
    pub live: Arc<Live>,
    /// The queue (who holds which call, who is invited).
    pub hub: Hub,
    /// Timeline and quality records.
    pub store: Arc<dyn Store>,
}

/// A typed error for the client: code, message, and which request it answers.
pub fn error_json(code: &str, message: &str, in_reply_to: &str, call_id: Id) -> String {
    json!({"type": "error", "code": code, "message": message, "in_reply_to": in_reply_to, "call_id": call_id}).to_string()
}

fn media_error(e: &MediaError) -> &'static str {
    match e {
        MediaError::BadSdp(_) => "media_bad_sdp",
        MediaError::BadCandidate(_) => "media_bad_candidate",
        MediaError::NotJoined => "media_not_joined",
        MediaError::NoPendingOffer => "media_no_pending_offer",
        MediaError::Full(_) => "media_full",
        MediaError::RoomClosed => "media_closed",
    }
}

/// Whether `caller` may be in `call`'s video: the home's care staff, the nurse holding the
/// call, and clinicians the nurse invited, while the call is answered and not yet wrapped up.
pub fn may_join(call: &CallView, caller: &Caller) -> bool {
    if !matches!(call.state.as_str(), "claimed" | "in_consultation") {
        return false;
    }
    match caller.role {
        Role::CareStaff => caller.care_home_id == Some(call.care_home.id),
        Role::HubNurse => call.holder.as_ref().is_some_and(|h| h.id == caller.user_id),
        Role::Clinician => call.invited.iter().any(|c| c.id == caller.user_id),
        Role::Admin => false,
    }
}

impl MediaContext {
    /// Handles one video message; returns the replies for the sender.
    pub async fn handle(
        &self,
        caller: &Caller,
        conn: ConnId,
        message: MediaMessage,
    ) -> Vec<String> {
        let name = message.name();
        let Some(call_id) = message.call_id() else {
            return self.check(caller, message).await;
        };
        let call = self
            .hub
            .snapshot()
            .calls()
            .find(|c| c.id == call_id)
            .cloned();
        let allowed = call.as_ref().is_some_and(|c| may_join(c, caller));
        // A message on a newer live channel from someone already in the video moves them to it
        // (their old channel closed, or is dying); see `detached`.
        let joined = self.live.is_participant(call_id, caller.user_id, conn)
            || (allowed && self.live.reattach(call_id, caller.user_id, conn));
        let sdp_too_big = matches!(&message, MediaMessage::Join { sdp, .. } | MediaMessage::Offer { sdp, .. } | MediaMessage::Answer { sdp, .. } if sdp.len() > MAX_SDP);
        if sdp_too_big {
            return vec![error_json(
                "media_bad_sdp",
                "the session description is too large",
                name,
                call_id,
            )];
        }
        if !allowed {
            // The same answer whether the call does not exist or is not theirs.
            return vec![error_json(
                "not_in_call",
                "you are not part of this call's video",
                name,
                call_id,
            )];
        }
        if !joined
            && !matches!(
                message,
                MediaMessage::Join { .. } | MediaMessage::Leave { .. }
            )
        {
            return vec![error_json(
                "media_not_joined",
                "join the call's video first",
                name,
                call_id,
            )];
        }
        let room = RoomId(call_id);
        let me = ParticipantId(caller.user_id);
        let result = match message {
            MediaMessage::Join { sdp, .. } => return self.join(caller, conn, call_id, sdp).await,
            MediaMessage::Offer { sdp, .. } => self.media.offer(room, me, sdp).await.map(|a| {
                vec![json!({"type": "media.answer", "call_id": call_id, "sdp": a.sdp}).to_string()]
            }),
            MediaMessage::Answer { sdp, .. } => {
                self.media.answer(room, me, sdp).await.map(|()| Vec::new())
            }
            MediaMessage::Candidate { candidate, .. } => self
                .media
                .candidate(room, me, candidate)
                .await
                .map(|()| Vec::new()),
            MediaMessage::Leave { .. } => {
                self.leave(call_id, caller.user_id, Some(caller)).await;
                Ok(Vec::new())
            }
            MediaMessage::Check { .. } | MediaMessage::CheckEnd {} => Ok(Vec::new()),
            MediaMessage::State {
                muted, camera_off, ..
            } => {
                self.live.update(call_id, caller.user_id, |p| {
                    p.muted = muted;
                    p.camera_off = camera_off;
                });
                self.broadcast_participants(call_id);
                Ok(Vec::new())
            }
        };
        result.unwrap_or_else(|e| vec![error_json(media_error(&e), &e.to_string(), name, call_id)])
    }

    /// A connection check: its own media room, keyed by the (negated) user id so it can never
    /// meet a call's room, one per user (a new check replaces the last), ended by the client or
    /// after `CHECK_LIMIT`. Nothing is recorded: no call, no clinical content.
    async fn check(&self, caller: &Caller, message: MediaMessage) -> Vec<String> {
        let room = RoomId(-caller.user_id);
        let me = ParticipantId(caller.user_id);
        match message {
            MediaMessage::Check { sdp } if sdp.len() > MAX_SDP => vec![error_json(
                "media_bad_sdp",
                "the session description is too large",
                "media.check",
                0,
            )],
            MediaMessage::Check { sdp } => match self.media.join(room, me, sdp).await {
                Ok(answer) => {
                    let media = self.media.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(CHECK_LIMIT).await;
                        media.leave(room, me).await;
                    });
                    vec![json!({"type": "media.check_answer", "sdp": answer.sdp}).to_string()]
                }
                Err(e) => vec![error_json(
                    media_error(&e),
                    &e.to_string(),
                    "media.check",
                    0,
                )],
            },
            _ => {
                // Leave rather than close: the empty room lingers and a next check reuses it,
                // so an ending room's clean-up never races a new room under the same id.
                self.media.leave(room, me).await;
                Vec::new()
            }
        }
    }

    async fn join(&self, caller: &Caller, conn: ConnId, call_id: Id, sdp: String) -> Vec<String> {
        let display = match self.store.find_user(&caller.username).await {
            Ok(Some(u)) => u.display_name,
            _ => caller.username.clone(),
        };
        // Register the participant's connection before the relay sees the leg: the relay may
        // offer the others' tracks to the newcomer at once, and that offer must find them.
        let was_there = self
            .live
            .participants(call_id)
            .iter()
            .any(|p| p.user_id == caller.user_id);
        self.live
            .join(call_id, caller.user_id, display, caller.role, conn);
        let joined = self
            .media
            .join(RoomId(call_id), ParticipantId(caller.user_id), sdp)
            .await;
        if joined.is_err() && !was_there {
            self.live.leave(call_id, caller.user_id);
        }
        match joined {
            Ok(answer) => {
                let detail = json!({"user": caller.user_id}).to_string();
                if let Err(e) = self
                    .store
                    .append_call_event(
                        call_id,
                        "participant_joined",
                        Some(&caller.actor()),
                        detail,
                        now_ms(),
                    )
                    .await
                {
                    tracing::warn!(call_id, error = %e, "recording a video join failed");
                }
                tracing::info!(call_id, user_id = caller.user_id, "joined the call's video");
                self.broadcast_participants(call_id);
                vec![
                    json!({"type": "media.answer", "call_id": call_id, "sdp": answer.sdp})
                        .to_string(),
                ]
            }
            Err(e) => vec![error_json(
                media_error(&e),
                &e.to_string(),
                "media.join",
                call_id,
            )],
        }
    }

    /// A participant's live channel closed. Media that is up is kept for `REATTACH_GRACE`
    /// (the browser reconnects and reattaches); otherwise, or when the grace runs out, they
    /// leave the video.
    pub async fn detached(&self, call_id: Id, user: Id, conn: ConnId, caller: &Caller) {
        if !self.live.is_media_connected(call_id, user) {
            self.leave(call_id, user, Some(caller)).await;
            return;
        }
        tracing::info!(
            call_id,
            user_id = user,
            "live channel closed with media up: holding the media leg"
        );
        let this = self.clone();
        let caller = caller.clone();
        tokio::spawn(async move {
            tokio::time::sleep(REATTACH_GRACE).await;
            if this.live.is_detached(call_id, user, conn) {
                this.leave(call_id, user, Some(&caller)).await;
            }
        });
    }

    /// Takes a participant out of the video (they left, or their connection closed).
    pub async fn leave(&self, call_id: Id, user: Id, caller: Option<&Caller>) {
        if !self.live.leave(call_id, user) {
            return;
        }
        self.media.leave(RoomId(call_id), ParticipantId(user)).await;
        let detail = json!({"user": user}).to_string();
        let actor = caller.map(Caller::actor);
        if let Err(e) = self
            .store
            .append_call_event(
                call_id,
                "participant_left",
                actor.as_ref(),
                detail,
                now_ms(),
            )
            .await
        {
            tracing::warn!(call_id, error = %e, "recording a video leave failed");
        }
        self.broadcast_participants(call_id);
    }

    fn broadcast_participants(&self, call_id: Id) {
        let message = json!({"type": "media.participants", "call_id": call_id, "participants": self.live.participants(call_id)});
        self.live.send_to_call(call_id, None, &message.to_string());
    }

    /// Consumes the relay's events for as long as the relay runs.
    pub fn spawn_events(self, mut events: mpsc::Receiver<MediaEvent>) {
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                self.on_event(event).await;
            }
        });
    }

    async fn on_event(&self, event: MediaEvent) {
        let room = match &event {
            MediaEvent::Offer { room, .. }
            | MediaEvent::Connected { room, .. }
            | MediaEvent::Disconnected { room, .. }
            | MediaEvent::Quality { room, .. }
            | MediaEvent::VideoPaused { room, .. }
            | MediaEvent::VideoResumed { room, .. }
            | MediaEvent::RoomClosed { room } => *room,
        };
        if room.0 < 0 {
            // A connection check's room: no call, nothing to record or relay.
            return;
        }
        match event {
            MediaEvent::Offer {
                room,
                participant,
                sdp,
            } => {
                let message = json!({"type": "media.offer", "call_id": room.0, "sdp": sdp});
                self.live
                    .send_to(room.0, participant.0, &message.to_string());
            }
            MediaEvent::Connected { room, participant } => {
                self.connection_changed(room.0, participant.0, true).await
            }
            MediaEvent::Disconnected { room, participant } => {
                self.connection_changed(room.0, participant.0, false).await
            }
            MediaEvent::Quality {
                room,
                participant,
                quality: q,
            } => {
                let sample = QualitySample {
                    call_id: room.0,
                    at: now_ms(),
                    user_id: participant.0,
                    rtt_ms: q.rtt_ms,
                    loss: q.loss,
                    rx_kbps: q.rx_kbps,
                    tx_kbps: q.tx_kbps,
                };
                if let Err(e) = self.store.record_quality(sample).await {
                    tracing::debug!(call_id = room.0, error = %e, "recording a quality sample failed");
                }
                // Everyone in the call, the tablet too: each side must see whether the other
                // is receiving them, not only its own upload.
                let message = json!({"type": "media.quality", "call_id": room.0, "user_id": participant.0,
                    "rtt_ms": q.rtt_ms, "loss": q.loss, "rx_kbps": q.rx_kbps, "tx_kbps": q.tx_kbps,
                    "down_estimate_kbps": q.down_estimate_kbps, "down_loss": q.down_loss,
                    "videos_paused": q.videos_paused, "videos_forwarded": q.videos_forwarded,
                    "level": quality_level(&q)});
                self.live.send_to_call(room.0, None, &message.to_string());
            }
            MediaEvent::VideoPaused {
                room,
                receiver,
                sender,
            } => self.video_paused(room, receiver, sender, true),
            MediaEvent::VideoResumed {
                room,
                receiver,
                sender,
            } => self.video_paused(room, receiver, sender, false),
            MediaEvent::RoomClosed { room } => {
                let message = json!({"type": "media.ended", "call_id": room.0});
                self.live.end_call(room.0, &message.to_string());
            }
        }
    }

    /// Tells everyone in the call that the relay paused (or resumed) `sender`'s video to
    /// `receiver`, so both ends can say who cannot see whom.
    fn video_paused(
        &self,
        room: RoomId,
        receiver: ParticipantId,
        sender: ParticipantId,
        paused: bool,
    ) {
        tracing::info!(
            call_id = room.0,
            receiver = receiver.0,
            sender = sender.0,
            paused,
            "video to a receiver paused or resumed for its downlink"
        );
        let message = if paused {
            json!({"type": "media.video_paused", "call_id": room.0,
                "receiver": receiver.0, "sender": sender.0, "reason": "weak_connection"})
        } else {
            json!({"type": "media.video_resumed", "call_id": room.0,
                "receiver": receiver.0, "sender": sender.0})
        };
        self.live.send_to_call(room.0, None, &message.to_string());
    }

    async fn connection_changed(&self, call_id: Id, user: Id, connected: bool) {
        if !self.live.update(call_id, user, |p| p.connected = connected) {
            return;
        }
        let kind = if connected {
            "media_connected"
        } else {
            "media_disconnected"
        };
        let detail = json!({"user": user}).to_string();
        if let Err(e) = self
            .store
            .append_call_event(call_id, kind, None, detail, now_ms())
            .await
        {
            tracing::debug!(call_id, error = %e, "recording a media state change failed");
        }
        self.broadcast_participants(call_id);
    }
}

/// A plain verdict on one participant's connection, both ways, for the indicator every screen
/// shows: `good`; `weak` (video reduced or paused, sound carries on); `bad` (sound is breaking
/// up too).
pub fn quality_level(q: &Quality) -> &'static str {
    let worst_loss = q.loss.unwrap_or(0.0).max(q.down_loss.unwrap_or(0.0));
    let rtt = q.rtt_ms.unwrap_or(0);
    if worst_loss > 0.15 || rtt > 1000 {
        "bad"
    } else if q.videos_paused > 0
        || worst_loss > 0.03
        || rtt > 400
        || q.down_estimate_kbps.is_some_and(|k| k < 500)
    {
        "weak"
    } else {
        "good"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Quality {
        Quality {
            rtt_ms: Some(40),
            loss: Some(0.0),
            rx_kbps: 1500,
            tx_kbps: 1500,
            down_estimate_kbps: Some(3000),
            down_loss: Some(0.0),
            videos_paused: 0,
            videos_forwarded: 1,
        }
    }

    #[test]
    fn a_clean_link_is_good_and_a_paused_video_is_weak_whatever_the_loss() {
        assert_eq!(quality_level(&sample()), "good");
        let paused = Quality {
            videos_paused: 1,
            ..sample()
        };
        assert_eq!(quality_level(&paused), "weak");
    }

    #[test]
    fn loss_either_way_counts() {
        let down = Quality {
            down_loss: Some(0.2),
            ..sample()
        };
        assert_eq!(quality_level(&down), "bad");
        let up = Quality {
            loss: Some(0.05),
            ..sample()
        };
        assert_eq!(quality_level(&up), "weak");
    }
}
