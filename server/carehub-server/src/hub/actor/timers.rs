//! What happens with time rather than requests: breaches of the answer targets, calls held by
//! a nurse who has gone, and waiting calls whose home has gone. Each is recorded as an event
//! by the system (no actor) before anyone is told.

use carehub_store::{CallChange, Holder, Id, Role};
use carehub_triage::{CallAction, CallState, transition};

use super::{HubState, now_ms};

impl HubState {
    pub(super) async fn on_tick(&mut self) {
        let now = now_ms();
        for breach in self.queue.tick(now, &self.targets) {
            let Some(call) = self.open.get(&breach.call_id) else {
                continue;
            };
            if breach.breaches <= call.record.breaches {
                continue; // already recorded before a restart
            }
            let detail = serde_json::json!({"from": breach.from.as_str(), "to": breach.to.as_str(), "breaches": breach.breaches}).to_string();
            let change = CallChange {
                breaches: Some(breach.breaches),
                detail,
                ..CallChange::event(breach.call_id, CallState::Queued, "breached", None, now)
            };
            match self.store.change_call(change).await {
                Ok(record) => {
                    tracing::warn!(
                        call_id = record.id,
                        from = breach.from.as_str(),
                        to = breach.to.as_str(),
                        "call breached its target"
                    );
                    if let Some(call) = self.open.get_mut(&record.id) {
                        call.record = record;
                    }
                    self.announce(breach.call_id, "breached", Some(breach.from));
                }
                Err(e) => {
                    tracing::error!(call_id = breach.call_id, error = %e, "recording a breach failed")
                }
            }
        }
        self.lapse_claims(now).await;
        self.abandon_unattended(now).await;
    }

    async fn lapse_claims(&mut self, now: i64) {
        let due: Vec<Id> = self
            .lapse_at
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(u, _)| *u)
            .collect();
        for user in due {
            self.lapse_at.remove(&user);
            let held: Vec<(Id, CallState)> = self
                .open
                .values()
                .filter(|c| c.record.holder_id == Some(user))
                .filter(|c| {
                    matches!(
                        c.record.state,
                        CallState::Claimed | CallState::InConsultation
                    )
                })
                .map(|c| (c.record.id, c.record.state))
                .collect();
            for (id, state) in held {
                let Ok(to) = transition(state, CallAction::ClaimLapsed) else {
                    continue;
                };
                let change = CallChange {
                    new_state: to,
                    holder: Holder::Clear,
                    detail: serde_json::json!({"nurse": user}).to_string(),
                    ..CallChange::event(id, state, "claim_lapsed", None, now)
                };
                match self.commit(change, None).await {
                    Ok(_) => tracing::warn!(
                        call_id = id,
                        nurse = user,
                        "nurse disconnected: call returned to the queue"
                    ),
                    Err(e) => {
                        tracing::error!(call_id = id, error = %e, "returning a lapsed call failed")
                    }
                }
            }
        }
    }

    async fn abandon_unattended(&mut self, now: i64) {
        let due: Vec<Id> = self
            .home_absent_since
            .iter()
            .filter(|(_, since)| now - **since >= self.abandon_grace_ms)
            .map(|(h, _)| *h)
            .collect();
        for home in due {
            self.home_absent_since.remove(&home);
            let waiting: Vec<Id> = self
                .open
                .values()
                .filter(|c| c.record.care_home_id == home && c.record.state == CallState::Queued)
                .map(|c| c.record.id)
                .collect();
            for id in waiting {
                let change = CallChange {
                    new_state: CallState::Abandoned,
                    detail: serde_json::json!({"reason": "no tablet of the home connected"})
                        .to_string(),
                    ..CallChange::event(id, CallState::Queued, "abandoned", None, now)
                };
                match self.commit(change, None).await {
                    Ok(_) => tracing::warn!(
                        call_id = id,
                        "caller gone past the grace period: call abandoned"
                    ),
                    Err(e) => tracing::error!(call_id = id, error = %e, "abandoning a call failed"),
                }
            }
        }
    }

    pub(super) fn on_presence(&mut self, user: Id, role: Role, home: Option<Id>, connected: bool) {
        let now = now_ms();
        let count = self.presence.entry(user).or_default();
        *count = if connected {
            *count + 1
        } else {
            count.saturating_sub(1)
        };
        let online = *count > 0;
        if role == Role::HubNurse {
            if online {
                self.lapse_at.remove(&user);
            } else {
                self.lapse_at.insert(user, now + self.claim_grace_ms);
            }
        }
        if let (Role::CareStaff, Some(home)) = (role, home) {
            let count = self.home_presence.entry(home).or_default();
            *count = if connected {
                *count + 1
            } else {
                count.saturating_sub(1)
            };
            if *count > 0 {
                self.home_absent_since.remove(&home);
            } else {
                self.home_absent_since.entry(home).or_insert(now);
            }
        }
    }
}
