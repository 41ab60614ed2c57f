//! `loadgen`: drives real calls and real hub screens against a running CareHub (or Janus), so
//! capacity, latency and set-up figures come from the same paths users exercise.
//!
//! Usage: `loadgen <scenario> [options]`; `loadgen help` lists the scenarios.

mod signalling;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().unwrap_or_else(|| "help".to_owned());
    let rest: Vec<String> = args.collect();
    if let Some(result) = carehub_loadgen::cli::run(&scenario, &rest).await {
        return result;
    }
    match scenario.as_str() {
        "signalling" => signalling::main(rest).await,
        _ => {
            println!(
                "loadgen <scenario> [options]\n\nscenarios:\n  signalling   idle tablets, hub screens and a call-creation rate (fan-out and ack latency)\n{}",
                carehub_loadgen::cli::HELP
            );
            Ok(())
        }
    }
}
