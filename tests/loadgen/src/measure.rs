//! Measurement windows: CPU of the server under test and of the generator (from /proc),
//! the server's memory, and loss, freezes and latency from what the participants received.

use serde::Serialize;

use crate::payload;
use crate::stats::{SharedStats, lock, percentile_ms};

/// A video stream that stops for longer than this is a freeze.
pub const FREEZE_MS: f64 = 500.0;
/// The generator is the bottleneck (the run is invalid) above this share of its core.
pub const GENERATOR_SATURATED: f64 = 0.90;

/// CPU time (user + system) of a process, seconds; `None` when unreadable.
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may contain spaces, closed by the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

fn clock_ticks() -> f64 {
    // USER_HZ is 100 on every Linux architecture the benchmark runs on.
    100.0
}

/// Busy and total ticks of one core, from /proc/stat.
pub fn core_ticks(core: usize) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let name = format!("cpu{core}");
    let line = stat
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name.as_str()))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3)? + v.get(4)?;
    Some((total - idle, total))
}

/// Share of a core that was busy between two readings.
fn core_busy(before: Option<(u64, u64)>, after: Option<(u64, u64)>) -> Option<f64> {
    let ((b0, t0), (b1, t1)) = (before?, after?);
    (t1 > t0).then(|| (b1 - b0) as f64 / (t1 - t0) as f64)
}

/// Other processes use more than this share of a pinned core: the window is contended.
pub const CONTENDED: f64 = 0.15;

/// Resident memory of a process, MiB.
pub fn rss_mib(pid: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Latency percentiles, ms.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Latency {
    /// Samples.
    pub samples: usize,
    /// Median.
    pub p50: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// 99.9th percentile.
    pub p999: Option<f64>,
}

impl Latency {
    fn of(mut samples: Vec<u32>) -> Latency {
        samples.sort_unstable();
        Latency {
            samples: samples.len(),
            p50: percentile_ms(&samples, 50.0),
            p99: percentile_ms(&samples, 99.0),
            p999: percentile_ms(&samples, 99.9),
        }
    }
}

/// One measurement window at a fixed number of calls.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Window {
    /// Calls in progress.
    pub calls: usize,
    /// Window length, s.
    pub seconds: f64,
    /// Share of one core the server used.
    pub server_cpu: Option<f64>,
    /// Share of one core the generator used.
    pub generator_cpu: Option<f64>,
    /// Server resident memory at the end, MiB.
    pub server_rss_mib: Option<f64>,
    /// Datagrams received by the participants per second (what the relay forwarded).
    pub forwarded_pps: f64,
    /// Media units (audio packets, video frames) sent per second.
    pub sent_units_per_s: f64,
    /// Server CPU time per forwarded datagram, µs.
    pub cpu_us_per_packet: Option<f64>,
    /// Forwarded datagrams per server CPU-second.
    pub packets_per_cpu_second: Option<f64>,
    /// Media units lost (sent but never received by a participant that should have).
    pub loss: f64,
    /// Longest stall of any video stream, ms.
    pub max_video_gap_ms: f64,
    /// Video streams that stalled for more than [`FREEZE_MS`].
    pub freezes: usize,
    /// Audio one-way latency (packet), ms.
    pub audio_latency: Latency,
    /// Video one-way latency (whole frame, last packet in), ms.
    pub video_latency: Latency,
    /// Participants that failed (signalling or media).
    pub failed_participants: usize,
    /// Participants that have not yet heard every other participant's audio and video.
    pub incomplete_participants: usize,
    /// First few failure reasons.
    pub failures: Vec<String>,
    /// False when the generator saturated its core, so the figures measure the generator.
    pub valid: bool,
    /// Share of the server's core used by other processes (a shared machine), when known.
    pub server_core_other: Option<f64>,
    /// Share of the generator's core used by other processes, when known.
    pub generator_core_other: Option<f64>,
    /// Other processes took more than [`CONTENDED`] of either pinned core.
    pub contended: bool,
}

/// A participant as the window sees it: its stats and how many others it should hear.
pub struct Member<'a> {
    /// Its stats.
    pub stats: &'a SharedStats,
    /// Senders in the same call that are not itself.
    pub others: usize,
    /// Whether it sends.
    pub sends: bool,
    /// Which call (for counting who should hear whom).
    pub call: usize,
}

#[derive(Default, Clone, Copy)]
struct Counters {
    rx: u64,
    received: u64,
    sent: u64,
}

fn counters(members: &[Member<'_>]) -> (Vec<Counters>, Vec<u64>) {
    let mut per = Vec::with_capacity(members.len());
    let mut sent_by_call: std::collections::BTreeMap<usize, Vec<u64>> = Default::default();
    for m in members {
        let s = lock(m.stats);
        let received = s.streams.values().map(|st| st.received).sum();
        per.push(Counters {
            rx: s.rx_datagrams,
            received,
            sent: s.tx_units,
        });
        if m.sends {
            sent_by_call.entry(m.call).or_default().push(s.tx_units);
        }
    }
    // For each member: units the others in its call sent.
    let expected = members
        .iter()
        .zip(&per)
        .map(|(m, c)| {
            let all: u64 = sent_by_call.get(&m.call).map_or(0, |v| v.iter().sum());
            all - if m.sends { c.sent } else { 0 }
        })
        .collect();
    (per, expected)
}

/// The cores the server and the generator are pinned to, when they are.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cores {
    /// The server's core.
    pub server: Option<usize>,
    /// The generator's core.
    pub generator: Option<usize>,
}

/// Measures `members` for `seconds`; `server_pid` names the server under test.
pub async fn window(
    members: &[Member<'_>],
    calls: usize,
    seconds: f64,
    server_pid: Option<&str>,
    cores: Cores,
) -> Window {
    for m in members {
        lock(m.stats).begin_window();
    }
    let (before, expected_before) = counters(members);
    let server_before = server_pid.and_then(cpu_seconds);
    let gen_before = cpu_seconds("self");
    let server_core_before = cores.server.and_then(core_ticks);
    let gen_core_before = cores.generator.and_then(core_ticks);
    let started = std::time::Instant::now();
    tokio::time::sleep(std::time::Duration::from_secs_f64(seconds)).await;
    let elapsed = started.elapsed().as_secs_f64();
    let gen_after = cpu_seconds("self");
    let server_after = server_pid.and_then(cpu_seconds);
    let server_core = core_busy(server_core_before, cores.server.and_then(core_ticks));
    let gen_core = core_busy(gen_core_before, cores.generator.and_then(core_ticks));
    let (after, expected_after) = counters(members);
    let now = payload::now_us();

    let mut w = Window {
        calls,
        seconds: elapsed,
        ..Window::default()
    };
    let (mut rx, mut received, mut sent, mut expected) = (0u64, 0u64, 0u64, 0u64);
    let (mut audio, mut video) = (Vec::new(), Vec::new());
    for (i, m) in members.iter().enumerate() {
        rx += after[i].rx - before[i].rx;
        received += after[i].received - before[i].received;
        sent += after[i].sent - before[i].sent;
        expected += expected_after[i] - expected_before[i];
        let mut s = lock(m.stats);
        audio.append(&mut s.audio_latency_us);
        video.append(&mut s.video_latency_us);
        for ((_, is_video), st) in &s.streams {
            if *is_video {
                let stalled = now.saturating_sub(st.last_arrival_us);
                let gap = st.max_gap_us.max(stalled) as f64 / 1000.0;
                w.max_video_gap_ms = w.max_video_gap_ms.max(gap);
                if gap > FREEZE_MS {
                    w.freezes += 1;
                }
            }
        }
        if s.streams.values().filter(|st| st.received > 0).count() < m.others * 2 {
            w.incomplete_participants += 1;
        }
        if let Some(e) = &s.error {
            w.failed_participants += 1;
            if w.failures.len() < 5 {
                w.failures.push(e.clone());
            }
        }
    }
    w.forwarded_pps = rx as f64 / elapsed;
    w.sent_units_per_s = sent as f64 / elapsed;
    w.loss = if expected == 0 {
        1.0
    } else {
        1.0 - (received as f64 / expected as f64).min(1.0)
    };
    w.audio_latency = Latency::of(audio);
    w.video_latency = Latency::of(video);
    w.generator_cpu = match (gen_before, gen_after) {
        (Some(a), Some(b)) => Some((b - a) / elapsed),
        _ => None,
    };
    if let (Some(a), Some(b)) = (server_before, server_after) {
        let cpu = b - a;
        w.server_cpu = Some(cpu / elapsed);
        if rx > 0 && cpu > 0.0 {
            w.cpu_us_per_packet = Some(cpu * 1e6 / rx as f64);
            w.packets_per_cpu_second = Some(rx as f64 / cpu);
        }
    }
    w.server_rss_mib = server_pid.and_then(rss_mib);
    w.valid = w.generator_cpu.is_none_or(|c| c < GENERATOR_SATURATED);
    w.server_core_other = server_core.map(|busy| (busy - w.server_cpu.unwrap_or(0.0)).max(0.0));
    w.generator_core_other = gen_core.map(|busy| (busy - w.generator_cpu.unwrap_or(0.0)).max(0.0));
    w.contended = w.server_core_other.is_some_and(|o| o > CONTENDED)
        || w.generator_core_other.is_some_and(|o| o > CONTENDED);
    w
}
