//! Residents. Care staff see and change only their own home's residents; a resident of another
//! home answers 404, exactly as a missing one does, so ids reveal nothing.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use carehub_store::{Id, NewResident, ResidentPatch, Role, Scope};
use carehub_triage::NhsNumber;
use serde::Deserialize;
use time::Date;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::views::{ResidentView, today};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};

/// Roles that may admit residents and change their identity.
const EDITORS: &[Role] = &[Role::CareStaff, Role::Admin];
/// Every role that works with residents.
const READERS: &[Role] = &[
    Role::CareStaff,
    Role::HubNurse,
    Role::Clinician,
    Role::Admin,
];

/// Trims `value` and checks it is present and not too long.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

fn date_of_birth(field: &str, dob: Date) -> Result<Date, ApiError> {
    if dob > today() || dob.year() < 1900 {
        return Err(ApiError::invalid(
            field,
            "date of birth must be between 1900 and today",
        ));
    }
    Ok(dob)
}

/// Search for the resident list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResidentQuery {
    /// Part of a name or a room.
    pub search: Option<String>,
}

/// Residents the caller may see, by home and name; care staff get their own home only.
#[utoipa::path(get, path = "/api/residents", tag = "residents", security(("bearer" = [])),
    params(ResidentQuery),
    responses(
        (status = 200, description = "Residents", body = [ResidentView]),
        (status = 401, description = "Not signed in", body = ErrorBody)
    ))]
pub async fn list_residents(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ResidentQuery>,
) -> Result<Json<Vec<ResidentView>>, ApiError> {
    caller.require(READERS)?;
    if query.search.as_ref().is_some_and(|s| s.len() > 100) {
        return Err(ApiError::invalid("search", "search is too long"));
    }
    let residents = state
        .store
        .list_residents(caller.scope(), query.search.as_deref())
        .await?;
    let today = today();
    Ok(Json(
        residents
            .into_iter()
            .map(|r| ResidentView::new(r, today))
            .collect(),
    ))
}

/// A resident to admit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResidentRequest {
    /// Care home; care staff may omit it (their own home is used).
    pub care_home_id: Option<Id>,
    /// NHS number; spaces and hyphens allowed.
    pub nhs_number: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// What they like to be called; defaults to the given name.
    pub preferred_name: Option<String>,
    /// Date of birth.
    #[schema(value_type = String, format = Date)]
    pub date_of_birth: Date,
    /// Room.
    pub room: String,
}

/// Admits a resident (care staff for their own home, admins for any).
#[utoipa::path(post, path = "/api/residents", tag = "residents", security(("bearer" = [])),
    request_body = NewResidentRequest,
    responses(
        (status = 201, description = "Admitted", body = ResidentView),
        (status = 403, description = "Role may not admit residents", body = ErrorBody),
        (status = 404, description = "No such care home", body = ErrorBody),
        (status = 409, description = "NHS number already on record", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)
    ))]
pub async fn create_resident(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewResidentRequest>,
) -> Result<(StatusCode, Json<ResidentView>), ApiError> {
    caller.require(EDITORS)?;
    let home = match (caller.scope(), body.care_home_id) {
        (Scope::Home(own), None) => own,
        (Scope::Home(own), Some(h)) if h == own => own,
        (Scope::Home(_), Some(_)) => return Err(ApiError::NotFound),
        (Scope::AllHomes, Some(h)) => h,
        (Scope::AllHomes, None) => {
            return Err(ApiError::invalid(
                "care_home_id",
                "choose the resident's care home",
            ));
        }
    };
    let nhs = NhsNumber::parse(&body.nhs_number)
        .map_err(|e| ApiError::invalid("nhs_number", e.to_string()))?;
    let given_name = required_text("given_name", &body.given_name, 80)?;
    let preferred = match body.preferred_name.as_deref() {
        Some(p) => required_text("preferred_name", p, 80)?,
        None => given_name.clone(),
    };
    let new = NewResident {
        care_home_id: home,
        nhs_number: nhs.as_str().to_owned(),
        family_name: required_text("family_name", &body.family_name, 80)?,
        given_name,
        preferred_name: preferred,
        date_of_birth: date_of_birth("date_of_birth", body.date_of_birth)?,
        room: required_text("room", &body.room, 20)?,
    };
    let created = state.store.create_resident(new, &caller.actor()).await?;
    tracing::info!(resident_id = created.id, "resident admitted");
    Ok((
        StatusCode::CREATED,
        Json(ResidentView::new(created, today())),
    ))
}

/// One resident's identity.
#[utoipa::path(get, path = "/api/residents/{id}", tag = "residents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resident id")),
    responses(
        (status = 200, description = "The resident", body = ResidentView),
        (status = 404, description = "No such resident in your scope", body = ErrorBody)
    ))]
pub async fn get_resident(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<ResidentView>, ApiError> {
    caller.require(READERS)?;
    let resident = state.store.get_resident(id, caller.scope()).await?;
    Ok(Json(ResidentView::new(resident, today())))
}

/// Identity changes; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidentPatchRequest {
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Preferred name.
    pub preferred_name: Option<String>,
    /// Date of birth.
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<Date>,
    /// Room.
    pub room: Option<String>,
    /// Move to another care home (admins only).
    pub care_home_id: Option<Id>,
}

/// Changes a resident's identity details (care staff of the home, admins).
#[utoipa::path(patch, path = "/api/residents/{id}", tag = "residents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resident id")),
    request_body = ResidentPatchRequest,
    responses(
        (status = 200, description = "Updated", body = ResidentView),
        (status = 403, description = "Role may not change residents", body = ErrorBody),
        (status = 404, description = "No such resident in your scope", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)
    ))]
pub async fn update_resident(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
    ApiJson(body): ApiJson<ResidentPatchRequest>,
) -> Result<Json<ResidentView>, ApiError> {
    caller.require(EDITORS)?;
    if body.care_home_id.is_some() && caller.role != Role::Admin {
        return Err(ApiError::invalid(
            "care_home_id",
            "only an admin can move a resident between homes",
        ));
    }
    let text = |field: &str, v: &Option<String>, max| {
        v.as_deref()
            .map(|s| required_text(field, s, max))
            .transpose()
    };
    let patch = ResidentPatch {
        given_name: text("given_name", &body.given_name, 80)?,
        family_name: text("family_name", &body.family_name, 80)?,
        preferred_name: text("preferred_name", &body.preferred_name, 80)?,
        date_of_birth: body
            .date_of_birth
            .map(|d| date_of_birth("date_of_birth", d))
            .transpose()?,
        room: text("room", &body.room, 20)?,
        care_home_id: body.care_home_id,
    };
    let updated = state
        .store
        .update_resident(id, caller.scope(), patch, &caller.actor())
        .await?;
    Ok(Json(ResidentView::new(updated, today())))
}

/// Archives a resident who has left the home; their records stay on file.
#[utoipa::path(delete, path = "/api/residents/{id}", tag = "residents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resident id")),
    responses(
        (status = 204, description = "Archived"),
        (status = 403, description = "Role may not archive residents", body = ErrorBody),
        (status = 404, description = "No such resident in your scope", body = ErrorBody)
    ))]
pub async fn archive_resident(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
) -> Result<StatusCode, ApiError> {
    caller.require(EDITORS)?;
    state
        .store
        .archive_resident(id, caller.scope(), &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
