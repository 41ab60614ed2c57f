//! The observations care staff enter, any of which may be missing, and their plausibility limits.
//!
//! Staff are often not medically trained and type on a tablet, so every item is optional (NEWS2
//! then reports a lower bound) and a value outside the plausible range (docs/clinical-rules.md
//! §2.2) is rejected with a sentence that names the field, rather than scored.

use std::fmt;

use super::TempTenths;
use super::temperature;

/// Level of consciousness on the ACVPU scale; `Confusion` means *new* confusion.
///
/// Staff answer "is this confusion new or worse than usual?"; yes *or unknown* is `Confusion`
/// (docs/clinical-rules.md §2.2), so a resident with dementia at their usual state is `Alert`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Consciousness {
    /// Alert: awake and at their usual state.
    Alert,
    /// New or worse confusion, or unknown whether it is new.
    Confusion,
    /// Responds only to voice.
    Voice,
    /// Responds only to pain.
    Pain,
    /// Does not respond.
    Unresponsive,
}

impl Consciousness {
    /// Every level in ACVPU order, for pick lists and API schemas.
    pub const ALL: [Consciousness; 5] = [
        Consciousness::Alert,
        Consciousness::Confusion,
        Consciousness::Voice,
        Consciousness::Pain,
        Consciousness::Unresponsive,
    ];

    /// The stable code used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Consciousness::Alert => "alert",
            Consciousness::Confusion => "confusion",
            Consciousness::Voice => "voice",
            Consciousness::Pain => "pain",
            Consciousness::Unresponsive => "unresponsive",
        }
    }

    /// Reads a code written by [`Consciousness::as_str`].
    pub fn parse(code: &str) -> Option<Consciousness> {
        Consciousness::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// Wording for staff and the call record.
    pub fn label(self) -> &'static str {
        match self {
            Consciousness::Alert => "Alert",
            Consciousness::Confusion => "New confusion",
            Consciousness::Voice => "Responds to voice",
            Consciousness::Pain => "Responds to pain",
            Consciousness::Unresponsive => "Unresponsive",
        }
    }
}

/// One set of observations as entered; `None` means not taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Observations {
    /// Breaths per minute.
    pub respiration_rate: Option<u16>,
    /// Oxygen saturation, percent.
    pub spo2: Option<u16>,
    /// Whether the resident is on supplemental oxygen (the NEWS2 air/oxygen item).
    pub on_oxygen: Option<bool>,
    /// Systolic blood pressure, mmHg.
    pub systolic_bp: Option<u16>,
    /// Heart rate, beats per minute.
    pub pulse: Option<u16>,
    /// ACVPU.
    pub consciousness: Option<Consciousness>,
    /// Temperature in tenths of a degree Celsius.
    pub temperature: Option<TempTenths>,
}

/// A rejected observation: which field, and a sentence staff can act on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObservationError {
    /// The API field name, e.g. `"respiration_rate"` or `"temperature_c"`.
    pub field: &'static str,
    /// Plain English, suitable to show beside the field.
    pub message: String,
}

impl ObservationError {
    pub(super) fn new(field: &'static str, message: &str) -> ObservationError {
        ObservationError {
            field,
            message: message.to_owned(),
        }
    }
}

/// A whole-number observation's plausible range and the message shown when outside it.
struct Limit {
    field: &'static str,
    min: u16,
    max: u16,
    message: &'static str,
}

/// Plausibility limits from docs/clinical-rules.md §2.2, kept as data so they read like the
/// reference.
const RESPIRATION_RATE: Limit = Limit {
    field: "respiration_rate",
    min: 0,
    max: 60,
    message: "respiration rate must be a whole number from 0 to 60 breaths per minute",
};
const SPO2: Limit = Limit {
    field: "spo2",
    min: 50,
    max: 100,
    message: "oxygen saturation (SpO2) must be a whole number from 50 to 100 percent",
};
const SYSTOLIC_BP: Limit = Limit {
    field: "systolic_bp",
    min: 40,
    max: 300,
    message: "systolic blood pressure must be a whole number from 40 to 300 mmHg",
};
const PULSE: Limit = Limit {
    field: "pulse",
    min: 20,
    max: 250,
    message: "pulse must be a whole number from 20 to 250 beats per minute",
};

impl Limit {
    fn check(&self, value: Option<u16>) -> Result<(), ObservationError> {
        match value {
            Some(v) if v < self.min || v > self.max => {
                Err(ObservationError::new(self.field, self.message))
            }
            _ => Ok(()),
        }
    }
}

impl Observations {
    /// Rejects implausible values (the first one found, in NEWS2 item order) before scoring.
    pub fn validate(&self) -> Result<(), ObservationError> {
        RESPIRATION_RATE.check(self.respiration_rate)?;
        SPO2.check(self.spo2)?;
        SYSTOLIC_BP.check(self.systolic_bp)?;
        PULSE.check(self.pulse)?;
        match self.temperature {
            Some(t) if t < TempTenths::MIN_PLAUSIBLE || t > TempTenths::MAX_PLAUSIBLE => {
                Err(temperature::out_of_range())
            }
            _ => Ok(()),
        }
    }

    /// How many of the seven NEWS2 items were taken (`on_oxygen` is the air/oxygen item).
    pub fn recorded(&self) -> u8 {
        [
            self.respiration_rate.is_some(),
            self.spo2.is_some(),
            self.on_oxygen.is_some(),
            self.systolic_bp.is_some(),
            self.pulse.is_some(),
            self.consciousness.is_some(),
            self.temperature.is_some(),
        ]
        .into_iter()
        .map(u8::from)
        .sum()
    }

    /// True when nothing was taken: the RESTORE2mini route of soft signs only.
    pub fn is_empty(&self) -> bool {
        self.recorded() == 0
    }

    /// Merge newer observations over older ones (Some in `newer` wins) — used when care staff
    /// add observations to a waiting call.
    pub fn merged_with(&self, newer: &Observations) -> Observations {
        Observations {
            respiration_rate: newer.respiration_rate.or(self.respiration_rate),
            spo2: newer.spo2.or(self.spo2),
            on_oxygen: newer.on_oxygen.or(self.on_oxygen),
            systolic_bp: newer.systolic_bp.or(self.systolic_bp),
            pulse: newer.pulse.or(self.pulse),
            consciousness: newer.consciousness.or(self.consciousness),
            temperature: newer.temperature.or(self.temperature),
        }
    }
}

/// Shows the message alone; the field travels separately so the UI can place it.
impl fmt::Display for ObservationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ObservationError {}
