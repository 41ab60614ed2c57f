//! The browser client, served by the same binary: files from `web-client/` are read from disk
//! in debug builds (edit and reload) and compiled into the binary in release builds, so one
//! binary serves everything. Every response gets security headers that suit a clinical app.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The client's files. Debug builds read the folder at run time; release builds embed it.
#[derive(rust_embed::Embed)]
#[folder = "../../web-client/"]
struct Assets;

fn file(path: &str) -> Option<Response> {
    let asset = Assets::get(path)?;
    let mime = asset.metadata.mimetype().to_owned();
    let mut response = Response::new(Body::from(asset.data.into_owned()));
    if let Ok(v) = HeaderValue::from_str(&mime) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    // Small files, always revalidated: a new release is picked up on the next load.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Some(response)
}

/// Serves a client file, or the app shell for client-side routes; `/api/…` stays JSON 404.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        return ApiError::NotFound.into_response();
    }
    let path = if path.is_empty() { "index.html" } else { path };
    if let Some(response) = file(path) {
        return response;
    }
    // Paths without an extension are screens of the single-page app.
    if !path.rsplit('/').next().unwrap_or_default().contains('.')
        && let Some(response) = file("index.html")
    {
        return response;
    }
    (StatusCode::NOT_FOUND, ApiError::NotFound).into_response()
}

/// Security headers on every response: no framing, no sniffing, no referrer, and a content
/// security policy that allows only this origin (plus WebSocket, media streams and blobs).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
             media-src 'self' blob: mediastream:; connect-src 'self' ws: wss:; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(self), microphone=(self), geolocation=()"),
    );
    response
}
