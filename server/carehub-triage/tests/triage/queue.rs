//! Queue order and breaches (docs/clinical-rules.md §5): scenarios in minutes, then properties over
//! any sequence of operations (no call lost or duplicated, order sorted and deterministic, breaches
//! only ever raise urgency as time passes).

use std::collections::BTreeMap;

use carehub_triage::queue::MAX_BREACHES;
use carehub_triage::{Breach, Level, Queue, QueueEntry, QueueError, Targets, effective};
use proptest::prelude::*;

const MINUTE: i64 = 60_000;

fn entry(call_id: i64, level: Level, arrived_at: i64) -> QueueEntry {
    QueueEntry {
        call_id,
        level,
        arrived_at,
        clock_start: arrived_at,
    }
}

fn ids(queue: &Queue, now: i64) -> Vec<i64> {
    queue
        .ranked(now, &Targets::default())
        .iter()
        .map(|r| r.call_id)
        .collect()
}

#[test]
fn a_call_breaches_exactly_at_its_target_and_moves_up_one_level() {
    let t = Targets::default();
    let e = entry(1, Level::P3, 0);
    assert_eq!(
        effective(&e, 30 * MINUTE - 1, &t),
        (Level::P3, 0, 30 * MINUTE)
    );
    assert_eq!(effective(&e, 30 * MINUTE, &t), (Level::P2, 1, 40 * MINUTE));
    assert_eq!(effective(&e, 40 * MINUTE, &t), (Level::P1, 2, 41 * MINUTE));
    // A breached P1 keeps counting further P1 targets.
    assert_eq!(effective(&e, 41 * MINUTE, &t), (Level::P1, 3, 42 * MINUTE));
    assert_eq!(
        effective(&e, 45 * MINUTE + 30_000, &t),
        (Level::P1, 7, 46 * MINUTE)
    );
}

#[test]
fn a_routine_call_climbs_through_every_level() {
    let t = Targets::default();
    let e = entry(1, Level::P5, 0);
    let steps = [
        (240, Level::P4, 1, 300),
        (300, Level::P3, 2, 330),
        (330, Level::P2, 3, 340),
        (340, Level::P1, 4, 341),
    ];
    for (at, level, breaches, next) in steps {
        assert_eq!(
            effective(&e, at * MINUTE, &t),
            (level, breaches, next * MINUTE)
        );
    }
}

#[test]
fn effective_is_total_and_bounded_for_any_input() {
    let zero = Targets { seconds: [0; 5] };
    let e = entry(1, Level::P5, i64::MIN);
    assert_eq!(effective(&e, i64::MAX, &zero).1, MAX_BREACHES);
    assert_eq!(effective(&e, i64::MAX, &Targets::default()).1, MAX_BREACHES);
    // A deadline past the end of representable time never arrives.
    let late = entry(1, Level::P5, i64::MAX);
    let never = (Level::P5, 0, i64::MAX);
    assert_eq!(effective(&late, i64::MIN, &Targets::default()), never);
    assert_eq!(effective(&late, i64::MAX, &Targets::default()), never);
    let huge = Targets {
        seconds: [u32::MAX; 5],
    };
    let near_end = entry(1, Level::P5, i64::MAX - 5_000_000_000_000);
    assert_eq!(effective(&near_end, i64::MAX, &huge).0, Level::P4);
}

#[test]
fn an_emergency_is_answered_before_an_older_routine_call() {
    let mut queue = Queue::new();
    queue.insert(entry(10, Level::P5, 0)).expect("new call");
    queue
        .insert(entry(11, Level::P1, MINUTE / 2))
        .expect("new call");
    queue.insert(entry(12, Level::P3, 0)).expect("new call");
    assert_eq!(ids(&queue, MINUTE / 2), [11, 12, 10]);
    let ranked = queue.ranked(MINUTE / 2, &Targets::default());
    let positions: Vec<usize> = ranked.iter().map(|r| r.position).collect();
    assert_eq!(positions, [1, 2, 3]);
    assert_eq!(queue.position(10, MINUTE / 2, &Targets::default()), Some(3));
    assert_eq!(queue.position(99, 0, &Targets::default()), None);
}

#[test]
fn ties_break_by_arrival_then_call_id() {
    let mut queue = Queue::new();
    for (id, arrived) in [(7, 5), (3, 5), (9, 1)] {
        queue
            .insert(entry(id, Level::P2, arrived))
            .expect("new call");
    }
    assert_eq!(ids(&queue, 10), [9, 3, 7]);
}

#[test]
fn a_breached_call_keeps_its_arrival_time_among_its_new_level() {
    let mut queue = Queue::new();
    queue.insert(entry(1, Level::P3, 0)).expect("new call");
    queue
        .insert(entry(2, Level::P2, 25 * MINUTE))
        .expect("new call");
    // At 30 minutes call 1 breaches into P2 and, having arrived first, goes ahead of call 2.
    assert_eq!(ids(&queue, 29 * MINUTE), [2, 1]);
    assert_eq!(ids(&queue, 30 * MINUTE), [1, 2]);
    let top = queue.ranked(30 * MINUTE, &Targets::default())[0];
    assert_eq!(
        (top.assigned, top.effective, top.breaches),
        (Level::P3, Level::P2, 1)
    );
}

#[test]
fn duplicates_and_unknown_calls_are_refused() {
    let mut queue = Queue::default();
    queue.insert(entry(1, Level::P3, 0)).expect("new call");
    assert_eq!(
        queue.insert(entry(1, Level::P1, 0)),
        Err(QueueError::Duplicate(1))
    );
    assert_eq!(
        queue.set_level(2, Level::P1, 0),
        Err(QueueError::NotFound(2))
    );
    assert_eq!(
        QueueError::Duplicate(1).to_string(),
        "call 1 is already in the queue"
    );
    assert_eq!(queue.len(), 1);
    assert!(queue.contains(1) && !queue.contains(2));
    assert_eq!(queue.remove(1), Some(entry(1, Level::P3, 0)));
    assert_eq!(queue.remove(1), None);
    assert!(queue.is_empty());
}

#[test]
fn a_nurse_level_change_restarts_the_breach_clock_and_keeps_arrival() {
    let mut queue = Queue::new();
    queue.insert(entry(1, Level::P3, 0)).expect("new call");
    queue.set_level(1, Level::P4, 20 * MINUTE).expect("queued");
    let got = queue.get(1).copied().expect("queued");
    assert_eq!(
        (got.level, got.arrived_at, got.clock_start),
        (Level::P4, 0, 20 * MINUTE)
    );
    assert_eq!(effective(&got, 79 * MINUTE, &Targets::default()).1, 0);
    assert_eq!(effective(&got, 80 * MINUTE, &Targets::default()).1, 1);
}

#[test]
fn tick_reports_each_breach_once() {
    let t = Targets::default();
    let mut queue = Queue::new();
    queue.insert(entry(1, Level::P2, 0)).expect("new call");
    queue.insert(entry(2, Level::P4, 0)).expect("new call");
    assert_eq!(queue.tick(9 * MINUTE, &t), []);
    let first = Breach {
        call_id: 1,
        from: Level::P2,
        to: Level::P1,
        breaches: 1,
    };
    assert_eq!(queue.tick(10 * MINUTE, &t), [first]);
    assert_eq!(queue.tick(10 * MINUTE + 1, &t), []);
    // Going back in time reports nothing new, and nothing twice later.
    assert_eq!(queue.tick(0, &t), []);
    assert_eq!(queue.tick(10 * MINUTE + 2, &t), []);
    // Several breaches between ticks are one alert covering the jump.
    let jump = queue.tick(13 * MINUTE, &t);
    assert_eq!(
        jump,
        [Breach {
            call_id: 1,
            from: Level::P1,
            to: Level::P1,
            breaches: 4,
        }]
    );
    // A nurse's change resets what was alerted along with the clock.
    queue.set_level(1, Level::P3, 13 * MINUTE).expect("queued");
    assert_eq!(queue.tick(43 * MINUTE, &t).len(), 1);
    queue.remove(2);
    assert!(queue.tick(500 * MINUTE, &t).iter().all(|b| b.call_id == 1));
}

#[derive(Debug, Clone)]
enum Op {
    Insert(QueueEntry),
    Remove(i64),
    SetLevel(i64, Level, i64),
    Tick(i64),
}

fn any_level() -> impl Strategy<Value = Level> {
    proptest::sample::select(Level::ALL.to_vec())
}

/// Times span several targets so breaches happen often.
fn any_time() -> impl Strategy<Value = i64> {
    0..(600 * MINUTE)
}

fn any_op() -> impl Strategy<Value = Op> {
    let id = 0..12i64;
    prop_oneof![
        3 => (id.clone(), any_level(), any_time(), any_time()).prop_map(|(id, level, a, c)| {
            Op::Insert(QueueEntry { call_id: id, level, arrived_at: a, clock_start: c })
        }),
        1 => id.clone().prop_map(Op::Remove),
        1 => (id, any_level(), any_time()).prop_map(|(id, l, c)| Op::SetLevel(id, l, c)),
        1 => any_time().prop_map(Op::Tick),
    ]
}

/// Applies the operations to the queue and to a plain map that models it.
fn run(ops: &[Op]) -> (Queue, BTreeMap<i64, QueueEntry>) {
    let targets = Targets::default();
    let mut queue = Queue::new();
    let mut model = BTreeMap::new();
    for op in ops {
        match op.clone() {
            Op::Insert(e) => {
                let fresh = !model.contains_key(&e.call_id);
                assert_eq!(queue.insert(e).is_ok(), fresh);
                model.entry(e.call_id).or_insert(e);
            }
            Op::Remove(id) => assert_eq!(queue.remove(id), model.remove(&id)),
            Op::SetLevel(id, level, clock) => {
                let known = model.get_mut(&id).map(|e| {
                    e.level = level;
                    e.clock_start = clock;
                });
                assert_eq!(queue.set_level(id, level, clock).is_ok(), known.is_some());
            }
            Op::Tick(now) => {
                queue.tick(now, &targets);
            }
        }
    }
    (queue, model)
}

proptest! {
    #[test]
    fn no_call_is_lost_or_duplicated_and_the_order_is_sorted(
        ops in proptest::collection::vec(any_op(), 0..40),
        now in any_time(),
    ) {
        let targets = Targets::default();
        let (queue, model) = run(&ops);
        let ranked = queue.ranked(now, &targets);
        let mut seen: Vec<i64> = ranked.iter().map(|r| r.call_id).collect();
        seen.sort_unstable();
        prop_assert_eq!(seen, model.keys().copied().collect::<Vec<_>>());
        let keys: Vec<_> = ranked.iter().map(|r| (r.effective, r.arrived_at, r.call_id)).collect();
        prop_assert!(keys.windows(2).all(|w| w[0] < w[1]));
        for (i, row) in ranked.iter().enumerate() {
            prop_assert_eq!(row.position, i + 1);
            prop_assert_eq!(queue.position(row.call_id, now, &targets), Some(i + 1));
            prop_assert!(row.effective <= row.assigned);
        }
    }

    #[test]
    fn the_order_does_not_depend_on_insertion_order(
        ops in proptest::collection::vec(any_op(), 0..40),
        now in any_time(),
    ) {
        let targets = Targets::default();
        let (queue, model) = run(&ops);
        let mut reversed = Queue::new();
        for e in model.values().rev() {
            prop_assert!(reversed.insert(*e).is_ok());
        }
        prop_assert_eq!(queue.ranked(now, &targets), reversed.ranked(now, &targets));
    }

    #[test]
    fn urgency_only_rises_as_time_passes(
        level in any_level(),
        clock in any::<i64>(),
        earlier in any::<i64>(),
        later in any::<i64>(),
    ) {
        let (earlier, later) = (earlier.min(later), earlier.max(later));
        let targets = Targets::default();
        let e = QueueEntry { call_id: 1, level, arrived_at: clock, clock_start: clock };
        let (before, breaches_before, _) = effective(&e, earlier, &targets);
        let (after, breaches_after, _) = effective(&e, later, &targets);
        prop_assert!(after <= before && before <= level);
        prop_assert!(breaches_after >= breaches_before);
    }

    #[test]
    fn urgency_only_rises_within_the_working_range(
        level in any_level(),
        clock in any_time(),
        earlier in any_time(),
        step in 0..(60 * MINUTE),
    ) {
        let targets = Targets::default();
        let e = QueueEntry { call_id: 1, level, arrived_at: clock, clock_start: clock };
        let (before, b1, deadline) = effective(&e, earlier, &targets);
        let (after, b2, _) = effective(&e, earlier + step, &targets);
        prop_assert!(after <= before && b2 >= b1);
        if b1 < MAX_BREACHES {
            prop_assert!(deadline > earlier);
            prop_assert_eq!(b2 > b1, earlier + step >= deadline);
        }
    }
}
