//! NEWS2 (Royal College of Physicians, 2017): the early warning score the whole triage rests on.
//!
//! Every threshold is a cascading `<=` exactly as docs/clinical-rules.md §2.1 writes it, never a
//! closed range, so no value can fall into a gap. A partial set of observations still scores: its
//! total is a lower bound, it is never given a risk band (a partial set must never read as "Low"),
//! and it still feeds the urgency rules.

mod observations;
mod temperature;

pub use observations::{Consciousness, ObservationError, Observations};
pub use temperature::{TempTenths, parse_temperature};

/// Which SpO2 scale applies: a clinician's decision in the care plan, never the caller's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Spo2Scale {
    /// The usual scale, and the default when no clinician has decided otherwise.
    #[default]
    Scale1,
    /// For residents with a prescribed target of 88-92% (e.g. hypercapnic COPD).
    Scale2,
}

impl Spo2Scale {
    /// Reads the number stored in the care plan (1 or 2).
    pub fn from_number(number: u8) -> Option<Spo2Scale> {
        match number {
            1 => Some(Spo2Scale::Scale1),
            2 => Some(Spo2Scale::Scale2),
            _ => None,
        }
    }

    /// The number stored in the care plan.
    pub fn number(self) -> u8 {
        match self {
            Spo2Scale::Scale1 => 1,
            Spo2Scale::Scale2 => 2,
        }
    }
}

/// The seven NEWS2 items, in chart order; [`News2::items`] is indexed in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Item {
    /// Respiration rate.
    RespirationRate,
    /// Oxygen saturation on the resident's scale.
    Spo2,
    /// Air or supplemental oxygen.
    AirOrOxygen,
    /// Systolic blood pressure.
    SystolicBp,
    /// Pulse.
    Pulse,
    /// ACVPU.
    Consciousness,
    /// Temperature.
    Temperature,
}

/// SNOMED CT code for the NEWS2 total, for FHIR export (docs/clinical-rules.md §2.5; not LOINC
/// 88330-6).
pub const TOTAL_SNOMED: &str = "1104051000000101";

impl Item {
    /// Every item in chart order.
    pub const ALL: [Item; 7] = [
        Item::RespirationRate,
        Item::Spo2,
        Item::AirOrOxygen,
        Item::SystolicBp,
        Item::Pulse,
        Item::Consciousness,
        Item::Temperature,
    ];

    /// The stable code used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Item::RespirationRate => "respiration_rate",
            Item::Spo2 => "spo2",
            Item::AirOrOxygen => "air_or_oxygen",
            Item::SystolicBp => "systolic_bp",
            Item::Pulse => "pulse",
            Item::Consciousness => "consciousness",
            Item::Temperature => "temperature",
        }
    }

    /// Wording for staff and reasons.
    pub fn label(self) -> &'static str {
        match self {
            Item::RespirationRate => "respiration rate",
            Item::Spo2 => "oxygen saturation",
            Item::AirOrOxygen => "air or oxygen",
            Item::SystolicBp => "systolic blood pressure",
            Item::Pulse => "pulse",
            Item::Consciousness => "consciousness",
            Item::Temperature => "temperature",
        }
    }

    /// Position in [`Item::ALL`] and [`News2::items`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// SNOMED CT code for this sub-score, for FHIR export; SpO2 depends on the scale.
    pub fn snomed(self, scale: Spo2Scale) -> &'static str {
        match (self, scale) {
            (Item::RespirationRate, _) => "1104301000000104",
            (Item::Spo2, Spo2Scale::Scale1) => "1104311000000102",
            (Item::Spo2, Spo2Scale::Scale2) => "1104321000000108",
            (Item::AirOrOxygen, _) => "1104331000000105",
            (Item::SystolicBp, _) => "1104341000000101",
            (Item::Pulse, _) => "1104351000000103",
            (Item::Consciousness, _) => "1104361000000100",
            (Item::Temperature, _) => "1104371000000107",
        }
    }
}

/// NEWS2 clinical risk band; only a complete set has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Band {
    /// Total 0-4 with no single item scoring 3.
    Low,
    /// A single item scoring 3, total under 5.
    LowMedium,
    /// Total 5 or 6.
    Medium,
    /// Total 7 or more.
    High,
}

impl Band {
    /// Every band, lowest risk first.
    pub const ALL: [Band; 4] = [Band::Low, Band::LowMedium, Band::Medium, Band::High];

    /// The stable code used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::LowMedium => "low_medium",
            Band::Medium => "medium",
            Band::High => "high",
        }
    }

    /// The RCP wording.
    pub fn label(self) -> &'static str {
        match self {
            Band::Low => "Low",
            Band::LowMedium => "Low-medium",
            Band::Medium => "Medium",
            Band::High => "High",
        }
    }
}

/// A scored set of observations, complete or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct News2 {
    /// Points per item, indexed like [`Item::ALL`]; `None` = not recorded.
    pub items: [Option<u8>; 7],
    /// Sum of the recorded items: the score when complete, a lower bound otherwise.
    pub total: u8,
    /// How many items were recorded, 0 to 7.
    pub recorded: u8,
    /// All seven items recorded.
    pub complete: bool,
    /// Risk band, only when complete: a partial set is never labelled Low.
    pub band: Option<Band>,
    /// The SpO2 scale used.
    pub scale: Spo2Scale,
}

impl News2 {
    /// Points for one item, if it was recorded.
    pub fn item(&self, item: Item) -> Option<u8> {
        self.items.get(item.index()).copied().flatten()
    }

    /// Any single item at 3 points: on its own a reason to escalate (rule 3 of §4).
    pub fn any_item_three(&self) -> bool {
        self.items.contains(&Some(3))
    }

    /// One line for the queue and the record that cannot be misread as a full score.
    pub fn summary(&self) -> String {
        match self.band {
            Some(band) if self.complete => format!("NEWS2 {} ({})", self.total, band.label()),
            _ if self.recorded == 0 => "NEWS2 not recorded (0 of 7)".to_owned(),
            _ => format!(
                "NEWS2 at least {} ({} of 7 recorded)",
                self.total, self.recorded
            ),
        }
    }
}

/// Validates, then scores every recorded item on the resident's SpO2 scale.
pub fn score(obs: &Observations, scale: Spo2Scale) -> Result<News2, ObservationError> {
    obs.validate()?;
    let items = [
        obs.respiration_rate.map(respiration_rate_points),
        obs.spo2.map(|s| spo2_points(s, scale, obs.on_oxygen)),
        obs.on_oxygen.map(|o| if o { 2 } else { 0 }),
        obs.systolic_bp.map(systolic_bp_points),
        obs.pulse.map(pulse_points),
        obs.consciousness.map(consciousness_points),
        obs.temperature.map(temperature_points),
    ];
    let total = items.iter().flatten().sum();
    let recorded = obs.recorded();
    let complete = recorded == 7;
    let any_three = items.contains(&Some(3));
    Ok(News2 {
        items,
        total,
        recorded,
        complete,
        band: complete.then(|| band(total, any_three)),
        scale,
    })
}

fn band(total: u8, any_three: bool) -> Band {
    if total >= 7 {
        Band::High
    } else if total >= 5 {
        Band::Medium
    } else if any_three {
        Band::LowMedium
    } else {
        Band::Low
    }
}

fn respiration_rate_points(rr: u16) -> u8 {
    match rr {
        r if r <= 8 => 3,
        r if r <= 11 => 1,
        r if r <= 20 => 0,
        r if r <= 24 => 2,
        _ => 3,
    }
}

/// Scale 2 with SpO2 >= 93 depends on oxygen; unknown is scored as air (the lower bound, and
/// the set is incomplete anyway because the air/oxygen item is missing).
fn spo2_points(spo2: u16, scale: Spo2Scale, on_oxygen: Option<bool>) -> u8 {
    match scale {
        Spo2Scale::Scale1 => match spo2 {
            s if s <= 91 => 3,
            s if s <= 93 => 2,
            s if s <= 95 => 1,
            _ => 0,
        },
        Spo2Scale::Scale2 => match spo2 {
            s if s <= 83 => 3,
            s if s <= 85 => 2,
            s if s <= 87 => 1,
            s if s <= 92 => 0,
            _ if on_oxygen != Some(true) => 0,
            s if s <= 94 => 1,
            s if s <= 96 => 2,
            _ => 3,
        },
    }
}

fn systolic_bp_points(sbp: u16) -> u8 {
    match sbp {
        s if s <= 90 => 3,
        s if s <= 100 => 2,
        s if s <= 110 => 1,
        s if s <= 219 => 0,
        _ => 3,
    }
}

fn pulse_points(pulse: u16) -> u8 {
    match pulse {
        p if p <= 40 => 3,
        p if p <= 50 => 1,
        p if p <= 90 => 0,
        p if p <= 110 => 1,
        p if p <= 130 => 2,
        _ => 3,
    }
}

fn consciousness_points(c: Consciousness) -> u8 {
    match c {
        Consciousness::Alert => 0,
        Consciousness::Confusion
        | Consciousness::Voice
        | Consciousness::Pain
        | Consciousness::Unresponsive => 3,
    }
}

fn temperature_points(t: TempTenths) -> u8 {
    match t.0 {
        t if t <= 350 => 3,
        t if t <= 360 => 1,
        t if t <= 380 => 0,
        t if t <= 390 => 1,
        _ => 2,
    }
}
