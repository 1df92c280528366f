//! A fresh database gets the whole schema and records its migrations; re-opening changes
//! nothing; a newer, foreign or damaged file is refused with a message that says what to do.

use crate::{host, identity, scan};
use model::SegmentRole;
use rusqlite::Connection;
use store::{Sqlite, Store, StoreError};

fn tables(path: &std::path::Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn migrations(path: &std::path::Path) -> Vec<(i64, String, String)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT version, name, applied FROM schema_migrations ORDER BY version")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_fresh_file_gets_every_table_and_records_its_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.db");
    let db = Sqlite::open(&path).unwrap();
    assert_eq!(db.scans().unwrap(), Vec::new());
    drop(db);

    assert_eq!(
        tables(&path),
        [
            "devices",
            "key_conflicts",
            "observations",
            "scans",
            "schema_migrations",
            "sightings"
        ]
    );
    let applied = migrations(&path);
    let names: Vec<(i64, &str)> = applied.iter().map(|m| (m.0, m.1.as_str())).collect();
    assert_eq!(
        names,
        [(1, "0001_initial"), (2, "0002_batches_and_conflicts")]
    );
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn reopening_keeps_data_and_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.db");
    let mut db = Sqlite::open(&path).unwrap();
    let place = ("hq", "10.1.0.0/24", SegmentRole::Core);
    let one = host("10.1.0.5", place, identity(None, None, None, None, ""));
    db.record_scan(&scan("2024-01-10", "scan 10.1.0.0/24", vec![one]))
        .unwrap();
    let scans = db.scans().unwrap();
    drop(db);
    let before = migrations(&path);

    let db = Sqlite::open(&path).unwrap();
    assert_eq!(db.scans().unwrap(), scans);
    assert_eq!(
        migrations(&path),
        before,
        "a re-open must not migrate again"
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.db");
    drop(Sqlite::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations (version, name, applied) VALUES (99, 'future', 'x')",
            [],
        )
        .unwrap();
    let err = Sqlite::open(&path)
        .err()
        .expect("a newer schema must be refused");
    assert!(
        matches!(
            err,
            StoreError::TooNew {
                found: 99,
                known: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().ends_with("upgrade sightline"), "{err}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let text = "these are my notes, not a database\n".repeat(200);
    std::fs::write(&path, &text).unwrap();
    let err = Sqlite::open(&path)
        .err()
        .expect("a text file is not a database");
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("use --db"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_bad_scan_time_records_nothing() {
    let mut db = Sqlite::open_in_memory().unwrap();
    let mut record = scan("2024-01-10", "scan 10.1.0.0/24", Vec::new());
    record.started = "10 Jan 2024".to_owned();
    let err = db.record_scan(&record).unwrap_err();
    assert!(matches!(err, StoreError::BadTime { .. }), "{err:?}");
    assert!(err.to_string().contains("RFC 3339"), "{err}");
    assert_eq!(db.scans().unwrap(), Vec::new());
}

#[test]
fn a_database_locked_by_another_writer_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.db");
    let mut db = Sqlite::open(&path).unwrap();
    db.set_busy_timeout(std::time::Duration::ZERO).unwrap();
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();

    let err = db
        .record_scan(&scan("2024-01-10", "scan 10.1.0.0/24", Vec::new()))
        .unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("locked by another sightline: wait"),
        "{err}"
    );
    // Reading is not blocked by a writer.
    assert_eq!(db.scans().unwrap(), Vec::new());

    other.execute_batch("ROLLBACK").unwrap();
    db.record_scan(&scan("2024-01-10", "scan 10.1.0.0/24", Vec::new()))
        .unwrap();
}

#[test]
fn a_missing_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("inventory.db");
    let err = Sqlite::open(&path)
        .err()
        .expect("the directory does not exist");
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("no-such-dir") && message.ends_with("check the path and its permissions"),
        "{message}"
    );
}
