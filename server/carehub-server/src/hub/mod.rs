//! The hub: one task that owns the live queue and every open call.
//!
//! Every change to a call goes through [`Hub`] as a message, so changes to calls are applied
//! one at a time in one place: "two nurses claim at once, exactly one wins" falls out of the
//! design (and the store's state check enforces it again). Each change is committed to the store
//! *before* the caller is answered or anyone is told, so an acknowledged call survives a crash;
//! at start-up the task rebuilds the queue from the store's open calls.
//!
//! Readers never wait on the task: the current queue is published on a `watch` channel and
//! every change on a `broadcast` channel, which drops (and reports) messages for a receiver that
//! falls behind rather than slowing the hub.
//!
//! Care-home tablets far outnumber hub screens (one or two per home, every home in England), and
//! most events concern none of them, so they do not read the whole stream: a router task passes
//! each event only to the homes it can concern ([`Hub::subscribe_home`]), so an event wakes the
//! hub screens and a handful of tablets rather than every connected tablet.

mod actor;
mod homes;
pub mod view;

use std::sync::{Arc, OnceLock};

use axum::extract::ws::Utf8Bytes;

use carehub_store::{Actor, CallRecord, Id, NewCall, OutcomeRecord, Role, Scope, Store};
use carehub_triage::Level;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

pub use view::{CallView, HolderView, QueueView, ResidentBrief};

use crate::assessment::AssessmentInput;
use crate::config::TriageConfig;
use crate::error::ApiError;

/// Commands waiting for the hub; beyond this, callers wait (back-pressure, never loss).
const COMMAND_QUEUE: usize = 1024;
/// Events kept for slow receivers before they lag and must resynchronise.
const EVENT_BUFFER: usize = 4096;

/// A new call, prepared and scored by the HTTP handler.
#[derive(Debug)]
pub struct PreparedCall {
    /// What the store needs.
    pub call: NewCall,
    /// The assessment as submitted.
    pub assessment: AssessmentInput,
    /// The triage result.
    pub triage: crate::assessment::TriageView,
    /// Identity for the queue row.
    pub resident: ResidentBrief,
}

/// What a user asks to do to an open call.
#[derive(Debug, Clone)]
pub enum Action {
    /// A hub nurse takes the call.
    Claim,
    /// The holder puts it back in the queue.
    Release,
    /// The holder starts the video consultation.
    Start,
    /// The holder ends the consultation and moves to wrap-up.
    End,
    /// The holder records the outcome; the call closes.
    Outcome(OutcomeRecord),
    /// The home cancels a call that is no longer needed.
    Cancel,
    /// The home adds observations or signs; the call is re-scored and may move up, never down.
    AddObservations(Box<AssessmentInput>),
    /// The holding nurse invites a clinician into the call's video.
    Invite(Id),
    /// An invited clinician declines.
    Decline,
    /// The holding nurse records that, the video having failed, the call went on by phone
    /// (once per call).
    ContinueByPhone {
        /// The number phoned: the home's, as the nurse was shown it.
        phone: String,
    },
    /// A hub nurse changes the level, either way, with a reason.
    SetLevel {
        /// New level.
        level: Level,
        /// Why (mandatory; recorded in the call's history).
        reason: String,
    },
}

impl Action {
    /// Stable name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Claim => "claim",
            Action::Release => "release",
            Action::Start => "start_consultation",
            Action::End => "end_consultation",
            Action::Outcome(_) => "record_outcome",
            Action::Cancel => "cancel",
            Action::AddObservations(_) => "add_observations",
            Action::SetLevel { .. } => "set_level",
            Action::Invite(_) => "invite",
            Action::Decline => "decline",
            Action::ContinueByPhone { .. } => "continue_by_phone",
        }
    }
}

/// Something that happened, for WebSocket subscribers.
#[derive(Debug, Clone)]
pub enum HubEvent {
    /// A call was created or changed and is still open.
    Changed {
        /// The call now.
        call: Arc<CallView>,
        /// Event kind (`created`, `claimed`, `observations_added`, …).
        kind: String,
        /// Waiting calls in queue order after the change.
        order: Arc<Vec<Id>>,
        /// The hub screens' message, encoded once.
        wire: Wire,
    },
    /// A call reached a terminal state and left the live queue.
    Ended {
        /// The call at its end.
        call: Arc<CallView>,
        /// Event kind (`outcome_recorded`, `cancelled`, `abandoned`).
        kind: String,
        /// Waiting calls in queue order after the change.
        order: Arc<Vec<Id>>,
        /// The hub screens' message, encoded once.
        wire: Wire,
    },
    /// The home sent a still photo of the call (stored already): for the call's own people
    /// only, the home's tablets, the nurse holding it and invited clinicians, never every hub
    /// screen.
    Photo {
        /// The call now.
        call: Arc<CallView>,
        /// The photo, without its image.
        photo: Arc<crate::photo::PhotoView>,
        /// The message, encoded once for all its readers.
        wire: Wire,
    },
    /// A waiting call passed its target: alert every hub nurse.
    Breached {
        /// The call now (promoted).
        call: Arc<CallView>,
        /// Level before the breach.
        from: Level,
        /// Waiting calls in queue order after the promotion.
        order: Arc<Vec<Id>>,
        /// The hub screens' message, encoded once.
        wire: Wire,
    },
}

/// An event's message for hub screens, encoded by the first connection that sends it and
/// shared by every other (one serialisation per event rather than one per screen; the bytes
/// are reference-counted, not copied).
#[derive(Debug, Clone, Default)]
pub struct Wire(Arc<OnceLock<Option<Utf8Bytes>>>);

impl Wire {
    /// The encoded message, encoding it with `encode` if no connection has yet.
    pub fn get_or_encode(&self, encode: impl FnOnce() -> Option<Utf8Bytes>) -> Option<Utf8Bytes> {
        self.0.get_or_init(encode).clone()
    }
}

impl HubEvent {
    /// The call the event is about.
    pub fn call(&self) -> &Arc<CallView> {
        match self {
            HubEvent::Changed { call, .. }
            | HubEvent::Ended { call, .. }
            | HubEvent::Photo { call, .. }
            | HubEvent::Breached { call, .. } => call,
        }
    }

    /// The shared encoding of the hub screens' message.
    pub fn wire(&self) -> &Wire {
        match self {
            HubEvent::Changed { wire, .. }
            | HubEvent::Ended { wire, .. }
            | HubEvent::Photo { wire, .. }
            | HubEvent::Breached { wire, .. } => wire,
        }
    }
}

enum Command {
    Create {
        prepared: Box<PreparedCall>,
        actor: Actor,
        reply: oneshot::Sender<Result<Arc<CallView>, ApiError>>,
    },
    Act {
        call_id: Id,
        scope: Scope,
        action: Action,
        actor: Actor,
        reply: oneshot::Sender<Result<Arc<CallView>, ApiError>>,
    },
    Presence {
        user_id: Id,
        role: Role,
        home: Option<Id>,
        connected: bool,
    },
}

/// Handle to the hub task. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    commands: mpsc::Sender<Command>,
    events: broadcast::Sender<HubEvent>,
    view: watch::Receiver<Arc<QueueView>>,
    homes: Arc<homes::HomeChannels>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hub")
    }
}

impl Hub {
    /// Rebuilds the queue from the store's open calls and starts the hub task.
    ///
    /// `media` is told to end a call's video whenever the call leaves consultation.
    pub async fn start(
        store: Arc<dyn Store>,
        config: &TriageConfig,
        media: Option<carehub_media::MediaServer>,
    ) -> anyhow::Result<Hub> {
        let (commands, rx) = mpsc::channel(COMMAND_QUEUE);
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let state = actor::HubState::rebuild(store, config, events.clone(), media).await?;
        let view = state.subscribe_view();
        let homes = Arc::new(homes::HomeChannels::default());
        tokio::spawn(homes::route(
            events.subscribe(),
            view.clone(),
            homes.clone(),
        ));
        tokio::spawn(state.run(rx));
        Ok(Hub {
            commands,
            events,
            view,
            homes,
        })
    }

    async fn ask(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<Arc<CallView>, ApiError>>) -> Command,
    ) -> Result<Arc<CallView>, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(make(reply))
            .await
            .map_err(|_| ApiError::Unavailable("the hub task has stopped".into()))?;
        answer
            .await
            .map_err(|_| ApiError::Internal("the hub dropped a request".into()))?
    }

    /// Accepts a new call; answers once it is stored and queued.
    pub async fn create(
        &self,
        prepared: PreparedCall,
        actor: Actor,
    ) -> Result<Arc<CallView>, ApiError> {
        self.ask(|reply| Command::Create {
            prepared: Box::new(prepared),
            actor,
            reply,
        })
        .await
    }

    /// Applies an action to an open call; answers once it is stored.
    pub async fn act(
        &self,
        call_id: Id,
        scope: Scope,
        action: Action,
        actor: Actor,
    ) -> Result<Arc<CallView>, ApiError> {
        self.ask(|reply| Command::Act {
            call_id,
            scope,
            action,
            actor,
            reply,
        })
        .await
    }

    /// Tells the call's people that a photo was stored. Not a change to the call, so it does
    /// not pass through the hub task: it goes straight onto the event stream, which already
    /// reaches the home's tablets and every hub screen (the live channel passes it on only to
    /// the call's own people). False when the call is no longer open.
    pub fn photo_added(&self, call_id: Id, photo: crate::photo::PhotoView) -> bool {
        let Some(call) = self.snapshot().calls().find(|c| c.id == call_id).cloned() else {
            return false;
        };
        let _ = self.events.send(HubEvent::Photo {
            call,
            photo: Arc::new(photo),
            wire: Wire::default(),
        });
        true
    }

    /// Tells the hub a user's WebSocket connected or disconnected (grace periods key off this).
    pub async fn presence(&self, user_id: Id, role: Role, home: Option<Id>, connected: bool) {
        let _ = self
            .commands
            .send(Command::Presence {
                user_id,
                role,
                home,
                connected,
            })
            .await;
    }

    /// The queue as it is now.
    pub fn snapshot(&self) -> Arc<QueueView> {
        self.view.borrow().clone()
    }

    /// Subscribes to every change from now on (hub screens).
    pub fn subscribe(&self) -> broadcast::Receiver<HubEvent> {
        self.events.subscribe()
    }

    /// Subscribes to the changes that can concern one care home from now on (its tablets):
    /// events about its own calls, and every event while it has a call waiting (whose place
    /// in the queue the event may move). A receiver that falls behind lags as with
    /// [`Hub::subscribe`].
    pub fn subscribe_home(&self, home: Id) -> broadcast::Receiver<HubEvent> {
        self.homes.subscribe(home)
    }

    /// Open calls of one care home, for care staff.
    pub fn open_calls_of_home(&self, home: Id) -> Vec<Arc<CallView>> {
        self.snapshot()
            .calls()
            .filter(|c| c.care_home.id == home)
            .cloned()
            .collect()
    }
}

/// The record of a call, for handlers that need more than the view.
pub type Record = CallRecord;
