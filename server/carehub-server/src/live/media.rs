//! Video signalling on `/api/ws`: who may join a call's media session, the SDP and ICE
//! messages between browser and relay, the participant list, and what the relay reports back
//! (offers when someone joins or leaves, connection state, quality samples, the end of a room).

use std::sync::Arc;

use carehub_media::{MediaError, MediaEvent, MediaServer, ParticipantId, RoomId};
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
    fn call_id(&self) -> Id {
        match self {
            MediaMessage::Join { call_id, .. }
            | MediaMessage::Offer { call_id, .. }
            | MediaMessage::Answer { call_id, .. }
            | MediaMessage::Candidate { call_id, .. }
            | MediaMessage::Leave { call_id }
            | MediaMessage::State { call_id, .. } => *call_id,
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
        let call_id = message.call_id();
        let name = message.name();
        let call = self
            .hub
            .snapshot()
            .calls()
            .find(|c| c.id == call_id)
            .cloned();
        let allowed = call.as_ref().is_some_and(|c| may_join(c, caller));
        let joined = self.live.is_participant(call_id, caller.user_id, conn);
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
                rtt_ms,
                loss,
                rx_kbps,
                tx_kbps,
            } => {
                let sample = QualitySample {
                    call_id: room.0,
                    at: now_ms(),
                    user_id: participant.0,
                    rtt_ms,
                    loss,
                    rx_kbps,
                    tx_kbps,
                };
                if let Err(e) = self.store.record_quality(sample).await {
                    tracing::debug!(call_id = room.0, error = %e, "recording a quality sample failed");
                }
                let message = json!({"type": "media.quality", "call_id": room.0, "user_id": participant.0,
                    "rtt_ms": rtt_ms, "loss": loss, "rx_kbps": rx_kbps, "tx_kbps": tx_kbps});
                self.live.send_to_call(
                    room.0,
                    Some(&[Role::HubNurse, Role::Clinician]),
                    &message.to_string(),
                );
            }
            MediaEvent::RoomClosed { room } => {
                let message = json!({"type": "media.ended", "call_id": room.0});
                self.live.end_call(room.0, &message.to_string());
            }
        }
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
