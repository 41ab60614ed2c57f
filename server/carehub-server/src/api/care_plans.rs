//! Care plan summaries: versioned, and every read recorded in the audit log by the store in
//! the same transaction as the read.

use axum::Json;
use axum::extract::State;
use carehub_store::{CarePlanVersion, CarePlanVersionInfo, Id, Role};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::views::today;
use crate::auth::Caller;
use crate::care_plan::{CarePlanSummary, Staleness};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, parse_json};
use crate::metrics::Metrics;

/// Clinical roles that read care plans. Admins run the service and do not need clinical content.
const READERS: &[Role] = &[Role::CareStaff, Role::HubNurse, Role::Clinician];
/// Roles that write care plans: the home's staff and the hub's clinicians.
const WRITERS: &[Role] = &[Role::CareStaff, Role::HubNurse, Role::Clinician];

/// A care plan version as shown to staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct CarePlanView {
    /// Resident.
    pub resident_id: Id,
    /// Version number; null when the resident has no plan (every decision then reads as
    /// unknown, never as "for full escalation").
    pub version: Option<u32>,
    /// The summary; null when there is no plan.
    pub summary: Option<CarePlanSummary>,
    /// Which blocks are stale today; null when there is no plan.
    pub stale: Option<Staleness>,
    /// Who saved this version.
    pub author: Option<String>,
    /// When.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub saved_at: Option<OffsetDateTime>,
}

impl CarePlanView {
    fn none(resident_id: Id) -> Self {
        Self {
            resident_id,
            version: None,
            summary: None,
            stale: None,
            author: None,
            saved_at: None,
        }
    }

    fn from_version(v: CarePlanVersion) -> Result<Self, ApiError> {
        let summary: CarePlanSummary = parse_json(v.content.as_bytes()).map_err(|_| {
            ApiError::Internal(format!(
                "stored care plan of resident {} version {} does not parse",
                v.resident_id, v.version
            ))
        })?;
        Ok(Self {
            resident_id: v.resident_id,
            version: Some(v.version),
            stale: Some(summary.staleness(today())),
            summary: Some(summary),
            author: Some(v.author_name),
            saved_at: Some(v.created_at),
        })
    }
}

/// The resident's current care plan summary (audited read).
#[utoipa::path(get, path = "/api/residents/{id}/care-plan", tag = "care plans", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resident id")),
    responses(
        (status = 200, description = "The current plan, or version null when there is none", body = CarePlanView),
        (status = 403, description = "Role may not read care plans", body = ErrorBody),
        (status = 404, description = "No such resident in your scope", body = ErrorBody)
    ))]
pub async fn current_care_plan(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<CarePlanView>, ApiError> {
    caller.require(READERS)?;
    let plan = state
        .store
        .read_current_care_plan(id, caller.scope(), &caller.actor())
        .await?;
    Metrics::inc(&state.metrics.care_plan_reads);
    match plan {
        Some(v) => Ok(Json(CarePlanView::from_version(v)?)),
        None => Ok(Json(CarePlanView::none(id))),
    }
}

/// A new version of the summary.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveCarePlanRequest {
    /// The version this edit started from (null for a first plan). A mismatch answers 409 so
    /// two editors never overwrite each other.
    pub expected_version: Option<u32>,
    /// The whole summary.
    pub summary: CarePlanSummary,
}

/// Saves a new version of the summary; earlier versions stay readable.
#[utoipa::path(put, path = "/api/residents/{id}/care-plan", tag = "care plans", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resident id")),
    request_body = SaveCarePlanRequest,
    responses(
        (status = 200, description = "Saved as a new version", body = CarePlanView),
        (status = 403, description = "Role may not change care plans", body = ErrorBody),
        (status = 404, description = "No such resident in your scope", body = ErrorBody),
        (status = 409, description = "Someone saved a newer version first", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)
    ))]
pub async fn save_care_plan(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
    ApiJson(body): ApiJson<SaveCarePlanRequest>,
) -> Result<Json<CarePlanView>, ApiError> {
    caller.require(WRITERS)?;
    body.summary.validate(today()).map_err(|e| match e {
        ApiError::Invalid { field, message } => {
            ApiError::invalid(format!("summary.{field}"), message)
        }
        other => other,
    })?;
    let content = serde_json::to_string(&body.summary)
        .map_err(|e| ApiError::Internal(format!("serialising care plan: {e}")))?;
    let saved = state
        .store
        .save_care_plan(
            id,
            caller.scope(),
            body.expected_version,
            content,
            &caller.actor(),
        )
        .await?;
    tracing::info!(resident_id = id, version = saved.version, "care plan saved");
    Ok(Json(CarePlanView::from_version(saved)?))
}

/// One entry of the version history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CarePlanVersionSummary {
    /// Version number.
    pub version: u32,
    /// Who saved it.
    pub author: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub saved_at: OffsetDateTime,
}

impl From<CarePlanVersionInfo> for CarePlanVersionSummary {
    fn from(v: CarePlanVersionInfo) -> Self {
        Self {
            version: v.version,
            author: v.author_name,
            saved_at: v.created_at,
        }
    }
}

/// Who changed the plan and when, newest first.
#[utoipa::path(get, path = "/api/residents/{id}/care-plan/versions", tag = "care plans", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resident id")),
    responses(
        (status = 200, description = "Versions, newest first", body = [CarePlanVersionSummary]),
        (status = 404, description = "No such resident in your scope", body = ErrorBody)
    ))]
pub async fn care_plan_history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<Vec<CarePlanVersionSummary>>, ApiError> {
    caller.require(READERS)?;
    let versions = state.store.care_plan_history(id, caller.scope()).await?;
    Ok(Json(versions.into_iter().map(Into::into).collect()))
}

/// One past (or the current) version of the summary (audited read).
#[utoipa::path(get, path = "/api/residents/{id}/care-plan/versions/{version}", tag = "care plans", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Resident id"),
        ("version" = u32, Path, description = "Version number")
    ),
    responses(
        (status = 200, description = "That version", body = CarePlanView),
        (status = 404, description = "No such resident or version", body = ErrorBody)
    ))]
pub async fn care_plan_version(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, version)): ApiPath<(Id, u32)>,
) -> Result<Json<CarePlanView>, ApiError> {
    caller.require(READERS)?;
    let plan = state
        .store
        .read_care_plan_version(id, version, caller.scope(), &caller.actor())
        .await?;
    Metrics::inc(&state.metrics.care_plan_reads);
    Ok(Json(CarePlanView::from_version(plan)?))
}
