//! The single hub queue: who is answered next, and which calls have waited past their target.
//!
//! docs/clinical-rules.md §5: order by level, then arrival, then call id, so two hub nurses always
//! see the same order. A call still waiting when its target passes is *breached*: it moves up one
//! level (keeping its arrival time) and the breach clock restarts with the new level's target,
//! again at each further target. Breaches are computed from `now`, never stored, so the order at
//! any instant depends only on the entries and that instant.

use std::collections::BTreeMap;
use std::fmt;

use crate::urgency::{Level, Targets};

/// The most breaches counted for one call; beyond this the count saturates.
pub const MAX_BREACHES: u8 = u8::MAX;

/// A waiting call as the queue needs to see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QueueEntry {
    /// The call's id, unique in the queue and the final tie-break.
    pub call_id: i64,
    /// The level triage or a hub nurse assigned.
    pub level: Level,
    /// Unix ms the call arrived; orders calls within a level and survives breaches.
    pub arrived_at: i64,
    /// Unix ms the breach clock for `level` started: arrival, or a nurse's level change.
    pub clock_start: i64,
}

/// One row of the queue as hub nurses see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ranked {
    /// The call's id.
    pub call_id: i64,
    /// The level assigned by triage or a nurse.
    pub assigned: Level,
    /// The level after breaches, which decides the order.
    pub effective: Level,
    /// How many targets this call has missed since its clock started.
    pub breaches: u8,
    /// Unix ms of the next breach if the call is still waiting then.
    pub next_deadline: i64,
    /// Unix ms the call arrived.
    pub arrived_at: i64,
    /// 1-based place in the queue.
    pub position: usize,
}

/// A breach to alert every hub nurse about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Breach {
    /// The call that breached.
    pub call_id: i64,
    /// Its effective level before this breach.
    pub from: Level,
    /// Its effective level now.
    pub to: Level,
    /// Its breach count now.
    pub breaches: u8,
}

/// Why a queue operation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueError {
    /// The call is already queued.
    Duplicate(i64),
    /// The call is not in the queue.
    NotFound(i64),
}

/// The effective level, breach count and next deadline of `entry` at `now`.
///
/// The deadline starts at `clock_start + target(level)`; each deadline passed is a breach that
/// promotes the level one step and adds the new level's target. A breached P1 keeps counting
/// further P1 targets. Total over every input: the count stops at [`MAX_BREACHES`] (so the loop
/// runs at most 255 times, and a saturated call's next deadline may already have passed), and
/// a deadline beyond the last representable instant never arrives (reported as `i64::MAX`).
pub fn effective(entry: &QueueEntry, now: i64, targets: &Targets) -> (Level, u8, i64) {
    let mut level = entry.level;
    let mut breaches: u8 = 0;
    let mut deadline = entry.clock_start.checked_add(targets.millis(level));
    while let Some(due) = deadline {
        if now < due || breaches == MAX_BREACHES {
            break;
        }
        breaches += 1;
        level = level.promoted();
        deadline = due.checked_add(targets.millis(level));
    }
    (level, breaches, deadline.unwrap_or(i64::MAX))
}

/// The hub queue, keyed by call id; also remembers which breaches were already alerted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Queue {
    entries: BTreeMap<i64, QueueEntry>,
    alerted: BTreeMap<i64, u8>,
}

impl Queue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a waiting call; a call can be queued only once.
    pub fn insert(&mut self, entry: QueueEntry) -> Result<(), QueueError> {
        if self.entries.contains_key(&entry.call_id) {
            return Err(QueueError::Duplicate(entry.call_id));
        }
        self.entries.insert(entry.call_id, entry);
        Ok(())
    }

    /// Takes a call off the queue (answered, cancelled or abandoned).
    pub fn remove(&mut self, call_id: i64) -> Option<QueueEntry> {
        self.alerted.remove(&call_id);
        self.entries.remove(&call_id)
    }

    /// The entry for a waiting call.
    pub fn get(&self, call_id: i64) -> Option<&QueueEntry> {
        self.entries.get(&call_id)
    }

    /// A hub nurse's level change (rule 9): the breach clock restarts at `clock_start` for the
    /// new level, and earlier breaches no longer count. The arrival time is kept.
    pub fn set_level(
        &mut self,
        call_id: i64,
        level: Level,
        clock_start: i64,
    ) -> Result<(), QueueError> {
        let entry = self
            .entries
            .get_mut(&call_id)
            .ok_or(QueueError::NotFound(call_id))?;
        entry.level = level;
        entry.clock_start = clock_start;
        self.alerted.remove(&call_id);
        Ok(())
    }

    /// How many calls are waiting.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No call is waiting.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether a call is waiting.
    pub fn contains(&self, call_id: i64) -> bool {
        self.entries.contains_key(&call_id)
    }

    /// Every waiting call, by call id (not queue order; see [`Queue::ranked`]).
    pub fn entries(&self) -> impl Iterator<Item = &QueueEntry> {
        self.entries.values()
    }

    /// The queue in answer order at `now`: effective level, then arrival, then call id.
    pub fn ranked(&self, now: i64, targets: &Targets) -> Vec<Ranked> {
        let mut rows: Vec<Ranked> = self
            .entries
            .values()
            .map(|entry| {
                let (effective, breaches, next_deadline) = effective(entry, now, targets);
                Ranked {
                    call_id: entry.call_id,
                    assigned: entry.level,
                    effective,
                    breaches,
                    next_deadline,
                    arrived_at: entry.arrived_at,
                    position: 0,
                }
            })
            .collect();
        rows.sort_by_key(|r| (r.effective, r.arrived_at, r.call_id));
        for (index, row) in rows.iter_mut().enumerate() {
            row.position = index + 1;
        }
        rows
    }

    /// A call's 1-based place in the queue at `now`, for the care home's "you are number N".
    pub fn position(&self, call_id: i64, now: i64, targets: &Targets) -> Option<usize> {
        let entry = self.entries.get(&call_id)?;
        let key = |e: &QueueEntry| {
            let (level, _, _) = effective(e, now, targets);
            (level, e.arrived_at, e.call_id)
        };
        let own = key(entry);
        let ahead = self.entries.values().filter(|e| key(e) < own).count();
        Some(ahead + 1)
    }

    /// Breaches that happened since the last call to tick (each reported once per new breach
    /// count), for alerts.
    ///
    /// When a call breached more than once since the last tick, one [`Breach`] reports the
    /// jump (from its last alerted level to its level now), so a late tick cannot flood nurses
    /// with alerts. A `now` earlier than a previous tick reports nothing again. Results are in
    /// call id order.
    pub fn tick(&mut self, now: i64, targets: &Targets) -> Vec<Breach> {
        let mut alerts = Vec::new();
        for entry in self.entries.values() {
            let (to, breaches, _) = effective(entry, now, targets);
            let seen = self.alerted.get(&entry.call_id).copied().unwrap_or(0);
            if breaches > seen {
                alerts.push(Breach {
                    call_id: entry.call_id,
                    from: promoted_times(entry.level, seen),
                    to,
                    breaches,
                });
                self.alerted.insert(entry.call_id, breaches);
            }
        }
        alerts
    }
}

/// The level after `times` breaches from `level`.
fn promoted_times(level: Level, times: u8) -> Level {
    (0..times.min(4)).fold(level, |l, _| l.promoted())
}

impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueError::Duplicate(id) => write!(f, "call {id} is already in the queue"),
            QueueError::NotFound(id) => write!(f, "call {id} is not in the queue"),
        }
    }
}

impl std::error::Error for QueueError {}
