//! `audit --scan` records hosts in batches as they finish: a scan of a loopback lab estate
//! reaches the store in several transactions of at most `batch_hosts` hosts each, hosts of an
//! unfinished scan are already in the inventory, and finishing the scan completes it.

use audit::pipeline::{self, Recorder};
use model::{Identity, Inventory, Observation};
use std::path::Path;
use std::time::Duration;
use store::{Change, HostRecord, ScanId, ScanRecord, Sqlite, Store, StoreError, UNFINISHED};

/// The store, counting the hosts of each batch it is given.
struct Counting {
    inner: Sqlite,
    batches: Vec<usize>,
}

impl Store for Counting {
    fn begin_scan(&mut self, started: &str, source: &str) -> Result<ScanId, StoreError> {
        self.inner.begin_scan(started, source)
    }
    fn record_hosts(&mut self, scan: ScanId, hosts: &[HostRecord]) -> Result<(), StoreError> {
        self.batches.push(hosts.len());
        self.inner.record_hosts(scan, hosts)
    }
    fn finish_scan(&mut self, scan: ScanId, finished: &str) -> Result<(), StoreError> {
        self.inner.finish_scan(scan, finished)
    }
    fn record_scan(&mut self, scan: &ScanRecord) -> Result<ScanId, StoreError> {
        self.inner.record_scan(scan)
    }
    fn inventory(&self, as_of: &str) -> Result<Inventory, StoreError> {
        self.inner.inventory(as_of)
    }
    fn changes(&self, scan: ScanId) -> Result<Vec<Change>, StoreError> {
        self.inner.changes(scan)
    }
    fn scans(&self) -> Result<Vec<(ScanId, String, String, usize)>, StoreError> {
        self.inner.scans()
    }
    fn observations(&self, device: &str) -> Result<Vec<Observation>, StoreError> {
        self.inner.observations(device)
    }
    fn reidentify(
        &mut self,
        identify: &dyn Fn(&str, &[Observation]) -> Identity,
    ) -> Result<usize, StoreError> {
        self.inner.reidentify(identify)
    }
}

const ESTATE: &str = r#"
[organisation]
name = "Lab"

[[site]]
id = "lab"
name = "Lab"

[[segment]]
cidr = "127.74.0.0/26"
site = "lab"
role = "cctv"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_reaches_the_store_in_batches() {
    let personas = lab::catalog();
    let default_ports = scan::ports::default_ports();
    let usable: Vec<lab::Persona> = personas
        .into_iter()
        .filter(|p| p.services.iter().any(|s| default_ports.contains(&s.port)))
        .collect();
    let cfg = lab::EstateConfig {
        devices: 12,
        net: "127.74.0.0/26".parse().unwrap(),
        seed: 5,
        misbehaving: 0.0,
        hostile: 0,
        each: false,
    };
    let placements = lab::plan(&cfg, &usable).expect("plan");
    let running = lab::Lab::start(&placements, &usable)
        .await
        .expect("lab starts");
    let estate = audit::parse_estate(ESTATE, Path::new("estate.toml")).expect("estate");
    let targets = pipeline::estate_targets(&estate).expect("targets");
    let mut scfg = scan::ScanConfig::default();
    scfg.cx.read_timeout = Duration::from_millis(1500);
    let db = fingerprint::Database::embedded().0;
    let mut store = Counting {
        inner: Sqlite::open_in_memory().unwrap(),
        batches: Vec::new(),
    };
    let id = store
        .begin_scan("2024-01-10T09:00:00Z", "scan 127.74.0.0/26")
        .unwrap();
    let mut recorder = Recorder::new(&mut store, id);
    recorder.batch_hosts = 3;
    let cancel = tokio_util::sync::CancellationToken::new();
    let (recorded, summary) =
        pipeline::scan_records(&db, &estate, &targets, &scfg, cancel, &mut recorder)
            .await
            .expect("scan");
    running.stop().await;

    assert_eq!(recorded, summary.hosts_up, "every responsive host recorded");
    assert!(recorded >= 10, "the lab's devices answered: {recorded}");
    assert_eq!(store.batches.iter().sum::<usize>(), recorded);
    assert!(
        store.batches.len() >= recorded / 3 && store.batches.iter().all(|n| (1..=3).contains(n)),
        "batches of at most 3 hosts: {:?}",
        store.batches
    );
    let scans = store.scans().unwrap();
    assert!(scans[0].2.ends_with(UNFINISHED));
    assert_eq!(
        store.inventory("2024-01-10").unwrap().devices.len(),
        recorded,
        "the hosts of an unfinished scan are in the inventory"
    );
    store.finish_scan(id, "2024-01-10T09:05:00Z").unwrap();
    assert_eq!(store.scans().unwrap()[0].2, "scan 127.74.0.0/26");
}
