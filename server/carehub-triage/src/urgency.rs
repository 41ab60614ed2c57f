//! Urgency levels P1-P5, their answer targets, and the mapping from what staff report to a level.
//!
//! docs/clinical-rules.md §4: apply every rule, take the most urgent, and never let a rule lower
//! urgency. The rules themselves live as one table, [`RULES`], so the clinical safety officer can
//! read and sign them off in one place; this file holds the vocabulary around them.

mod rules;
mod signs;

pub use rules::{OTHERWISE, RULES, Rule, assess};
pub use signs::{RedFlag, SoftSign};

use crate::news2::{News2, Observations};

/// How quickly a call must be answered; `P1` is most urgent and sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Emergency: answer within 1 minute by default.
    P1,
    /// Very urgent: 10 minutes.
    P2,
    /// Urgent: 30 minutes.
    P3,
    /// Standard: 60 minutes.
    P4,
    /// Routine or advice: 240 minutes.
    P5,
}

impl Level {
    /// Every level, most urgent first.
    pub const ALL: [Level; 5] = [Level::P1, Level::P2, Level::P3, Level::P4, Level::P5];

    /// The stable code used in the API and the database ("P1").
    pub fn as_str(self) -> &'static str {
        match self {
            Level::P1 => "P1",
            Level::P2 => "P2",
            Level::P3 => "P3",
            Level::P4 => "P4",
            Level::P5 => "P5",
        }
    }

    /// Reads a code written by [`Level::as_str`].
    pub fn parse(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == code)
    }

    /// The name hub nurses see beside the code.
    pub fn name(self) -> &'static str {
        match self {
            Level::P1 => "Emergency",
            Level::P2 => "Very urgent",
            Level::P3 => "Urgent",
            Level::P4 => "Standard",
            Level::P5 => "Routine / advice",
        }
    }

    /// One step more urgent, as a breach requires; P1 has nowhere higher to go.
    pub fn promoted(self) -> Level {
        match self {
            Level::P1 | Level::P2 => Level::P1,
            Level::P3 => Level::P2,
            Level::P4 => Level::P3,
            Level::P5 => Level::P4,
        }
    }

    /// Position in [`Level::ALL`] and [`Targets::seconds`], 0 for P1.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// How worried the care staff are: an input in its own right, never overridden by a score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Concern {
    /// Not particularly worried.
    #[default]
    None,
    /// Worried: at least P3.
    Worried,
    /// Very worried: at least P2.
    VeryWorried,
}

impl Concern {
    /// Every answer, least worried first.
    pub const ALL: [Concern; 3] = [Concern::None, Concern::Worried, Concern::VeryWorried];

    /// The stable code used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Concern::None => "none",
            Concern::Worried => "worried",
            Concern::VeryWorried => "very_worried",
        }
    }

    /// Reads a code written by [`Concern::as_str`].
    pub fn parse(code: &str) -> Option<Concern> {
        Concern::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// Wording for the tablet.
    pub fn label(self) -> &'static str {
        match self {
            Concern::None => "Not worried",
            Concern::Worried => "Worried",
            Concern::VeryWorried => "Very worried",
        }
    }
}

/// Everything care staff report for one call, plus the resident's usual NEWS2 from the care plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Assessment {
    /// Observations taken, possibly none.
    pub observations: Observations,
    /// Soft signs ticked.
    pub soft_signs: Vec<SoftSign>,
    /// Red flags answered yes.
    pub red_flags: Vec<RedFlag>,
    /// How worried staff are.
    pub concern: Concern,
    /// The resident's documented NEWS2 when well, if the care plan has one.
    pub baseline_news2: Option<u8>,
}

impl Assessment {
    /// Any red flag: the tablet must tell staff to dial 999 now, whatever the hub does.
    pub fn needs_999(&self) -> bool {
        !self.red_flags.is_empty()
    }
}

/// One rule that fired, so the nurse and the audit can see why a call has its level.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reason {
    /// The mapping rule number in docs/clinical-rules.md §4.2, 1 to 8.
    pub rule: u8,
    /// The level this rule asks for.
    pub level: Level,
    /// Plain English, e.g. "NEWS2 at least 7" or "Red flag: chest pain".
    pub text: String,
}

/// The result of triage: the score, the level, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Triage {
    /// NEWS2 for the observations given, complete or partial.
    pub news2: News2,
    /// The most urgent level any rule asked for.
    pub level: Level,
    /// Every rule that fired, most urgent first (rule order within a level).
    pub reasons: Vec<Reason>,
}

/// Answer targets per level in seconds (configurable; docs/clinical-rules.md §4.1 gives the
/// defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Targets {
    /// Seconds to answer, indexed by [`Level::index`].
    pub seconds: [u32; 5],
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            seconds: [60, 600, 1800, 3600, 14400],
        }
    }
}

impl Targets {
    /// Seconds to answer a call at `level`.
    pub fn for_level(&self, level: Level) -> u32 {
        self.seconds.get(level.index()).copied().unwrap_or(0)
    }

    /// The same target in milliseconds, the unit of every timestamp in this crate.
    pub fn millis(&self, level: Level) -> i64 {
        i64::from(self.for_level(level)) * 1000
    }
}
