//! The hub task's state and the rules it applies: lifecycle transitions, re-scoring, breaches,
//! and the grace periods for disconnected nurses and homes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use carehub_store::{Actor, CallChange, CallRecord, Holder, Id, Scope, Store, StoreError};
use carehub_triage::{
    CallAction, CallState, Level, Queue, QueueEntry, Spo2Scale, Targets, transition,
};
use tokio::sync::{broadcast, mpsc, watch};

use super::view::{CallView, HolderView, QueueView, ResidentBrief, ViewParts};
use super::{Action, Command, HubEvent, PreparedCall, Wire};

mod timers;
use crate::assessment::{AssessmentInput, TriageView};
use crate::config::TriageConfig;
use crate::error::ApiError;
use crate::millis::now as now_ms;

/// An open call and what its queue row needs.
struct OpenCall {
    record: CallRecord,
    resident: ResidentBrief,
    home_name: String,
    assessment: AssessmentInput,
    triage: TriageView,
    scale: Spo2Scale,
    /// Clinicians invited into the video, who may join it.
    invited: BTreeSet<Id>,
}

pub(super) struct HubState {
    store: Arc<dyn Store>,
    targets: Targets,
    claim_grace_ms: i64,
    abandon_grace_ms: i64,
    tick: Duration,
    queue: Queue,
    open: BTreeMap<Id, OpenCall>,
    names: HashMap<Id, String>,
    presence: HashMap<Id, usize>,
    home_presence: HashMap<Id, usize>,
    /// Nurses with no connection, and when their held calls lapse.
    lapse_at: HashMap<Id, i64>,
    /// Homes with no tablet connected, and since when.
    home_absent_since: HashMap<Id, i64>,
    seq: u64,
    events: broadcast::Sender<HubEvent>,
    view_tx: watch::Sender<Arc<QueueView>>,
    /// Told to end a call's video when the call leaves consultation.
    media: Option<carehub_media::MediaServer>,
}

fn parse_stored<T: serde::de::DeserializeOwned>(
    call: Id,
    what: &str,
    text: &str,
) -> anyhow::Result<T> {
    serde_json::from_str(text)
        .map_err(|e| anyhow::anyhow!("call {call}: stored {what} does not parse: {e}"))
}

impl HubState {
    /// Rebuilds from the store: every open call back in the queue with its stored times, so
    /// breach clocks continue where they were.
    pub(super) async fn rebuild(
        store: Arc<dyn Store>,
        config: &TriageConfig,
        events: broadcast::Sender<HubEvent>,
        media: Option<carehub_media::MediaServer>,
    ) -> anyhow::Result<HubState> {
        let (view_tx, _) = watch::channel(Arc::new(QueueView::default()));
        let mut state = HubState {
            targets: config.targets(),
            claim_grace_ms: i64::from(config.claim_grace_seconds) * 1000,
            abandon_grace_ms: i64::from(config.abandon_grace_seconds) * 1000,
            tick: Duration::from_millis(config.tick_ms.into()),
            queue: Queue::new(),
            open: BTreeMap::new(),
            names: HashMap::new(),
            presence: HashMap::new(),
            home_presence: HashMap::new(),
            lapse_at: HashMap::new(),
            home_absent_since: HashMap::new(),
            seq: 0,
            events,
            view_tx,
            store,
            media,
        };
        for user in state.store.list_users(None).await? {
            state.names.insert(user.id, user.display_name);
        }
        let homes: HashMap<Id, String> = state
            .store
            .list_care_homes()
            .await?
            .into_iter()
            .map(|h| (h.id, h.name))
            .collect();
        let now = now_ms();
        for record in state.store.open_calls().await? {
            let resident = state
                .store
                .get_resident_on_record(record.resident_id, Scope::AllHomes)
                .await?;
            let assessment: AssessmentInput =
                parse_stored(record.id, "assessment", &record.assessment)?;
            let triage: TriageView = parse_stored(record.id, "triage", &record.triage)?;
            let scale = Spo2Scale::from_number(triage.news2.spo2_scale).unwrap_or_default();
            if record.state == CallState::Queued {
                state.queue.insert(entry(&record))?;
                state
                    .home_absent_since
                    .entry(record.care_home_id)
                    .or_insert(now);
            }
            if let Some(holder) = record.holder_id
                && matches!(record.state, CallState::Claimed | CallState::InConsultation)
            {
                state
                    .lapse_at
                    .entry(holder)
                    .or_insert(now + state.claim_grace_ms);
            }
            let home_name = homes.get(&record.care_home_id).cloned().unwrap_or_default();
            let invited = state.invitations(&record).await?;
            state.open.insert(
                record.id,
                OpenCall {
                    resident: ResidentBrief::from_resident(&resident, crate::api::today()),
                    home_name,
                    assessment,
                    triage,
                    scale,
                    invited,
                    record,
                },
            );
        }
        // Breaches that happened while the server was down are not alerted again; only new ones.
        let _ = state.queue.tick(now, &state.targets);
        state.publish(now);
        tracing::info!(
            open_calls = state.open.len(),
            waiting = state.queue.len(),
            "queue rebuilt"
        );
        Ok(state)
    }

    pub(super) fn subscribe_view(&self) -> watch::Receiver<Arc<QueueView>> {
        self.view_tx.subscribe()
    }

    pub(super) async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let mut ticker = tokio::time::interval(self.tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.handle(command).await,
                    None => break,
                },
                _ = ticker.tick() => self.on_tick().await,
            }
        }
        tracing::info!("hub task stopped");
    }

    async fn handle(&mut self, command: Command) {
        match command {
            Command::Create {
                prepared,
                actor,
                reply,
            } => {
                let _ = reply.send(self.create(*prepared, &actor).await);
            }
            Command::Act {
                call_id,
                scope,
                action,
                actor,
                reply,
            } => {
                let name = action.name();
                let result = self.act(call_id, scope, action, actor).await;
                if let Err(e) = &result {
                    tracing::info!(
                        call_id,
                        action = name,
                        status = e.status().as_u16(),
                        "call action refused"
                    );
                }
                let _ = reply.send(result);
            }
            Command::Presence {
                user_id,
                role,
                home,
                connected,
            } => {
                self.on_presence(user_id, role, home, connected);
            }
        }
    }

    async fn create(&mut self, p: PreparedCall, actor: &Actor) -> Result<Arc<CallView>, ApiError> {
        let home_name = self
            .store
            .list_care_homes()
            .await?
            .into_iter()
            .find(|h| h.id == p.call.care_home_id)
            .map(|h| h.name)
            .unwrap_or_default();
        let scale = Spo2Scale::from_number(p.triage.news2.spo2_scale).unwrap_or_default();
        let record = self.store.create_call(p.call, actor).await?;
        let id = record.id;
        self.queue
            .insert(entry(&record))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        if self
            .home_presence
            .get(&record.care_home_id)
            .copied()
            .unwrap_or(0)
            == 0
        {
            self.home_absent_since
                .entry(record.care_home_id)
                .or_insert(record.arrived_at);
        }
        tracing::info!(call_id = id, level = record.level.as_str(), "call accepted");
        self.open.insert(
            id,
            OpenCall {
                record,
                resident: p.resident,
                home_name,
                assessment: p.assessment,
                triage: p.triage,
                scale,
                invited: BTreeSet::new(),
            },
        );
        self.announce(id, "created", None)
            .ok_or_else(|| not_open(id))
    }

    async fn act(
        &mut self,
        id: Id,
        scope: Scope,
        action: Action,
        actor: Actor,
    ) -> Result<Arc<CallView>, ApiError> {
        let Some(call) = self
            .open
            .get(&id)
            .filter(|c| scope.includes(c.record.care_home_id))
        else {
            // Not open: tell a terminal call (409) from one that is not there (404).
            let record = self.store.get_call(id, scope).await?;
            return Err(ApiError::Conflict(format!(
                "the call is {} now",
                record.state.as_str()
            )));
        };
        let state = call.record.state;
        let holder = call.record.holder_id;
        let now = now_ms();
        let by_holder = |verb: &str| -> Result<(), ApiError> {
            if holder == Some(actor.user_id) {
                Ok(())
            } else {
                Err(ApiError::Conflict(format!(
                    "only the nurse holding the call can {verb} it"
                )))
            }
        };
        let change = match action {
            Action::Claim => self
                .lifecycle(id, state, CallAction::Claim, "claimed", &actor, now)
                .map(|c| CallChange {
                    holder: Holder::Set(actor.user_id),
                    answered: true,
                    ..c
                })?,
            Action::Release => {
                by_holder("release")?;
                CallChange {
                    holder: Holder::Clear,
                    ..self.lifecycle(id, state, CallAction::Release, "released", &actor, now)?
                }
            }
            Action::Start => {
                by_holder("start")?;
                self.lifecycle(
                    id,
                    state,
                    CallAction::StartConsultation,
                    "consultation_started",
                    &actor,
                    now,
                )?
            }
            Action::End => {
                by_holder("end")?;
                self.lifecycle(
                    id,
                    state,
                    CallAction::EndConsultation,
                    "consultation_ended",
                    &actor,
                    now,
                )?
            }
            Action::Outcome(outcome) => {
                by_holder("close")?;
                let detail = serde_json::json!({"outcome": outcome.outcome.code()}).to_string();
                CallChange {
                    outcome: Some(outcome),
                    detail,
                    holder: Holder::Clear,
                    ..self.lifecycle(
                        id,
                        state,
                        CallAction::RecordOutcome,
                        "outcome_recorded",
                        &actor,
                        now,
                    )?
                }
            }
            Action::Cancel => CallChange {
                holder: Holder::Clear,
                ..self.lifecycle(id, state, CallAction::Cancel, "cancelled", &actor, now)?
            },
            Action::AddObservations(input) => self.rescore(id, &input, &actor, now)?,
            Action::Invite(clinician) => {
                by_holder("invite a clinician to")?;
                if !matches!(state, CallState::Claimed | CallState::InConsultation) {
                    return Err(ApiError::Conflict(format!(
                        "clinicians can be invited only while the call is being handled, not {}",
                        state.as_str()
                    )));
                }
                let detail = serde_json::json!({"clinician": clinician}).to_string();
                let change =
                    CallChange::event(id, state, "clinician_invited", Some(actor.clone()), now);
                return self
                    .commit_then(CallChange { detail, ..change }, &actor, |c| {
                        c.invited.insert(clinician);
                    })
                    .await;
            }
            Action::Decline => {
                if !call.invited.contains(&actor.user_id) {
                    return Err(ApiError::Conflict(
                        "you have no invitation to this call".into(),
                    ));
                }
                let user = actor.user_id;
                let change =
                    CallChange::event(id, state, "invitation_declined", Some(actor.clone()), now);
                return self
                    .commit_then(change, &actor, |c| {
                        c.invited.remove(&user);
                    })
                    .await;
            }
            Action::ContinueByPhone { phone } => {
                by_holder("record a phone call for")?;
                if !matches!(
                    state,
                    CallState::Claimed | CallState::InConsultation | CallState::WrapUp
                ) {
                    return Err(ApiError::Conflict(format!(
                        "a phone call can be recorded only while the call is being handled, not {}",
                        state.as_str()
                    )));
                }
                // Only this task writes the event, one command at a time, so reading the
                // history first cannot race a second click.
                let events = self.store.call_events(id, Scope::AllHomes).await?;
                if events.iter().any(|e| e.kind == "continued_by_phone") {
                    return Err(ApiError::Conflict(
                        "this call is already recorded as continued by phone".into(),
                    ));
                }
                let detail = serde_json::json!({ "phone": phone }).to_string();
                CallChange {
                    detail,
                    ..CallChange::event(id, state, "continued_by_phone", Some(actor.clone()), now)
                }
            }
            Action::SetLevel { level, reason } => {
                if state.is_terminal() || state == CallState::WrapUp {
                    return Err(ApiError::Conflict(format!(
                        "the call is {} now",
                        state.as_str()
                    )));
                }
                let from = call.record.level;
                let detail = serde_json::json!({"from": from.as_str(), "to": level.as_str(), "reason": reason}).to_string();
                CallChange {
                    level: Some((level, now)),
                    detail,
                    ..CallChange::event(id, state, "level_changed", Some(actor.clone()), now)
                }
            }
        };
        self.commit(change, Some(&actor)).await
    }

    fn lifecycle(
        &self,
        id: Id,
        from: CallState,
        action: CallAction,
        kind: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<CallChange, ApiError> {
        let to = transition(from, action).map_err(|e| ApiError::Conflict(e.to_string()))?;
        Ok(CallChange {
            new_state: to,
            ..CallChange::event(id, from, kind, Some(actor.clone()), now)
        })
    }

    /// Re-scores with the added observations; the level can rise, never fall.
    fn rescore(
        &mut self,
        id: Id,
        input: &AssessmentInput,
        actor: &Actor,
        now: i64,
    ) -> Result<CallChange, ApiError> {
        let call = self.open.get(&id).ok_or(ApiError::NotFound)?;
        let state = call.record.state;
        if !matches!(
            state,
            CallState::Queued | CallState::Claimed | CallState::InConsultation
        ) {
            return Err(ApiError::Conflict(format!(
                "observations cannot be added to a call that is {}",
                state.as_str()
            )));
        }
        let mut merged = call.assessment.merged_with(input);
        // The baseline is the care plan's, fixed when the call was made.
        merged.baseline_news2 = call.assessment.baseline_news2;
        let (_, triage) = crate::assessment::score(&merged, call.scale, &self.targets)?;
        let from = call.record.level;
        let scored = triage.level();
        let level = (scored < from).then_some((scored, now));
        let detail = serde_json::json!({
            "from": from.as_str(), "scored": scored.as_str(),
            "to": level.map_or(from, |l| l.0).as_str(), "news2": triage.news2.summary,
        })
        .to_string();
        let assessment_json =
            serde_json::to_string(&merged).map_err(|e| ApiError::Internal(e.to_string()))?;
        let triage_json =
            serde_json::to_string(&triage).map_err(|e| ApiError::Internal(e.to_string()))?;
        let news2 = Some(triage.news2.total);
        let call = self.open.get_mut(&id).ok_or(ApiError::NotFound)?;
        call.assessment = merged;
        call.triage = triage;
        Ok(CallChange {
            level,
            detail,
            assessment: Some((assessment_json, triage_json, news2)),
            ..CallChange::event(id, state, "observations_added", Some(actor.clone()), now)
        })
    }

    /// Stores a change, edits the open call (after the store accepted it), then publishes.
    async fn commit_then(
        &mut self,
        change: CallChange,
        actor: &Actor,
        edit: impl FnOnce(&mut OpenCall),
    ) -> Result<Arc<CallView>, ApiError> {
        let id = change.call_id;
        let kind = change.kind.clone();
        let record = self.store.change_call(change).await?;
        if let Some(call) = self.open.get_mut(&id) {
            edit(call);
        }
        self.names
            .entry(actor.user_id)
            .or_insert_with(|| actor.username.clone());
        self.apply(record, &kind)
    }

    /// Who is invited into an open call's video, rebuilt from its history after a restart.
    async fn invitations(&self, record: &CallRecord) -> anyhow::Result<BTreeSet<Id>> {
        let mut invited = BTreeSet::new();
        if !matches!(record.state, CallState::Claimed | CallState::InConsultation) {
            return Ok(invited);
        }
        for event in self.store.call_events(record.id, Scope::AllHomes).await? {
            match event.kind.as_str() {
                "clinician_invited" => {
                    let detail: serde_json::Value =
                        serde_json::from_str(&event.detail).unwrap_or_default();
                    if let Some(c) = detail["clinician"].as_i64() {
                        invited.insert(c);
                    }
                }
                "invitation_declined" => {
                    if let Some(c) = event.actor_id {
                        invited.remove(&c);
                    }
                }
                "released" | "claim_lapsed" => invited.clear(),
                _ => {}
            }
        }
        Ok(invited)
    }

    /// Stores a change, then applies it to the queue and tells everyone.
    async fn commit(
        &mut self,
        change: CallChange,
        actor: Option<&Actor>,
    ) -> Result<Arc<CallView>, ApiError> {
        let id = change.call_id;
        let kind = change.kind.clone();
        let record = match self.store.change_call(change).await {
            Ok(r) => r,
            Err(e) => {
                // The stored call moved on without us (should not happen with one owner): reload.
                if matches!(e, StoreError::Conflict(_)) {
                    self.reload(id).await;
                }
                return Err(e.into());
            }
        };
        if let Some(a) = actor {
            self.names
                .entry(a.user_id)
                .or_insert_with(|| a.username.clone());
        }
        self.apply(record, &kind)
    }

    fn apply(&mut self, record: CallRecord, kind: &str) -> Result<Arc<CallView>, ApiError> {
        let id = record.id;
        if !self.open.contains_key(&id) {
            return Err(not_open(id));
        }
        let waiting = record.state == CallState::Queued;
        if waiting && !self.queue.contains(id) {
            let _ = self.queue.insert(entry(&record));
        } else if !waiting {
            self.queue.remove(id);
        } else if let Some(e) = self.queue.get(id).copied()
            && (e.level != record.level || e.clock_start != record.clock_start)
        {
            let _ = self.queue.set_level(id, record.level, record.clock_start);
        }
        let terminal = record.state.is_terminal();
        let in_video = matches!(record.state, CallState::Claimed | CallState::InConsultation);
        if let Some(call) = self.open.get_mut(&id) {
            call.record = record;
            if !in_video {
                call.invited.clear();
            }
        }
        if !in_video && let Some(media) = self.media.clone() {
            // The video ends with the consultation: every leg closed, every route removed.
            tokio::spawn(async move { media.close(carehub_media::RoomId(id)).await });
        }
        if terminal {
            let now = now_ms();
            let view = self.view_of(id, None).ok_or_else(|| not_open(id))?;
            self.open.remove(&id);
            self.publish(now);
            let order = Arc::new(self.view_tx.borrow().order());
            let _ = self.events.send(HubEvent::Ended {
                call: view.clone(),
                kind: kind.to_owned(),
                order,
                wire: Wire::default(),
            });
            tracing::info!(call_id = id, event = kind, "call ended");
            Ok(view)
        } else {
            self.announce(id, kind, None).ok_or_else(|| not_open(id))
        }
    }

    /// Publishes the queue and sends the event for one changed call.
    fn announce(
        &mut self,
        id: Id,
        kind: &str,
        breach_from: Option<Level>,
    ) -> Option<Arc<CallView>> {
        let now = now_ms();
        self.publish(now);
        let view = self
            .view_tx
            .borrow()
            .calls()
            .find(|c| c.id == id)
            .cloned()?;
        let order = Arc::new(self.view_tx.borrow().order());
        let event = match breach_from {
            Some(from) => HubEvent::Breached {
                call: view.clone(),
                from,
                order,
                wire: Wire::default(),
            },
            None => HubEvent::Changed {
                call: view.clone(),
                kind: kind.to_owned(),
                order,
                wire: Wire::default(),
            },
        };
        let _ = self.events.send(event);
        Some(view)
    }

    fn view_of(&self, id: Id, rank: Option<&carehub_triage::Ranked>) -> Option<Arc<CallView>> {
        let call = self.open.get(&id)?;
        let holder_name = call
            .record
            .holder_id
            .and_then(|h| self.names.get(&h))
            .map(String::as_str);
        let invited = call
            .invited
            .iter()
            .map(|c| HolderView {
                id: *c,
                name: self
                    .names
                    .get(c)
                    .cloned()
                    .unwrap_or_else(|| format!("user {c}")),
            })
            .collect();
        Some(Arc::new(CallView::new(ViewParts {
            record: &call.record,
            resident: &call.resident,
            home_name: &call.home_name,
            assessment: &call.assessment,
            triage: &call.triage,
            holder_name,
            invited,
            rank,
            target_seconds: self.targets.for_level(call.record.level),
        })))
    }

    /// Recomputes the published queue at `now`.
    fn publish(&mut self, now: i64) {
        self.seq += 1;
        let ranked = self.queue.ranked(now, &self.targets);
        let waiting = ranked
            .iter()
            .filter_map(|k| self.view_of(k.call_id, Some(k)))
            .collect();
        let in_progress = self
            .open
            .values()
            .filter(|c| c.record.state != CallState::Queued)
            .filter_map(|c| self.view_of(c.record.id, None))
            .collect();
        self.view_tx.send_replace(Arc::new(QueueView {
            seq: self.seq,
            waiting,
            in_progress,
        }));
    }

    async fn reload(&mut self, id: Id) {
        if let Ok(record) = self.store.get_call(id, Scope::AllHomes).await
            && self.apply(record, "reloaded").is_err()
        {
            tracing::error!(call_id = id, "reloading a call the hub does not hold");
        }
    }
}

fn not_open(id: Id) -> ApiError {
    ApiError::Internal(format!("call {id} is not open in the hub"))
}

fn entry(record: &CallRecord) -> QueueEntry {
    QueueEntry {
        call_id: record.id,
        level: record.level,
        arrived_at: record.arrived_at,
        clock_start: record.clock_start,
    }
}
