//! `carehub`: starts the service with the layered configuration (see config/default.toml).

fn main() -> std::process::ExitCode {
    carehub_server::cli::main()
}
