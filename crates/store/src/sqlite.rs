//! The SQLite backend: one database file in WAL mode, schema migrations embedded from
//! `migrations/sqlite/` and applied in order, and every SQL statement of the store. Each
//! batch of hosts is written in one IMMEDIATE transaction, so a crash loses only the batch in
//! progress. A database locked by another writer is waited for with back-off, the wait
//! reported to an observer, up to [`MAX_BUSY_WAIT`].

use crate::track::{self, Key, Keys};
use crate::{Change, ChangeKind, HostRecord, ScanId, ScanRecord, Store, StoreError};
use model::{Identity, Inventory, InventoryDevice, KeyConflict, Kind, Observation, SegmentRole};
use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params,
};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Schema migrations, applied in order; each is recorded in `schema_migrations`. Never edit a
/// released migration: add the next one.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_initial",
        include_str!("migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "0002_batches_and_conflicts",
        include_str!("migrations/sqlite/0002_batches_and_conflicts.sql"),
    ),
];

/// How long a write waits in total for another writer before giving up with
/// [`StoreError::Locked`]. Long, because giving up costs the rest of a scan (the batches
/// already written are kept): a backup or another audit holding the file for minutes must
/// not lose an hour of scanning.
pub const MAX_BUSY_WAIT: Duration = Duration::from_secs(10 * 60);

/// How long one attempt waits inside SQLite before returning to the retry loop, so that the
/// wait is reported (`database busy, waiting... 3 s`) at least this often.
const BUSY_SLICE: Duration = Duration::from_secs(1);

/// How long opening waits for another writer while it migrates the schema (once per
/// upgrade): opening is not retried, and an open that fails has lost nothing yet.
const MIGRATION_BUSY_WAIT: Duration = Duration::from_secs(5);

/// The first pause between attempts; it doubles up to [`BUSY_BACKOFF_MAX`].
const BUSY_BACKOFF_START: Duration = Duration::from_millis(50);

/// The longest pause between attempts: short enough that the lock is taken soon after it is
/// released, long enough not to spin against a long-running writer.
const BUSY_BACKOFF_MAX: Duration = Duration::from_secs(2);

/// Told how long a write has waited so far for another writer.
pub type BusyObserver = Box<dyn FnMut(Duration) + Send>;

/// The inventory in one SQLite file.
pub struct Sqlite {
    conn: Connection,
    path: PathBuf,
    busy_limit: Duration,
    on_busy: Option<BusyObserver>,
}

impl Sqlite {
    /// Opens (creating it if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let conn = Connection::open(path).map_err(|source| match code(&source) {
            Some(ErrorCode::NotADatabase) => StoreError::NotADatabase {
                path: path.to_owned(),
            },
            _ => StoreError::Open {
                path: path.to_owned(),
                source,
            },
        })?;
        Sqlite::setup(conn, path.to_owned())
    }

    /// A database that lives only as long as the value (for tests and one-off audits).
    pub fn open_in_memory() -> Result<Sqlite, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Sqlite::setup(conn, path)
    }

    /// How long a write waits in total for another writer before giving up with
    /// [`StoreError::Locked`] ([`MAX_BUSY_WAIT`] unless changed; zero gives up at once).
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> Result<(), StoreError> {
        self.busy_limit = timeout;
        self.conn
            .busy_timeout(timeout.min(BUSY_SLICE))
            .map_err(|e| self.err(e))
    }

    /// Calls `observer` with the time waited so far each time a write finds the database
    /// locked by another writer and is about to try again.
    pub fn on_busy(&mut self, observer: impl FnMut(Duration) + Send + 'static) {
        self.on_busy = Some(Box::new(observer));
    }

    /// Runs `f` in an IMMEDIATE transaction and commits it, trying again with back-off while
    /// another writer holds the database, for up to `busy_limit` in total.
    fn write<T>(
        &mut self,
        mut f: impl FnMut(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let start = Instant::now();
        let mut pause = BUSY_BACKOFF_START;
        loop {
            let attempt = (|| {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            })();
            let error = match attempt {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            let busy = matches!(
                code(&error),
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
            );
            let waited = start.elapsed();
            if !busy {
                return Err(self.err(error));
            }
            if waited >= self.busy_limit {
                return Err(StoreError::Locked {
                    path: self.path.clone(),
                    waited,
                });
            }
            if let Some(observer) = &mut self.on_busy {
                observer(waited);
            }
            // Back-off between attempts, not synchronisation: the lock holder is another
            // process, which tells us nothing when it is done.
            std::thread::sleep(pause.min(self.busy_limit - waited));
            pause = (pause * 2).min(BUSY_BACKOFF_MAX);
        }
    }

    /// Where the database is (`:memory:` for an in-memory one).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn setup(conn: Connection, path: PathBuf) -> Result<Sqlite, StoreError> {
        let mut db = Sqlite {
            conn,
            path,
            busy_limit: MAX_BUSY_WAIT,
            on_busy: None,
        };
        let e = |e| db_error(&db.path, e);
        db.conn.busy_timeout(MIGRATION_BUSY_WAIT).map_err(e)?;
        // The first read of the file: a file that is not SQLite fails here.
        let _mode: String = db
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(e)?;
        db.conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(e)?;
        // FULL keeps committed scans even across a power cut, at one extra sync per scan.
        db.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(e)?;
        db.migrate()?;
        db.conn.busy_timeout(BUSY_SLICE).map_err(|e| db.err(e))?;
        Ok(db)
    }

    fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
            [],
            |r| r.get(0),
        )?;
        if !exists {
            return Ok(0);
        }
        conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
    }

    /// Applies the migrations the database lacks. Reading the version first keeps a re-open
    /// from taking the write lock, so readers can open while a scan is being recorded.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        let path = self.path.clone();
        let e = |e| db_error(&path, e);
        let current = Sqlite::schema_version(&self.conn).map_err(e)?;
        if current == known {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        // Another process may have migrated while we waited for the lock.
        let current = Sqlite::schema_version(&tx).map_err(e)?;
        if current > known {
            return Err(StoreError::TooNew {
                path,
                found: current,
                known,
            });
        }
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version INTEGER PRIMARY KEY,
                 name    TEXT NOT NULL,
                 applied TEXT NOT NULL
             )",
        )
        .map_err(e)?;
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            tx.execute_batch(sql)
                .map_err(|source| StoreError::Migration { name, source })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied) VALUES (?1, ?2, ?3)",
                params![version, name, now],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        db_error(&self.path, e)
    }

    /// The id, start time and completeness of a recorded scan.
    fn scan_exists(&self, scan: ScanId) -> Result<(i64, i64, bool), StoreError> {
        self.conn
            .query_row(
                "SELECT id, started_unix, complete FROM scans WHERE id = ?1",
                [scan.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::UnknownScan(scan.0))
    }

    /// The sightings of one scan, by device row id.
    fn sightings_of(&self, scan: i64) -> Result<BTreeMap<i64, Sighting>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.device, s.address, s.site, s.segment, s.segment_role, s.identity, sc.day
                 FROM sightings s JOIN scans sc ON sc.id = s.scan WHERE s.scan = ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([scan], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    Sighting {
                        address: r.get(1)?,
                        site: r.get(2)?,
                        segment: r.get(3)?,
                        segment_role: r.get(4)?,
                        identity: r.get(5)?,
                        day: r.get(6)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

impl Sqlite {
    /// Gives each device the key conflicts recorded in the scan of its latest sighting, on
    /// both devices of each conflict.
    fn attach_conflicts(
        &self,
        devices: &mut [InventoryDevice],
        latest: &BTreeMap<i64, (usize, i64)>,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT scan, device, other, key, value, detail FROM key_conflicts ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (scan, device, other, key, value, detail) = row.map_err(|e| self.err(e))?;
            for (this, that) in [(device, other), (other, device)] {
                if let Some(&(index, last)) = latest.get(&this)
                    && last == scan
                    && let Some(d) = devices.get_mut(index)
                {
                    d.key_conflicts.push(KeyConflict {
                        key: key.clone(),
                        value: value.clone(),
                        other: track::device_name(that),
                        detail: detail.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// One device in one scan, as `changes` compares them.
struct Sighting {
    address: Option<String>,
    site: Option<String>,
    segment: Option<String>,
    segment_role: Option<String>,
    identity: String,
    day: String,
}

fn code(e: &rusqlite::Error) -> Option<ErrorCode> {
    e.sqlite_error_code()
}

/// Turns an SQLite error into one that says what to do.
fn db_error(path: &Path, source: rusqlite::Error) -> StoreError {
    let path = path.to_owned();
    match code(&source) {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked {
            path,
            waited: Duration::ZERO,
        },
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::NotADatabase { path }
        }
        Some(ErrorCode::DiskFull) => StoreError::Full { path },
        _ => StoreError::Sqlite { path, source },
    }
}

fn identity_json(identity: &Identity) -> String {
    let mut identity = identity.clone();
    // JSON has no NaN or infinity; an unusable confidence is no confidence.
    if !identity.confidence.is_finite() {
        identity.confidence = 0.0;
    }
    serde_json::to_string(&identity).unwrap_or_else(|_| "{}".to_owned())
}

fn parse_identity(device: i64, json: &str) -> Result<Identity, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Damaged {
        what: format!("identity of {}", track::device_name(device)),
        reason: e.to_string(),
    })
}

fn parse_role(device: i64, role: Option<String>) -> Result<Option<SegmentRole>, StoreError> {
    role.map(|r| {
        serde_json::from_value(serde_json::Value::String(r.clone())).map_err(|_| {
            StoreError::Damaged {
                what: format!("segment role of {}", track::device_name(device)),
                reason: format!("unknown role {r:?}"),
            }
        })
    })
    .transpose()
}

/// What a host's keys found among the known devices.
struct Found {
    /// The known device it is, with its keys.
    device: Option<(i64, Keys)>,
    /// Devices sharing a claimed key without corroboration (or already taken by another host
    /// of this scan): the key, and the other device with its keys.
    conflicts: Vec<(Key, i64, Keys)>,
}

fn known_keys(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, Keys)> {
    Ok((
        r.get(0)?,
        Keys {
            serial: r.get(1)?,
            mac: r.get(2)?,
            cert: r.get(3)?,
            address: r.get(4)?,
            segment: r.get(5)?,
            // How the stored MAC was learnt does not matter: independence is judged on the
            // host being matched.
            mac_observed: false,
        },
    ))
}

/// Whether the device already has a sighting in this scan (another host of it was recorded,
/// in this batch or an earlier one).
fn taken(tx: &Transaction<'_>, scan: i64, device: i64) -> rusqlite::Result<bool> {
    tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM sightings WHERE scan = ?1 AND device = ?2)")?
        .query_row(params![scan, device], |r| r.get(0))
}

/// Finds the known device a host is, by its strongest key that finds one which is not
/// already taken by another host of this scan, not contradicted by a stronger key, and
/// corroborated (see [`Keys::corroborated_by`]). Devices found through a claimed key that
/// fail the test are returned as conflicts.
fn find_device(tx: &Transaction<'_>, scan: i64, keys: &Keys) -> rusqlite::Result<Found> {
    let mut conflicts: Vec<(Key, i64, Keys)> = Vec::new();
    for key in Key::ORDER {
        let Some(value) = keys.get(key) else {
            continue;
        };
        // Among devices sharing the key (cheap devices repeat serials and MACs), prefer the
        // one at the same address, then the most recently seen.
        let sql = format!(
            "SELECT id, serial_key, mac_key, cert_key, address_key, segment_key FROM devices
             WHERE {} = ?1 ORDER BY address_key IS ?2 DESC, last_scan DESC, id DESC",
            key.column()
        );
        let mut stmt = tx.prepare_cached(&sql)?;
        let candidates: Vec<(i64, Keys)> = stmt
            .query_map(params![value, keys.address], known_keys)?
            .collect::<rusqlite::Result<_>>()?;
        for (id, known) in candidates {
            if keys.contradicts(&known, key) {
                continue;
            }
            let claim = key != Key::Address;
            if taken(tx, scan, id)? {
                // Two live hosts of one scan claiming one serial: a clone or a placeholder.
                if key == Key::Serial && !conflicts.iter().any(|c| c.1 == id) {
                    conflicts.push((key, id, known));
                }
                continue;
            }
            if keys.corroborated_by(&known) {
                return Ok(Found {
                    device: Some((id, known)),
                    conflicts,
                });
            }
            if claim && !conflicts.iter().any(|c| c.1 == id) {
                conflicts.push((key, id, known));
            }
        }
    }
    Ok(Found {
        device: None,
        conflicts,
    })
}

/// The hosts of a batch with those at a known device's address first. A host that claims a
/// known device's serial from elsewhere on its segment could otherwise take that device (and
/// its history) before the device itself, at its own address, is matched: matched first, the
/// device is taken, and the claimant becomes a new device with a key conflict. (Across batches
/// the order is the order hosts finish in; the conflict is recorded either way.)
fn in_matching_order<'h>(
    tx: &Transaction<'_>,
    hosts: &'h [HostRecord],
) -> rusqlite::Result<Vec<&'h HostRecord>> {
    let mut known_address =
        tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM devices WHERE address_key = ?1)")?;
    let mut first = Vec::with_capacity(hosts.len());
    let mut rest = Vec::new();
    for host in hosts {
        let address = Keys::of(host).address;
        let known = match address {
            Some(a) => known_address.query_row([a], |r| r.get::<_, bool>(0))?,
            None => false,
        };
        if known {
            first.push(host);
        } else {
            rest.push(host);
        }
    }
    first.extend(rest);
    Ok(first)
}

/// A conflict in words, naming both devices and where they are.
fn conflict_detail(key: Key, value: &str, this: (i64, &Keys), other: (i64, &Keys)) -> String {
    let place = |k: &Keys| {
        let address = k.address.as_deref().unwrap_or("no known address");
        match &k.segment {
            Some(segment) => format!("{address} on {segment}"),
            None => address.to_owned(),
        }
    };
    format!(
        "{} {value} is claimed by {} ({}) and {} ({}); nothing else agrees, so they are kept as two devices",
        key.name(),
        track::device_name(this.0),
        place(this.1),
        track::device_name(other.0),
        place(other.1),
    )
}

fn insert_host(tx: &Transaction<'_>, scan: i64, host: &HostRecord) -> rusqlite::Result<()> {
    let keys = Keys::of(host);
    let found = find_device(tx, scan, &keys)?;
    let (device, kept) = match found.device {
        Some((id, known)) => {
            let k = keys.merged_over(&known);
            tx.prepare_cached(
                "UPDATE devices SET serial_key = ?2, mac_key = ?3, cert_key = ?4, address_key = ?5,
                 segment_key = ?6, last_scan = ?7 WHERE id = ?1",
            )?
            .execute(params![
                id, k.serial, k.mac, k.cert, k.address, k.segment, scan
            ])?;
            (id, k)
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO devices (serial_key, mac_key, cert_key, address_key, segment_key,
                 last_scan) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                keys.serial,
                keys.mac,
                keys.cert,
                keys.address,
                keys.segment,
                scan
            ])?;
            (tx.last_insert_rowid(), keys.clone())
        }
    };
    for (key, other, other_keys) in &found.conflicts {
        if *other == device {
            continue;
        }
        let value = keys.get(*key).unwrap_or_default();
        tx.prepare_cached(
            "INSERT OR IGNORE INTO key_conflicts (scan, device, other, key, value, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            scan,
            device,
            other,
            key.name(),
            value,
            conflict_detail(*key, value, (device, &kept), (*other, other_keys)),
        ])?;
    }
    tx.prepare_cached(
        "INSERT INTO sightings (scan, device, address, mac, serial, cert_fingerprint, site, segment,
         segment_role, install_date, identity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        scan,
        device,
        host.address,
        host.mac,
        host.serial,
        host.cert_fingerprint,
        host.site,
        host.segment,
        host.segment_role.map(|r| r.as_str()),
        host.install_date,
        identity_json(&host.identity),
    ])?;
    let sighting = tx.last_insert_rowid();
    let mut stmt = tx.prepare_cached(
        "INSERT INTO observations (sighting, seq, observation_id, device, kind, address, port,
         request, response, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (seq, o) in host.observations.iter().enumerate() {
        stmt.execute(params![
            sighting,
            seq as i64,
            o.id,
            o.device,
            o.kind.as_str(),
            o.address,
            o.port,
            o.request,
            o.response,
            o.time,
        ])?;
    }
    tx.prepare_cached("UPDATE scans SET hosts = hosts + 1 WHERE id = ?1")?
        .execute([scan])?;
    Ok(())
}

/// Inserts the row of a begun scan: unfinished, no hosts yet, finished = started until
/// [`finish`] says otherwise.
fn begin(
    tx: &Transaction<'_>,
    started: &str,
    when: &track::When,
    source: &str,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO scans (started, finished, started_unix, day, source, hosts, complete)
         VALUES (?1, ?1, ?2, ?3, ?4, 0, 0)",
        params![started, when.unix, when.day, source],
    )?;
    Ok(tx.last_insert_rowid())
}

fn finish(tx: &Transaction<'_>, scan: i64, finished: &str) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE scans SET finished = ?2, complete = 1 WHERE id = ?1",
        params![scan, finished],
    )?;
    Ok(())
}

const OBSERVATION_COLUMNS: &str =
    "o.observation_id, o.device, o.kind, o.address, o.port, o.request, o.response, o.time";

/// One observation row; the inner error names a kind this sightline does not know.
fn observation(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Observation, String>> {
    let kind: String = r.get(2)?;
    let kind = match Kind::from_str(&kind) {
        Ok(kind) => kind,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(Observation {
        id: r.get(0)?,
        device: r.get(1)?,
        kind,
        address: r.get(3)?,
        port: r.get(4)?,
        request: r.get(5)?,
        response: r.get(6)?,
        time: r.get(7)?,
    }))
}

fn observations_damaged(reason: String) -> StoreError {
    StoreError::Damaged {
        what: "observation".to_owned(),
        reason,
    }
}

/// A short description of an identity for change details.
fn describe(identity: &Identity) -> String {
    let parts: Vec<String> = [
        identity.manufacturer.clone(),
        identity.model.clone(),
        identity.device_class.map(|c| format!("({c})")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "unidentified".to_owned()
    } else {
        parts.join(" ")
    }
}

fn place(s: &Sighting) -> String {
    let Some(segment) = &s.segment else {
        return "no known segment".to_owned();
    };
    let details: Vec<&str> = [s.site.as_deref(), s.segment_role.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if details.is_empty() {
        segment.clone()
    } else {
        format!("{segment} ({})", details.join(" "))
    }
}

impl Store for Sqlite {
    fn begin_scan(&mut self, started: &str, source: &str) -> Result<ScanId, StoreError> {
        let when = track::when("scan start time", started)?;
        let id = self.write(|tx| begin(tx, started, &when, source))?;
        Ok(ScanId(id))
    }

    fn record_hosts(&mut self, scan: ScanId, hosts: &[HostRecord]) -> Result<(), StoreError> {
        self.scan_exists(scan)?;
        self.write(|tx| {
            for host in in_matching_order(tx, hosts)? {
                insert_host(tx, scan.0, host)?;
            }
            Ok(())
        })
    }

    fn finish_scan(&mut self, scan: ScanId, finished: &str) -> Result<(), StoreError> {
        track::when("scan end time", finished)?;
        self.scan_exists(scan)?;
        self.write(|tx| finish(tx, scan.0, finished))
    }

    fn record_scan(&mut self, scan: &ScanRecord) -> Result<ScanId, StoreError> {
        let started = track::when("scan start time", &scan.started)?;
        track::when("scan end time", &scan.finished)?;
        let id = self.write(|tx| {
            let id = begin(tx, &scan.started, &started, &scan.source)?;
            for host in in_matching_order(tx, &scan.hosts)? {
                insert_host(tx, id, host)?;
            }
            finish(tx, id, &scan.finished)?;
            Ok(id)
        })?;
        Ok(ScanId(id))
    }

    fn inventory(&self, as_of: &str) -> Result<Inventory, StoreError> {
        let day = track::as_of_day(as_of)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.device, s.address, s.mac, s.serial, s.site, s.segment, s.segment_role,
                        s.install_date, s.identity, sc.day, sc.source, s.scan
                 FROM sightings s JOIN scans sc ON sc.id = s.scan
                 WHERE sc.day <= ?1
                 ORDER BY s.device, sc.started_unix, sc.id",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([&day]).map_err(|e| self.err(e))?;
        let mut devices: Vec<InventoryDevice> = Vec::new();
        // Each device's row id and the scan of its latest sighting, for its key conflicts.
        let mut latest: BTreeMap<i64, (usize, i64)> = BTreeMap::new();
        let mut current: Option<i64> = None;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let row = (|| -> rusqlite::Result<_> {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, i64>(11)?,
                ))
            })()
            .map_err(|e| self.err(e))?;
            let (
                device,
                address,
                mac,
                serial,
                site,
                segment,
                role,
                install,
                identity,
                seen,
                source,
                scan,
            ) = row;
            if current != Some(device) {
                current = Some(device);
                devices.push(InventoryDevice {
                    id: track::device_name(device),
                    first_seen: Some(seen.clone()),
                    ..InventoryDevice::default()
                });
            }
            latest.insert(device, (devices.len().saturating_sub(1), scan));
            let Some(d) = devices.last_mut() else {
                continue;
            };
            // The latest sighting says where the device is and what it is; keys and the
            // install date are kept from earlier sightings when the latest lacks them.
            let mut identity = parse_identity(device, &identity)?;
            identity.device = d.id.clone();
            d.identity = identity;
            d.address = address;
            d.site = site;
            d.segment = segment;
            d.segment_role = parse_role(device, role)?;
            if let Some(m) = mac.as_deref().and_then(track::mac) {
                d.mac = Some(m);
            }
            if let Some(s) = serial
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
            {
                d.serial = Some(s);
            }
            if install.is_some() {
                d.install_date = install;
            }
            if d.first_seen.as_ref().is_none_or(|f| seen < *f) {
                d.first_seen = Some(seen.clone());
            }
            if d.last_seen.as_ref().is_none_or(|l| seen > *l) {
                d.last_seen = Some(seen);
            }
            if !d.sources.contains(&source) {
                d.sources.push(source);
            }
        }
        self.attach_conflicts(&mut devices, &latest)?;
        Ok(Inventory {
            as_of: day,
            devices,
        })
    }

    fn changes(&self, scan: ScanId) -> Result<Vec<Change>, StoreError> {
        let (id, started, complete) = self.scan_exists(scan)?;
        // Only a finished scan is a baseline: an unfinished one did not look everywhere.
        let previous: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM scans WHERE (started_unix, id) < (?1, ?2) AND complete = 1
                 ORDER BY started_unix DESC, id DESC LIMIT 1",
                [started, id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let now = self.sightings_of(id)?;
        let before = match previous {
            Some(p) => self.sightings_of(p)?,
            None => BTreeMap::new(),
        };
        // When each device of this scan was last seen before it, for "seen again" details.
        let mut last_before = self
            .conn
            .prepare_cached(
                "SELECT MAX(sc.day) FROM sightings s JOIN scans sc ON sc.id = s.scan
                 WHERE s.device = ?1 AND (sc.started_unix, sc.id) < (?2, ?3)",
            )
            .map_err(|e| self.err(e))?;
        let mut changes = Vec::new();
        let devices: std::collections::BTreeSet<i64> =
            now.keys().chain(before.keys()).copied().collect();
        for device in devices {
            let name = track::device_name(device);
            let change = |s: &Sighting, kind, detail| Change {
                device: name.clone(),
                address: s.address.clone(),
                kind,
                detail,
            };
            match (before.get(&device), now.get(&device)) {
                (None, Some(n)) => {
                    let identity = parse_identity(device, &n.identity)?;
                    let seen: Option<String> = last_before
                        .query_row(params![device, started, id], |r| r.get(0))
                        .map_err(|e| self.err(e))?;
                    let detail = match seen {
                        Some(day) => format!(
                            "seen again (last seen {day}): {} on {}",
                            describe(&identity),
                            place(n)
                        ),
                        None => format!("first seen: {} on {}", describe(&identity), place(n)),
                    };
                    changes.push(change(n, ChangeKind::New, detail));
                }
                (Some(b), None) if complete => {
                    let identity = parse_identity(device, &b.identity)?;
                    let detail = format!(
                        "not seen since {}: {} on {}",
                        b.day,
                        describe(&identity),
                        place(b)
                    );
                    changes.push(change(b, ChangeKind::Gone, detail));
                }
                (Some(b), Some(n)) => {
                    let old = parse_identity(device, &b.identity)?;
                    let new = parse_identity(device, &n.identity)?;
                    if let (Some(o), Some(f)) = (&old.firmware, &new.firmware)
                        && o != f
                    {
                        let detail = format!("firmware {o} -> {f}");
                        changes.push(change(n, ChangeKind::FirmwareChanged, detail));
                    }
                    if b.segment != n.segment {
                        let detail = format!("segment {} -> {}", place(b), place(n));
                        changes.push(change(n, ChangeKind::MovedSegment, detail));
                    }
                    let what =
                        |i: &Identity| (i.manufacturer.clone(), i.model.clone(), i.device_class);
                    if what(&old) != what(&new) {
                        let detail = format!("{} -> {}", describe(&old), describe(&new));
                        changes.push(change(n, ChangeKind::IdentityChanged, detail));
                    }
                }
                (Some(_), None) | (None, None) => {}
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT k.device, s.address, k.detail FROM key_conflicts k
                 LEFT JOIN sightings s ON s.scan = k.scan AND s.device = k.device
                 WHERE k.scan = ?1 ORDER BY k.device, k.id",
            )
            .map_err(|e| self.err(e))?;
        let conflicts = stmt
            .query_map([id], |r| {
                Ok(Change {
                    device: track::device_name(r.get(0)?),
                    address: r.get(1)?,
                    kind: ChangeKind::KeyConflict,
                    detail: r.get(2)?,
                })
            })
            .map_err(|e| self.err(e))?;
        for c in conflicts {
            changes.push(c.map_err(|e| self.err(e))?);
        }
        changes.sort_by(|a, b| {
            let n = |c: &Change| track::device_row(&c.device);
            n(a).cmp(&n(b)).then(a.kind.cmp(&b.kind))
        });
        Ok(changes)
    }

    fn scans(&self) -> Result<Vec<(ScanId, String, String, usize)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, started, source, hosts, complete FROM scans ORDER BY started_unix, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let mut source: String = r.get(2)?;
                if !r.get::<_, bool>(4)? {
                    source.push_str(crate::UNFINISHED);
                }
                Ok((
                    ScanId(r.get(0)?),
                    r.get(1)?,
                    source,
                    r.get::<_, i64>(3)?.max(0) as usize,
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn observations(&self, device: &str) -> Result<Vec<Observation>, StoreError> {
        let unknown = || StoreError::UnknownDevice(device.to_owned());
        let row = track::device_row(device).ok_or_else(unknown)?;
        let exists: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM devices WHERE id = ?1)",
                [row],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        if !exists {
            return Err(unknown());
        }
        let sql = format!(
            "SELECT {OBSERVATION_COLUMNS} FROM observations o
             JOIN sightings s ON s.id = o.sighting JOIN scans sc ON sc.id = s.scan
             WHERE s.device = ?1 ORDER BY sc.started_unix DESC, sc.id DESC, o.seq"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([row], observation)
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r.map_err(|e| self.err(e))?.map_err(observations_damaged)?);
        }
        Ok(out)
    }

    fn reidentify(
        &mut self,
        identify: &dyn Fn(&str, &[Observation]) -> Identity,
    ) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let e = |e| db_error(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let sightings: Vec<(i64, i64, String)> = {
            let mut stmt = tx
                .prepare("SELECT id, device, identity FROM sightings ORDER BY id")
                .map_err(e)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(e)?;
            rows.collect::<Result<_, _>>().map_err(e)?
        };
        let mut updated = HashSet::new();
        {
            let sql = format!(
                "SELECT {OBSERVATION_COLUMNS} FROM observations o WHERE o.sighting = ?1 ORDER BY o.seq"
            );
            let mut select = tx.prepare(&sql).map_err(e)?;
            let mut update = tx
                .prepare("UPDATE sightings SET identity = ?2 WHERE id = ?1")
                .map_err(e)?;
            for (sighting, device, old) in sightings {
                let mut observations = Vec::new();
                for r in select.query_map([sighting], observation).map_err(e)? {
                    observations.push(r.map_err(e)?.map_err(observations_damaged)?);
                }
                if observations.is_empty() {
                    continue;
                }
                let new = identify(&track::device_name(device), &observations);
                // The device name inside an identity is the caller's label, not a change.
                let mut old = parse_identity(device, &old)?;
                old.device.clone_from(&new.device);
                if identity_json(&old) != identity_json(&new) {
                    update
                        .execute(params![sighting, identity_json(&new)])
                        .map_err(e)?;
                    updated.insert(device);
                }
            }
        }
        tx.commit().map_err(e)?;
        Ok(updated.len())
    }
}
