//! The `sightline` binary: parses arguments, sets up logging, runs one subcommand and maps
//! the outcome to an exit code. The only crate that talks to people.

mod args;
mod audit_cmd;
mod identify;
mod input;
mod lab_cmd;
mod scan_cmd;
mod table;
mod vendors;

use args::{Cli, Command, FingerprintCommand};
use clap::Parser;
use std::process::ExitCode as StdExitCode;

/// How a run ended. Documented in `sightline --help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything worked.
    Clean = 0,
    /// Findings at or above `--fail-on` (audit), or data problems found (`fingerprint check`).
    Findings = 1,
    /// sightline could not do its job (bad arguments, unreadable files).
    Error = 2,
    /// The job ran but some input was rejected (each rejected line was reported on stderr).
    BadInput = 3,
}

fn main() -> StdExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose, cli.quiet);
    let result = match cli.command {
        Command::Identify(a) => args::IdentifyConfig::from_args(a).and_then(|c| identify::run(&c)),
        Command::Fingerprint { command } => match command {
            FingerprintCommand::Check(a) => identify::check(&a),
            FingerprintCommand::Eval(a) => identify::eval(&a),
            FingerprintCommand::Stats(a) => identify::stats(&a),
        },
        Command::Vendors(a) => vendors::run(&a),
        Command::Scan(a) => scan_cmd::run(a),
        Command::Audit(a) => audit_cmd::run(a),
        Command::Demo(a) => audit_cmd::demo(a),
        Command::Reidentify(a) => audit_cmd::reidentify(a),
        Command::Lab { command } => match command {
            args::LabCommand::Serve(a) => lab_cmd::serve(a),
        },
    };
    match result {
        Ok(code) => StdExitCode::from(code as u8),
        // A reader that stopped early (`sightline identify ... | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => StdExitCode::from(ExitCode::Clean as u8),
        Err(e) => {
            // Errors can quote input (a file's line, a device's answer): shown, not obeyed.
            eprintln!("error: {}", report::text::terminal(&format!("{e:#}")));
            StdExitCode::from(ExitCode::Error as u8)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// First Ctrl-C: stop starting new work and finish cleanly, keeping what was found. Second
/// Ctrl-C: quit at once (exit 130, the shell's convention for SIGINT).
pub fn stop_on_ctrl_c(cancel: tokio_util::sync::CancellationToken) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "stopping: finishing the hosts in progress and keeping what was found (Ctrl-C again to quit now)"
            );
            cancel.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
}

fn init_tracing(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGHTLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
