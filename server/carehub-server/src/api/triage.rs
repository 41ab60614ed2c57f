//! The live NEWS2 and urgency preview the tablet calls as staff type. The server is the one
//! implementation of scoring; the client never re-implements it.

use axum::Json;
use axum::extract::State;
use carehub_store::Role;

use crate::AppState;
use crate::assessment::{AssessmentInput, TriageView, score};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;

/// Scores an assessment: NEWS2 with its items and band, the urgency level and the reasons.
/// Every observation is optional; a partial set is "at least N (k of 7)" and never "low".
#[utoipa::path(post, path = "/api/triage/score", tag = "triage", security(("bearer" = [])),
    request_body = AssessmentInput,
    responses(
        (status = 200, description = "Score, level and reasons", body = TriageView),
        (status = 403, description = "Role may not score", body = ErrorBody),
        (status = 422, description = "Implausible or invalid value; the field is named", body = ErrorBody)
    ))]
pub async fn score_assessment(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<AssessmentInput>,
) -> Result<Json<TriageView>, ApiError> {
    caller.require(&[Role::CareStaff, Role::HubNurse, Role::Clinician])?;
    let targets = state.config.triage.targets();
    let (_, view) = score(&input, input.requested_scale()?, &targets)?;
    Ok(Json(view))
}
