//! What can go wrong with the store, each message saying what to do next.

use std::path::PathBuf;
use std::time::Duration;

/// An error of the inventory store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "database {path} is locked by another sightline: wait for it to finish or use --db to pick another file (gave up after waiting {} s; hosts recorded before are kept)", waited.as_secs()
    )]
    Locked { path: PathBuf, waited: Duration },

    #[error("cannot open database {path}: {source}; check the path and its permissions")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "{path} is not a sightline database or is damaged: use --db to pick another file, or restore it from a backup"
    )]
    NotADatabase { path: PathBuf },

    #[error(
        "database {path} has schema version {found}, newer than this sightline knows ({known}): upgrade sightline"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error("migration {name} failed: {source}; the database is unchanged, report this as a bug")]
    Migration {
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "{what} {value:?} is not a valid time: {reason}; use RFC 3339, e.g. 2024-05-01T09:00:00Z"
    )]
    BadTime {
        what: &'static str,
        value: String,
        reason: String,
    },

    #[error("date {value:?} is not valid: use YYYY-MM-DD or an RFC 3339 time")]
    BadDate { value: String },

    #[error("no scan with id {0}: list the recorded scans to pick one")]
    UnknownScan(i64),

    #[error("no device {0:?} in the inventory: device ids look like dev-12")]
    UnknownDevice(String),

    #[error(
        "stored {what} is damaged ({reason}): the database was changed outside sightline; restore it from a backup"
    )]
    Damaged { what: String, reason: String },

    #[error("database {path} is full or the disk is full: free some space and run again")]
    Full { path: PathBuf },

    #[error("database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}
