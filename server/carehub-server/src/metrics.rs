//! Prometheus metrics without a metrics framework: a handful of counters, gauges and one
//! latency histogram, rendered in the text exposition format at `GET /metrics`.
//!
//! Labels are route templates and status codes only, never ids or names, so series stay few.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the request latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The process's metrics. Shared as `Arc<Metrics>`.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    /// Successful sign-ins.
    pub logins: AtomicU64,
    /// Failed sign-ins (wrong password or unknown user).
    pub login_failures: AtomicU64,
    /// Sign-ins refused by the rate limiter.
    pub login_throttled: AtomicU64,
    /// Audit entries written for care plan reads.
    pub care_plan_reads: AtomicU64,
}

impl Metrics {
    /// Counts one finished HTTP request.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        {
            let mut map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
            *map.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        let secs = elapsed.as_secs_f64();
        let mut map = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        let h = map.entry(route.to_owned()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// Adds one to a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let counters = [
            ("carehub_logins_total", "Successful sign-ins.", &self.logins),
            (
                "carehub_login_failures_total",
                "Failed sign-ins.",
                &self.login_failures,
            ),
            (
                "carehub_login_throttled_total",
                "Sign-ins refused by the rate limiter.",
                &self.login_throttled,
            ),
            (
                "carehub_care_plan_reads_total",
                "Audited care plan summary reads.",
                &self.care_plan_reads,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        }
        self.render_requests(&mut out);
        out
    }

    fn render_requests(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP carehub_http_requests_total HTTP requests by route template and status.\n\
             # TYPE carehub_http_requests_total counter"
        );
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for ((method, route, status), n) in requests {
            let _ = writeln!(
                out,
                "carehub_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP carehub_http_request_duration_seconds Time to answer, by route template.\n\
             # TYPE carehub_http_request_duration_seconds histogram"
        );
        let latency = self
            .latency
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for (route, h) in latency {
            let name = "carehub_http_request_duration_seconds";
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{name}_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {}", h.sum);
            let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {}", h.count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histogram() {
        let m = Metrics::default();
        Metrics::inc(&m.logins);
        m.observe_request("GET", "/healthz", 200, Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains("carehub_logins_total 1"));
        assert!(text.contains(
            "carehub_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ));
        assert!(text.contains("le=\"0.0025\"} 0"));
        assert!(text.contains("le=\"0.005\"} 1"));
    }
}
