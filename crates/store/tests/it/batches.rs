//! Scans recorded in batches as hosts finish: an unfinished scan's hosts are seen but it judges
//! nothing gone; a database locked by another writer is waited for (and the wait reported)
//! until it is released, and past the limit the write fails keeping earlier batches.

use crate::{host, identity, scan};
use model::SegmentRole;
use rusqlite::Connection;
use std::sync::mpsc;
use std::time::Duration;
use store::{ChangeKind, HostRecord, Sqlite, Store, StoreError, UNFINISHED};

const DEPOT: (&str, &str, SegmentRole) = ("depot", "10.2.0.0/24", SegmentRole::Other);

fn printer(address: &str) -> HostRecord {
    host(address, DEPOT, identity(None, None, None, None, ""))
}

#[track_caller]
fn check(db: &Sqlite, expect_sources: &[(&str, usize)], expect_changes: &[(&str, ChangeKind)]) {
    let scans = db.scans().unwrap();
    let sources: Vec<(&str, usize)> = scans.iter().map(|s| (s.2.as_str(), s.3)).collect();
    assert_eq!(sources, expect_sources, "scans");
    let last = scans.last().unwrap().0;
    let changes: Vec<(String, ChangeKind)> = db
        .changes(last)
        .unwrap()
        .into_iter()
        .map(|c| (c.device, c.kind))
        .collect();
    let expect: Vec<(String, ChangeKind)> = expect_changes
        .iter()
        .map(|(d, k)| ((*d).to_owned(), *k))
        .collect();
    assert_eq!(changes, expect, "changes of the last scan");
}

#[test]
fn an_unfinished_scan_counts_what_it_saw_and_judges_nothing_gone() {
    use ChangeKind::*;
    let mut db = Sqlite::open_in_memory().unwrap();
    let hosts = vec![printer("10.2.0.5"), printer("10.2.0.6")];
    db.record_scan(&scan("2024-01-10", "scan 10.2.0.0/24", hosts))
        .unwrap();
    let second = db
        .begin_scan("2024-02-10T09:00:00Z", "scan 10.2.0.0/24")
        .unwrap();
    db.record_hosts(second, &[printer("10.2.0.6")]).unwrap();
    db.record_hosts(second, &[printer("10.2.0.7")]).unwrap();
    let unfinished = format!("scan 10.2.0.0/24{UNFINISHED}");
    check(
        &db,
        &[("scan 10.2.0.0/24", 2), (&unfinished, 2)],
        &[("dev-3", New)],
    );
    let seen: Vec<(String, Option<String>)> = db
        .inventory("2024-02-10")
        .unwrap()
        .devices
        .into_iter()
        .map(|d| (d.id, d.last_seen))
        .collect();
    assert_eq!(
        seen,
        [
            ("dev-1".into(), Some("2024-01-10".into())),
            ("dev-2".into(), Some("2024-02-10".into())),
            ("dev-3".into(), Some("2024-02-10".into())),
        ],
        "the hosts of an unfinished scan count as seen"
    );

    // A third scan is judged against the last finished one, not the unfinished one.
    let third = db
        .begin_scan("2024-03-10T09:00:00Z", "scan 10.2.0.0/24")
        .unwrap();
    db.record_hosts(third, &[printer("10.2.0.5")]).unwrap();
    db.finish_scan(third, "2024-03-10T09:05:00Z").unwrap();
    check(
        &db,
        &[
            ("scan 10.2.0.0/24", 2),
            (&unfinished, 2),
            ("scan 10.2.0.0/24", 1),
        ],
        &[("dev-2", Gone)],
    );
    assert!(matches!(
        db.finish_scan(third, "whenever"),
        Err(StoreError::BadTime { .. })
    ));
}

/// A connection of "another process" holding the write lock on `path` from a thread until
/// told to let go; returns once the lock is held.
fn hold_write_lock(path: &std::path::Path) -> (mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let (held_tx, held) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let path = path.to_owned();
    let holder = std::thread::spawn(move || {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        held_tx.send(()).unwrap();
        let _ = release_rx.recv();
        conn.execute_batch("ROLLBACK").unwrap();
    });
    held.recv().unwrap();
    (release, holder)
}

#[test]
fn a_busy_database_is_waited_for_and_the_wait_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.db");
    let mut db = Sqlite::open(&path).unwrap();
    let id = db
        .begin_scan("2024-01-10T09:00:00Z", "scan 10.2.0.0/24")
        .unwrap();
    let (waits_tx, waits) = mpsc::channel();
    db.on_busy(move |waited| {
        let _ = waits_tx.send(waited);
    });
    let (release, holder) = hold_write_lock(&path);

    let writer = std::thread::spawn(move || {
        let result = db.record_hosts(id, &[printer("10.2.0.5")]);
        (db, result)
    });
    // Let go once the writer reports having waited three seconds.
    let mut reported = Vec::new();
    for waited in waits.iter() {
        reported.push(waited);
        if waited >= Duration::from_secs(3) {
            break;
        }
    }
    release.send(()).unwrap();
    holder.join().unwrap();
    let (db, result) = writer.join().unwrap();
    result.expect("the batch is recorded once the lock is released");
    assert!(
        reported.windows(2).all(|w| w[0] <= w[1]) && reported.len() >= 2,
        "waits are reported as they grow: {reported:?}"
    );
    assert_eq!(db.scans().unwrap()[0].3, 1);
}

#[test]
fn past_the_wait_limit_the_batch_fails_and_earlier_batches_stay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.db");
    let mut db = Sqlite::open(&path).unwrap();
    let id = db
        .begin_scan("2024-01-10T09:00:00Z", "scan 10.2.0.0/24")
        .unwrap();
    db.record_hosts(id, &[printer("10.2.0.5")]).unwrap();
    db.set_busy_timeout(Duration::from_millis(300)).unwrap();
    let (release, holder) = hold_write_lock(&path);

    let err = db.record_hosts(id, &[printer("10.2.0.6")]).unwrap_err();
    release.send(()).unwrap();
    holder.join().unwrap();
    assert!(
        matches!(err, StoreError::Locked { waited, .. } if waited >= Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("hosts recorded before are kept"),
        "{err}"
    );
    let scans = db.scans().unwrap();
    assert_eq!(scans[0].3, 1, "the first batch is kept");
    assert!(scans[0].2.ends_with(UNFINISHED));
}
