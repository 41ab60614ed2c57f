//! Login rate limiting: failed sign-ins are counted per username and per client address in a
//! sliding window, so password guessing is slowed whether it targets one account or many.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys kept before expired entries are swept, bounding memory under a spray of usernames.
const SWEEP_ABOVE: usize = 10_000;

/// Counts failures; the mutex is held only for short map operations, never across `.await`.
#[derive(Debug)]
pub struct LoginLimiter {
    window: Duration,
    per_username: u32,
    per_address: u32,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// A limiter allowing the given failures within `window`.
    pub fn new(window: Duration, per_username: u32, per_address: u32) -> Self {
        Self {
            window,
            per_username,
            per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, address: Option<&str>) -> (String, Option<String>) {
        (
            format!("user:{}", username.to_lowercase()),
            address.map(|a| format!("addr:{a}")),
        )
    }

    /// `Err(seconds)` when either key is over its limit at `now`.
    pub fn check(&self, username: &str, address: Option<&str>, now: Instant) -> Result<(), u64> {
        let (user_key, addr_key) = Self::keys(username, address);
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = 0;
        for (key, limit) in [
            (Some(user_key), self.per_username),
            (addr_key, self.per_address),
        ] {
            let Some(key) = key else { continue };
            if let Some(times) = map.get_mut(&key) {
                prune(times, now, self.window);
                if times.len() >= limit as usize {
                    let oldest = times.front().copied().unwrap_or(now);
                    let until = (oldest + self.window).saturating_duration_since(now);
                    wait = wait.max(until.as_secs().max(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    /// Records a failed attempt against both keys.
    pub fn record_failure(&self, username: &str, address: Option<&str>, now: Instant) {
        let (user_key, addr_key) = Self::keys(username, address);
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, times| {
                prune(times, now, self.window);
                !times.is_empty()
            });
        }
        for key in [Some(user_key), addr_key].into_iter().flatten() {
            map.entry(key).or_default().push_back(now);
        }
    }

    /// Clears the username's failures after a successful sign-in.
    pub fn record_success(&self, username: &str) {
        let (user_key, _) = Self::keys(username, None);
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&user_key);
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_limit_and_recovers_after_window() {
        let limiter = LoginLimiter::new(Duration::from_secs(60), 3, 10);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check("carer1", Some("1.2.3.4"), t0).is_ok());
            limiter.record_failure("carer1", Some("1.2.3.4"), t0);
        }
        assert_eq!(limiter.check("CARER1", Some("5.6.7.8"), t0), Err(60));
        assert!(limiter.check("nurse1", Some("1.2.3.4"), t0).is_ok());
        assert!(
            limiter
                .check("carer1", None, t0 + Duration::from_secs(61))
                .is_ok()
        );
    }

    #[test]
    fn address_limit_spans_usernames() {
        let limiter = LoginLimiter::new(Duration::from_secs(60), 100, 2);
        let t0 = Instant::now();
        limiter.record_failure("a", Some("9.9.9.9"), t0);
        limiter.record_failure("b", Some("9.9.9.9"), t0);
        assert!(limiter.check("c", Some("9.9.9.9"), t0).is_err());
        assert!(limiter.check("c", Some("8.8.8.8"), t0).is_ok());
    }

    #[test]
    fn success_clears_username_failures() {
        let limiter = LoginLimiter::new(Duration::from_secs(60), 1, 10);
        let t0 = Instant::now();
        limiter.record_failure("carer1", None, t0);
        assert!(limiter.check("carer1", None, t0).is_err());
        limiter.record_success("carer1");
        assert!(limiter.check("carer1", None, t0).is_ok());
    }
}
