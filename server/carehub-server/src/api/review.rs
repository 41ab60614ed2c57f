//! Review for clinicians: closed calls with filters, sign-off, and follow-up flags.

use axum::Json;
use axum::extract::State;
use carehub_store::{CallFilter, Id, Role};
use carehub_triage::{FollowUp, Level, Outcome};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::detail::{CallDetail, call_detail};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::hub::view::at;
use crate::millis::{from_datetime as ms, now};

/// Roles that review calls.
const REVIEWERS: &[Role] = &[Role::Clinician, Role::HubNurse];

/// Filters for closed calls; all optional.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewQuery {
    /// Only this care home.
    pub home: Option<Id>,
    /// Only calls that arrived at this level (`P1`..`P5`).
    pub level: Option<String>,
    /// Only this outcome code.
    pub outcome: Option<String>,
    /// Arrived at or after (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub from: Option<OffsetDateTime>,
    /// Arrived before (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub to: Option<OffsetDateTime>,
    /// Only breached (true) or only on time (false).
    pub breached: Option<bool>,
    /// Only calls not yet signed off.
    pub unsigned: Option<bool>,
    /// Paging: the calls listed after this one (pass the last id of the previous page); the
    /// list is ordered by arrival, newest first.
    pub before: Option<Id>,
    /// Page size, 1-500 (default 100).
    pub limit: Option<u32>,
}

/// One row of the review list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewRow {
    /// Call id.
    pub id: Id,
    /// Final state.
    pub state: String,
    /// Level at arrival.
    pub initial_level: String,
    /// Level at the end.
    pub level: String,
    /// Targets missed.
    pub breaches: u8,
    /// Care home id.
    pub care_home_id: Id,
    /// Resident id.
    pub resident_id: Id,
    /// The resident's full name, also when they have since left the home (archived), so a
    /// reviewer never has to match record numbers.
    pub resident_name: String,
    /// Arrival.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub arrived_at: OffsetDateTime,
    /// Seconds from arrival to first answer.
    pub answer_seconds: Option<i64>,
    /// Outcome code.
    pub outcome: Option<String>,
    /// Signed off.
    pub signed_off: bool,
    /// NEWS2 total.
    pub news2_total: Option<u8>,
}

/// Closed, cancelled and abandoned calls, newest first.
#[utoipa::path(get, path = "/api/review/calls", tag = "review", security(("bearer" = [])),
    params(ReviewQuery),
    responses(
        (status = 200, description = "Calls", body = [ReviewRow]),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 403, description = "Clinicians and hub nurses only", body = ErrorBody)
    ))]
pub async fn list_review(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReviewQuery>,
) -> Result<Json<Vec<ReviewRow>>, ApiError> {
    caller.require(REVIEWERS)?;
    let bad = |field: &str, message: &str| ApiError::BadRequest {
        code: "invalid_query",
        message: message.to_owned(),
        field: Some(field.to_owned()),
    };
    let level = q
        .level
        .as_deref()
        .map(|l| Level::parse(l).ok_or_else(|| bad("level", "level must be P1..P5")))
        .transpose()?;
    let outcome = q
        .outcome
        .as_deref()
        .map(|o| Outcome::parse(o).ok_or_else(|| bad("outcome", "unknown outcome code")))
        .transpose()?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(bad("limit", "limit must be from 1 to 500"));
    }
    let calls = state
        .store
        .list_closed_calls(CallFilter {
            care_home_id: q.home,
            level,
            outcome,
            from: q.from.map(ms),
            to: q.to.map(ms),
            breached: q.breached,
            unsigned: q.unsigned.unwrap_or(false),
            before_id: q.before,
            limit,
        })
        .await?;
    let mut ids: Vec<Id> = calls.iter().map(|c| c.resident_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: std::collections::HashMap<Id, String> = state
        .store
        .residents_on_record(ids, caller.scope())
        .await?
        .into_iter()
        .map(|r| (r.id, format!("{} {}", r.given_name, r.family_name)))
        .collect();
    Ok(Json(
        calls
            .into_iter()
            .map(|c| ReviewRow {
                resident_name: names.get(&c.resident_id).cloned().unwrap_or_default(),
                id: c.id,
                state: c.state.as_str().to_owned(),
                initial_level: c.initial_level.as_str().to_owned(),
                level: c.level.as_str().to_owned(),
                breaches: c.breaches,
                care_home_id: c.care_home_id,
                resident_id: c.resident_id,
                arrived_at: at(c.arrived_at),
                answer_seconds: c.answered_at.map(|a| (a - c.arrived_at) / 1000),
                outcome: c.outcome.as_ref().map(|o| o.outcome.code().to_owned()),
                signed_off: c.sign_off.is_some(),
                news2_total: c.news2_total,
            })
            .collect(),
    ))
}

/// A clinician's sign-off.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOffRequest {
    /// Comment (may be empty when the clinician agrees without remark).
    pub comment: String,
}

/// A clinician signs off a closed call.
#[utoipa::path(post, path = "/api/calls/{id}/sign-off", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    request_body = SignOffRequest,
    responses(
        (status = 200, description = "Signed off", body = CallDetail),
        (status = 403, description = "Clinicians only", body = ErrorBody),
        (status = 404, description = "No such call", body = ErrorBody),
        (status = 409, description = "Not closed, or already signed off", body = ErrorBody)
    ))]
pub async fn sign_off(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
    ApiJson(body): ApiJson<SignOffRequest>,
) -> Result<Json<CallDetail>, ApiError> {
    caller.require(&[Role::Clinician])?;
    if body.comment.chars().count() > 2000 {
        return Err(ApiError::invalid("comment", "at most 2000 characters"));
    }
    let now = now();
    state
        .store
        .sign_off(id, &caller.actor(), body.comment.trim().to_owned(), now)
        .await?;
    Ok(Json(call_detail(&state, &caller, id).await?))
}

/// Follow-up flags; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRequest {
    /// Conveyed to hospital.
    pub conveyed: Option<bool>,
    /// Admitted.
    pub admitted: Option<bool>,
    /// Died within 72 hours.
    pub died_within_72h: Option<bool>,
}

/// Adds what happened next (conveyed, admitted, died within 72 h) to an ended call.
#[utoipa::path(post, path = "/api/calls/{id}/follow-up", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    request_body = FollowUpRequest,
    responses(
        (status = 200, description = "Updated", body = CallDetail),
        (status = 403, description = "Clinicians and hub nurses only", body = ErrorBody),
        (status = 404, description = "No such call", body = ErrorBody),
        (status = 409, description = "The call has not ended", body = ErrorBody)
    ))]
pub async fn follow_up(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
    ApiJson(body): ApiJson<FollowUpRequest>,
) -> Result<Json<CallDetail>, ApiError> {
    caller.require(REVIEWERS)?;
    let flags = FollowUp {
        conveyed: body.conveyed,
        admitted: body.admitted,
        died_within_72h: body.died_within_72h,
    };
    let now = now();
    state
        .store
        .set_follow_up(id, flags, &caller.actor(), now)
        .await?;
    Ok(Json(call_detail(&state, &caller, id).await?))
}
