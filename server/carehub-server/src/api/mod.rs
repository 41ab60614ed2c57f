//! The HTTP API. Every route is registered through `utoipa_axum`'s router, which adds its
//! OpenAPI description in the same call, so `GET /api/openapi.json` cannot drift from what the
//! server actually serves.

mod audit;
mod calls;
mod care_plans;
mod detail;
mod health;
mod homes;
mod media;
mod phone;
mod photos;
mod reports;
mod residents;
mod review;
mod service;
mod session;
mod triage;
mod users;
mod views;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::BodyLimit;
use crate::telemetry::{REQUEST_ID, RequestIds, trace_request};

pub use views::*;

/// The OpenAPI document's fixed parts; paths are added by the router.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "CareHub API",
        description = "Video triage for care homes: residents, care plan summaries, sign-in and audit. \
                       Errors are always `{\"error\": {\"code\", \"message\", \"field\"?}}`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "service", description = "Health, readiness, metrics and this description"),
        (name = "auth", description = "Sign-in"),
        (name = "care homes", description = "Care homes connected to the hub"),
        (name = "users", description = "Accounts and roles"),
        (name = "residents", description = "Residents and their identity"),
        (name = "care plans", description = "Versioned care plan summaries (every read is audited)"),
        (name = "audit", description = "The append-only audit log"),
        (name = "triage", description = "NEWS2 and urgency: the one implementation of scoring"),
        (name = "calls", description = "Calls to the hub and their lifecycle"),
        (name = "review", description = "Outcomes, sign-off and service figures"),
        (name = "live", description = "The WebSocket channel (protocol in docs/signalling.md)"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Every route, with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(health::openapi_json))
        .routes(routes!(service::service_info))
        .routes(routes!(session::login))
        .routes(routes!(session::me))
        .routes(routes!(session::refresh))
        .routes(routes!(homes::list_care_homes, homes::create_care_home))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(
            residents::list_residents,
            residents::create_resident
        ))
        .routes(routes!(
            residents::get_resident,
            residents::update_resident,
            residents::archive_resident
        ))
        .routes(routes!(
            care_plans::current_care_plan,
            care_plans::save_care_plan
        ))
        .routes(routes!(care_plans::care_plan_history))
        .routes(routes!(care_plans::care_plan_version))
        .routes(routes!(audit::query_audit))
        .routes(routes!(triage::score_assessment))
        .routes(routes!(calls::create_call, calls::list_open_calls))
        .routes(routes!(calls::get_call))
        .routes(routes!(calls::claim_call))
        .routes(routes!(calls::release_call))
        .routes(routes!(calls::start_consultation))
        .routes(routes!(calls::end_consultation))
        .routes(routes!(calls::cancel_call))
        .routes(routes!(calls::record_outcome))
        .routes(routes!(calls::add_observations))
        .routes(routes!(calls::change_level))
        .routes(routes!(review::list_review))
        .routes(routes!(review::sign_off))
        .routes(routes!(review::follow_up))
        .routes(routes!(reports::summary))
        .routes(routes!(media::ice_servers))
        .routes(routes!(media::invite))
        .routes(routes!(media::decline))
        .routes(routes!(photos::list_photos, photos::add_photo))
        .routes(routes!(photos::get_photo))
        .routes(routes!(phone::phone_status, phone::continue_by_phone))
        .routes(routes!(crate::ws::upgrade))
}

/// The OpenAPI document, as served.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().into_openapi()
}

/// The complete application: routes, limits, tracing, request ids and panic containment.
pub fn app(state: AppState) -> Router {
    let (router, spec) = routes().split_for_parts();
    let spec_json = Arc::new(spec.to_pretty_json().unwrap_or_else(|_| "{}".to_owned()));
    let limit = state.config.server.max_body_bytes;
    let metrics = Arc::clone(&state.metrics);
    router
        .fallback(crate::web::serve)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(Extension(health::SpecJson(spec_json)))
        .layer(Extension(BodyLimit(limit)))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(metrics, trace_request))
        .layer(middleware::from_fn(crate::web::security_headers))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(
            REQUEST_ID.clone(),
            RequestIds::default(),
        ))
        .layer(SetSensitiveRequestHeadersLayer::new([
            axum::http::header::AUTHORIZATION,
            HeaderName::from_static("cookie"),
        ]))
}

async fn method_not_allowed() -> impl IntoResponse {
    (StatusCode::METHOD_NOT_ALLOWED, ApiError::MethodNotAllowed)
}
