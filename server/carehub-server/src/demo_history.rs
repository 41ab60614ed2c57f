//! A month of fictional hub calls for the demo, so the review list and the service figures
//! have something true to show on first start.
//!
//! The history is generated deterministically (a fixed-seed generator) and written through the
//! same store methods as live calls, with backdated times: every call is scored by the real
//! triage code, carries a real care plan snapshot, and has a full event history. Outcomes are
//! weighted like the Airedale hub's (most residents stay at home).

use std::collections::HashMap;

use anyhow::Context as _;
use carehub_store::{
    Actor, CallChange, Holder, Id, NewCall, OutcomeRecord, Resident, Role, Scope, Store,
};
use carehub_triage::{CallState, FollowUp, Outcome, Spo2Scale, Targets};
use serde_json::{Value, json};

use crate::assessment::{AssessmentInput, score};
use crate::care_plan::CarePlanSummary;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A small deterministic generator (SplitMix64): the same history on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A kind of call the hub sees often: what staff report, and how such calls tend to end.
struct Scenario {
    situation: &'static str,
    assessment: fn() -> Value,
    outcomes: &'static [(Outcome, u64)],
    plan: &'static str,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        situation: "More confused than usual since last night, passing less urine",
        assessment: || json!({"observations": {"respiration_rate": 18, "spo2": 96, "on_oxygen": false, "systolic_bp": 128, "pulse": 92, "consciousness": "confusion", "temperature_c": 37.9}, "soft_signs": ["confusion", "bladder_bowels"], "concern": "worried"}),
        outcomes: &[
            (Outcome::Rxh, 5),
            (Outcome::Gpv, 3),
            (Outcome::Tih, 2),
            (Outcome::Adm, 1),
        ],
        plan: "Push oral fluids; urine dip and sample to the GP surgery; re-check observations in four hours.",
    },
    Scenario {
        situation: "Found on the floor by her bed, no obvious injury, now sitting in chair",
        assessment: || json!({"observations": {"respiration_rate": 16, "spo2": 97, "on_oxygen": false, "systolic_bp": 142, "pulse": 78, "consciousness": "alert", "temperature_c": 36.7}, "soft_signs": ["mobility"], "concern": "none"}),
        outcomes: &[
            (Outcome::Adv, 4),
            (Outcome::Tih, 3),
            (Outcome::Oth, 2),
            (Outcome::Eds, 1),
        ],
        plan: "Head injury observations hourly for four hours; falls team referral; call back if new pain or drowsiness.",
    },
    Scenario {
        situation: "Chesty cough and breathless walking to the lounge",
        assessment: || json!({"observations": {"respiration_rate": 23, "spo2": 93, "on_oxygen": false, "systolic_bp": 118, "pulse": 104, "consciousness": "alert", "temperature_c": 38.3}, "soft_signs": ["breathing", "temperature"], "concern": "worried"}),
        outcomes: &[
            (Outcome::Rxh, 4),
            (Outcome::Gph, 2),
            (Outcome::Ucr, 2),
            (Outcome::Amb, 1),
        ],
        plan: "Antibiotics prescribed remotely; sit upright; observations every four hours; escalate if SpO2 falls.",
    },
    Scenario {
        situation: "Off her food for two days and sleeping more",
        assessment: || json!({"observations": {"pulse": 84, "temperature_c": 36.9}, "soft_signs": ["eating_drinking", "tired", "drowsy"], "concern": "worried"}),
        outcomes: &[(Outcome::Adv, 3), (Outcome::Tih, 3), (Outcome::Gpv, 2)],
        plan: "Food and fluid chart; offer favourite snacks little and often; GP review of medicines tomorrow.",
    },
    Scenario {
        situation: "Family asking whether the new tablet can be crushed",
        assessment: || json!({"observations": {}, "soft_signs": [], "concern": "none"}),
        outcomes: &[(Outcome::Adv, 5), (Outcome::Rxh, 2)],
        plan: "Do not crush; liquid form requested from the pharmacy; family informed.",
    },
    Scenario {
        situation: "Sudden chest pain, grey and sweaty; 999 called",
        assessment: || json!({"red_flags": ["chest_pain"], "observations": {"pulse": 112, "systolic_bp": 96}, "concern": "very_worried"}),
        outcomes: &[(Outcome::Amb, 5), (Outcome::Adm, 1)],
        plan: "Ambulance on its way; aspirin 300 mg chewed unless allergic; stay with him; hub on the line.",
    },
    Scenario {
        situation: "Very drowsy and breathing fast this evening",
        assessment: || json!({"observations": {"respiration_rate": 25, "spo2": 92, "on_oxygen": false, "systolic_bp": 104, "pulse": 112, "consciousness": "voice", "temperature_c": 38.6}, "soft_signs": ["drowsy", "breathing"], "concern": "very_worried"}),
        outcomes: &[
            (Outcome::Amb, 3),
            (Outcome::Ucr, 2),
            (Outcome::Eol, 2),
            (Outcome::Adm, 1),
        ],
        plan: "Care plan and ReSPECT reviewed with the family; plan agreed as recorded.",
    },
    Scenario {
        situation: "Restless and calling out, seems in pain",
        assessment: || json!({"observations": {"respiration_rate": 20, "pulse": 96}, "soft_signs": ["pain", "agitated"], "concern": "worried"}),
        outcomes: &[(Outcome::Eol, 3), (Outcome::Rxh, 2), (Outcome::Oth, 1)],
        plan: "Anticipatory medicines given as prescribed; district nurse visit tonight; family called.",
    },
];

/// The history's actors: the home's care staff, the nurses, the clinician.
pub struct Cast {
    /// Care staff per home.
    pub carers: HashMap<Id, Actor>,
    /// Hub nurses.
    pub nurses: Vec<Actor>,
    /// The reviewing clinician.
    pub clinician: Actor,
}

/// Writes `days` of history ending at `now` (unix ms). Residents with no plan are skipped.
pub async fn seed(store: &dyn Store, cast: &Cast, days: u32, now: i64) -> anyhow::Result<u32> {
    let residents: Vec<Resident> = store
        .list_residents(Scope::AllHomes, None)
        .await?
        .into_iter()
        .filter(|r| r.care_plan_version.is_some() && cast.carers.contains_key(&r.care_home_id))
        .collect();
    if residents.is_empty() || cast.nurses.is_empty() {
        return Ok(0);
    }
    let mut rng = Rng(0xCA2E_4B0B);
    let targets = Targets::default();
    let mut written = 0;
    for day in (1..=i64::from(days)).rev() {
        let calls_today = 3 + rng.below(5);
        for _ in 0..calls_today {
            // More than half out of hours, as at Airedale: evenings and nights weigh more.
            let hour = *rng.pick(&[2, 7, 9, 11, 14, 16, 18, 19, 20, 21, 22, 23]);
            let at =
                now - day * DAY + hour * HOUR + i64::try_from(rng.below(59)).unwrap_or(0) * MINUTE;
            let resident = rng.pick(&residents);
            let scenario = rng.pick(SCENARIOS);
            one_call(store, cast, &mut rng, &targets, resident, scenario, at, now).await?;
            written += 1;
        }
    }
    Ok(written)
}

#[allow(clippy::too_many_arguments)]
async fn one_call(
    store: &dyn Store,
    cast: &Cast,
    rng: &mut Rng,
    targets: &Targets,
    resident: &Resident,
    scenario: &Scenario,
    at: i64,
    now: i64,
) -> anyhow::Result<()> {
    let carer = cast
        .carers
        .get(&resident.care_home_id)
        .context("demo history: a home has no care staff user")?;
    let plan = store
        .read_current_care_plan(resident.id, Scope::AllHomes, carer)
        .await?;
    let summary: Option<CarePlanSummary> = plan
        .as_ref()
        .and_then(|p| serde_json::from_str(&p.content).ok());
    let scale = summary
        .as_ref()
        .map_or(Spo2Scale::Scale1, CarePlanSummary::spo2_scale);
    let mut input: AssessmentInput = serde_json::from_value((scenario.assessment)())?;
    input.observations.spo2_scale = Some(scale.number());
    input.baseline_news2 = summary.as_ref().and_then(|s| s.baseline.usual_news2);
    let (_, triage) = score(&input, scale, targets)
        .map_err(|e| anyhow::anyhow!("demo scenario does not score: {e}"))?;
    let level = triage.level();
    let record = store
        .create_call(
            NewCall {
                resident_id: resident.id,
                care_home_id: resident.care_home_id,
                level,
                news2_total: Some(triage.news2.total),
                assessment: serde_json::to_string(&input)?,
                triage: serde_json::to_string(&triage)?,
                situation: scenario.situation.to_owned(),
                care_plan_version: plan.as_ref().map(|p| p.version),
                care_plan_snapshot: plan.map(|p| p.content),
                at,
            },
            carer,
        )
        .await?;
    let id = record.id;
    if rng.chance(2) {
        let change = CallChange::event(
            id,
            CallState::Queued,
            "cancelled",
            Some(carer.clone()),
            at + 4 * MINUTE,
        );
        store
            .change_call(CallChange {
                new_state: CallState::Cancelled,
                ..change
            })
            .await?;
        return Ok(());
    }
    let target = targets.millis(level);
    // Most calls are answered well within target; about one in twelve breaches.
    let delay = if rng.chance(8) {
        target + i64::try_from(rng.below(u64::try_from(target).unwrap_or(1).max(1))).unwrap_or(0)
    } else {
        20_000
            + i64::try_from(rng.below(u64::try_from(target * 7 / 10).unwrap_or(1).max(1)))
                .unwrap_or(0)
    };
    let mut t = at;
    if delay >= target {
        let mut breach = CallChange::event(id, CallState::Queued, "breached", None, at + target);
        breach.breaches = Some(1);
        breach.detail =
            json!({"from": level.as_str(), "to": level.promoted().as_str(), "breaches": 1})
                .to_string();
        store.change_call(breach).await?;
    }
    let nurse = rng.pick(&cast.nurses).clone();
    t += delay;
    let mut claim = step(
        id,
        CallState::Queued,
        CallState::Claimed,
        "claimed",
        &nurse,
        t,
    );
    claim.holder = Holder::Set(nurse.user_id);
    claim.answered = true;
    store.change_call(claim).await?;
    t += 40_000;
    store
        .change_call(step(
            id,
            CallState::Claimed,
            CallState::InConsultation,
            "consultation_started",
            &nurse,
            t,
        ))
        .await?;
    t += (6 + i64::try_from(rng.below(18)).unwrap_or(0)) * MINUTE;
    store
        .change_call(step(
            id,
            CallState::InConsultation,
            CallState::WrapUp,
            "consultation_ended",
            &nurse,
            t,
        ))
        .await?;
    t += 3 * MINUTE;
    let outcome = weighted(rng, scenario.outcomes);
    let mut close = step(
        id,
        CallState::WrapUp,
        CallState::Closed,
        "outcome_recorded",
        &nurse,
        t,
    );
    close.holder = Holder::Clear;
    close.detail = json!({"outcome": outcome.code()}).to_string();
    close.outcome = Some(OutcomeRecord {
        outcome,
        plan: scenario.plan.to_owned(),
        reobserve_at: Some(t + 4 * HOUR),
        clinicians: Vec::new(),
        recorded_by: nurse.user_id,
        recorded_at: t,
    });
    store.change_call(close).await?;
    follow_up_and_sign_off(store, cast, rng, id, outcome, t, now).await
}

async fn follow_up_and_sign_off(
    store: &dyn Store,
    cast: &Cast,
    rng: &mut Rng,
    id: Id,
    outcome: Outcome,
    closed_at: i64,
    now: i64,
) -> anyhow::Result<()> {
    if matches!(outcome, Outcome::Amb | Outcome::Ooh) {
        let conveyed = rng.chance(50);
        let flags = FollowUp {
            conveyed: Some(conveyed),
            admitted: Some(conveyed && rng.chance(60)),
            died_within_72h: None,
        };
        store
            .set_follow_up(id, flags, &cast.clinician, closed_at + 6 * HOUR)
            .await?;
    }
    // Older calls are mostly signed off; the last few days are left for the demo clinician.
    if now - closed_at > 3 * DAY && rng.chance(80) {
        let comment = if rng.chance(85) {
            "Appropriate management."
        } else {
            "Discussed at the weekly hub review."
        };
        store
            .sign_off(id, &cast.clinician, comment.to_owned(), closed_at + DAY)
            .await?;
    }
    Ok(())
}

fn step(id: Id, from: CallState, to: CallState, kind: &str, actor: &Actor, at: i64) -> CallChange {
    CallChange {
        new_state: to,
        ..CallChange::event(id, from, kind, Some(actor.clone()), at)
    }
}

fn weighted(rng: &mut Rng, options: &[(Outcome, u64)]) -> Outcome {
    let total: u64 = options.iter().map(|(_, w)| w).sum();
    let mut roll = rng.below(total);
    for (outcome, weight) in options {
        if roll < *weight {
            return *outcome;
        }
        roll -= weight;
    }
    Outcome::Adv
}

/// The roles the history needs, found among the seeded users.
pub fn cast_from(users: &[carehub_store::User]) -> Option<Cast> {
    let actor = |u: &carehub_store::User| Actor {
        user_id: u.id,
        username: u.username.clone(),
        role: u.role,
        address: None,
    };
    let mut carers = HashMap::new();
    for u in users.iter().filter(|u| u.role == Role::CareStaff) {
        if let Some(home) = u.care_home_id {
            carers.entry(home).or_insert_with(|| actor(u));
        }
    }
    Some(Cast {
        carers,
        nurses: users
            .iter()
            .filter(|u| u.role == Role::HubNurse)
            .map(actor)
            .collect(),
        clinician: users
            .iter()
            .find(|u| u.role == Role::Clinician)
            .map(actor)?,
    })
}
