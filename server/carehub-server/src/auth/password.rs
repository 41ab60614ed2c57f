//! Argon2id password hashing, always on the blocking pool: a hash takes tens of milliseconds
//! of CPU, which would stall every WebSocket on an async worker thread.
//!
//! At most one hash per core runs at a time. Each Argon2id hash holds 19 MiB of memory, so a
//! burst of sign-ins (a shift change, a script) would otherwise start hundreds of hashes at once
//! on the blocking pool, and the server's memory would jump by gigabytes and stay there (the
//! allocator keeps it). Queued sign-ins wait their turn instead; the cores are busy either way.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher as _, PasswordVerifier};

use tokio::sync::Semaphore;

use crate::error::ApiError;

/// One permit per core: the hashes that may run at once.
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
});

/// Runs one Argon2 computation on the blocking pool once a core is free for it.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    // The semaphore is never closed, so acquiring only waits.
    let _permit = HASHING.acquire().await.ok()?;
    tokio::task::spawn_blocking(work).await.ok()
}

/// Hashes a new password (PHC string format).
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .ok_or_else(|| ApiError::Internal("hashing task failed".to_owned()))?
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
        let matched = hashing(move || {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_of_sign_ins_is_queued_not_dropped() {
        let hasher = PasswordHasher::new().await.expect("hasher");
        let hash = hash_password("right".to_owned()).await.expect("hash");
        let checks = (0..12).map(|i| {
            let (hasher, hash) = (hasher.clone(), hash.clone());
            let password = if i % 2 == 0 { "right" } else { "wrong" };
            tokio::spawn(async move { hasher.verify(password.to_owned(), Some(hash)).await })
        });
        let mut results = Vec::new();
        for check in checks {
            results.push(check.await.expect("task"));
        }
        let expected: Vec<bool> = (0..12).map(|i| i % 2 == 0).collect();
        assert_eq!(results, expected);
    }
}
