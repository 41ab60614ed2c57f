//! The urgency mapping of docs/clinical-rules.md §4 as one table, for the clinical safety officer
//! to sign off.
//!
//! Each row is a rule number, the level it asks for, the signed-off wording, and a small check
//! that says whether it fires (and why, in words). [`assess`] runs every row and takes the most
//! urgent level; a row can only ever ask for a level, never lower one, so adding a soft sign,
//! a red flag or more staff concern can only raise urgency. (Completing observations can lower
//! it: rule 7 stops applying once all seven items are in.) Partial NEWS2 totals feed rules 2-5
//! as lower bounds; a resident with no observations at all has no NEWS2 to feed them (rule 7
//! covers that route instead).
//! Rule 9 (a hub nurse changing the level) happens outside triage: see [`crate::queue`].

use crate::news2::{Consciousness, Item, News2, ObservationError, Spo2Scale, score};

use super::{Assessment, Concern, Level, Reason, Triage};

/// What every rule looks at, computed once per assessment.
struct Facts<'a> {
    assessment: &'a Assessment,
    news2: &'a News2,
}

/// One row of the mapping table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The rule number in docs/clinical-rules.md §4.2 (several rows may share one).
    pub number: u8,
    /// The level the rule asks for when it fires.
    pub level: Level,
    /// The signed-off wording of the condition.
    pub description: &'static str,
    /// Whether the rule fires, and the reason text when it does.
    check: fn(&Facts<'_>) -> Option<String>,
}

/// Rules 1-7 of docs/clinical-rules.md §4.2, in order; see [`OTHERWISE`] for rule 8.
#[rustfmt::skip]
pub const RULES: [Rule; 14] = [
    // row(rule, level asked for, condition as signed off, check that it holds)
    row(1, Level::P1, "Any red flag",                                                red_flag),
    row(1, Level::P1, "ACVPU P or U",                                                pain_or_unresponsive),
    row(2, Level::P1, "NEWS2 total 7 or more",                                       news2_7_or_more),
    row(3, Level::P2, "NEWS2 total 5-6",                                             news2_5_to_6),
    row(3, Level::P2, "Any single NEWS2 item scoring 3",                             item_three),
    row(4, Level::P3, "NEWS2 total 3-4",                                             news2_3_to_4),
    row(4, Level::P3, "NEWS2 total 1-2 with at least one soft sign",                 news2_1_to_2_with_soft_signs),
    row(4, Level::P3, "NEWS2 at least 2 above the resident's documented baseline",   above_baseline),
    row(5, Level::P4, "NEWS2 total 1-2 with no soft signs",                          news2_1_to_2_alone),
    row(5, Level::P4, "NEWS2 total 0 with at least one soft sign",                   news2_0_with_soft_signs),
    row(6, Level::P2, "Staff very worried",                                          very_worried),
    row(6, Level::P3, "Staff worried",                                               worried),
    row(7, Level::P3, "Incomplete observations with any soft sign or staff concern", incomplete),
    row(7, Level::P3, "No observations at all, with soft signs (RESTORE2mini)",      soft_signs_only),
];

/// Rule 8: when no other rule fires, the call is routine advice.
pub const OTHERWISE: Rule = row(8, Level::P5, "Otherwise: routine advice", |_| {
    Some("No warning signs: routine advice".to_owned())
});

const fn row(
    number: u8,
    level: Level,
    description: &'static str,
    check: fn(&Facts<'_>) -> Option<String>,
) -> Rule {
    Rule {
        number,
        level,
        description,
        check,
    }
}

/// Scores the observations on the resident's scale, then applies every rule.
pub fn assess(assessment: &Assessment, scale: Spo2Scale) -> Result<Triage, ObservationError> {
    let news2 = score(&assessment.observations, scale)?;
    let facts = Facts {
        assessment,
        news2: &news2,
    };
    let mut reasons: Vec<Reason> = RULES.iter().filter_map(|r| r.reason(&facts)).collect();
    if reasons.is_empty() {
        reasons.extend(OTHERWISE.reason(&facts));
    }
    // Stable: rows keep table order within a level.
    reasons.sort_by_key(|r| r.level);
    let level = reasons.first().map_or(OTHERWISE.level, |r| r.level);
    Ok(Triage {
        news2,
        level,
        reasons,
    })
}

impl Rule {
    fn reason(&self, facts: &Facts<'_>) -> Option<Reason> {
        (self.check)(facts).map(|text| Reason {
            rule: self.number,
            level: self.level,
            text,
        })
    }
}

/// "NEWS2 6", or "NEWS2 at least 3 (5 of 7 recorded)" when the total is a lower bound.
fn news2_phrase(news2: &News2) -> String {
    if news2.complete {
        format!("NEWS2 {}", news2.total)
    } else {
        format!(
            "NEWS2 at least {} ({} of 7 recorded)",
            news2.total, news2.recorded
        )
    }
}

/// The total is in `low..=high`; with nothing recorded there is no total to compare.
fn total_in_range(f: &Facts<'_>, low: u8, high: u8) -> bool {
    f.news2.recorded > 0 && (low..=high).contains(&f.news2.total)
}

fn total_in(f: &Facts<'_>, low: u8, high: u8) -> Option<String> {
    total_in_range(f, low, high).then(|| news2_phrase(f.news2))
}

fn news2_7_or_more(f: &Facts<'_>) -> Option<String> {
    total_in(f, 7, u8::MAX)
}

fn news2_5_to_6(f: &Facts<'_>) -> Option<String> {
    total_in(f, 5, 6)
}

fn news2_3_to_4(f: &Facts<'_>) -> Option<String> {
    total_in(f, 3, 4)
}

fn news2_1_to_2_with_soft_signs(f: &Facts<'_>) -> Option<String> {
    with_soft_signs(f, 1, 2, true)
}

fn news2_1_to_2_alone(f: &Facts<'_>) -> Option<String> {
    with_soft_signs(f, 1, 2, false)
}

fn news2_0_with_soft_signs(f: &Facts<'_>) -> Option<String> {
    with_soft_signs(f, 0, 0, true)
}

fn with_soft_signs(f: &Facts<'_>, low: u8, high: u8, wanted: bool) -> Option<String> {
    let has = !f.assessment.soft_signs.is_empty();
    (total_in_range(f, low, high) && has == wanted).then(|| {
        let suffix = if has {
            "with soft signs"
        } else {
            "and no soft signs"
        };
        format!("{} {suffix}", news2_phrase(f.news2))
    })
}

fn red_flag(f: &Facts<'_>) -> Option<String> {
    let flags: Vec<&str> = f.assessment.red_flags.iter().map(|r| r.label()).collect();
    match flags.as_slice() {
        [] => None,
        [one] => Some(format!("Red flag: {one}")),
        many => Some(format!("Red flags: {}", many.join(", "))),
    }
}

fn pain_or_unresponsive(f: &Facts<'_>) -> Option<String> {
    match f.assessment.observations.consciousness {
        Some(Consciousness::Pain) => Some("ACVPU: responds to pain only".to_owned()),
        Some(Consciousness::Unresponsive) => Some("ACVPU: unresponsive".to_owned()),
        _ => None,
    }
}

fn item_three(f: &Facts<'_>) -> Option<String> {
    let items: Vec<&str> = Item::ALL
        .into_iter()
        .filter(|i| f.news2.item(*i) == Some(3))
        .map(Item::label)
        .collect();
    (!items.is_empty()).then(|| format!("NEWS2 item scoring 3: {}", items.join(", ")))
}

fn above_baseline(f: &Facts<'_>) -> Option<String> {
    let baseline = f.assessment.baseline_news2?;
    let threshold = baseline.saturating_add(2);
    total_in_range(f, threshold, u8::MAX).then(|| {
        format!(
            "{}, at least 2 above usual NEWS2 of {baseline}",
            news2_phrase(f.news2)
        )
    })
}

fn very_worried(f: &Facts<'_>) -> Option<String> {
    (f.assessment.concern == Concern::VeryWorried).then(|| "Staff very worried".to_owned())
}

fn worried(f: &Facts<'_>) -> Option<String> {
    (f.assessment.concern == Concern::Worried).then(|| "Staff worried".to_owned())
}

fn incomplete(f: &Facts<'_>) -> Option<String> {
    let has_signs = !f.assessment.soft_signs.is_empty();
    let has_concern = f.assessment.concern != Concern::None;
    let what = match (has_signs, has_concern) {
        (true, true) => "soft signs and staff concern",
        (true, false) => "soft signs",
        (false, true) => "staff concern",
        (false, false) => return None,
    };
    (1..=6).contains(&f.news2.recorded).then(|| {
        format!(
            "Incomplete observations ({} of 7 recorded) with {what}",
            f.news2.recorded
        )
    })
}

fn soft_signs_only(f: &Facts<'_>) -> Option<String> {
    let signs = f.assessment.soft_signs.len();
    (f.news2.recorded == 0 && signs > 0)
        .then(|| format!("No observations, {signs} soft sign(s) reported"))
}
