//! Per-care-home event channels, so an event wakes only the tablets it can concern.
//!
//! With every care home connected there are tens of thousands of tablets and each event is
//! about one home. If every tablet read the whole event stream, each event would wake every
//! tablet's task only for most of them to discard it, and the hub screens' copy would wait
//! behind all of them. Instead one router task reads the stream and passes each event to the
//! channel of the event's own home and of every home with a call waiting (whose place in the
//! queue the event may have moved); tablets of other homes are not woken at all.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use carehub_store::Id;
use tokio::sync::{broadcast, watch};

use super::{HubEvent, QueueView};

/// Events kept per home for a slow tablet before it lags and gets a fresh snapshot. A home sees
/// few events (its own calls, and queue moves while it has a call waiting), so this is small:
/// the buffer is allocated per connected home.
const HOME_EVENT_BUFFER: usize = 32;
/// How often channels of homes with no tablet left are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// The channels, by home.
#[derive(Default)]
pub(super) struct HomeChannels {
    senders: Mutex<HashMap<Id, broadcast::Sender<HubEvent>>>,
}

impl HomeChannels {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Id, broadcast::Sender<HubEvent>>> {
        self.senders.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A receiver for one home's events, from now on.
    pub(super) fn subscribe(&self, home: Id) -> broadcast::Receiver<HubEvent> {
        self.lock()
            .entry(home)
            .or_insert_with(|| broadcast::channel(HOME_EVENT_BUFFER).0)
            .subscribe()
    }

    /// Passes `event` to the homes it can concern.
    fn deliver(&self, event: &HubEvent, waiting_homes: &HashSet<Id>) {
        let own = event.call().care_home.id;
        let senders = self.lock();
        let targets =
            std::iter::once(own).chain(waiting_homes.iter().copied().filter(|h| *h != own));
        for home in targets {
            if let Some(tx) = senders.get(&home) {
                let _ = tx.send(event.clone());
            }
        }
    }

    /// Drops the channels of homes whose tablets have all gone.
    fn sweep(&self) {
        self.lock().retain(|_, tx| tx.receiver_count() > 0);
    }

    /// Closes every channel: their tablets disconnect and, reconnecting, get a fresh snapshot.
    fn close_all(&self) {
        self.lock().clear();
    }
}

/// The router: reads every hub event and passes it to the homes it can concern.
pub(super) async fn route(
    mut events: broadcast::Receiver<HubEvent>,
    view: watch::Receiver<Arc<QueueView>>,
    homes: Arc<HomeChannels>,
) {
    let mut sweep = tokio::time::interval(SWEEP_EVERY);
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => {
                    // The published queue is at least as new as the event (the hub publishes
                    // before it sends), so no home whose place moved is missed; a newer queue
                    // can only add homes, which handle the event as before.
                    let waiting: HashSet<Id> =
                        view.borrow().waiting.iter().map(|c| c.care_home.id).collect();
                    homes.deliver(&event, &waiting);
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // Which homes missed what is unknown: end every tablet's stream, so each
                    // reconnects to a fresh snapshot, as a slow client does.
                    tracing::warn!(missed, "home event router lagged: closing tablet streams");
                    homes.close_all();
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = sweep.tick() => homes.sweep(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homes_without_tablets_are_swept_and_subscribers_keep_theirs() {
        let homes = HomeChannels::default();
        let kept = homes.subscribe(1);
        drop(homes.subscribe(2));
        homes.sweep();
        let senders = homes.lock();
        assert!(senders.contains_key(&1));
        assert!(!senders.contains_key(&2));
        drop(kept);
    }
}
