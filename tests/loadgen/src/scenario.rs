//! The media scenarios: relay capacity (a ramp of three-party calls), fixed loads, call
//! set-up (one at a time, and a join storm), a direct peer-to-peer baseline, and the short
//! smoke run the test suite uses. Each prints progress and a summary table; `--json FILE`
//! writes the results.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::carehub::{Accounts, Call, CareHub};
use crate::measure::{FREEZE_MS, Member, Window, window};
use crate::peer::{Control, Peer};
use crate::stats::{SharedStats, percentile_ms};

/// Loss at which a ramp stops even when other processes share the server's core.
const COLLAPSE: f64 = 0.25;

/// Options shared by the media scenarios.
#[derive(Debug, Clone)]
pub struct Options {
    /// Server URL.
    pub url: String,
    /// Address the participants' UDP sockets bind to.
    pub local_ip: IpAddr,
    /// PID of the server under test (for CPU and memory).
    pub server_pid: Option<String>,
    /// Call counts: one window each (a ramp when several).
    pub calls: Vec<usize>,
    /// Seconds per measurement window.
    pub seconds: f64,
    /// Calls set up at once while ramping.
    pub parallel: usize,
    /// Where to write JSON results.
    pub json: Option<String>,
    /// Label for the results (e.g. "carehub").
    pub label: String,
    /// Cores the server and generator are pinned to (for contention figures).
    pub cores: crate::measure::Cores,
    /// Drive Janus VideoRoom at `url` (a WebSocket URL) instead of CareHub.
    pub janus: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            url: "http://127.0.0.1:8080".to_owned(),
            local_ip: IpAddr::from([127, 0, 0, 1]),
            server_pid: None,
            calls: vec![3],
            seconds: 5.0,
            parallel: 8,
            json: None,
            label: "carehub".to_owned(),
            janus: false,
            cores: crate::measure::Cores::default(),
        }
    }
}

/// Set-up figures, ms from the nurse's answer to the first media at each side.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Setup {
    /// Calls set up.
    pub calls: usize,
    /// At once (1: one after another).
    pub concurrency: usize,
    /// Median over both sides of every call.
    pub p50_ms: Option<f64>,
    /// 95th percentile.
    pub p95_ms: Option<f64>,
    /// Slowest.
    pub max_ms: Option<f64>,
    /// Sides with no media within the time limit, or calls that failed to start.
    pub failed: usize,
}

/// Everything a run measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Results {
    /// What was measured ("carehub", "janus", "p2p").
    pub label: String,
    /// The scenario.
    pub scenario: String,
    /// The command line.
    pub command: String,
    /// One per call count.
    pub windows: Vec<Window>,
    /// Server memory before any call, MiB.
    pub idle_rss_mib: Option<f64>,
    /// Set-up figures, when measured.
    pub setup: Option<Setup>,
    /// Join-storm set-up figures, when measured.
    pub storm: Option<Setup>,
    /// Why a ramp stopped.
    pub stopped: Option<String>,
}

fn members(calls: &[Call]) -> Vec<Member<'_>> {
    calls
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            c.participants.iter().map(move |p| Member {
                stats: &p.stats,
                others: c.participants.len() - 1,
                sends: true,
                call: i,
            })
        })
        .collect()
}

/// The server under test.
pub enum Target {
    /// CareHub: real calls through its API and live channel.
    CareHub(CareHub, Box<Accounts>),
    /// Janus VideoRoom at this WebSocket URL.
    Janus(String),
}

impl Target {
    /// Connects (for CareHub, signs in the accounts the calls use).
    pub async fn connect(opts: &Options) -> anyhow::Result<Target> {
        if opts.janus {
            return Ok(Target::Janus(opts.url.clone()));
        }
        let hub = CareHub::new(&opts.url)?;
        let accounts = hub.accounts().await?;
        Ok(Target::CareHub(hub, Box::new(accounts)))
    }

    async fn start(&self, n: u32, ip: IpAddr) -> anyhow::Result<Call> {
        match self {
            Target::CareHub(hub, accounts) => {
                crate::carehub::start_call(hub, accounts, n, ip).await
            }
            Target::Janus(url) => crate::janus::start_call(url, n, ip).await,
        }
    }
}

/// Starts calls `from..to`, `parallel` at a time; failures are reported and skipped.
async fn start_calls(
    target: &Target,
    ip: IpAddr,
    from: usize,
    to: usize,
    parallel: usize,
    failures: &mut Vec<String>,
) -> Vec<Call> {
    use futures_util::StreamExt;
    let started: Vec<anyhow::Result<Call>> = futures_util::stream::iter(from..to)
        .map(|n| target.start(u32::try_from(n).unwrap_or(u32::MAX), ip))
        .buffer_unordered(parallel.max(1))
        .collect()
        .await;
    let mut calls = Vec::new();
    for s in started {
        match s {
            Ok(c) => calls.push(c),
            Err(e) => failures.push(format!("{e:#}")),
        }
    }
    calls
}

/// Waits until every participant has heard someone, or `limit` passes.
async fn await_media(calls: &[Call], limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        let all = calls.iter().all(|c| {
            c.participants
                .iter()
                .all(|p| crate::stats::lock(&p.stats).first_media_us.is_some())
        });
        if all {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn setup_of(calls: &[Call], concurrency: usize, failed_starts: usize) -> Setup {
    let mut samples = Vec::new();
    let mut failed = failed_starts;
    for c in calls {
        for s in c.setup_ms() {
            match s {
                Some(ms) => samples.push((ms * 1000.0) as u32),
                None => failed += 1,
            }
        }
    }
    samples.sort_unstable();
    Setup {
        calls: calls.len() + failed_starts,
        concurrency,
        p50_ms: percentile_ms(&samples, 50.0),
        p95_ms: percentile_ms(&samples, 95.0),
        max_ms: samples.last().map(|&m| f64::from(m) / 1000.0),
        failed,
    }
}

/// Relay capacity: for each call count in `opts.calls`, brings the calls up to it and measures
/// one window; stops at the first count where loss passes 1%, video freezes, calls fail to
/// start, or the generator saturates.
pub async fn capacity(opts: &Options) -> anyhow::Result<Results> {
    let target = Target::connect(opts).await?;
    let mut results = Results {
        label: opts.label.clone(),
        scenario: "capacity".to_owned(),
        idle_rss_mib: opts.server_pid.as_deref().and_then(crate::measure::rss_mib),
        ..Results::default()
    };
    let mut calls: Vec<Call> = Vec::new();
    let mut failures = Vec::new();
    for &wanted in &opts.calls {
        let mut more = start_calls(
            &target,
            opts.local_ip,
            calls.len(),
            wanted,
            opts.parallel,
            &mut failures,
        )
        .await;
        await_media(&more, Duration::from_secs(10)).await;
        calls.append(&mut more);
        // Let keyframe requests and renegotiation settle before measuring.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut w = window(
            &members(&calls),
            calls.len(),
            opts.seconds,
            opts.server_pid.as_deref(),
            opts.cores,
        )
        .await;
        w.failures.extend(failures.drain(..).take(3));
        eprintln!("{}", progress_line(&opts.label, &w));
        let stop = if calls.len() < wanted {
            Some(format!(
                "only {} of {wanted} calls could be started",
                calls.len()
            ))
        } else if !w.valid {
            Some("the load generator saturated its core".to_owned())
        } else if w.loss > 0.01 && (!w.contended || w.loss > COLLAPSE) {
            Some(format!("loss {:.2}% over 1%", w.loss * 100.0))
        } else if w.max_video_gap_ms > FREEZE_MS && !w.contended {
            Some(format!("video froze for {:.0} ms", w.max_video_gap_ms))
        } else {
            // A contended window's loss may be the other processes' doing: keep ramping (the
            // CPU per packet stays meaningful) unless the calls have collapsed.
            None
        };
        let stop = stop.map(|reason| {
            if w.contended {
                format!(
                    "{reason}, while other processes took {} of the server's core and {} of the generator's",
                    pct_opt(w.server_core_other),
                    pct_opt(w.generator_core_other)
                )
            } else {
                reason
            }
        });
        results.windows.push(w);
        if let Some(reason) = stop {
            results.stopped = Some(reason);
            break;
        }
    }
    if results.setup.is_none() && !calls.is_empty() {
        results.setup = Some(setup_of(&calls, opts.parallel, 0));
    }
    Ok(results)
}

/// Call set-up: `n` calls one after another on an otherwise idle server, then `storm` calls
/// started at once; each side's first media is awaited.
pub async fn setup(opts: &Options, n: usize, storm: usize) -> anyhow::Result<Results> {
    let target = Target::connect(opts).await?;
    let mut failures = Vec::new();
    let mut results = Results {
        label: opts.label.clone(),
        scenario: "setup".to_owned(),
        ..Results::default()
    };
    let mut one_by_one = Vec::new();
    for i in 0..n {
        let mut c = start_calls(&target, opts.local_ip, i, i + 1, 1, &mut failures).await;
        await_media(&c, Duration::from_secs(10)).await;
        // Measured alone: stop it before the next, so each starts on an idle relay.
        one_by_one.append(&mut c);
        if let Some(last) = one_by_one.last() {
            for p in &last.participants {
                p.stop();
            }
        }
    }
    let alone = setup_of(&one_by_one, 1, failures.len());
    eprintln!(
        "{}: set-up one at a time: {}",
        opts.label,
        setup_line(&alone)
    );
    drop(one_by_one);
    tokio::time::sleep(Duration::from_secs(1)).await;
    failures.clear();
    let stormed = start_calls(&target, opts.local_ip, n, n + storm, storm, &mut failures).await;
    await_media(&stormed, Duration::from_secs(15)).await;
    let storm_setup = setup_of(&stormed, storm, failures.len());
    eprintln!(
        "{}: join storm of {storm}: {}",
        opts.label,
        setup_line(&storm_setup)
    );
    let mut w = window(
        &members(&stormed),
        stormed.len(),
        opts.seconds.min(3.0),
        opts.server_pid.as_deref(),
        opts.cores,
    )
    .await;
    w.failures.extend(failures.into_iter().take(3));
    results.windows.push(w);
    results.setup = Some(alone);
    results.storm = Some(storm_setup);
    Ok(results)
}

/// The direct peer-to-peer baseline: `pairs` one-way streams (a sender straight to a
/// receiver, no relay), measuring what the generator and the network add on their own.
pub async fn p2p(opts: &Options, pairs: usize) -> anyhow::Result<Results> {
    let mut stats: Vec<(SharedStats, SharedStats)> = Vec::new();
    let mut tasks = Vec::new();
    let mut controls = Vec::new();
    for i in 0..pairs {
        let (tx, rx) = (SharedStats::default(), SharedStats::default());
        let sender = u32::try_from(i).unwrap_or(u32::MAX);
        let (a, offer) = Peer::offerer(opts.local_ip, sender, "p2p", Arc::clone(&tx)).await?;
        let (b, answer) = Peer::answerer(opts.local_ip, &offer, Arc::clone(&rx)).await?;
        let (ca, ra) = tokio::sync::mpsc::channel(4);
        let (cb, rb) = tokio::sync::mpsc::channel(4);
        let (oa, _) = tokio::sync::mpsc::channel(4);
        let (ob, _) = tokio::sync::mpsc::channel(4);
        tasks.push(a.spawn(ra, oa));
        tasks.push(b.spawn(rb, ob));
        ca.send(Control::Answer(answer)).await?;
        controls.push((ca, cb));
        stats.push((tx, rx));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tokio::time::Instant::now() < deadline
        && !stats
            .iter()
            .all(|(_, r)| crate::stats::lock(r).first_media_us.is_some())
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let members: Vec<Member<'_>> = stats
        .iter()
        .enumerate()
        .flat_map(|(i, (tx, rx))| {
            [
                Member {
                    stats: tx,
                    others: 0,
                    sends: true,
                    call: i,
                },
                Member {
                    stats: rx,
                    others: 1,
                    sends: false,
                    call: i,
                },
            ]
        })
        .collect();
    let w = window(&members, pairs, opts.seconds, None, opts.cores).await;
    eprintln!("{}", progress_line("p2p", &w));
    for t in tasks {
        t.abort();
    }
    drop(controls);
    Ok(Results {
        label: "p2p".to_owned(),
        scenario: "p2p".to_owned(),
        windows: vec![w],
        ..Results::default()
    })
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"))
}

fn pct_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{:.0}%", v * 100.0))
}

fn setup_line(s: &Setup) -> String {
    format!(
        "{} calls, p50 {} ms, p95 {} ms, max {} ms, {} failed",
        s.calls,
        fmt_opt(s.p50_ms),
        fmt_opt(s.p95_ms),
        fmt_opt(s.max_ms),
        s.failed
    )
}

fn progress_line(label: &str, w: &Window) -> String {
    format!(
        "{label}: {} calls: server cpu {}, generator cpu {}, {:.0} pkt/s forwarded, loss {:.3}%, \
         max video gap {:.0} ms, audio p50/p99 {}/{} ms{}{}",
        w.calls,
        w.server_cpu
            .map_or_else(|| "-".to_owned(), |c| format!("{:.0}%", c * 100.0)),
        w.generator_cpu
            .map_or_else(|| "-".to_owned(), |c| format!("{:.0}%", c * 100.0)),
        w.forwarded_pps,
        w.loss * 100.0,
        w.max_video_gap_ms,
        fmt_opt(w.audio_latency.p50),
        fmt_opt(w.audio_latency.p99),
        if w.failed_participants > 0 {
            format!(", {} participants failed", w.failed_participants)
        } else {
            String::new()
        },
        if w.valid {
            ""
        } else {
            " [INVALID: generator saturated]"
        },
    ) + &if w.contended {
        format!(
            " [contended: other processes took {} of the server's core, {} of the generator's]",
            pct_opt(w.server_core_other),
            pct_opt(w.generator_core_other)
        )
    } else {
        String::new()
    }
}

/// The summary table printed at the end of a run.
pub fn summary(r: &Results) -> String {
    let mut out = format!("\n{} ({})\n", r.label, r.scenario);
    out.push_str(
        "calls | server cpu | gen cpu | fwd pkt/s | µs/pkt | loss % | max gap ms | audio p50 | p99 | p99.9 | video p50 | p99 | rss MiB | valid\n",
    );
    for w in &r.windows {
        out.push_str(&format!(
            "{:>5} | {:>10} | {:>7} | {:>9.0} | {:>6} | {:>6.3} | {:>10.0} | {:>9} | {:>5} | {:>5} | {:>9} | {:>5} | {:>7} | {}\n",
            w.calls,
            w.server_cpu.map_or_else(|| "-".to_owned(), |c| format!("{:.1}%", c * 100.0)),
            w.generator_cpu.map_or_else(|| "-".to_owned(), |c| format!("{:.1}%", c * 100.0)),
            w.forwarded_pps,
            fmt_opt(w.cpu_us_per_packet),
            w.loss * 100.0,
            w.max_video_gap_ms,
            fmt_opt(w.audio_latency.p50),
            fmt_opt(w.audio_latency.p99),
            fmt_opt(w.audio_latency.p999),
            fmt_opt(w.video_latency.p50),
            fmt_opt(w.video_latency.p99),
            fmt_opt(w.server_rss_mib),
            if w.valid { "yes" } else { "NO" },
        ));
    }
    if let Some(s) = &r.setup {
        out.push_str(&format!(
            "set-up ({} at once): {}\n",
            s.concurrency,
            setup_line(s)
        ));
    }
    if let Some(s) = &r.storm {
        out.push_str(&format!("join storm: {}\n", setup_line(s)));
    }
    if let Some(s) = &r.stopped {
        out.push_str(&format!("stopped: {s}\n"));
    }
    out
}

/// The smoke run's correctness checks: every call started, every participant heard both
/// others' audio and video, nobody failed, and loss was measured (a number, not a verdict on
/// speed).
pub fn check_smoke(r: &Results) -> anyhow::Result<()> {
    let w = r
        .windows
        .last()
        .ok_or_else(|| anyhow::anyhow!("no measurement window"))?;
    anyhow::ensure!(
        w.failed_participants == 0,
        "participants failed: {:?}",
        w.failures
    );
    anyhow::ensure!(w.calls > 0, "no call started: {:?}", w.failures);
    anyhow::ensure!(
        w.incomplete_participants == 0,
        "{} participants did not hear every other participant's audio and video",
        w.incomplete_participants
    );
    anyhow::ensure!(
        w.audio_latency.samples > 0 && w.video_latency.samples > 0,
        "no media arrived"
    );
    anyhow::ensure!(w.forwarded_pps > 0.0, "no datagrams forwarded");
    anyhow::ensure!((0.0..=1.0).contains(&w.loss), "loss not measured");
    Ok(())
}
