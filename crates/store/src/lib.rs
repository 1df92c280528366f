//! The inventory and its history: every scan or import recorded in one transaction, raw
//! observations kept verbatim, identities derived from them (with evidence), devices tracked
//! across scans, and the differences between scans. This is the only crate that speaks SQL.
//!
//! Callers use the [`Store`] trait, so a PostgreSQL backend can be added beside [`Sqlite`]
//! without touching them. Every SQL statement lives in the backend's module (`sqlite.rs` and
//! `migrations/sqlite/`); device matching rules and dates live in `track.rs`, shared by all
//! backends.

mod error;
mod sqlite;
mod track;

pub use error::StoreError;
pub use sqlite::Sqlite;

use model::{Identity, Inventory, Observation, SegmentRole};
use serde::Serialize;
use std::fmt;

/// The inventory with its history. Implemented by [`Sqlite`]; a PostgreSQL backend would be a
/// second implementation with the same behaviour (the integration tests describe it).
pub trait Store {
    /// Records one scan or import in one transaction: the scan row, every observation verbatim,
    /// each host's identity with its evidence, and which known device each host is (matched
    /// by serial number, else MAC, else TLS certificate fingerprint, else address). Either all
    /// of it is stored or, on error or crash, none of it.
    fn record_scan(&mut self, scan: &ScanRecord) -> Result<ScanId, StoreError>;

    /// The latest state of every device seen on or before `as_of` (`YYYY-MM-DD`, or an
    /// RFC 3339 time whose date is taken): identity, site and segment from the latest scan that
    /// saw it, first and last seen dates, install date and the sources that know it.
    fn inventory(&self, as_of: &str) -> Result<Inventory, StoreError>;

    /// What changed between `scan` and the scan before it: new devices, gone devices, changed
    /// firmware, moved segment, changed identity. Every device of the first scan is new.
    fn changes(&self, scan: ScanId) -> Result<Vec<Change>, StoreError>;

    /// Every recorded scan, oldest first: id, start time, source and number of hosts.
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
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Gone => "gone",
            ChangeKind::FirmwareChanged => "firmware-changed",
            ChangeKind::MovedSegment => "moved-segment",
            ChangeKind::IdentityChanged => "identity-changed",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
