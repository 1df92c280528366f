//! `sightline audit` and `sightline demo`: the audit pipeline with people-facing output.

use crate::ExitCode;
use crate::args::{AuditArgs, DemoArgs};
use crate::identify::load_db;
use anyhow::{Context, Result, bail};
use audit::import::{ColumnMap, csv_register, nmap_xml, scan_jsonl};
use audit::pipeline::{self, ReportInputs};
use model::Severity;
use std::path::Path;
use store::Store;
use tokio_util::sync::CancellationToken;

fn now() -> (String, String) {
    let t = time::OffsetDateTime::now_utc();
    let rfc = t
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let day = format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day());
    (rfc, day)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn catalogue_for(
    estate: &audit::LoadedEstate,
    explicit: Option<&Path>,
) -> Result<(Vec<model::CatalogueItem>, String, bool)> {
    match explicit
        .map(Path::to_path_buf)
        .or_else(|| estate.catalogue_path())
    {
        Some(p) => Ok(audit::load_catalogue(&p)?),
        None => Ok((Vec::new(), "GBP".into(), false)),
    }
}

pub fn run(a: AuditArgs) -> Result<ExitCode> {
    let fail_on: Option<Severity> = a
        .fail_on
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    if !a.scan && a.import.is_empty() && !a.db.exists() {
        bail!(
            "nothing to audit: give --scan (scan the estate's segments), --import FILE, or --db with an existing inventory"
        );
    }
    if policy::profile(&a.profile).is_none() {
        let ids: Vec<&str> = policy::profiles().iter().map(|p| p.id).collect();
        bail!(
            "unknown profile {:?}: choose one of {}",
            a.profile,
            ids.join(", ")
        );
    }
    let estate = audit::load_estate(&a.estate)?;
    for w in &estate.warnings {
        eprintln!("warning: {w}");
    }
    let (catalogue, currency, sample) = catalogue_for(&estate, a.catalogue.as_deref())?;
    let db = load_db(a.data.data.as_deref())?;
    let mut store = open_store(&a.db)?;
    let map = a
        .map
        .as_deref()
        .map(ColumnMap::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?
        .unwrap_or_default();
    for file in &a.import {
        let (started, _) = now();
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let name = file.display().to_string();
        let hosts = match file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase()
            .as_str()
        {
            "csv" => csv_register(&text, &name, &map)?,
            "xml" => nmap_xml(&text, &name)?,
            "jsonl" | "json" | "ndjson" => scan_jsonl(&text, &name)?,
            other => bail!(
                "cannot import {name}: unknown file type {other:?}; use .csv (asset register), .xml (nmap -oX) or .jsonl (sightline scan)"
            ),
        };
        let n = hosts.len();
        for w in hosts.iter().flat_map(|h| &h.warnings) {
            eprintln!("warning: {}", report::text::terminal(w));
        }
        let records = pipeline::imported_records(&db, &estate, hosts);
        let (finished, _) = now();
        pipeline::record(
            &mut store,
            &started,
            &finished,
            &format!("import {name}"),
            records,
        )?;
        eprintln!("imported {n} devices from {name}");
    }
    if a.scan {
        let targets = pipeline::estate_targets(&estate)?;
        let mut cfg = a.scan_options.to_config()?;
        cfg.fit_to_open_files();
        let (started, _) = now();
        eprintln!(
            "scanning {} addresses of {} segments...",
            targets.len(),
            estate.networks().len()
        );
        let nets: Vec<String> = estate.networks().iter().map(|n| n.to_string()).collect();
        let scan_id = store.begin_scan(&started, &format!("scan {}", nets.join(" ")))?;
        let rt = runtime()?;
        let (_, summary) = rt.block_on(async {
            let cancel = CancellationToken::new();
            crate::stop_on_ctrl_c(cancel.clone());
            let mut recorder = pipeline::Recorder::new(&mut store, scan_id);
            pipeline::scan_records(&db, &estate, &targets, &cfg, cancel, &mut recorder).await
        })?;
        // A scan stopped by Ctrl-C stays unfinished: what it did not reach is not gone.
        if !summary.cancelled {
            let (finished, _) = now();
            store.finish_scan(scan_id, &finished)?;
        }
        eprintln!(
            "scanned {} hosts in {:.1} s: {} responsive{}",
            summary.hosts_scanned,
            summary.elapsed.as_secs_f64(),
            summary.hosts_up,
            if summary.cancelled {
                " (stopped by Ctrl-C)"
            } else {
                ""
            }
        );
    }
    let (now_rfc, today) = now();
    let inputs = ReportInputs {
        estate: &estate,
        profile: &a.profile,
        today: &today,
        now: &now_rfc,
        catalogue: &catalogue,
        currency: &currency,
        sample_catalogue: sample,
        notes: vec![],
    };
    let r = pipeline::build_report(&db, &store, inputs)?;
    let files = pipeline::write_reports(&r, &a.out)?;
    print_summary(&r, &a.out);
    for f in &files {
        eprintln!("wrote {}", f.display());
    }
    let counts = pipeline::severity_counts(&r.findings);
    let failing = fail_on.is_some_and(|min| counts.keys().any(|s| *s >= min));
    Ok(if failing {
        ExitCode::Findings
    } else {
        ExitCode::Clean
    })
}

/// Opens the inventory database, showing on stderr when a write waits for another program
/// holding it (the store retries with back-off up to `store::MAX_BUSY_WAIT`).
fn open_store(path: &Path) -> Result<store::Sqlite> {
    let mut store = store::Sqlite::open(path)
        .with_context(|| format!("cannot open the inventory database {}", path.display()))?;
    store.on_busy(|waited| {
        eprintln!(
            "database busy (locked by another program), waiting... {} s",
            waited.as_secs()
        );
    });
    Ok(store)
}

fn print_summary(r: &report::Report, out: &Path) {
    let counts = pipeline::severity_counts(&r.findings);
    let covered = r
        .inventory
        .devices
        .iter()
        .filter(|d| d.identity.covered)
        .count();
    let waived = r.findings.iter().filter(|f| f.waived.is_some()).count();
    println!(
        "{} - {} ({})",
        report::text::terminal(&r.organisation),
        r.profile_name,
        r.profile
    );
    println!(
        "  devices: {} ({} covered)",
        r.inventory.devices.len(),
        covered
    );
    let by: Vec<String> = Severity::ALL
        .iter()
        .map(|s| format!("{} {}", counts.get(s).copied().unwrap_or(0), s))
        .collect();
    println!("  findings: {} ({} waived)", by.join(", "), waived);
    println!(
        "  remediation: {} devices, {}{}",
        r.plan.items.len(),
        report::text::terminal(&report::text::money_in(r.plan.total_cost, &r.plan.currency)),
        if r.plan.sample_catalogue {
            " (sample catalogue prices)"
        } else {
            ""
        }
    );
    println!("  report: {}", out.join("report.html").display());
}

pub fn reidentify(a: crate::args::ReidentifyArgs) -> Result<ExitCode> {
    if !a.db.exists() {
        bail!(
            "no inventory database at {}: run `sightline audit` first, or give --db",
            a.db.display()
        );
    }
    let db = load_db(a.data.data.as_deref())?;
    let mut store = store::Sqlite::open(&a.db)?;
    let changed = store.reidentify(&|device, obs| db.identify(device, obs))?;
    println!(
        "{changed} device(s) changed identity under the current fingerprints ({} fingerprints, {} companies)",
        db.fingerprints.len(),
        db.registry.companies.len()
    );
    Ok(ExitCode::Clean)
}

/// The demo's own inventory file: not `sightline.db`, the default of `audit`, so that a demo run
/// in a working directory can never be mistaken for (or replace) a real inventory.
const DEMO_DB: &str = "demo.db";
/// Written into the demo's output folder: a later demo run replaces only what an earlier one made.
const DEMO_MARKER: &str = ".sightline-demo";

/// Every file the demo writes into its folder.
fn demo_files() -> Vec<String> {
    let mut files: Vec<String> = ["", "-wal", "-shm"]
        .iter()
        .map(|s| format!("{DEMO_DB}{s}"))
        .collect();
    files.extend(
        report::Format::ALL
            .iter()
            .map(|f| f.file_name().to_string()),
    );
    files
}

/// Makes the demo's folder ready and returns its database path. The demo starts from an empty
/// inventory, so it deletes its earlier database, but only one that an earlier demo made (the
/// folder carries the demo's marker); files it did not make are never deleted or overwritten.
fn prepare_demo_dir(dir: &Path) -> Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let marker = dir.join(DEMO_MARKER);
    if !marker.exists() {
        let theirs: Vec<String> = demo_files()
            .into_iter()
            .filter(|f| dir.join(f).exists())
            .collect();
        if !theirs.is_empty() {
            bail!(
                "{} already holds {} that the demo did not make; choose another folder with --out DIR",
                dir.display(),
                theirs.join(", ")
            );
        }
        std::fs::write(
            &marker,
            "This folder was made by `sightline demo`; a later demo run replaces its files.\n",
        )
        .with_context(|| format!("cannot write {}", marker.display()))?;
    }
    let db_path = dir.join(DEMO_DB);
    for suffix in ["", "-wal", "-shm"] {
        let path = dir.join(format!("{DEMO_DB}{suffix}"));
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot replace {}", path.display())),
        }
    }
    Ok(db_path)
}

/// One of the demo's scans, begun and streamed into the store; the caller finishes it (the
/// first scan carries a simulated finish time).
async fn demo_scan(
    store: &mut store::Sqlite,
    db: &fingerprint::Database,
    estate: &audit::LoadedEstate,
    targets: &scan::Targets,
    cfg: &scan::ScanConfig,
    started: &str,
    source: &str,
) -> Result<(store::ScanId, scan::Summary)> {
    let id = store.begin_scan(started, source)?;
    let mut recorder = pipeline::Recorder::new(store, id);
    let (_, summary) = pipeline::scan_records(
        db,
        estate,
        targets,
        cfg,
        CancellationToken::new(),
        &mut recorder,
    )
    .await?;
    Ok((id, summary))
}

const DEMO_ESTATE: &str = include_str!("../../../examples/estate/estate.toml");
const DEMO_CATALOGUE: &str = include_str!("../../../examples/estate/catalogue.toml");

/// The demo: a simulated estate on loopback, scanned twice (once "before the ban", once now,
/// after more devices appeared), stored, audited against uk-gov-2022, reported.
pub fn demo(a: DemoArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let db_path = prepare_demo_dir(&a.out)?;
    let estate = audit::parse_estate(DEMO_ESTATE, Path::new("examples/estate/estate.toml"))?;
    let (catalogue, currency, sample) =
        audit::parse_catalogue(DEMO_CATALOGUE, Path::new("examples/estate/catalogue.toml"))?;
    let db = load_db(None)?;
    let mut store = open_store(&db_path)?;
    let personas = lab::catalog();
    let default_ports = scan::ports::default_ports();
    // Devices answering on the default ports (a real audit scans those).
    let usable: Vec<lab::Persona> = personas
        .into_iter()
        .filter(|p| p.services.iter().any(|s| default_ports.contains(&s.port)))
        .collect();
    let segments = [
        ("127.90.1.0/24", 6, 2, 11),
        ("127.90.2.0/24", 12, 4, 12),
        ("127.90.10.0/24", 10, 3, 13),
        ("127.90.20.0/24", 8, 0, 14),
    ];
    let mut before = Vec::new();
    let mut after = Vec::new();
    for (net, n1, n2, seed) in segments {
        let cfg = lab::EstateConfig {
            devices: n1 + n2,
            net: net.parse()?,
            seed,
            misbehaving: 0.05,
            hostile: 0,
            each: false,
        };
        let mut placed = lab::plan(&cfg, &usable)?;
        // The sample estate's waiver names 127.90.20.5: make sure a device lives there.
        if net == "127.90.20.0/24" && !placed.iter().any(|p| p.address.octets()[3] == 5) {
            placed[0].address = "127.90.20.5".parse()?;
        }
        let later = placed.split_off(n1);
        before.extend(placed);
        after.extend(later);
    }
    let rt = runtime()?;
    let targets = pipeline::estate_targets(&estate)?;
    let mut cfg = scan::ScanConfig::default();
    cfg.cx.read_timeout = std::time::Duration::from_millis(1500);
    cfg.fit_to_open_files();
    let summary = rt.block_on(async {
        let lab1 = lab::Lab::start(&before, &usable).await?;
        eprintln!(
            "demo: {} simulated devices on 4 segments of 3 sites (127.90.0.0/16, loopback)",
            before.len()
        );
        // The first scan stands for the inventory taken before the November 2022 statement.
        let (first, s1) = demo_scan(
            &mut store,
            &db,
            &estate,
            &targets,
            &cfg,
            "2022-06-01T09:00:00Z",
            "scan 127.90.0.0/16 (simulated date: before the ban)",
        )
        .await?;
        store.finish_scan(first, "2022-06-01T09:05:00Z")?;
        eprintln!(
            "demo: first scan (dated 2022-06-01): {} responsive hosts",
            s1.hosts_up
        );
        let lab2 = lab::Lab::start(&after, &usable).await?;
        let (start2, _) = now();
        let (second, s2) = demo_scan(
            &mut store,
            &db,
            &estate,
            &targets,
            &cfg,
            &start2,
            "scan 127.90.0.0/16",
        )
        .await?;
        let (end2, _) = now();
        store.finish_scan(second, &end2)?;
        eprintln!(
            "demo: second scan (today, {} devices added since): {} responsive hosts",
            after.len(),
            s2.hosts_up
        );
        lab2.stop().await;
        lab1.stop().await;
        Ok::<_, anyhow::Error>(s2)
    })?;
    let _ = summary;
    let (now_rfc, today) = now();
    let notes = vec![
        "Demo: devices are simulated on loopback addresses and replay real captured answers (sightline lab).".to_string(),
        "The first scan is dated 2022-06-01 to stand for an inventory taken before the November 2022 statement; devices first seen in the second scan count as new deployments.".to_string(),
    ];
    let inputs = ReportInputs {
        estate: &estate,
        profile: "uk-gov-2022",
        today: &today,
        now: &now_rfc,
        catalogue: &catalogue,
        currency: &currency,
        sample_catalogue: sample,
        notes,
    };
    let r = pipeline::build_report(&db, &store, inputs)?;
    pipeline::write_reports(&r, &a.out)?;
    print_summary(&r, &a.out);
    eprintln!(
        "demo finished in {:.1} s; open {} in a browser",
        started.elapsed().as_secs_f64(),
        a.out.join("report.html").display()
    );
    Ok(ExitCode::Clean)
}
