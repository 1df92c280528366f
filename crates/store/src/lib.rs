//! The inventory and its history: every scan recorded in batches as hosts finish (each batch
//! one transaction, so a crash keeps every finished batch; an import in one), raw observations
//! kept verbatim, identities derived from them (with evidence), devices tracked across scans
//! (device-reported keys only with corroboration), and the differences between scans. This is
//! the only crate that speaks SQL.
//!
//! Callers use the [`Store`] trait, so a PostgreSQL backend can be added beside [`Sqlite`]
//! without touching them. Every SQL statement lives in the backend's module (`sqlite.rs` and
//! `migrations/sqlite/`); device matching rules and dates live in `track.rs`, shared by all
//! backends.

mod error;
mod sqlite;
mod track;

pub use error::StoreError;
pub use sqlite::{MAX_BUSY_WAIT, Sqlite};

use model::{Identity, Inventory, Observation, SegmentRole};
use serde::Serialize;
use std::fmt;

/// The inventory with its history. Implemented by [`Sqlite`]; a PostgreSQL backend would be a
/// second implementation with the same behaviour (the integration tests describe it).
pub trait Store {
    /// Begins a scan that started at `started` (RFC 3339) from `source` (`scan 10.0.0.0/24`).
    /// Until [`Store::finish_scan`], the scan is unfinished: its hosts count as seen, but it
    /// judges no device gone (see [`Store::changes`]).
    fn begin_scan(&mut self, started: &str, source: &str) -> Result<ScanId, StoreError>;

    /// Records a batch of hosts of a begun scan in one transaction: every observation
    /// verbatim, each host's identity with its evidence, and which known device each host is
    /// (see `track.rs`: a device-reported serial, MAC or certificate matches only when
    /// corroborated; an uncorroborated or duplicated claim is recorded as a key conflict).
    /// Either the whole batch is stored or, on error or crash, none of it; earlier batches
    /// stay. Waits for another writer with back-off (see [`Sqlite::on_busy`]).
    fn record_hosts(&mut self, scan: ScanId, hosts: &[HostRecord]) -> Result<(), StoreError>;

    /// Marks a scan finished at `finished` (RFC 3339): from now on it is the baseline its
    /// successor's "gone" devices are judged against.
    fn finish_scan(&mut self, scan: ScanId, finished: &str) -> Result<(), StoreError>;

    /// Records one whole scan or import (begun, recorded and finished) in one transaction:
    /// either all of it is stored or, on error or crash, none of it.
    fn record_scan(&mut self, scan: &ScanRecord) -> Result<ScanId, StoreError>;

    /// The latest state of every device seen on or before `as_of` (`YYYY-MM-DD`, or an
    /// RFC 3339 time whose date is taken): identity, site and segment from the latest scan that
    /// saw it (finished or not), first and last seen dates, install date, the sources that
    /// know it, and the key conflicts of its latest scan.
    fn inventory(&self, as_of: &str) -> Result<Inventory, StoreError>;

    /// What changed between `scan` and the finished scan before it: new devices, gone devices,
    /// changed firmware, moved segment, changed identity, key conflicts. Every device of the
    /// first scan is new. An unfinished scan reports no gone device: what it did not reach is
    /// unknown, not gone. An unfinished scan is never the baseline of a later one.
    fn changes(&self, scan: ScanId) -> Result<Vec<Change>, StoreError>;

    /// Every recorded scan, oldest first: id, start time, source and number of hosts. The
    /// source of an unfinished scan ends with [`UNFINISHED`].
    fn scans(&self) -> Result<Vec<(ScanId, String, String, usize)>, StoreError>;

    /// Every stored observation of a device (`dev-<n>`), verbatim, latest scan first.
    fn observations(&self, device: &str) -> Result<Vec<Observation>, StoreError>;

    /// Recomputes every stored identity from its stored observations with `identify` (called
    /// with the device id and the observations of one device in one scan), for instance after
    /// a fingerprint update. Sightings without observations (imports) keep their identity.
    /// Observations are not touched. Returns how many devices had an identity changed.
    fn reidentify(
        &mut self,
        identify: &dyn Fn(&str, &[Observation]) -> Identity,
    ) -> Result<usize, StoreError>;
}

/// Appended to the source of an unfinished scan in [`Store::scans`].
pub const UNFINISHED: &str =
    " (unfinished: stopped before its end; hosts recorded so far are kept)";

/// One scan or import to record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScanRecord {
    /// When it started (RFC 3339). Its date is the "seen" date of every host in it.
    pub started: String,
    /// When it finished (RFC 3339).
    pub finished: String,
    /// What it was: `scan 10.0.0.0/24`, `import assets.csv`.
    pub source: String,
    pub hosts: Vec<HostRecord>,
}

/// One host of a scan: its keys, what it said, what we concluded, and where it sits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HostRecord {
    pub address: Option<String>,
    pub mac: Option<String>,
    /// The MAC was seen by the network or recorded by the owner (a neighbour table, an asset
    /// register), not read from the device's own answers: a key independent of what the
    /// device says. A MAC from an answer is one more claim of the device, as its serial is.
    pub mac_observed: bool,
    pub serial: Option<String>,
    /// Fingerprint (hex digest) of the TLS certificate it presented.
    pub cert_fingerprint: Option<String>,
    /// What it answered, stored byte for byte.
    pub observations: Vec<Observation>,
    /// Derived from `observations` (or from an import), with evidence.
    pub identity: Identity,
    pub site: Option<String>,
    /// CIDR of the segment it is on.
    pub segment: Option<String>,
    pub segment_role: Option<SegmentRole>,
    /// Install date (`YYYY-MM-DD`) from an imported asset register.
    pub install_date: Option<String>,
}

/// The id of a recorded scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ScanId(pub i64);

impl fmt::Display for ScanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One difference between a scan and the scan before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Device id (`dev-<n>`).
    pub device: String,
    /// Its address in this scan (in the previous scan for a gone device).
    pub address: Option<String>,
    pub kind: ChangeKind,
    /// What changed, in words (`firmware V5.5.0 -> V5.7.3`).
    pub detail: String,
}

/// What kind of difference a [`Change`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Not in the previous scan: never seen before, or seen again after an absence.
    New,
    /// In the previous scan, not in this one.
    Gone,
    /// Firmware known in both scans, and different.
    FirmwareChanged,
    /// On another segment than in the previous scan.
    MovedSegment,
    /// Manufacturer, model or device class differ from the previous scan.
    IdentityChanged,
    /// A serial, MAC or certificate this device reported is claimed by another device too
    /// (two live hosts in one scan, or a key moved elsewhere with nothing else agreeing):
    /// kept as two devices.
    KeyConflict,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Gone => "gone",
            ChangeKind::FirmwareChanged => "firmware-changed",
            ChangeKind::MovedSegment => "moved-segment",
            ChangeKind::IdentityChanged => "identity-changed",
            ChangeKind::KeyConflict => "key-conflict",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
