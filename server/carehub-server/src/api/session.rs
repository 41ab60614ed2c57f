//! Sign-in. Failures say only "wrong username or password" and are rate limited per username
//! and per address; hashing runs on the blocking pool.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use carehub_store::{Id, User};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::views::{HomeRef, UserView};
use crate::auth::{Caller, ClientAddress};
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::metrics::Metrics;

/// Longest username or password read; longer input is refused before hashing.
const MAX_CREDENTIAL_LEN: usize = 256;

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A sign-in token and who it is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// JWT to send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Always "Bearer".
    pub token_type: &'static str,
    /// When the token stops working.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// Seconds until then.
    pub expires_in: i64,
    /// `care_staff`, `hub_nurse`, `clinician` or `admin`.
    pub role: String,
    /// The care home, for care staff; null for everyone else.
    pub care_home: Option<HomeRef>,
    /// The signed-in user.
    pub user: UserView,
}

/// Signs in with a username and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 422, description = "Missing or invalid field", body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody)
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    if body.username.is_empty() || body.username.len() > MAX_CREDENTIAL_LEN {
        return Err(ApiError::invalid("username", "enter your username"));
    }
    if body.password.len() > MAX_CREDENTIAL_LEN {
        return Err(ApiError::invalid("password", "password is too long"));
    }
    let now = Instant::now();
    if let Err(retry_after) = state.limiter.check(&body.username, address.as_deref(), now) {
        Metrics::inc(&state.metrics.login_throttled);
        tracing::warn!(retry_after, "sign-in throttled");
        return Err(ApiError::TooManyRequests { retry_after });
    }
    let user = state.store.find_user(&body.username).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    if !state.passwords.verify(body.password, hash).await {
        state
            .limiter
            .record_failure(&body.username, address.as_deref(), now);
        Metrics::inc(&state.metrics.login_failures);
        tracing::info!("sign-in failed");
        return Err(ApiError::Unauthenticated("wrong username or password"));
    }
    let Some(user) = user else {
        return Err(ApiError::Unauthenticated("wrong username or password"));
    };
    state.limiter.record_success(&body.username);
    Metrics::inc(&state.metrics.logins);
    tracing::info!(user_id = user.id, role = user.role.as_str(), "signed in");
    issue_for(&state, user).await.map(Json)
}

/// A new token for `user`, with who they are: the answer to sign-in and to refresh.
async fn issue_for(state: &AppState, user: User) -> Result<LoginResponse, ApiError> {
    let issued = state
        .tokens
        .issue(user.id, &user.username, user.role, user.care_home_id)?;
    let care_home = home_ref(state, user.care_home_id).await?;
    Ok(LoginResponse {
        token: issued.token,
        token_type: "Bearer",
        expires_in: (issued.expires_at - OffsetDateTime::now_utc()).whole_seconds(),
        expires_at: issued.expires_at,
        role: user.role.as_str().to_owned(),
        care_home,
        user: user.into(),
    })
}

async fn home_ref(state: &AppState, home: Option<Id>) -> Result<Option<HomeRef>, ApiError> {
    let Some(id) = home else { return Ok(None) };
    let homes = state.store.list_care_homes().await?;
    Ok(homes.into_iter().find(|h| h.id == id).map(|h| HomeRef {
        id: h.id,
        name: h.name,
    }))
}

/// Who the token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// User id.
    pub id: Id,
    /// Username.
    pub username: String,
    /// Role code.
    pub role: String,
    /// Care home, for care staff.
    pub care_home: Option<HomeRef>,
}

/// The signed-in user, so a shared tablet can always show who is signed in.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = MeResponse),
        (status = 401, description = "Not signed in", body = ErrorBody)
    ))]
pub async fn me(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<MeResponse>, ApiError> {
    Ok(Json(MeResponse {
        care_home: home_ref(&state, caller.care_home_id).await?,
        id: caller.user_id,
        username: caller.username,
        role: caller.role.as_str().to_owned(),
    }))
}

/// A fresh token for the signed-in user, so a hub nurse's shift outlives one token.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "A new token", body = LoginResponse),
        (status = 401, description = "The current token is invalid or expired", body = ErrorBody)
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<LoginResponse>, ApiError> {
    let user = state
        .store
        .find_user(&caller.username)
        .await?
        .filter(|u| u.id == caller.user_id)
        .ok_or(ApiError::Unauthenticated(
            "this account is no longer active",
        ))?;
    issue_for(&state, user).await.map(Json)
}
