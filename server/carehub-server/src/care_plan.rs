//! The care plan summary: the Background the hub nurse sees at a glance (docs/clinical-rules.md
//! §7).
//!
//! The summary is stored as one JSON document per version; the store treats it as opaque text
//! and only this module knows its shape. Identity lives on the resident record, and "recent
//! calls" are derived from the call history, so neither is part of the document.

use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

use crate::error::ApiError;

/// Who last reviewed a block and when; drives the "stale" highlight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reviewed {
    /// Date of the last review (YYYY-MM-DD).
    #[schema(value_type = String, format = Date, example = "2026-05-01")]
    pub on: Date,
    /// Who reviewed it, as written on the plan (a role or a name).
    pub by: String,
    /// When the next review is due, if the plan sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<Date>,
}

/// CPR recommendation; a missing plan is `unknown`, never "for full escalation".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cpr {
    /// CPR is recommended.
    Recommended,
    /// CPR is not recommended (a DNACPR decision is in place).
    NotRecommended,
    /// No decision is recorded.
    Unknown,
}

/// The ReSPECT clinical focus: where the resident sits between sustaining life and comfort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClinicalFocus {
    /// Prioritise sustaining life, even at the expense of some comfort.
    SustainLife,
    /// A balance agreed with the resident or their representatives.
    Balanced,
    /// Prioritise comfort and symptom control.
    SymptomControl,
    /// Not recorded.
    Unknown,
}

/// A person the hub may need to reach: attorney, next of kin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Their name.
    pub name: String,
    /// Relationship to the resident ("daughter", "friend").
    #[serde(default)]
    pub relationship: String,
    /// Telephone number.
    #[serde(default)]
    pub phone: String,
    /// When to call them ("any time", "not at night unless dying").
    #[serde(default)]
    pub when_to_call: String,
}

/// The banner that stays on screen for the whole call: the decisions that change the response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyPlan {
    /// CPR recommendation.
    pub cpr: Cpr,
    /// ReSPECT clinical focus.
    pub clinical_focus: ClinicalFocus,
    /// "For hospital admission?"; `null` when not recorded.
    pub for_hospital_admission: Option<bool>,
    /// Preferred place of care ("this care home").
    #[serde(default)]
    pub preferred_place_of_care: String,
    /// Preferred place of death.
    #[serde(default)]
    pub preferred_place_of_death: String,
    /// An advance decision to refuse treatment exists (legally binding).
    pub adrt: bool,
    /// What the ADRT refuses, in the plan's words.
    #[serde(default)]
    pub adrt_details: String,
    /// Lasting Power of Attorney for health and welfare, and who holds it.
    pub lpa_health_welfare: Option<Contact>,
    /// The resident is recognised as being in the last weeks of life.
    pub end_of_life: bool,
    /// Anticipatory ("just in case") medicines are held in the home.
    pub anticipatory_medicines: bool,
    /// Last review.
    pub reviewed: Reviewed,
}

/// Usual observations when well; what a rise is measured against.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsualVitals {
    /// Breaths per minute.
    pub respiration_rate: Option<u16>,
    /// Oxygen saturation, per cent.
    pub spo2: Option<u16>,
    /// Systolic blood pressure, mmHg.
    pub systolic_bp: Option<u16>,
    /// Pulse, beats per minute.
    pub pulse: Option<u16>,
    /// Temperature in °C, as decimal text ("36.6").
    pub temperature_c: Option<String>,
}

/// "What is normal for me" (the red bag data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Usual NEWS2 when well; a rise of 2 or more raises urgency.
    pub usual_news2: Option<u8>,
    /// Usual vital signs.
    #[serde(default)]
    pub usual_vitals: UsualVitals,
    /// SpO2 scale set by a clinician: 2 for hypercapnic respiratory failure, else 1.
    pub spo2_scale: u8,
    /// Target saturation in words ("88-92%").
    #[serde(default)]
    pub spo2_target: String,
    /// Usual cognition in plain words.
    #[serde(default)]
    pub cognition: String,
    /// Has a dementia diagnosis (so confusion must be judged against the usual).
    pub dementia: bool,
    /// Has had delirium before.
    pub delirium_history: bool,
    /// Hearing, sight, language.
    #[serde(default)]
    pub communication: String,
    /// Mobility and falls.
    #[serde(default)]
    pub mobility: String,
    /// Continence.
    #[serde(default)]
    pub continence: String,
    /// Eating and drinking (texture, thickened fluids).
    #[serde(default)]
    pub eating_drinking: String,
    /// Skin.
    #[serde(default)]
    pub skin: String,
    /// Last review.
    pub reviewed: Reviewed,
}

/// An allergy or intolerance and what it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Allergy {
    /// What the resident reacts to.
    pub substance: String,
    /// What happens.
    #[serde(default)]
    pub reaction: String,
}

/// Medicines whose presence changes the clinical response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HighRisk {
    /// Bleeding risk after a fall.
    Anticoagulant,
    /// Hypoglycaemia risk.
    Insulin,
    /// Drowsiness, constipation, respiratory depression.
    Opioid,
    /// Adrenal crisis if stopped; masks infection.
    Steroid,
}

/// A current medicine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Medicine {
    /// Name and strength.
    pub name: String,
    /// Dose and frequency.
    #[serde(default)]
    pub dose: String,
    /// High-risk classes.
    #[serde(default)]
    pub high_risk: Vec<HighRisk>,
    /// Started or changed recently (a common cause of deterioration).
    #[serde(default)]
    pub recently_changed: bool,
}

/// Allergies, diagnoses, medicines, devices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Clinical {
    /// Known allergies; empty with `no_known_allergies` true means none.
    #[serde(default)]
    pub allergies: Vec<Allergy>,
    /// Allergies were asked about and there are none.
    pub no_known_allergies: bool,
    /// Diagnoses in plain words.
    #[serde(default)]
    pub diagnoses: Vec<String>,
    /// Current medicines.
    #[serde(default)]
    pub medicines: Vec<Medicine>,
    /// Date of the last structured medication review.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_medication_review: Option<Date>,
    /// Devices: catheter, oxygen, PEG, syringe driver.
    #[serde(default)]
    pub devices: Vec<String>,
    /// Last review.
    pub reviewed: Reviewed,
}

/// Who else is involved in the resident's care.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct People {
    /// The resident's GP practice.
    #[serde(default)]
    pub gp_practice: String,
    /// The practice's number for professionals.
    #[serde(default)]
    pub gp_phone: String,
    /// Next of kin, in the order to call them.
    #[serde(default)]
    pub next_of_kin: Vec<Contact>,
    /// Last review.
    pub reviewed: Reviewed,
}

/// "This is me": what matters to the resident, in their words where possible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThisIsMe {
    /// What matters most.
    #[serde(default)]
    pub what_matters: String,
    /// What distresses them.
    #[serde(default)]
    pub distresses: String,
    /// What calms them.
    #[serde(default)]
    pub calms: String,
    /// Last review.
    pub reviewed: Reviewed,
}

/// One version of a resident's care plan summary, as written by staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarePlanSummary {
    /// Emergency plan banner.
    pub emergency_plan: EmergencyPlan,
    /// Baseline when well.
    pub baseline: Baseline,
    /// Clinical block.
    pub clinical: Clinical,
    /// People block.
    pub people: People,
    /// "This is me".
    pub this_is_me: ThisIsMe,
}

/// Blocks older than this many days are shown as stale even without a due date (six months).
pub const STALE_AFTER_DAYS: i64 = 183;

/// Which blocks the hub should treat with suspicion because nobody has looked at them lately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Staleness {
    /// Emergency plan block is stale.
    pub emergency_plan: bool,
    /// Baseline block is stale.
    pub baseline: bool,
    /// Clinical block is stale.
    pub clinical: bool,
    /// People block is stale.
    pub people: bool,
    /// "This is me" block is stale.
    pub this_is_me: bool,
}

fn is_stale(reviewed: &Reviewed, today: Date) -> bool {
    let overdue = reviewed.due.is_some_and(|due| due < today);
    overdue || (today - reviewed.on).whole_days() > STALE_AFTER_DAYS
}

impl CarePlanSummary {
    /// Rejects content that would mislead a nurse, naming the field at fault.
    pub fn validate(&self, today: Date) -> Result<(), ApiError> {
        let b = &self.baseline;
        if !matches!(b.spo2_scale, 1 | 2) {
            return Err(ApiError::invalid(
                "baseline.spo2_scale",
                "SpO2 scale must be 1 or 2",
            ));
        }
        if b.usual_news2.is_some_and(|n| n > 20) {
            return Err(ApiError::invalid(
                "baseline.usual_news2",
                "usual NEWS2 must be from 0 to 20",
            ));
        }
        if let Some(t) = &b.usual_vitals.temperature_c {
            carehub_triage::parse_temperature(t)
                .map_err(|e| ApiError::invalid("baseline.usual_vitals.temperature_c", e.message))?;
        }
        if self.clinical.no_known_allergies && !self.clinical.allergies.is_empty() {
            return Err(ApiError::invalid(
                "clinical.no_known_allergies",
                "no_known_allergies cannot be true while allergies are listed",
            ));
        }
        for (field, reviewed) in self.reviews() {
            if reviewed.on > today {
                return Err(ApiError::invalid(
                    field,
                    "a review date cannot be in the future",
                ));
            }
        }
        Ok(())
    }

    fn reviews(&self) -> [(&'static str, &Reviewed); 5] {
        [
            ("emergency_plan.reviewed.on", &self.emergency_plan.reviewed),
            ("baseline.reviewed.on", &self.baseline.reviewed),
            ("clinical.reviewed.on", &self.clinical.reviewed),
            ("people.reviewed.on", &self.people.reviewed),
            ("this_is_me.reviewed.on", &self.this_is_me.reviewed),
        ]
    }

    /// Stale blocks as of `today` (docs/clinical-rules.md §7: review date passed, or older than six
    /// months).
    pub fn staleness(&self, today: Date) -> Staleness {
        Staleness {
            emergency_plan: is_stale(&self.emergency_plan.reviewed, today),
            baseline: is_stale(&self.baseline.reviewed, today),
            clinical: is_stale(&self.clinical.reviewed, today),
            people: is_stale(&self.people.reviewed, today),
            this_is_me: is_stale(&self.this_is_me.reviewed, today),
        }
    }

    /// The resident's SpO2 scale, which scoring must take from here and never from the caller.
    pub fn spo2_scale(&self) -> carehub_triage::Spo2Scale {
        carehub_triage::Spo2Scale::from_number(self.baseline.spo2_scale)
            .unwrap_or(carehub_triage::Spo2Scale::Scale1)
    }
}
