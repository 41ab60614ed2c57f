//! CareHub's clinical rules as pure code, so they can be read, tested and signed off in one place.
//!
//! This crate holds the rules of `docs/clinical-rules.md`: NEWS2 scoring (§2), soft signs and
//! red flags (§3), urgency levels and their mapping (§4), queue order and breaches (§5),
//! outcomes (§8), NHS number validation (§9), the call lifecycle, and UK local time for the
//! out-of-hours figure (§8.2).
//!
//! Invariants, stated as absences:
//! - no dependencies: no async runtime, web framework, database, JSON or time crate;
//! - no I/O and no clock reads: the current time is always a parameter (`now`, unix
//!   milliseconds);
//! - no panics on any input: every constructor from outside data returns a `Result` or an
//!   `Option`, and arithmetic on caller-supplied numbers saturates.
//!
//! ```
//! use carehub_triage::{Assessment, Concern, Level, Observations, SoftSign, Spo2Scale, assess};
//!
//! // Staff took a pulse and a temperature, ticked "sleepier than usual", and are worried.
//! let assessment = Assessment {
//!     observations: Observations {
//!         pulse: Some(96),
//!         temperature: Some(carehub_triage::parse_temperature("38.05")?),
//!         ..Default::default()
//!     },
//!     soft_signs: vec![SoftSign::Drowsy],
//!     concern: Concern::Worried,
//!     ..Default::default()
//! };
//! let triage = assess(&assessment, Spo2Scale::Scale1)?;
//! assert_eq!(triage.news2.summary(), "NEWS2 at least 2 (2 of 7 recorded)");
//! assert_eq!(triage.level, Level::P3);
//! # Ok::<(), carehub_triage::ObservationError>(())
//! ```
//!
//! Reading order: [`news2`] (scores), [`urgency`] (levels from scores and signs), [`queue`]
//! (who is answered next), [`lifecycle`] (what may happen to a call), [`outcome`] (how it ends),
//! then the helpers [`nhs_number`] and [`clock`].

pub mod clock;
pub mod lifecycle;
pub mod news2;
pub mod nhs_number;
pub mod outcome;
pub mod queue;
pub mod urgency;

pub use clock::{LocalTime, is_british_summer_time, is_out_of_hours, uk_local};
pub use lifecycle::{CallAction, CallState, InvalidTransition, transition};
pub use news2::{
    Band, Consciousness, Item, News2, ObservationError, Observations, Spo2Scale, TempTenths,
    parse_temperature, score,
};
pub use nhs_number::{NhsNumber, NhsNumberError};
pub use outcome::{FollowUp, Outcome, Remained, remained};
pub use queue::{Breach, Queue, QueueEntry, QueueError, Ranked, effective};
pub use urgency::{
    Assessment, Concern, Level, Reason, RedFlag, Rule, SoftSign, Targets, Triage, assess,
};
