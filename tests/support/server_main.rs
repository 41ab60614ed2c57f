//! The `carehub` binary as the end-to-end tests build it: the same entry point, compiled with
//! the test build's features, so process tests never wait for a separate build.

fn main() -> std::process::ExitCode {
    carehub_server::cli::main()
}
