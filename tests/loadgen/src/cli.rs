//! Command-line options of the media scenarios (`loadgen capacity|setup|p2p|smoke ...`).

use std::net::IpAddr;

use crate::scenario::{self, Options, Results};

/// Help text for the media scenarios.
pub const HELP: &str = "\
  capacity     three-party calls through the relay; a window per call count (a ramp)
  setup        call set-up: calls one at a time, then a join storm
  janus        the capacity scenario through Janus VideoRoom (--url ws://HOST:8188)
  janus-setup  the set-up scenario through Janus VideoRoom
  p2p          direct peer-to-peer baseline (no relay)
  smoke        a few calls for a few seconds; fails unless media arrived and loss was measured

options:
  --url URL            server (default http://127.0.0.1:8080)
  --local-ip IP        address the participants' UDP sockets use (default 127.0.0.1)
  --server-pid PID     server process, for CPU and memory figures
  --calls N[,N...]     call counts; several make a ramp (capacity), or calls one at a time (setup)
  --seconds S          seconds per measurement window (default 5)
  --parallel N         calls set up at once while ramping (default 8)
  --storm N            calls started at once (setup; default 50)
  --pairs N            one-way streams (p2p; default 30)
  --server-core N      core the server is pinned to (contention from other processes)
  --generator-core N   core this generator is pinned to
  --label NAME         name in the results (default carehub)
  --json FILE          also write the results as JSON";

/// Parsed arguments.
struct Args {
    opts: Options,
    storm: usize,
    pairs: usize,
}

fn parse(args: &[String]) -> anyhow::Result<Args> {
    let mut a = Args {
        opts: Options::default(),
        storm: 50,
        pairs: 30,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--url" => a.opts.url = value()?,
            "--local-ip" => a.opts.local_ip = value()?.parse::<IpAddr>()?,
            "--server-pid" => a.opts.server_pid = Some(value()?),
            "--calls" => {
                a.opts.calls = value()?
                    .split(',')
                    .map(|n| n.trim().parse::<usize>())
                    .collect::<Result<_, _>>()?;
            }
            "--seconds" => a.opts.seconds = value()?.parse()?,
            "--parallel" => a.opts.parallel = value()?.parse()?,
            "--storm" => a.storm = value()?.parse()?,
            "--pairs" => a.pairs = value()?.parse()?,
            "--label" => a.opts.label = value()?,
            "--server-core" => a.opts.cores.server = Some(value()?.parse()?),
            "--generator-core" => a.opts.cores.generator = Some(value()?.parse()?),
            "--json" => a.opts.json = Some(value()?),
            other => anyhow::bail!("unknown option {other}\n{HELP}"),
        }
    }
    Ok(a)
}

/// Runs a media scenario by name; `None` when the name is not one of them.
pub async fn run(scenario: &str, args: &[String]) -> Option<anyhow::Result<()>> {
    if !matches!(
        scenario,
        "capacity" | "setup" | "p2p" | "smoke" | "janus" | "janus-setup"
    ) {
        return None;
    }
    Some(run_parsed(scenario, args).await)
}

async fn run_parsed(scenario: &str, args: &[String]) -> anyhow::Result<()> {
    let mut a = parse(args)?;
    a.opts.janus = scenario.starts_with("janus");
    let mut results: Results = match scenario {
        "capacity" | "janus" => scenario::capacity(&a.opts).await?,
        "setup" | "janus-setup" => {
            let n = a.opts.calls.first().copied().unwrap_or(20);
            scenario::setup(&a.opts, n, a.storm).await?
        }
        "p2p" => scenario::p2p(&a.opts, a.pairs).await?,
        _ => {
            let r = scenario::capacity(&a.opts).await?;
            scenario::check_smoke(&r)?;
            r
        }
    };
    results.command = std::iter::once("loadgen".to_owned())
        .chain(std::iter::once(scenario.to_owned()))
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    println!("{}", scenario::summary(&results));
    if let Some(path) = &a.opts.json {
        std::fs::write(path, serde_json::to_string_pretty(&results)?)?;
    }
    Ok(())
}
