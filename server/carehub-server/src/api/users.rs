//! Accounts. Hub staff list clinicians (to invite them to a call); admins create accounts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use carehub_store::{Id, NewUser, Role};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::residents::required_text;
use crate::api::views::UserView;
use crate::auth::{Caller, hash_password};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};

/// Filter for the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Only this role (`care_staff`, `hub_nurse`, `clinician`, `admin`).
    pub role: Option<String>,
}

fn parse_role(field: &str, code: &str) -> Result<Role, ApiError> {
    Role::parse(code).ok_or_else(|| {
        ApiError::invalid(
            field,
            "role must be care_staff, hub_nurse, clinician or admin",
        )
    })
}

/// A user and whether they are connected now.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct UserPresence {
    /// The user.
    #[serde(flatten)]
    pub user: UserView,
    /// Has a live connection now (for example a clinician who can be invited at once).
    pub online: bool,
}

/// Active users (hub staff and admins), with who is online.
#[utoipa::path(get, path = "/api/users", tag = "users", security(("bearer" = [])),
    params(UserQuery),
    responses(
        (status = 200, description = "Users", body = [UserPresence]),
        (status = 403, description = "Care staff may not list users", body = ErrorBody)
    ))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<Json<Vec<UserPresence>>, ApiError> {
    caller.require(&[Role::HubNurse, Role::Clinician, Role::Admin])?;
    let role = query
        .role
        .as_deref()
        .map(|r| parse_role("role", r))
        .transpose()?;
    let users = state.store.list_users(role).await?;
    let online = state.live.online_users();
    Ok(Json(
        users
            .into_iter()
            .map(|u| UserPresence {
                online: online.contains(&u.id),
                user: u.into(),
            })
            .collect(),
    ))
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// Sign-in name: 3-40 letters, digits, dots, hyphens or underscores.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Role code.
    pub role: String,
    /// Required for care staff, forbidden for other roles.
    pub care_home_id: Option<Id>,
    /// At least 12 characters.
    pub password: String,
}

/// Creates an account (admins).
#[utoipa::path(post, path = "/api/users", tag = "users", security(("bearer" = [])),
    request_body = NewUserRequest,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "Username taken", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    caller.require(&[Role::Admin])?;
    let username = body.username.trim();
    let valid_name = (3..=40).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid_name {
        return Err(ApiError::invalid(
            "username",
            "use 3-40 letters, digits, dots, hyphens or underscores",
        ));
    }
    let role = parse_role("role", &body.role)?;
    if (role == Role::CareStaff) != body.care_home_id.is_some() {
        return Err(ApiError::invalid(
            "care_home_id",
            "care staff need a care home; other roles must not have one",
        ));
    }
    if let Some(home) = body.care_home_id {
        let homes = state.store.list_care_homes().await?;
        if !homes.iter().any(|h| h.id == home) {
            return Err(ApiError::invalid("care_home_id", "no such care home"));
        }
    }
    if body.password.chars().count() < 12 || body.password.len() > 256 {
        return Err(ApiError::invalid("password", "use 12 to 256 characters"));
    }
    let user = NewUser {
        username: username.to_owned(),
        display_name: required_text("display_name", &body.display_name, 120)?,
        role,
        care_home_id: body.care_home_id,
        password_hash: hash_password(body.password).await?,
    };
    let created = state.store.create_user(user).await.map_err(|e| match e {
        carehub_store::StoreError::Conflict(_) => {
            ApiError::Conflict("that username is taken".into())
        }
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(created.into())))
}
