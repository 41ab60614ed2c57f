//! Liveness, readiness, metrics and the API description: what operators and checks poll.

use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;

/// The serialised OpenAPI document, built once at start-up.
#[derive(Debug, Clone)]
pub struct SpecJson(pub Arc<String>);

/// Health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// "ok".
    pub status: &'static str,
    /// Server version.
    pub version: &'static str,
}

/// Liveness: the process is up and serving HTTP. Does not touch the database.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Readiness: the database answers. Load balancers should route only to ready servers.
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Database not reachable", body = crate::error::ErrorBody)
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store.ping().await?;
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "Metrics", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = state.metrics.render();
    state.media.metrics().render(&mut text);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

/// This API's OpenAPI 3 description, generated from the code.
#[utoipa::path(get, path = "/api/openapi.json", tag = "service",
    responses((status = 200, description = "OpenAPI 3 document", content_type = "application/json", body = Object)))]
pub async fn openapi_json(Extension(spec): Extension<SpecJson>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        spec.0.as_str().to_owned(),
    )
}
