//! Care homes. Care staff see their own home only; admins add homes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use carehub_store::{NewCareHome, Role, Scope};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::residents::required_text;
use crate::api::views::CareHomeView;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;

/// Care homes the caller may see.
#[utoipa::path(get, path = "/api/care-homes", tag = "care homes", security(("bearer" = [])),
    responses(
        (status = 200, description = "Care homes", body = [CareHomeView]),
        (status = 401, description = "Not signed in", body = ErrorBody)
    ))]
pub async fn list_care_homes(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CareHomeView>>, ApiError> {
    let homes = state.store.list_care_homes().await?;
    let scope = caller.scope();
    Ok(Json(
        homes
            .into_iter()
            .filter(|h| scope.includes(h.id))
            .map(CareHomeView::from)
            .collect(),
    ))
}

/// A care home to connect to the hub.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCareHomeRequest {
    /// Name (unique).
    pub name: String,
    /// Postal address.
    pub address: String,
    /// Telephone.
    pub phone: String,
}

/// Connects a new care home (admins).
#[utoipa::path(post, path = "/api/care-homes", tag = "care homes", security(("bearer" = [])),
    request_body = NewCareHomeRequest,
    responses(
        (status = 201, description = "Created", body = CareHomeView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "Name already used", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)
    ))]
pub async fn create_care_home(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewCareHomeRequest>,
) -> Result<(StatusCode, Json<CareHomeView>), ApiError> {
    caller.require(&[Role::Admin])?;
    let home = NewCareHome {
        name: required_text("name", &body.name, 120)?,
        address: required_text("address", &body.address, 300)?,
        phone: required_text("phone", &body.phone, 40)?,
    };
    let created = state.store.create_care_home(home).await?;
    debug_assert!(Scope::AllHomes.includes(created.id));
    Ok((StatusCode::CREATED, Json(created.into())))
}
