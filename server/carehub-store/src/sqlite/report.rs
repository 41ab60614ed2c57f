//! The service figures of docs/clinical-rules.md §8.2: SQL fetches the few columns needed, the
//! counting is plain Rust over the triage crate's rules (UK local time, out of hours, remained at
//! residence).

use std::collections::BTreeMap;

use carehub_triage::{
    CallState, FollowUp, Level, Outcome, Remained, is_out_of_hours, remained, uk_local,
};
use rusqlite::{Connection, params};

use super::call_reads::{follow_up_at, level_at, outcome_at, state_at};
use super::db_error;
use crate::{AnswerTimes, Id, Report, ReportQuery, StoreResult};

/// What the figures need of one call.
struct Row {
    care_home_id: Id,
    state: CallState,
    initial_level: Level,
    arrived_at: i64,
    answered_at: Option<i64>,
    breaches: u8,
    outcome: Option<Outcome>,
    follow_up: FollowUp,
}

fn fetch(c: &Connection, q: &ReportQuery) -> StoreResult<Vec<Row>> {
    let mut stmt = c
        .prepare_cached(
            "SELECT care_home_id, state, initial_level, arrived_at, answered_at, breaches,
                    outcome, conveyed, admitted, died_within_72h
             FROM call
             WHERE (?1 IS NULL OR arrived_at >= ?1) AND (?2 IS NULL OR arrived_at < ?2)
               AND (?3 IS NULL OR care_home_id = ?3)",
        )
        .map_err(db_error)?;
    let rows = stmt
        .query_map(params![q.from, q.to, q.care_home_id], |r| {
            Ok(Row {
                care_home_id: r.get(0)?,
                state: state_at(r, 1)?,
                initial_level: level_at(r, 2)?,
                arrived_at: r.get(3)?,
                answered_at: r.get(4)?,
                breaches: r.get(5)?,
                outcome: outcome_at(r, 6)?,
                follow_up: follow_up_at(r, 7)?,
            })
        })
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

/// Every care home (id, name), by name.
fn homes(c: &Connection) -> StoreResult<Vec<(Id, String)>> {
    let mut stmt = c
        .prepare_cached("SELECT id, name FROM care_home ORDER BY name, id")
        .map_err(db_error)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

/// Computes the figures over calls that arrived in `[from, to)` (and in the home, if given).
///
/// - Days and hours are UK local time; out of hours is 18:00-08:00 and weekends.
/// - Remained at residence counts closed calls with an outcome only, after follow-up.
/// - Time to answer groups calls by the level they arrived at and measures arrival to first
///   claim in seconds, over answered calls (a negative span, which only bad data can give, counts
///   as 0). Percentiles use the nearest-rank rule: over the `n` answered times sorted
///   ascending, the `q` percentile is the `ceil(q * n)`-th smallest (1-based); the median is
///   `q = 0.5` by the same rule, so it is always an observed value (the lower middle for even
///   `n`), never an average of two.
/// - `per_home` lists every care home by name, with 0 for homes without calls in the period.
pub(crate) fn report(c: &mut Connection, q: &ReportQuery) -> StoreResult<Report> {
    let tx = c.transaction().map_err(db_error)?;
    let rows = fetch(&tx, q)?;
    let homes = homes(&tx)?;
    tx.commit().map_err(db_error)?;
    let mut report = Report {
        calls: count(rows.len()),
        per_day: per_day(&rows),
        per_hour: per_hour(&rows),
        out_of_hours: count(
            rows.iter()
                .filter(|r| is_out_of_hours(r.arrived_at))
                .count(),
        ),
        remained_yes: 0,
        remained_no: 0,
        remained_pending: 0,
        remained_not_applicable: 0,
        answer_times: Level::ALL.map(|l| answer_times(&rows, l)).to_vec(),
        abandoned: count(rows.iter().filter(|r| is_abandoned(r)).count()),
        cancelled: count(
            rows.iter()
                .filter(|r| r.state == CallState::Cancelled)
                .count(),
        ),
        per_home: homes
            .into_iter()
            .map(|(id, name)| {
                let n = rows.iter().filter(|r| r.care_home_id == id).count();
                (id, name, count(n))
            })
            .collect(),
        outcomes: Outcome::ALL
            .map(|o| {
                (
                    o,
                    count(rows.iter().filter(|r| r.outcome == Some(o)).count()),
                )
            })
            .to_vec(),
    };
    count_remained(&rows, &mut report);
    Ok(report)
}

/// Counts never exceed the rows of one query; saturate rather than wrap if they ever did.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn is_abandoned(r: &Row) -> bool {
    r.state == CallState::Abandoned || r.outcome == Some(Outcome::Abn)
}

fn per_day(rows: &[Row]) -> Vec<(String, u32)> {
    let mut days: BTreeMap<(i32, u8, u8), u32> = BTreeMap::new();
    for r in rows {
        let t = uk_local(r.arrived_at);
        let n = days.entry((t.year, t.month, t.day)).or_default();
        *n = n.saturating_add(1);
    }
    days.into_iter()
        .map(|((y, m, d), n)| (format!("{y:04}-{m:02}-{d:02}"), n))
        .collect()
}

fn per_hour(rows: &[Row]) -> [u32; 24] {
    let mut hours = [0u32; 24];
    for r in rows {
        if let Some(n) = hours.get_mut(usize::from(uk_local(r.arrived_at).hour)) {
            *n = n.saturating_add(1);
        }
    }
    hours
}

fn count_remained(rows: &[Row], report: &mut Report) {
    for r in rows.iter().filter(|r| r.state == CallState::Closed) {
        let Some(outcome) = r.outcome else { continue };
        let slot = match remained(outcome, &r.follow_up) {
            Some(true) => &mut report.remained_yes,
            Some(false) => &mut report.remained_no,
            None => match outcome.remained_at_residence() {
                Remained::Pending | Remained::PerFollowUp => &mut report.remained_pending,
                _ => &mut report.remained_not_applicable,
            },
        };
        *slot = slot.saturating_add(1);
    }
}

fn answer_times(rows: &[Row], level: Level) -> AnswerTimes {
    let arrived: Vec<&Row> = rows.iter().filter(|r| r.initial_level == level).collect();
    let mut waits: Vec<i64> = arrived
        .iter()
        .filter_map(|r| r.answered_at.map(|a| a.saturating_sub(r.arrived_at).max(0)))
        .collect();
    waits.sort_unstable();
    AnswerTimes {
        level,
        calls: count(arrived.len()),
        answered: count(waits.len()),
        median_seconds: nearest_rank(&waits, 1, 2).map(seconds),
        p90_seconds: nearest_rank(&waits, 9, 10).map(seconds),
        breached: count(arrived.iter().filter(|r| r.breaches > 0).count()),
    }
}

/// The `ceil(n * num / den)`-th smallest of `sorted` (1-based, at least the first), in exact
/// integer arithmetic; `None` when empty.
fn nearest_rank(sorted: &[i64], num: usize, den: usize) -> Option<i64> {
    let n = sorted.len();
    let rank = n.saturating_mul(num).div_ceil(den).max(1);
    sorted.get(rank - 1).copied()
}

/// Milliseconds as seconds (exact for any wait shorter than 2^53 ms).
fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::nearest_rank;

    #[test]
    fn nearest_rank_follows_the_ceiling_rule() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 1, 2), Some(5));
        assert_eq!(nearest_rank(&v, 9, 10), Some(9));
        assert_eq!(nearest_rank(&v[..1], 9, 10), Some(1));
        assert_eq!(nearest_rank(&v[..3], 1, 2), Some(2));
        assert_eq!(nearest_rank(&v[..3], 9, 10), Some(3));
        assert_eq!(nearest_rank(&v[..0], 1, 2), None);
    }
}
