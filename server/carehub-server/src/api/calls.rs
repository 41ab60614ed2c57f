//! Calls: created by care staff for their own residents, answered and closed by hub nurses.
//! Every change goes through the hub task, which stores it before answering.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use carehub_store::{Id, NewCall, OutcomeRecord, Role};
use carehub_triage::{Level, Outcome};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::detail::{CallDetail, call_detail};
use crate::api::views::today;
use crate::assessment::{AssessmentInput, score};
use crate::auth::Caller;
use crate::care_plan::CarePlanSummary;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, parse_json};
use crate::hub::{Action, CallView, PreparedCall, QueueView};
use crate::millis::{from_datetime, now as now_ms};

/// A call to the hub.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCallRequest {
    /// The resident (of the caller's own home).
    pub resident_id: Id,
    /// One line: what staff are seeing.
    pub situation: String,
    /// Red flags, soft signs, observations and concern.
    pub assessment: AssessmentInput,
}

/// Starts a call: scores it, attaches an immutable snapshot of the resident's current care
/// plan, and queues it. Answered only once the call is stored.
#[utoipa::path(post, path = "/api/calls", tag = "calls", security(("bearer" = [])),
    request_body = NewCallRequest,
    responses(
        (status = 201, description = "Queued", body = CallView),
        (status = 403, description = "Only care staff start calls", body = ErrorBody),
        (status = 404, description = "No such resident in your home", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)
    ))]
pub async fn create_call(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewCallRequest>,
) -> Result<(StatusCode, Json<CallView>), ApiError> {
    caller.require(&[Role::CareStaff])?;
    let max = state.config.triage.max_situation_chars;
    let situation = body.situation.trim().to_owned();
    if situation.is_empty() || situation.chars().count() > max {
        return Err(ApiError::invalid(
            "situation",
            format!("say in one line (1 to {max} characters) what you are seeing"),
        ));
    }
    let resident = state
        .store
        .get_resident(body.resident_id, caller.scope())
        .await?;
    let actor = caller.actor();
    let plan = state
        .store
        .read_current_care_plan(resident.id, caller.scope(), &actor)
        .await?;
    let summary: Option<CarePlanSummary> = plan
        .as_ref()
        .map(|p| parse_json(p.content.as_bytes()))
        .transpose()
        .map_err(|_| {
            ApiError::Internal(format!(
                "care plan of resident {} does not parse",
                resident.id
            ))
        })?;
    // The SpO2 scale and the baseline come from the care plan, never from the caller.
    let scale = summary
        .as_ref()
        .map(CarePlanSummary::spo2_scale)
        .unwrap_or_default();
    let mut input = body.assessment;
    input.observations.spo2_scale = Some(scale.number());
    input.baseline_news2 = summary
        .as_ref()
        .and_then(|s| s.baseline.usual_news2)
        .or(input.baseline_news2);
    let targets = state.config.triage.targets();
    let (_, triage) = score(&input, scale, &targets).map_err(|e| match e {
        ApiError::Invalid { field, message } => {
            ApiError::invalid(format!("assessment.{field}"), message)
        }
        other => other,
    })?;
    let call = NewCall {
        resident_id: resident.id,
        care_home_id: resident.care_home_id,
        level: triage.level(),
        news2_total: Some(triage.news2.total),
        assessment: to_json(&input)?,
        triage: to_json(&triage)?,
        situation,
        care_plan_version: plan.as_ref().map(|p| p.version),
        care_plan_snapshot: plan.map(|p| p.content),
        at: now_ms(),
    };
    let prepared = PreparedCall {
        call,
        assessment: input,
        triage,
        resident: crate::hub::ResidentBrief::from_resident(&resident, today()),
    };
    let view = state.hub.create(prepared, actor).await?;
    Ok((StatusCode::CREATED, Json((*view).clone())))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(format!("serialising: {e}")))
}

/// The live queue of every home's open calls, for hub staff (care staff get 403).
#[utoipa::path(get, path = "/api/calls", tag = "calls", security(("bearer" = [])),
    responses(
        (status = 200, description = "Waiting calls in order, and calls in progress", body = QueueView),
        (status = 403, description = "Role may not see calls", body = ErrorBody)
    ))]
pub async fn list_open_calls(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<QueueView>, ApiError> {
    // The hub queue spans every home; care staff follow their own calls on the live channel.
    caller.require(&[Role::HubNurse, Role::Clinician])?;
    let snapshot = state.hub.snapshot();
    let scope = caller.scope();
    let keep = |c: &&std::sync::Arc<CallView>| scope.includes(c.care_home.id);
    Ok(Json(QueueView {
        seq: snapshot.seq,
        waiting: snapshot.waiting.iter().filter(keep).cloned().collect(),
        in_progress: snapshot.in_progress.iter().filter(keep).cloned().collect(),
    }))
}

/// One call with its assessment, care plan snapshot (audited read), outcome and timeline.
#[utoipa::path(get, path = "/api/calls/{id}", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    responses(
        (status = 200, description = "The call", body = CallDetail),
        (status = 404, description = "No such call in your scope", body = ErrorBody)
    ))]
pub async fn get_call(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<CallDetail>, ApiError> {
    caller.require(&[Role::CareStaff, Role::HubNurse, Role::Clinician])?;
    Ok(Json(call_detail(&state, &caller, id).await?))
}

async fn act(
    state: &AppState,
    caller: &Caller,
    id: Id,
    roles: &[Role],
    action: Action,
) -> Result<Json<CallView>, ApiError> {
    caller.require(roles)?;
    let view = state
        .hub
        .act(id, caller.scope(), action, caller.actor())
        .await?;
    Ok(Json((*view).clone()))
}

macro_rules! simple_action {
    ($name:ident, $path:literal, $action:expr, $roles:expr, $doc:literal, $ok:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "calls", security(("bearer" = [])),
            params(("id" = i64, Path, description = "Call id")),
            responses(
                (status = 200, description = $ok, body = CallView),
                (status = 403, description = "Role may not do this", body = ErrorBody),
                (status = 404, description = "No such call in your scope", body = ErrorBody),
                (status = 409, description = "Not possible in the call's current state", body = ErrorBody)
            ))]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            ApiPath(id): ApiPath<Id>,
        ) -> Result<Json<CallView>, ApiError> {
            act(&state, &caller, id, $roles, $action).await
        }
    };
}

simple_action!(
    claim_call,
    "/api/calls/{id}/claim",
    Action::Claim,
    &[Role::HubNurse],
    "A hub nurse answers a waiting call; when two claim at once, exactly one wins (the other gets 409).",
    "Claimed"
);
simple_action!(
    release_call,
    "/api/calls/{id}/release",
    Action::Release,
    &[Role::HubNurse],
    "The holding nurse puts the call back in the queue, keeping its place by arrival.",
    "Back in the queue"
);
simple_action!(
    start_consultation,
    "/api/calls/{id}/start",
    Action::Start,
    &[Role::HubNurse],
    "The holding nurse starts the video consultation.",
    "In consultation"
);
simple_action!(
    end_consultation,
    "/api/calls/{id}/end",
    Action::End,
    &[Role::HubNurse],
    "The holding nurse ends the consultation and moves to wrap-up (recording the outcome).",
    "In wrap-up"
);
simple_action!(
    cancel_call,
    "/api/calls/{id}/cancel",
    Action::Cancel,
    &[Role::CareStaff],
    "The home cancels a call it no longer needs (waiting or just claimed).",
    "Cancelled"
);

/// The outcome of a call (docs/clinical-rules.md §8).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// Outcome code: ADV, TIH, RXH, GPV, GPH, UCR, OTH, OOH, EOL, AMB, EDS, ADM, DEX, DUX, ABN.
    pub outcome: String,
    /// The plan, in plain words for the home.
    pub plan: String,
    /// When staff should re-observe or follow up.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reobserve_at: Option<OffsetDateTime>,
    /// Clinicians involved in the decision (user ids).
    #[serde(default)]
    pub clinicians: Vec<Id>,
}

/// The holding nurse records the outcome at wrap-up; the call closes.
#[utoipa::path(post, path = "/api/calls/{id}/outcome", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    request_body = OutcomeRequest,
    responses(
        (status = 200, description = "Closed", body = CallView),
        (status = 404, description = "No such call", body = ErrorBody),
        (status = 409, description = "Not in wrap-up, or held by another nurse", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)
    ))]
pub async fn record_outcome(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
    ApiJson(body): ApiJson<OutcomeRequest>,
) -> Result<Json<CallView>, ApiError> {
    caller.require(&[Role::HubNurse])?;
    let outcome = Outcome::parse(&body.outcome)
        .ok_or_else(|| ApiError::invalid("outcome", "must be one of the outcome codes (ADV, TIH, RXH, GPV, GPH, UCR, OTH, OOH, EOL, AMB, EDS, ADM, DEX, DUX, ABN)"))?;
    let plan = body.plan.trim();
    if plan.is_empty() || plan.chars().count() > 4000 {
        return Err(ApiError::invalid(
            "plan",
            "write the plan for the home (1 to 4000 characters)",
        ));
    }
    if body.clinicians.len() > 10 {
        return Err(ApiError::invalid("clinicians", "at most 10 clinicians"));
    }
    let clinicians = state.store.list_users(Some(Role::Clinician)).await?;
    if let Some(bad) = body
        .clinicians
        .iter()
        .find(|c| !clinicians.iter().any(|u| u.id == **c))
    {
        return Err(ApiError::invalid(
            "clinicians",
            format!("user {bad} is not a clinician"),
        ));
    }
    let record = OutcomeRecord {
        outcome,
        plan: plan.to_owned(),
        reobserve_at: body.reobserve_at.map(from_datetime),
        clinicians: body.clinicians,
        recorded_by: caller.user_id,
        recorded_at: now_ms(),
    };
    act(
        &state,
        &caller,
        id,
        &[Role::HubNurse],
        Action::Outcome(record),
    )
    .await
}

/// Adds observations or signs to a waiting call; it is re-scored and can move up, never down.
#[utoipa::path(post, path = "/api/calls/{id}/observations", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    request_body = AssessmentInput,
    responses(
        (status = 200, description = "Re-scored", body = CallView),
        (status = 404, description = "No such call in your home", body = ErrorBody),
        (status = 409, description = "The call is no longer waiting", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)
    ))]
pub async fn add_observations(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
    ApiJson(body): ApiJson<AssessmentInput>,
) -> Result<Json<CallView>, ApiError> {
    // Validate on its own first, so a bad value names the field as the caller sent it.
    body.to_domain()?;
    act(
        &state,
        &caller,
        id,
        &[Role::CareStaff],
        Action::AddObservations(Box::new(body)),
    )
    .await
}

/// A nurse's change of level.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelRequest {
    /// `P1`..`P5`.
    pub level: String,
    /// Why (mandatory; kept in the call's history and audited).
    pub reason: String,
}

/// A hub nurse changes a call's level, either way, with a mandatory reason (audited).
#[utoipa::path(post, path = "/api/calls/{id}/level", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    request_body = LevelRequest,
    responses(
        (status = 200, description = "Level changed", body = CallView),
        (status = 404, description = "No such call", body = ErrorBody),
        (status = 409, description = "The call is closed", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)
    ))]
pub async fn change_level(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
    ApiJson(body): ApiJson<LevelRequest>,
) -> Result<Json<CallView>, ApiError> {
    let level = Level::parse(&body.level)
        .ok_or_else(|| ApiError::invalid("level", "must be P1, P2, P3, P4 or P5"))?;
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::invalid(
            "reason",
            "give the reason for the change (1 to 500 characters)",
        ));
    }
    let action = Action::SetLevel {
        level,
        reason: reason.to_owned(),
    };
    act(&state, &caller, id, &[Role::HubNurse], action).await
}
