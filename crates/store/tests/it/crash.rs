//! Crash safety: a process killed (SIGKILL) in the middle of recording a scan leaves a database
//! that opens, passes SQLite's integrity check, and holds exactly the scans committed before
//! plus every batch of the scan in progress that was committed before the kill.
//!
//! The test re-executes its own binary as the child (selected by an environment variable).
//! The parent learns that the child is deep inside the scan's transaction, without sleeping,
//! by watching the write-ahead log grow and asking for the write lock itself: it is refused
//! only while the child holds it.

use crate::{host, identity, obs, scan};
use model::{DeviceClass, Kind, SegmentRole};
use rusqlite::{Connection, ErrorCode};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use store::{HostRecord, ScanRecord, Sqlite, Store, UNFINISHED};

const CHILD: &str = "SIGHTLINE_STORE_CRASH_CHILD";
const COMMITTED: &str = "crash-child: committed";
const DONE: &str = "crash-child: done";
const PLACE: (&str, &str, SegmentRole) = ("hq", "10.0.0.0/8", SegmentRole::Cctv);

fn small(day: &str, n: u8) -> ScanRecord {
    small_at(day, "10.0.0", 1..=n)
}

fn small_at(day: &str, net: &str, range: std::ops::RangeInclusive<u8>) -> ScanRecord {
    let hosts = range
        .map(|i| {
            let address = format!("{net}.{i}");
            let id = format!("{day}-{i}");
            HostRecord {
                observations: vec![obs(
                    &id,
                    &address,
                    Kind::Http,
                    80,
                    b"HTTP/1.1 200 OK\r\n\r\n",
                )],
                ..host(
                    &address,
                    PLACE,
                    identity(Some("Axis"), None, None, None, &id),
                )
            }
        })
        .collect();
    scan(day, "scan 10.0.0.0/8", hosts)
}

/// A scan big enough that recording it takes a while (about a second in a debug build):
/// 100,000 hosts, 200,000 observations.
fn large() -> ScanRecord {
    let body = vec![b'x'; 64];
    let hosts = (0..100_000u32)
        .map(|i| {
            let address = format!("10.{}.{}.{}", 1 + i / 65_536, (i / 256) % 256, i % 256);
            let class = Some(DeviceClass::Camera);
            HostRecord {
                mac: Some(format!(
                    "02:00:00:{:02x}:{:02x}:{:02x}",
                    i >> 16,
                    (i >> 8) & 255,
                    i & 255
                )),
                observations: (0..2)
                    .map(|k| obs(&format!("big-{i}-{k}"), &address, Kind::Http, 80, &body))
                    .collect(),
                ..host(
                    &address,
                    PLACE,
                    identity(Some("Hikvision"), None, class, None, "big"),
                )
            }
        })
        .collect();
    scan("2024-01-03", "scan 10.0.0.0/8", hosts)
}

/// The child: commits two scans, begins a third and commits two batches of it (3 and 2 new
/// hosts), says so, then records the large batch (and says if it ever finishes, which it must
/// not: it is killed first).
fn child(path: &Path) {
    let big = large();
    let mut db = Sqlite::open(path).unwrap();
    db.record_scan(&small("2024-01-01", 3)).unwrap();
    db.record_scan(&small("2024-01-02", 5)).unwrap();
    let third = db.begin_scan(&big.started, &big.source).unwrap();
    db.record_hosts(third, &small_at("2024-01-03", "10.9.0", 1..=3).hosts)
        .unwrap();
    db.record_hosts(third, &small_at("2024-01-03", "10.9.0", 4..=5).hosts)
        .unwrap();
    println!("{COMMITTED}");
    db.record_hosts(third, &big.hosts).unwrap();
    println!("{DONE}");
}

/// Whether another connection holds the write lock (a transaction is in progress).
fn write_locked(conn: &Connection) -> bool {
    match conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
        Ok(()) => false,
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) => true,
        Err(e) => panic!("probing the write lock failed: {e}"),
    }
}

#[test]
fn killed_mid_scan_keeps_committed_scans() {
    if let Some(path) = std::env::var_os(CHILD) {
        child(Path::new(&path));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.db");
    let mut process = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash::killed_mid_scan_keeps_committed_scans",
            "--nocapture",
        ])
        .args(["--test-threads", "1"])
        .env(CHILD, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(process.stdout.take().unwrap());
    let mut line = String::new();
    while !line.trim_end().ends_with(COMMITTED) {
        line.clear();
        let n = out.read_line(&mut line).unwrap();
        assert!(n > 0, "the child ended before committing its first scans");
    }

    // Kill well inside the transaction: once it has spilled megabytes of pages into the WAL
    // (so a scan written piecemeal would have left some of itself behind) and still holds
    // the lock.
    let wal = path.with_extension("db-wal");
    let wal_len = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let probe = Connection::open(&path).unwrap();
    probe.busy_timeout(std::time::Duration::ZERO).unwrap();
    while !(wal_len() > 8 << 20 && write_locked(&probe)) {
        let exited = process.try_wait().unwrap();
        assert!(
            exited.is_none(),
            "the child exited ({exited:?}) before it was killed"
        );
        std::thread::yield_now();
    }
    process.kill().unwrap(); // SIGKILL
    process.wait().unwrap();
    drop(probe);
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert!(
        !rest.contains(DONE),
        "the large scan finished before the kill; make it larger"
    );

    let db = Sqlite::open(&path).unwrap();
    let scans: Vec<(String, usize)> = db
        .scans()
        .unwrap()
        .into_iter()
        .map(|s| (s.1, s.3))
        .collect();
    assert_eq!(
        scans,
        [
            ("2024-01-01T09:00:00Z".to_owned(), 3),
            ("2024-01-02T09:00:00Z".to_owned(), 5),
            ("2024-01-03T09:00:00Z".to_owned(), 5),
        ]
    );
    let sources: Vec<String> = db.scans().unwrap().into_iter().map(|s| s.2).collect();
    assert!(
        sources[2].ends_with(UNFINISHED),
        "the killed scan is unfinished: {sources:?}"
    );
    assert_eq!(db.inventory("2024-12-31").unwrap().devices.len(), 10);
    drop(db);

    let conn = Connection::open(&path).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT COUNT(*) FROM devices"),
        10,
        "the devices of the committed batches, none of the killed one"
    );
    assert_eq!(count("SELECT COUNT(*) FROM sightings"), 13);
    assert_eq!(count("SELECT COUNT(*) FROM observations"), 13);
    assert_eq!(count("SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
}
