//! Integration tests of the scan crate: targets in, events out, against fake devices on
//! loopback addresses only.

mod discover;
mod engine;
mod framing;
mod probes;
mod redirect;
mod targets;
