//! Active discovery. Turns explicit targets into observations: a TCP connect sweep over a port
//! set chosen for surveillance and network equipment, protocol probes on the open ports (one
//! module per protocol under `probe/`), and UDP discovery (`discover/`). The only crate that
//! sends packets to audited devices. It never tries passwords, sends exploits or writes
//! settings: every probe documents exactly what it sends.
//!
//! A misbehaving device never aborts a scan: each probe ends in a [`probe::Status`], never an
//! `Err` or a panic, and every read is bounded in bytes and time.

pub mod discover;
pub mod engine;
pub mod ports;
pub mod probe;
pub mod targets;

pub use engine::{DEFAULT_HOST_BUDGET, Event, HostResult, ScanConfig, Summary, scan};
pub use probe::{ProbeKind, ProbeOutcome, Status};
pub use targets::{TargetError, Targets};
