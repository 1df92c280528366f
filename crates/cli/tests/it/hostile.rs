//! Hostile devices beside good ones, scanned by the binary (issue 9): the same good lab devices
//! are scanned alone and then beside one hostile device of every kind. Every good device must
//! come out identified exactly as when alone, no hostile device as covered (except the serial
//! clone, which is a Hikvision), the scan must end within the good-only time plus the per-host
//! budget plus 10 s, hosts stopped by the budget must say so, and the scan runs with its data
//! memory limited, so one that bloats fails.

use lab::{EstateConfig, Hostile, Placement, catalog, plan};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// The per-host budget given to the scans, in seconds.
const BUDGET_SECS: u64 = 4;

/// The scans' data memory limit (`ulimit -d`), in KiB: far above what a debug build needs for
/// this estate (tens of MB), far below what the attacks cost without caps (gigabytes).
const DATA_LIMIT_KIB: u64 = 512 * 1024;

/// Upper bound on the good-only scan, so that a stalled scan fails instead of hanging.
const ALONE_LIMIT: Duration = Duration::from_secs(120);

const NET: &str = "127.77.0.0/26";

struct Scan {
    /// Address -> the host's JSON line.
    hosts: BTreeMap<String, Value>,
    wall: Duration,
}

fn scan(ports: &str, limit: Duration) -> Scan {
    let bin = assert_cmd::cargo::cargo_bin("sightline");
    let started = Instant::now();
    let out = assert_cmd::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -d {DATA_LIMIT_KIB} && exec \"$0\" \"$@\""))
        .arg(bin)
        .args(["scan", NET, "--ports", ports, "--discover"])
        .args(["--format", "jsonl", "--no-progress"])
        .args(["--host-budget", &BUDGET_SECS.to_string()])
        .timeout(limit)
        .output()
        .expect("runs");
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "scan failed after {wall:?} ({:?}): {}",
        out.status,
        stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
    );
    let hosts = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .map(|v| (v["address"].as_str().unwrap_or_default().to_string(), v))
        .collect();
    Scan { hosts, wall }
}

/// What is compared between the two scans: manufacturer and covered (None: not reported).
fn identity(s: &Scan, addr: &str) -> Option<(Value, Value)> {
    s.hosts
        .get(addr)
        .map(|h| (h["manufacturer"].clone(), h["covered"].clone()))
}

/// Whether a host's line says its budget ran out.
fn budget_exhausted(host: &Value) -> bool {
    host["status"] == "budget-exhausted"
}

#[test]
fn hostile_devices_neither_stall_nor_fool_a_scan() {
    let c = catalog();
    let alone_cfg = EstateConfig {
        devices: 20,
        net: NET.parse().expect("net"),
        seed: 9,
        misbehaving: 0.0,
        hostile: 0,
        each: false,
    };
    let mixed_cfg = EstateConfig {
        hostile: Hostile::ALL.len(),
        ..alone_cfg.clone()
    };
    let alone = plan(&alone_cfg, &c).expect("plan");
    let mixed = plan(&mixed_cfg, &c).expect("plan");
    let hostile_at: BTreeMap<String, Hostile> = mixed
        .iter()
        .filter_map(|p| c[p.persona].hostile.map(|k| (p.address.to_string(), k)))
        .collect();
    assert_eq!(hostile_at.len(), Hostile::ALL.len(), "one of every kind");
    // Both scans sweep the same ports: every TCP port of the mixed estate, and no others.
    let ports: BTreeSet<u16> = mixed
        .iter()
        .flat_map(|p| &c[p.persona].services)
        .filter(|s| s.proto != lab::persona::Proto::Udp)
        .map(|s| s.port)
        .collect();
    let ports = ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let serve = |placements: &[Placement]| {
        rt.block_on(lab::Lab::start(placements, &c))
            .expect("lab starts (run as root for ports below 1024)")
    };
    let lab = serve(&alone);
    let before = scan(&ports, ALONE_LIMIT);
    rt.block_on(lab.stop());
    let bound = before.wall + Duration::from_secs(BUDGET_SECS + 10);
    let lab = serve(&mixed);
    // Past the bound the scan is stopped: it fails below, whatever it would have found.
    let after = scan(&ports, bound + Duration::from_secs(5));
    rt.block_on(lab.stop());

    assert!(
        after.wall <= bound,
        "beside hostile devices the scan took {:?}; alone {:?}, budget {BUDGET_SECS} s",
        after.wall,
        before.wall
    );
    let mut reported = 0;
    for p in &alone {
        let addr = p.address.to_string();
        let want = identity(&before, &addr);
        reported += usize::from(want.is_some());
        assert_eq!(
            identity(&after, &addr),
            want,
            "good device {addr} ({}) changed beside hostile devices",
            c[p.persona].id
        );
    }
    assert!(reported >= 15, "the good devices answer ({reported}/20)");
    for (addr, kind) in &hostile_at {
        let host = after.hosts.get(addr);
        let covered = host.is_some_and(|h| h["covered"] == true);
        assert_eq!(
            covered,
            kind.looks_covered(),
            "{addr} {}: {:?}",
            kind.name(),
            host.map(|h| &h["manufacturer"])
        );
        if *kind == Hostile::SerialClone {
            assert_eq!(
                host.map(|h| &h["manufacturer"]),
                Some(&Value::from("Hikvision"))
            );
        }
        if matches!(kind, Hostile::Tarpit | Hostile::ByteDrip) {
            let host = host.unwrap_or_else(|| panic!("{addr} {} not reported", kind.name()));
            assert!(
                budget_exhausted(host),
                "{addr} {} does not say its budget ran out",
                kind.name()
            );
        }
    }
}
