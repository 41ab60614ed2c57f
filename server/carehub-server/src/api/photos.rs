//! Still photos of a call: care staff send one from the tablet when the video cannot show
//! enough; the call's people see it at once (a `call.photo` message) and it stays with the
//! call's record. Reads are scoped like the record itself, and each image read is audited.
//!
//! The body is the raw image, not JSON, so it is read here with its own limit
//! (`media.photo_max_bytes`) rather than the JSON routes' `server.max_body_bytes`, and its
//! first bytes must agree with its `Content-Type`. Nothing about a photo but ids is logged.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use carehub_store::{Id, ImageFormat, NewCallPhoto, Role};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::millis::now as now_ms;
use crate::photo::{PhotoView, dimensions, format_of};

/// Photos are clinical content: no browser or proxy may keep a copy.
fn no_store() -> HeaderValue {
    HeaderValue::from_static("no-store")
}

/// A call's photos.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoList {
    /// Oldest first, without their images.
    pub photos: Vec<PhotoView>,
    /// The largest photo the server accepts, bytes (`media.photo_max_bytes`), so a tablet can
    /// send a smaller copy of one that is too large.
    pub max_bytes: usize,
}

/// The declared image type; anything else is refused before the body is read.
fn declared_format(headers: &HeaderMap) -> Result<ImageFormat, ApiError> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .and_then(|v| ImageFormat::from_mime(&v))
        .ok_or(ApiError::UnsupportedMediaType(
            "send the photo as the raw image with Content-Type: image/jpeg or image/png",
        ))
}

/// Reads the body up to `limit` bytes; a longer one is refused as soon as it is known to be,
/// without reading the rest.
async fn read_limited(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::with_capacity(
        declared_length.map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit)),
    );
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::bad_request("unreadable_body", "the request body could not be read")
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.into())
}

/// Care staff send a still photo to the call (a rash, a wound, a swollen leg) while a nurse is
/// with it. The call's people get a `call.photo` message at once.
#[utoipa::path(post, path = "/api/calls/{id}/photos", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    request_body(
        description = "The raw image, at most `media.photo_max_bytes` (default 8 MiB); its first bytes must match its type.",
        content(("image/jpeg"), ("image/png"))
    ),
    responses(
        (status = 201, description = "Stored with the call; `Location` names the image", body = PhotoView,
            headers(("Location" = String, description = "The image's URL"))),
        (status = 400, description = "Empty body, or a malformed call id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only care staff send photos", body = ErrorBody),
        (status = 404, description = "No such call in your home", body = ErrorBody),
        (status = 409, description = "No nurse is with the call (it is waiting, in wrap-up or over)", body = ErrorBody),
        (status = 413, description = "Larger than `media.photo_max_bytes`", body = ErrorBody),
        (status = 415, description = "Not image/jpeg or image/png, or the bytes are not the declared type", body = ErrorBody)
    ))]
pub async fn add_photo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(&[Role::CareStaff])?;
    let scope = caller.scope();
    // Another home's call is refused before its body is read, with the same 404 as no call.
    state.store.get_call(id, scope).await?;
    let format = declared_format(&headers)?;
    let image = read_limited(&headers, body, state.config.media.photo_max_bytes).await?;
    if image.is_empty() {
        return Err(ApiError::bad_request("empty_body", "the photo is empty"));
    }
    if format_of(&image) != Some(format) {
        return Err(ApiError::UnsupportedMediaType(match format {
            ImageFormat::Jpeg => "the body is not a JPEG image (its first bytes say otherwise)",
            ImageFormat::Png => "the body is not a PNG image (its first bytes say otherwise)",
        }));
    }
    let size = dimensions(format, &image);
    let photo = NewCallPhoto {
        call_id: id,
        format,
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
        image: image.into(),
        at: now_ms(),
    };
    let stored = state
        .store
        .add_call_photo(photo, scope, &caller.actor())
        .await?;
    tracing::info!(
        call_id = id,
        photo_id = stored.id,
        "photo added to the call"
    );
    let view = PhotoView::from(&stored);
    state.hub.photo_added(id, view.clone());
    let location = HeaderValue::from_str(&format!("/api/calls/{id}/photos/{}", stored.id))
        .map_err(|e| ApiError::Internal(format!("photo location: {e}")))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}

/// A call's photos, oldest first, without their images. Anyone who may read the call's record
/// may list them (care staff for their own home's calls only).
#[utoipa::path(get, path = "/api/calls/{id}/photos", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call id")),
    responses(
        (status = 200, description = "The photos (sent with Cache-Control: no-store)", body = PhotoList),
        (status = 400, description = "Malformed call id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins do not read clinical records", body = ErrorBody),
        (status = 404, description = "No such call in your scope", body = ErrorBody)
    ))]
pub async fn list_photos(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Id>,
) -> Result<Response, ApiError> {
    caller.require(&[Role::CareStaff, Role::HubNurse, Role::Clinician])?;
    let photos = state.store.call_photos(id, caller.scope()).await?;
    let list = PhotoList {
        photos: photos.iter().map(PhotoView::from).collect(),
        max_bytes: state.config.media.photo_max_bytes,
    };
    Ok(([(header::CACHE_CONTROL, no_store())], Json(list)).into_response())
}

/// One photo's image, full size. Every read is an audit entry (`call.photo_read`), like every
/// other read of clinical content.
#[utoipa::path(get, path = "/api/calls/{id}/photos/{photo_id}", tag = "calls", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Call id"),
        ("photo_id" = i64, Path, description = "Photo id, from the call's list")
    ),
    responses(
        (status = 200, description = "The image as it was sent (Cache-Control: no-store)",
            content(("image/jpeg"), ("image/png")),
            headers(("Cache-Control" = String, description = "Always `no-store`"))),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins do not read clinical records", body = ErrorBody),
        (status = 404, description = "No such call in your scope, or no such photo of it", body = ErrorBody)
    ))]
pub async fn get_photo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, photo_id)): ApiPath<(Id, Id)>,
) -> Result<Response, ApiError> {
    caller.require(&[Role::CareStaff, Role::HubNurse, Role::Clinician])?;
    let (photo, image) = state
        .store
        .read_call_photo(id, photo_id, caller.scope(), &caller.actor())
        .await?;
    tracing::debug!(call_id = id, photo_id, "photo read");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(photo.format.mime()),
            ),
            (header::CACHE_CONTROL, no_store()),
        ],
        image,
    )
        .into_response())
}
