//! Argon2id password hashing, always on the blocking pool: a hash takes tens of milliseconds
//! of CPU, which would stall every WebSocket on an async worker thread.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher as _, PasswordVerifier};

use crate::error::ApiError;

/// Hashes a new password (PHC string format).
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("hashing task failed: {e}")))?
}

/// Verifies passwords; holds a dummy hash so unknown usernames take as long as known ones.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    dummy_hash: String,
}

impl PasswordHasher {
    /// Prepares the dummy hash (one hash at start-up).
    pub async fn new() -> Result<Self, ApiError> {
        Ok(Self {
            dummy_hash: hash_password("carehub-timing-equaliser".to_owned()).await?,
        })
    }

    /// Whether `password` matches `hash`; with no hash, spends the same time and says no.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let matched = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await
        .unwrap_or(false);
        known && matched
    }
}
