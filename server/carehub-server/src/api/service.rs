//! What every signed-in screen needs to know about the service itself, as opposed to any call
//! or resident: today the hub's telephone number, the way through when video cannot work.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ErrorBody;

/// The service's contact details.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceInfo {
    /// The hub's telephone number as people dial it (`server.hub_phone`), e.g. "01632 960 000".
    #[schema(example = "01632 960 000")]
    pub hub_phone: String,
}

/// The hub's telephone number, for care staff whose connection cannot carry a video call.
/// Signed-in users only: it is the hub's direct line, not a public number.
#[utoipa::path(get, path = "/api/service", tag = "service", security(("bearer" = [])),
    responses(
        (status = 200, description = "The service's contact details", body = ServiceInfo),
        (status = 401, description = "Not signed in", body = ErrorBody)
    ))]
pub async fn service_info(State(state): State<AppState>, _caller: Caller) -> Json<ServiceInfo> {
    Json(ServiceInfo {
        hub_phone: state.config.server.hub_phone.clone(),
    })
}
