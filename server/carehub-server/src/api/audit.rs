//! The audit log, for admins and clinicians: who read or changed what, when, from where.

use axum::Json;
use axum::extract::State;
use carehub_store::{AuditQuery, AuditRecord, Id, Role};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;

/// Audit filters; all optional.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Only entries about this resident.
    pub resident_id: Option<Id>,
    /// Only entries by this user.
    pub actor_id: Option<Id>,
    /// Only this action (e.g. `care_plan.read`).
    pub action: Option<String>,
    /// From this time (RFC 3339), inclusive.
    #[param(value_type = Option<String>, format = DateTime)]
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub from: Option<OffsetDateTime>,
    /// Up to this time (RFC 3339), exclusive.
    #[param(value_type = Option<String>, format = DateTime)]
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub to: Option<OffsetDateTime>,
    /// Entries older than this id (for paging).
    pub before: Option<Id>,
    /// Page size, 1-500 (default 100).
    pub limit: Option<u32>,
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    /// Sequence number.
    pub id: Id,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// User id.
    pub actor_id: Id,
    /// Username.
    pub actor: String,
    /// Role at the time.
    pub role: String,
    /// What was done.
    pub action: String,
    /// Kind of record.
    pub target_type: String,
    /// Its id.
    pub target_id: Id,
    /// Resident concerned.
    pub resident_id: Option<Id>,
    /// Client address.
    pub address: Option<String>,
    /// Non-clinical detail.
    pub detail: String,
}

impl From<AuditRecord> for AuditView {
    fn from(r: AuditRecord) -> Self {
        Self {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor: r.actor_name,
            role: r.actor_role,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            resident_id: r.resident_id,
            address: r.address,
            detail: r.detail,
        }
    }
}

/// Queries the audit log, newest first.
#[utoipa::path(get, path = "/api/audit", tag = "audit", security(("bearer" = [])),
    params(AuditParams),
    responses(
        (status = 200, description = "Entries, newest first", body = [AuditView]),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 403, description = "Only admins and clinicians", body = ErrorBody)
    ))]
pub async fn query_audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Json<Vec<AuditView>>, ApiError> {
    caller.require(&[Role::Admin, Role::Clinician])?;
    let limit = params.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            message: "limit must be from 1 to 500".into(),
            field: Some("limit".into()),
        });
    }
    let records = state
        .store
        .query_audit(AuditQuery {
            resident_id: params.resident_id,
            actor_id: params.actor_id,
            action: params.action,
            from: params.from,
            to: params.to,
            before_id: params.before,
            limit,
        })
        .await?;
    Ok(Json(records.into_iter().map(Into::into).collect()))
}
