//! Who is asking: sign-in tokens, password hashes, and the [`Caller`] every handler takes.
//!
//! A handler that takes `Caller` cannot run without a valid token, and the caller's [`Scope`]
//! travels into every store query, so "care staff see only their own home" is enforced where
//! the data is read, not remembered in each handler.

mod limiter;
mod password;

pub use limiter::LoginLimiter;
pub use password::{PasswordHasher, hash_password};

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{header, request::Parts};
use carehub_store::{Actor, Id, Role, Scope};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::AppState;
use crate::error::ApiError;

/// Token claims. Holds ids and the role only: never a name or anything clinical.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id, as a string (JWT's `sub` is a string).
    pub sub: String,
    /// Role code.
    pub role: String,
    /// Care home, for care staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home: Option<Id>,
    /// Username, for audit entries.
    pub usr: String,
    /// Issued at (unix seconds).
    pub iat: i64,
    /// Expires at (unix seconds).
    pub exp: i64,
}

/// Signing and verification keys, built once from configuration.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: i64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("ttl_seconds", &self.ttl_seconds)
            .finish_non_exhaustive()
    }
}

/// A freshly issued token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The JWT.
    pub token: String,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

impl TokenKeys {
    /// Keys for HS256 with the configured secret and lifetime.
    pub fn new(secret: &str, ttl_minutes: u32) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            ttl_seconds: i64::from(ttl_minutes) * 60,
        }
    }

    /// Issues a token for a user.
    pub fn issue(
        &self,
        user_id: Id,
        username: &str,
        role: Role,
        home: Option<Id>,
    ) -> Result<IssuedToken, ApiError> {
        let now = OffsetDateTime::now_utc();
        let claims = Claims {
            sub: user_id.to_string(),
            role: role.as_str().to_owned(),
            home,
            usr: username.to_owned(),
            iat: now.unix_timestamp(),
            exp: now.unix_timestamp() + self.ttl_seconds,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("token signing failed: {e}")))?;
        Ok(IssuedToken {
            token,
            expires_at: now + time::Duration::seconds(self.ttl_seconds),
        })
    }

    /// Verifies a token; any failure is simply "not signed in".
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| ApiError::Unauthenticated("sign-in token is invalid or has expired"))
    }
}

/// The signed-in user making this request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// User id.
    pub user_id: Id,
    /// Username.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Care home, for care staff.
    pub care_home_id: Option<Id>,
    /// Client address.
    pub address: Option<String>,
}

impl Caller {
    /// Builds a caller from verified claims.
    pub fn from_claims(claims: Claims, address: Option<String>) -> Result<Self, ApiError> {
        let role = Role::parse(&claims.role).ok_or(ApiError::Unauthenticated(
            "sign-in token has an unknown role",
        ))?;
        if (role == Role::CareStaff) != claims.home.is_some() {
            return Err(ApiError::Unauthenticated("sign-in token is inconsistent"));
        }
        let user_id = claims
            .sub
            .parse()
            .map_err(|_| ApiError::Unauthenticated("sign-in token has a malformed subject"))?;
        Ok(Self {
            user_id,
            username: claims.usr,
            role,
            care_home_id: claims.home,
            address,
        })
    }

    /// The residents this caller may see.
    pub fn scope(&self) -> Scope {
        match (self.role, self.care_home_id) {
            (Role::CareStaff, Some(home)) => Scope::Home(home),
            _ => Scope::AllHomes,
        }
    }

    /// Refuses with 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The caller as the store's audit actor.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id,
            username: self.username.clone(),
            role: self.role,
            address: self.address.clone(),
        }
    }
}

/// The client address axum recorded for the connection, if it was served with connect info.
pub fn client_address(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// The bearer token in an `Authorization` header, if any.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts).ok_or(ApiError::Unauthenticated(
            "sign in first: send Authorization: Bearer <token>",
        ))?;
        let claims = state.tokens.verify(token)?;
        Caller::from_claims(claims, client_address(parts))
    }
}

/// The client's address, when the server was started with connect info (always, in `serve`).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(parts)))
    }
}
