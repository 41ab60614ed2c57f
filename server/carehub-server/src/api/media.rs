//! Video set-up over HTTP: ICE servers (TURN credentials) for the browser, and the nurse's
//! invitation of a clinician into a call. The media signalling itself is on `/api/ws`.

use axum::Json;
use axum::extract::State;
use carehub_store::{Id, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::hub::{Action, CallView};
use crate::live::turn::{IceServer, credentials};

/// ICE servers for `RTCPeerConnection`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IceServers {
    /// TURN servers with short-lived credentials; empty when no TURN is configured.
    pub ice_servers: Vec<IceServer>,
    /// How long the credentials last, seconds.
    pub ttl_seconds: u32,
}

/// TURN credentials for this user (shared-secret scheme), to reach the relay from networks that
/// block UDP.
#[utoipa::path(get, path = "/api/media/ice-servers", tag = "calls", security(("bearer" = [])),
    responses(
        (status = 200, description = "ICE servers", body = IceServers),
        (status = 403, description = "Admins have no video", body = ErrorBody)
    ))]
pub async fn ice_servers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<IceServers>, ApiError> {
    caller.require(&[Role::CareStaff, Role::HubNurse, Role::Clinician])?;
    let m = &state.config.media;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let servers = credentials(
        m.turn_secret.expose(),
        &m.turn_urls,
        caller.user_id,
        now,
        m.turn_ttl_seconds,
    );
    Ok(Json(IceServers {
        ice_servers: servers.into_iter().collect(),
        ttl_seconds: m.turn_ttl_seconds,
    }))
}

/// Whom to invite.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// A clinician's user id.
    pub clinician_id: Id,
}

/// The holding nurse invites a clinician (GP, geriatrician) into the call's video; the
/// clinician sees the invitation live and may join.
#[utoipa::path(post, path = "/api/calls/{id}/invite", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    request_body = InviteRequest,
    responses(
        (status = 200, description = "Invited", body = CallView),
        (status = 403, description = "Hub nurses only", body = ErrorBody),
        (status = 404, description = "No such call", body = ErrorBody),
        (status = 409, description = "Not held by you, or not being handled", body = ErrorBody),
        (status = 422, description = "Not a clinician", body = ErrorBody)
    ))]
pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
    ApiJson(body): ApiJson<InviteRequest>,
) -> Result<Json<CallView>, ApiError> {
    caller.require(&[Role::HubNurse])?;
    let clinicians = state.store.list_users(Some(Role::Clinician)).await?;
    if !clinicians.iter().any(|c| c.id == body.clinician_id) {
        return Err(ApiError::invalid("clinician_id", "no such clinician"));
    }
    let view = state
        .hub
        .act(
            id,
            caller.scope(),
            Action::Invite(body.clinician_id),
            caller.actor(),
        )
        .await?;
    Ok(Json((*view).clone()))
}

/// An invited clinician declines the invitation.
#[utoipa::path(post, path = "/api/calls/{id}/decline", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    responses(
        (status = 200, description = "Declined", body = CallView),
        (status = 403, description = "Clinicians only", body = ErrorBody),
        (status = 409, description = "No invitation", body = ErrorBody)
    ))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<CallView>, ApiError> {
    caller.require(&[Role::Clinician])?;
    let view = state
        .hub
        .act(id, caller.scope(), Action::Decline, caller.actor())
        .await?;
    Ok(Json((*view).clone()))
}
