//! Short-lived TURN credentials by the shared-secret scheme coturn calls `use-auth-secret`
//! (the "TURN REST API"): the username is the expiry time and the user id, the password the
//! HMAC-SHA1 of the username under the secret. coturn checks them without asking CareHub.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha1::Sha1;
use utoipa::ToSchema;

/// One ICE server entry, in the shape `RTCPeerConnection` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IceServer {
    /// TURN URLs.
    pub urls: Vec<String>,
    /// "<expiry unix seconds>:<user id>".
    pub username: String,
    /// base64(HMAC-SHA1(secret, username)).
    pub credential: String,
}

/// Credentials for `user_id` valid until `now + ttl` (unix seconds).
pub fn credentials(
    secret: &str,
    urls: &[String],
    user_id: i64,
    now: i64,
    ttl: u32,
) -> Option<IceServer> {
    if secret.is_empty() || urls.is_empty() {
        return None;
    }
    let username = format!("{}:{user_id}", now + i64::from(ttl));
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(username.as_bytes());
    let credential = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    Some(IceServer {
        urls: urls.to_vec(),
        username,
        credential,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rest_api_scheme() {
        // Computed independently: printf '1700003600:7' | openssl dgst -sha1 -hmac 'north-ward-secret' -binary | base64
        let s = credentials(
            "north-ward-secret",
            &["turn:127.0.0.1:3478".into()],
            7,
            1_700_000_000,
            3600,
        )
        .expect("configured");
        assert_eq!(s.username, "1700003600:7");
        assert_eq!(s.credential, "tkYPT0WuIRsaWbb30bYiCeHjYws=");
    }

    #[test]
    fn no_secret_no_turn() {
        assert_eq!(credentials("", &["turn:x".into()], 1, 0, 60), None);
        assert_eq!(credentials("secret", &[], 1, 0, 60), None);
    }
}
