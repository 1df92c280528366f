//! Integration tests of the scan crate: targets in, events out, against fake devices on
//! loopback addresses only.

mod discover;
mod probes;
mod targets;
