//! "Phone the home": when the video cannot carry a call, the nurse phones the care home and
//! one click records that the call went on by phone, so the record shows why the rest of the
//! consultation left no video behind. The nurse's screen reads here the home's number and how
//! long the video must have been down before it offers the phone (`media.phone_offer_after_seconds`).

use axum::Json;
use axum::extract::State;
use carehub_store::{CallRecord, Id, Role, Scope};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::detail::PersonRef;
use crate::api::views::HomeRef;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::hub::Action;
use crate::millis::to_datetime;

/// When the call went on by phone, and who recorded it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneRecord {
    /// When it was recorded.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// The nurse who recorded it.
    pub by: PersonRef,
    /// The number phoned, as the nurse was shown it.
    pub phone: Option<String>,
}

/// Everything the "Phone the home" offer needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneView {
    /// The call.
    pub call_id: Id,
    /// The care home the call came from.
    pub care_home: HomeRef,
    /// The home's telephone number.
    pub phone: String,
    /// Seconds of lost video after which the nurse's screen offers the phone.
    pub offer_after_seconds: u32,
    /// Set once the nurse has recorded that the call went on by phone (at most once per call).
    pub continued_by_phone: Option<PhoneRecord>,
}

async fn phone_view(
    state: &AppState,
    record: &CallRecord,
    scope: Scope,
) -> Result<PhoneView, ApiError> {
    let home = state
        .store
        .list_care_homes()
        .await?
        .into_iter()
        .find(|h| h.id == record.care_home_id)
        .ok_or_else(|| {
            ApiError::Internal(format!("call {}: its care home is missing", record.id))
        })?;
    let recorded = state
        .store
        .call_events(record.id, scope)
        .await?
        .into_iter()
        .find(|e| e.kind == "continued_by_phone")
        .map(|e| {
            let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
            PhoneRecord {
                at: to_datetime(e.at),
                by: PersonRef {
                    id: e.actor_id.unwrap_or_default(),
                    name: e.actor_name.unwrap_or_default(),
                },
                phone: detail["phone"].as_str().map(str::to_owned),
            }
        });
    Ok(PhoneView {
        call_id: record.id,
        care_home: HomeRef {
            id: home.id,
            name: home.name,
        },
        phone: home.phone,
        offer_after_seconds: state.config.media.phone_offer_after_seconds,
        continued_by_phone: recorded,
    })
}

/// The home's number for a call, when the phone is offered, and whether the call has gone on by
/// phone. Readable by whoever may read the call's record.
#[utoipa::path(get, path = "/api/calls/{id}/phone", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    responses(
        (status = 200, description = "The phone fallback of the call", body = PhoneView),
        (status = 400, description = "Malformed call id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins do not read clinical records", body = ErrorBody),
        (status = 404, description = "No such call in your scope", body = ErrorBody)
    ))]
pub async fn phone_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<PhoneView>, ApiError> {
    caller.require(&[Role::CareStaff, Role::HubNurse, Role::Clinician])?;
    let record = state.store.get_call(id, caller.scope()).await?;
    Ok(Json(phone_view(&state, &record, caller.scope()).await?))
}

/// The holding nurse records that the call went on by phone (the video having failed): a
/// `continued_by_phone` event on the call's timeline, audited, once per call. Everyone following
/// the call gets `call.changed` with that kind.
#[utoipa::path(post, path = "/api/calls/{id}/phone", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    responses(
        (status = 200, description = "Recorded", body = PhoneView),
        (status = 400, description = "Malformed call id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Hub nurses only", body = ErrorBody),
        (status = 404, description = "No such call", body = ErrorBody),
        (status = 409, description = "Not held by you, not being handled, or already recorded", body = ErrorBody)
    ))]
pub async fn continue_by_phone(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<PhoneView>, ApiError> {
    caller.require(&[Role::HubNurse])?;
    let scope = caller.scope();
    let record = state.store.get_call(id, scope).await?;
    let phone = phone_view(&state, &record, scope).await?.phone;
    state
        .hub
        .act(id, scope, Action::ContinueByPhone { phone }, caller.actor())
        .await?;
    tracing::info!(call_id = id, "call continued by phone");
    Ok(Json(phone_view(&state, &record, scope).await?))
}
