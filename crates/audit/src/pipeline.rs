//! The audit pipeline: hosts (scanned or imported) are identified, placed on the estate and
//! recorded in the store (a scan in batches as hosts finish, so memory is bounded by the hosts
//! in flight and a crash keeps every finished batch; an import in one go); then the inventory
//! is evaluated against a profile, planned, and rendered into reports.

use crate::estate::LoadedEstate;
use crate::import::ImportedHost;
use fingerprint::Database;
use model::{Identity, Observation, Severity};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use store::{HostRecord, ScanId, ScanRecord, Store};

/// Finished hosts written together in one transaction. Each host holds its raw answers (up to
/// megabytes from a hostile device), so this bounds what waits in memory for the store, while
/// keeping transactions (and their syncs) few on a large estate.
pub const BATCH_HOSTS: usize = 64;

/// Finished hosts queued between the engine and the recorder. While a batch is being written
/// (or waits for a busy database) the engine goes on until this queue is full, then waits:
/// with the batch and the hosts in flight, this bounds the answers held in memory.
const FINISHED_IN_QUEUE: usize = BATCH_HOSTS;

/// Longest a finished host waits in memory before its batch is written, however few hosts
/// finished: on a slow scan (tarpits, a busy network) results reach the disk, and survive a
/// crash, within seconds.
pub const BATCH_INTERVAL: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("unknown profile {0:?}: choose one of {1}")]
    Profile(String, String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the scan stopped unexpectedly ({0}); the hosts it finished are recorded as an unfinished scan: run the audit again, and report this if it repeats"
    )]
    Scan(String),
}

/// Identify a host and place it on the estate, ready to record.
pub fn host_record(
    db: &Database,
    estate: &LoadedEstate,
    address: Option<String>,
    mac: Option<String>,
    serial: Option<String>,
    install_date: Option<String>,
    observations: Vec<Observation>,
) -> HostRecord {
    let device = address
        .clone()
        .or(mac.clone())
        .or(serial.clone())
        .unwrap_or_else(|| "unknown".into());
    let identity: Identity = db.identify(&device, &observations);
    let placed = address.as_deref().and_then(|a| estate.place(a));
    // Identification extracted the keys once (`identity.keys`): the serial the device reported
    // for itself, and a MAC only when the answer says it is the device's own (a router's client
    // list names other devices). A MAC observation (neighbour table, asset register) is the
    // network's or the owner's record and comes first.
    let keys = &identity.keys;
    let serial = serial.or_else(|| keys.serial.clone().filter(|s| !s.trim().is_empty()));
    let observed = mac.or_else(|| mac_observed(&observations));
    let mac_observed = observed.is_some();
    let mac = observed.or_else(|| keys.own_mac().map(str::to_owned));
    let cert_fingerprint = observations
        .iter()
        .find(|o| o.kind == model::Kind::TlsCert)
        .map(|o| digest(&o.response));
    HostRecord {
        address,
        mac,
        mac_observed,
        serial,
        cert_fingerprint,
        observations,
        identity,
        site: placed.as_ref().map(|p| p.0.clone()),
        segment: placed.as_ref().map(|p| p.1.clone()),
        segment_role: placed.map(|p| p.2),
        install_date,
    }
}

/// The MAC of a MAC observation (neighbour table, asset register), if there is one.
fn mac_observed(observations: &[Observation]) -> Option<String> {
    observations
        .iter()
        .find(|o| o.kind == model::Kind::Mac)
        .and_then(|o| fingerprint::oui::normalize_mac(&o.response_text()))
}

/// A short stable digest (FNV-1a 64) of a certificate, to recognise a device across scans;
/// not a security hash: nothing is verified with it.
fn digest(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Host records from imported hosts.
pub fn imported_records(
    db: &Database,
    estate: &LoadedEstate,
    hosts: Vec<ImportedHost>,
) -> Vec<HostRecord> {
    hosts
        .into_iter()
        .map(|h| {
            host_record(
                db,
                estate,
                h.address,
                h.mac,
                h.serial,
                h.install_date,
                h.observations,
            )
        })
        .collect()
}

/// Where and how scanned hosts are recorded: the store, a scan begun in it, and how often.
pub struct Recorder<'a> {
    pub store: &'a mut dyn Store,
    pub scan: ScanId,
    /// At most this many hosts per transaction ([`BATCH_HOSTS`] unless changed).
    pub batch_hosts: usize,
    /// At most this long between a host finishing and its batch being written
    /// ([`BATCH_INTERVAL`] unless changed).
    pub batch_interval: Duration,
}

impl<'a> Recorder<'a> {
    pub fn new(store: &'a mut dyn Store, scan: ScanId) -> Recorder<'a> {
        Recorder {
            store,
            scan,
            batch_hosts: BATCH_HOSTS,
            batch_interval: BATCH_INTERVAL,
        }
    }

    /// Writes a batch. Writing may wait for a busy database (the store retries with back-off),
    /// so on a multi-threaded runtime it runs as blocking work and the scan goes on meanwhile,
    /// held back only by the bounded channel from the engine.
    /// Returns how many hosts it wrote.
    fn write(&mut self, batch: &mut Vec<HostRecord>) -> Result<usize, store::StoreError> {
        let n = batch.len();
        if n == 0 {
            return Ok(0);
        }
        let (store, scan) = (&mut *self.store, self.scan);
        let result = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => {
                tokio::task::block_in_place(|| store.record_hosts(scan, batch))
            }
            _ => store.record_hosts(scan, batch),
        };
        batch.clear();
        result.map(|()| n)
    }
}

/// Scan the estate's segments (or `targets`), identifying, placing and recording responsive
/// hosts in batches into `recorder`'s scan as they finish. Returns how many hosts were
/// recorded and the engine's summary. The caller begins the scan and finishes it (or leaves
/// it unfinished when the scan was stopped). If a batch cannot be written (the database
/// stayed locked past the store's limit) the scan is stopped and the error returned; every
/// batch written before stays.
pub async fn scan_records(
    db: &Database,
    estate: &LoadedEstate,
    targets: &scan::Targets,
    cfg: &scan::ScanConfig,
    cancel: tokio_util::sync::CancellationToken,
    recorder: &mut Recorder<'_>,
) -> Result<(usize, scan::Summary), PipelineError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(FINISHED_IN_QUEUE);
    let t = targets.clone();
    let c = cfg.clone();
    let stop = cancel.clone();
    let engine = tokio::spawn(async move { scan::scan(&t, &c, tx, cancel).await });
    let mut batch: Vec<HostRecord> = Vec::with_capacity(recorder.batch_hosts);
    let mut recorded = 0usize;
    let mut oldest: Option<tokio::time::Instant> = None;
    let mut failed = None;
    loop {
        let event = match oldest {
            Some(since) => {
                match tokio::time::timeout_at(since + recorder.batch_interval, rx.recv()).await {
                    Ok(event) => event,
                    Err(_elapsed) => {
                        match recorder.write(&mut batch) {
                            Ok(n) => recorded += n,
                            Err(e) => {
                                failed = Some(e);
                                break;
                            }
                        }
                        oldest = None;
                        continue;
                    }
                }
            }
            None => rx.recv().await,
        };
        let Some(scan::Event::HostDone(h)) = event else {
            break;
        };
        if h.observations.is_empty() {
            continue;
        }
        batch.push(host_record(
            db,
            estate,
            Some(h.address.to_string()),
            None,
            None,
            None,
            h.observations,
        ));
        oldest.get_or_insert_with(tokio::time::Instant::now);
        if batch.len() >= recorder.batch_hosts.max(1) {
            match recorder.write(&mut batch) {
                Ok(n) => recorded += n,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
            oldest = None;
        }
    }
    if failed.is_none() {
        match recorder.write(&mut batch) {
            Ok(n) => recorded += n,
            Err(e) => failed = Some(e),
        }
    }
    if let Some(e) = failed {
        // Stop the engine and let it drain; nothing more can be recorded.
        stop.cancel();
        rx.close();
        let _ = engine.await;
        return Err(e.into());
    }
    let summary = engine
        .await
        .map_err(|e| PipelineError::Scan(e.to_string()))?;
    Ok((recorded, summary))
}

/// Targets covering every segment of the estate.
pub fn estate_targets(estate: &LoadedEstate) -> Result<scan::Targets, scan::TargetError> {
    let specs: Vec<String> = estate.networks().iter().map(|n| n.to_string()).collect();
    scan::Targets::parse(&specs, &[])
}

/// Record hosts (an import) as one scan, in one transaction.
pub fn record(
    store: &mut dyn Store,
    started: &str,
    finished: &str,
    source: &str,
    hosts: Vec<HostRecord>,
) -> Result<ScanId, PipelineError> {
    Ok(store.record_scan(&ScanRecord {
        started: started.into(),
        finished: finished.into(),
        source: source.into(),
        hosts,
    })?)
}

/// Everything the report needs besides the store.
pub struct ReportInputs<'a> {
    pub estate: &'a LoadedEstate,
    pub profile: &'a str,
    pub today: &'a str,
    pub now: &'a str,
    pub catalogue: &'a [model::CatalogueItem],
    pub currency: &'a str,
    pub sample_catalogue: bool,
    pub notes: Vec<String>,
}

/// Evaluate the store's inventory and build the report.
pub fn build_report(
    db: &Database,
    store: &dyn Store,
    inputs: ReportInputs<'_>,
) -> Result<report::Report, PipelineError> {
    let profile = policy::profile(inputs.profile).ok_or_else(|| {
        let ids: Vec<&str> = policy::profiles().iter().map(|p| p.id).collect();
        PipelineError::Profile(inputs.profile.to_string(), ids.join(", "))
    })?;
    let mut inventory = store.inventory(inputs.today)?;
    for d in &mut inventory.devices {
        if d.production_date.is_none()
            && let (Some(serial), Some(maker)) = (&d.serial, &d.identity.manufacturer)
        {
            d.production_date = policy::serial_production_date(maker, serial);
        }
        if d.site.is_none()
            && let Some(placed) = d.address.as_deref().and_then(|a| inputs.estate.place(a))
        {
            d.site = Some(placed.0);
            d.segment = Some(placed.1);
            d.segment_role = Some(placed.2);
        }
    }
    inventory
        .devices
        .sort_by_key(|d| d.address.as_deref().and_then(|a| a.parse::<IpAddr>().ok()));
    let cx = policy::Context {
        estate: &inputs.estate.estate,
        registry: &db.registry,
        today: inputs.today,
    };
    let findings = policy::evaluate(&inventory, &profile, &cx);
    let mut plan = policy::plan(
        &findings,
        &inventory,
        &inputs.estate.estate,
        inputs.catalogue,
        inputs.sample_catalogue,
    );
    if plan.currency.is_empty() {
        plan.currency = inputs.currency.to_string();
    }
    let rules = profile
        .rules
        .iter()
        .map(|r| {
            let d = r.doc();
            report::RuleInfo {
                id: r.id().into(),
                title: d.title.into(),
                what: d.what.into(),
                why: d.why.into(),
                example: d.example.into(),
                fix: d.fix.into(),
            }
        })
        .collect();
    let mut method = report::Method {
        fingerprints: db.fingerprints.len(),
        registry_companies: db.registry.companies.len(),
        tool_version: format!("sightline {}", env!("CARGO_PKG_VERSION")),
        notes: inputs.notes,
        ..Default::default()
    };
    let mut history = Vec::new();
    let scans = store.scans()?;
    for (id, started, source, hosts) in &scans {
        let line = format!("{started}: {source} ({hosts} hosts)");
        if source.starts_with("import") {
            method.imports.push(line)
        } else {
            method.scans.push(line)
        }
        for c in store.changes(*id)? {
            history.push(report::Change {
                device: c.device,
                address: c.address,
                what: c.kind.to_string(),
                detail: c.detail,
                scan: format!("{started} {source}"),
            });
        }
    }
    Ok(report::Report {
        organisation: inputs.estate.estate.organisation.name.clone(),
        generated: inputs.now.to_string(),
        profile: profile.id.to_string(),
        profile_name: profile.name.to_string(),
        estate: inputs.estate.estate.clone(),
        inventory,
        findings,
        plan,
        rules,
        method,
        history,
    })
}

/// Write every report format into `out`; returns the files written.
pub fn write_reports(r: &report::Report, out: &Path) -> Result<Vec<PathBuf>, PipelineError> {
    std::fs::create_dir_all(out).map_err(|e| PipelineError::Write {
        path: out.display().to_string(),
        source: e,
    })?;
    let mut written = Vec::new();
    for f in [
        report::Format::Html,
        report::Format::Json,
        report::Format::Csv,
        report::Format::FindingsCsv,
        report::Format::Markdown,
    ] {
        let path = out.join(f.file_name());
        std::fs::write(&path, report::render(r, f)).map_err(|e| PipelineError::Write {
            path: path.display().to_string(),
            source: e,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Unwaived findings per severity.
pub fn severity_counts(findings: &[model::Finding]) -> BTreeMap<Severity, usize> {
    let mut m = BTreeMap::new();
    for f in findings.iter().filter(|f| f.waived.is_none()) {
        if let Some(s) = f.severity {
            *m.entry(s).or_insert(0) += 1;
        }
    }
    m
}
