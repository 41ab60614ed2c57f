//! The `carehub` command line: arguments, configuration, logging, the runtime and shutdown.
//! Shared by the `carehub` binary and the end-to-end tests' copy of it, so the process the
//! tests kill and restart runs exactly this code.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;

const USAGE: &str = "usage: carehub [--config PATH]\n\n\
Runs the CareHub service. With no options it uses the embedded default: SQLite under data/,\n\
demo data, http://localhost:8080. Override with a file (--config or CAREHUB_CONFIG) and\n\
CAREHUB__SECTION__KEY environment variables; see config/default.toml for every key.";

fn parse_args() -> Result<Option<PathBuf>, String> {
    let mut args = std::env::args().skip(1);
    let mut config = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" | "-c" => {
                config = Some(PathBuf::from(args.next().ok_or("--config needs a path")?));
            }
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    Ok(config)
}

/// Runs the service until SIGINT or SIGTERM; the exit code says how it ended.
pub fn main() -> ExitCode {
    let file = match parse_args() {
        Ok(file) => file,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::from_process(file) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("carehub: configuration error: {e}");
            return ExitCode::from(78); // EX_CONFIG
        }
    };
    crate::telemetry::init(&config.log);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("carehub: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.server.bind)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.server.bind))?;
        if config.server.demo {
            tracing::warn!(
                "demo mode: fictional demo data and the public demo signing key are in use"
            );
        }
        crate::serve(config, listener, shutdown_signal()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("carehub: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing open requests");
}
