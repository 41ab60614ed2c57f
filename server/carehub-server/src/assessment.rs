//! The assessment as JSON: what the tablet sends, and the triage result the server returns.
//!
//! The server is the one implementation of scoring; these types only translate between JSON
//! and `carehub_triage`. Temperatures are read as decimal *text* (serde_json's
//! `arbitrary_precision`), so 38.05 is rounded half-up in decimal and never passes through
//! binary floating point first.

use std::fmt;

use carehub_triage::{
    Assessment, Concern, Consciousness, Item, Level, Observations, RedFlag, SoftSign, Spo2Scale,
    Targets, Triage,
};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

use crate::error::ApiError;

/// A decimal number kept as the text the client sent.
#[derive(Debug, Clone, PartialEq, Eq, ToSchema)]
#[schema(value_type = f64, example = 38.05)]
pub struct DecimalText(pub String);

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = DecimalText;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number such as 37.5")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<DecimalText, E> {
        Ok(DecimalText(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<DecimalText, E> {
        Ok(DecimalText(v.to_string()))
    }

    /// Only reached when deserialising from an in-memory `serde_json::Value` (the demo data),
    /// never from request bytes. Rust prints the shortest decimal that round-trips, which is
    /// the literal as written for any temperature a person types.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<DecimalText, E> {
        if v.is_finite() {
            Ok(DecimalText(v.to_string()))
        } else {
            Err(E::custom("temperature must be a finite number"))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DecimalText, E> {
        Ok(DecimalText(v.to_owned()))
    }

    /// serde_json with `arbitrary_precision` hands numbers over as a one-entry map holding the
    /// number's exact text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DecimalText, A::Error> {
        let _key: Option<String> = map.next_key()?;
        let text: String = map.next_value()?;
        Ok(DecimalText(text))
    }
}

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }
}

impl Serialize for DecimalText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.parse::<serde_json::Number>() {
            Ok(n) => n.serialize(s),
            Err(_) => s.serialize_str(&self.0),
        }
    }
}

/// Observations as typed on the tablet; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationsInput {
    /// Breaths per minute (whole number, 0-60).
    pub respiration_rate: Option<u16>,
    /// Oxygen saturation, per cent (whole number, 50-100).
    pub spo2: Option<u16>,
    /// SpO2 scale (1 or 2). For a call the server uses the care plan's scale instead.
    pub spo2_scale: Option<u8>,
    /// On supplemental oxygen.
    pub on_oxygen: Option<bool>,
    /// Systolic blood pressure, mmHg (40-300).
    pub systolic_bp: Option<u16>,
    /// Pulse, beats per minute (20-250).
    pub pulse: Option<u16>,
    /// `alert`, `confusion` (new or worse, or not known), `voice`, `pain`, `unresponsive`.
    pub consciousness: Option<String>,
    /// Temperature, °C (25.0-45.0); rounded half-up to one decimal place in decimal.
    pub temperature_c: Option<DecimalText>,
}

/// An assessment as the tablet sends it (`POST /api/triage/score`, and inside a new call).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// Observations taken, if any.
    #[serde(default)]
    pub observations: ObservationsInput,
    /// Soft sign codes (docs/clinical-rules.md §3).
    #[serde(default)]
    pub soft_signs: Vec<String>,
    /// Red flag codes answered yes.
    #[serde(default)]
    pub red_flags: Vec<String>,
    /// `none`, `worried` or `very_worried`.
    #[serde(default = "concern_none")]
    pub concern: String,
    /// The resident's usual NEWS2, if known. For a call the care plan's value is used.
    pub baseline_news2: Option<u8>,
}

fn concern_none() -> String {
    "none".to_owned()
}

fn codes<T: Copy + PartialEq>(
    field: &str,
    input: &[String],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, ApiError> {
    let mut out = Vec::with_capacity(input.len());
    for (i, code) in input.iter().enumerate() {
        let value = parse(code).ok_or_else(|| {
            ApiError::invalid(format!("{field}[{i}]"), format!("unknown code `{code}`"))
        })?;
        if !out.contains(&value) {
            out.push(value);
        }
    }
    Ok(out)
}

impl AssessmentInput {
    /// Translates to the triage crate's types, naming the field at fault.
    pub fn to_domain(&self) -> Result<Assessment, ApiError> {
        let o = &self.observations;
        let consciousness = o
            .consciousness
            .as_deref()
            .map(|c| {
                Consciousness::parse(c).ok_or_else(|| {
                    ApiError::invalid(
                        "observations.consciousness",
                        "must be alert, confusion, voice, pain or unresponsive",
                    )
                })
            })
            .transpose()?;
        let temperature = o
            .temperature_c
            .as_ref()
            .map(|t| carehub_triage::parse_temperature(&t.0))
            .transpose()
            .map_err(|e| ApiError::invalid("observations.temperature_c", e.message))?;
        if self.baseline_news2.is_some_and(|b| b > 20) {
            return Err(ApiError::invalid("baseline_news2", "must be from 0 to 20"));
        }
        Ok(Assessment {
            observations: Observations {
                respiration_rate: o.respiration_rate,
                spo2: o.spo2,
                on_oxygen: o.on_oxygen,
                systolic_bp: o.systolic_bp,
                pulse: o.pulse,
                consciousness,
                temperature,
            },
            soft_signs: codes("soft_signs", &self.soft_signs, SoftSign::parse)?,
            red_flags: codes("red_flags", &self.red_flags, RedFlag::parse)?,
            concern: Concern::parse(&self.concern).ok_or_else(|| {
                ApiError::invalid("concern", "must be none, worried or very_worried")
            })?,
            baseline_news2: self.baseline_news2,
        })
    }

    /// The SpO2 scale the caller asked for (preview only).
    pub fn requested_scale(&self) -> Result<Spo2Scale, ApiError> {
        match self.observations.spo2_scale {
            None => Ok(Spo2Scale::Scale1),
            Some(n) => Spo2Scale::from_number(n)
                .ok_or_else(|| ApiError::invalid("observations.spo2_scale", "must be 1 or 2")),
        }
    }

    /// Overlays newer observations and signs on this assessment (adding observations to a
    /// waiting call): newer values win, signs and flags accumulate, concern can only rise.
    pub fn merged_with(&self, newer: &AssessmentInput) -> AssessmentInput {
        let (a, b) = (&self.observations, &newer.observations);
        let union = |x: &[String], y: &[String]| {
            let mut out = x.to_vec();
            out.extend(y.iter().filter(|c| !x.contains(c)).cloned());
            out
        };
        let rank = |c: &str| {
            ["none", "worried", "very_worried"]
                .iter()
                .position(|x| *x == c)
        };
        AssessmentInput {
            observations: ObservationsInput {
                respiration_rate: b.respiration_rate.or(a.respiration_rate),
                spo2: b.spo2.or(a.spo2),
                spo2_scale: b.spo2_scale.or(a.spo2_scale),
                on_oxygen: b.on_oxygen.or(a.on_oxygen),
                systolic_bp: b.systolic_bp.or(a.systolic_bp),
                pulse: b.pulse.or(a.pulse),
                consciousness: b.consciousness.clone().or_else(|| a.consciousness.clone()),
                temperature_c: b.temperature_c.clone().or_else(|| a.temperature_c.clone()),
            },
            soft_signs: union(&self.soft_signs, &newer.soft_signs),
            red_flags: union(&self.red_flags, &newer.red_flags),
            concern: if rank(&newer.concern) > rank(&self.concern) {
                newer.concern.clone()
            } else {
                self.concern.clone()
            },
            baseline_news2: newer.baseline_news2.or(self.baseline_news2),
        }
    }
}

/// NEWS2 as the client shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct News2View {
    /// Total of recorded items (a lower bound when incomplete).
    pub total: u8,
    /// Points per item; null when not recorded.
    pub items: std::collections::BTreeMap<String, Option<u8>>,
    /// Items recorded, of 7.
    pub recorded: u8,
    /// All seven recorded.
    pub complete: bool,
    /// `low`, `low_medium`, `medium`, `high`; null for a partial set (never "low").
    pub band: Option<String>,
    /// The SpO2 scale used.
    pub spo2_scale: u8,
    /// Plain words: "NEWS2 6 (Medium)" or "NEWS2 at least 3 (5 of 7 recorded)".
    pub summary: String,
}

/// One reason the level was reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReasonView {
    /// The mapping rule (docs/clinical-rules.md §4) that fired.
    pub rule: u8,
    /// The level it calls for.
    pub level: String,
    /// Plain words.
    pub text: String,
}

/// The triage result: score, level and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TriageView {
    /// NEWS2.
    pub news2: News2View,
    /// `P1`..`P5`.
    pub level: String,
    /// "Emergency", "Very urgent", "Urgent", "Standard", "Routine / advice".
    pub level_name: String,
    /// Every rule that fired, most urgent first.
    pub reasons: Vec<ReasonView>,
    /// Target time to answer for this level, seconds (from configuration).
    pub target_answer_seconds: u32,
    /// A red flag was answered yes: staff must dial 999 now (the call still queues at P1).
    pub dial_999: bool,
}

impl TriageView {
    /// The view of a triage result.
    pub fn new(t: &Triage, assessment: &Assessment, targets: &Targets) -> Self {
        let items = Item::ALL
            .iter()
            .map(|item| (item.as_str().to_owned(), t.news2.item(*item)))
            .collect();
        Self {
            news2: News2View {
                total: t.news2.total,
                items,
                recorded: t.news2.recorded,
                complete: t.news2.complete,
                band: t.news2.band.map(|b| b.as_str().to_owned()),
                spo2_scale: t.news2.scale.number(),
                summary: t.news2.summary(),
            },
            level: t.level.as_str().to_owned(),
            level_name: t.level.name().to_owned(),
            reasons: t
                .reasons
                .iter()
                .map(|r| ReasonView {
                    rule: r.rule,
                    level: r.level.as_str().to_owned(),
                    text: r.text.clone(),
                })
                .collect(),
            target_answer_seconds: targets.for_level(t.level),
            dial_999: assessment.needs_999(),
        }
    }

    /// The level as the triage crate's type.
    pub fn level(&self) -> Level {
        Level::parse(&self.level).unwrap_or(Level::P1)
    }
}

/// Scores an assessment: the one entry point both the preview and call creation use.
pub fn score(
    input: &AssessmentInput,
    scale: Spo2Scale,
    targets: &Targets,
) -> Result<(Assessment, TriageView), ApiError> {
    let assessment = input.to_domain()?;
    let triage = carehub_triage::assess(&assessment, scale)
        .map_err(|e| ApiError::invalid(format!("observations.{}", e.field), e.message))?;
    let view = TriageView::new(&triage, &assessment, targets);
    Ok((assessment, view))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> AssessmentInput {
        crate::extract::parse_json(json.as_bytes()).expect("parses")
    }

    #[test]
    fn temperature_text_survives_exactly() {
        let a = parse(r#"{"observations": {"temperature_c": 38.05}}"#);
        assert_eq!(
            a.observations.temperature_c,
            Some(DecimalText("38.05".into()))
        );
        let a = parse(r#"{"observations": {"temperature_c": "35.05"}}"#);
        assert_eq!(
            a.observations.temperature_c,
            Some(DecimalText("35.05".into()))
        );
        let a = parse(r#"{"observations": {"temperature_c": 37}}"#);
        assert_eq!(a.observations.temperature_c, Some(DecimalText("37".into())));
    }

    #[test]
    fn half_up_in_decimal_scores_38_05_as_38_1() {
        let a = parse(r#"{"observations": {"temperature_c": 38.05}}"#);
        let (_, view) = score(&a, Spo2Scale::Scale1, &Targets::default()).expect("scores");
        assert_eq!(view.news2.items["temperature"], Some(1));
    }

    #[test]
    fn worked_vector_3_scores_6_medium() {
        let a = parse(
            r#"{"observations": {"respiration_rate": 21, "spo2": 95, "on_oxygen": false,
                "systolic_bp": 110, "pulse": 91, "consciousness": "alert", "temperature_c": 38.1}}"#,
        );
        let (_, view) = score(&a, Spo2Scale::Scale1, &Targets::default()).expect("scores");
        assert_eq!(view.news2.total, 6);
        assert_eq!(view.news2.band.as_deref(), Some("medium"));
        assert_eq!(view.level, "P2");
    }

    #[test]
    fn bad_codes_and_values_name_the_field() {
        let a = parse(r#"{"soft_signs": ["drowsy", "grumpy"]}"#);
        let err = score(&a, Spo2Scale::Scale1, &Targets::default()).expect_err("invalid");
        assert!(matches!(err, ApiError::Invalid { ref field, .. } if field == "soft_signs[1]"));
        let a = parse(r#"{"observations": {"pulse": 400}}"#);
        let err = score(&a, Spo2Scale::Scale1, &Targets::default()).expect_err("invalid");
        assert!(
            matches!(err, ApiError::Invalid { ref field, .. } if field == "observations.pulse")
        );
    }

    #[test]
    fn merging_keeps_newer_values_and_only_raises_concern() {
        let old = parse(
            r#"{"observations": {"pulse": 80}, "soft_signs": ["drowsy"], "concern": "very_worried"}"#,
        );
        let new = parse(
            r#"{"observations": {"pulse": 120}, "soft_signs": ["pain"], "concern": "worried"}"#,
        );
        let merged = old.merged_with(&new);
        assert_eq!(merged.observations.pulse, Some(120));
        assert_eq!(merged.soft_signs, vec!["drowsy", "pain"]);
        assert_eq!(merged.concern, "very_worried");
    }
}
