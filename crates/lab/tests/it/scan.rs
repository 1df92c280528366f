//! End to end on loopback: serve an estate, scan its whole network with the real engine,
//! identify every responsive host, and compare with the estate's truth.

use lab::{EstateConfig, catalog, plan};
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanning_an_estate_finds_its_covered_devices() {
    let c = catalog();
    let cfg = EstateConfig {
        devices: 80,
        net: "127.73.0.0/24".parse().unwrap(),
        seed: 11,
        misbehaving: 0.1,
        hostile: 0,
        each: false,
    };
    let placements = plan(&cfg, &c).expect("plan");
    let lab = lab::Lab::start(&placements, &c)
        .await
        .expect("lab starts (needs root for ports below 1024)");

    let targets = scan::Targets::parse(&["127.73.0.0/24".to_string()], &[]).expect("targets");
    let mut ports: Vec<u16> = scan::ports::default_ports();
    // The estate's devices also answer on the ports their captures came from.
    for p in &placements {
        ports.extend(
            c[p.persona]
                .services
                .iter()
                .filter(|s| s.proto != lab::persona::Proto::Udp)
                .map(|s| s.port),
        );
    }
    ports.sort_unstable();
    ports.dedup();
    let scfg = scan::ScanConfig {
        ports,
        cx: scan::probe::Cx {
            read_timeout: Duration::from_millis(1500),
            ..Default::default()
        },
        ..Default::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let started = std::time::Instant::now();
    let cancel = tokio_util::sync::CancellationToken::new();
    let engine = tokio::spawn(async move { scan::scan(&targets, &scfg, tx, cancel).await });
    let db = fingerprint::Database::embedded().0;
    let mut found: HashMap<IpAddr, model::Identity> = HashMap::new();
    while let Some(scan::Event::HostDone(h)) = rx.recv().await {
        if !h.observations.is_empty() {
            found.insert(
                h.address,
                db.identify(&h.address.to_string(), &h.observations),
            );
        }
    }
    let summary = engine.await.expect("engine");
    assert_eq!(summary.hosts_scanned, 256);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "misbehaving devices must not stall the scan: {:?}",
        started.elapsed()
    );

    let mut covered = 0;
    let mut covered_found = 0;
    for p in &placements {
        let persona = &c[p.persona];
        let id = found.get(&IpAddr::V4(p.address));
        if persona.truth.covered
            && persona
                .services
                .iter()
                .any(|s| s.proto != lab::persona::Proto::Udp)
        {
            covered += 1;
            covered_found += usize::from(id.is_some_and(|i| i.covered));
        }
        if !persona.truth.covered {
            assert!(
                !id.is_some_and(|i| i.covered),
                "false covered: {} {} -> {:?}",
                p.address,
                persona.id,
                id.and_then(|i| i.manufacturer.clone())
            );
        }
    }
    assert!(covered >= 10, "the estate has covered devices ({covered})");
    assert!(
        covered_found * 10 >= covered * 7,
        "covered recall {covered_found}/{covered}"
    );
    lab.stop().await;
}
