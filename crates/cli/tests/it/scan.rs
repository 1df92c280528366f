//! `sightline scan` options: the host budget as a user sets it and sees it.

use super::{sightline, stdout_of};
use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// `--host-budget` takes seconds with decimals; nonsense is refused with the flag's name.
#[test]
fn host_budget_is_validated() {
    for bad in ["0", "-1", "abc", "NaN", "100000"] {
        let (_, err, code) = stdout_of(sightline().args([
            "scan",
            "127.215.0.9",
            "--no-progress",
            &format!("--host-budget={bad}"),
        ]));
        assert_eq!(code, 2, "--host-budget {bad}: {err}");
        assert!(err.contains("host-budget"), "--host-budget {bad}: {err}");
    }
}

/// A tarpit (accepts, never answers) on three ports is reported as budget-exhausted once the
/// host budget (2.5 s) is spent: each silent port costs a read deadline (1.5 s on loopback).
#[test]
fn a_tarpit_is_reported_budget_exhausted() {
    let mut ports = Vec::new();
    for _ in 0..3 {
        let listener = TcpListener::bind("127.215.0.1:0").expect("bind loopback");
        ports.push(listener.local_addr().expect("addr").port());
        // Holds every connection open without a word, until the test process ends.
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for mut s in listener.incoming().flatten() {
                let _ = s.set_nonblocking(true);
                let _ = s.read(&mut [0u8; 64]);
                held.push(s);
            }
        });
    }
    ports.sort_unstable();
    let list: Vec<String> = ports.iter().map(u16::to_string).collect();
    let started = Instant::now();
    let (out, err, code) = stdout_of(sightline().args([
        "scan",
        "127.215.0.1",
        "--ports",
        &list.join(","),
        "--read-timeout",
        "10000",
        "--host-budget",
        "2.5",
        "--format",
        "jsonl",
        "--no-progress",
    ]));
    let elapsed = started.elapsed();
    assert_eq!(code, 0, "{err}");
    assert!(elapsed < Duration::from_secs(8), "scan took {elapsed:?}");
    let host: serde_json::Value =
        serde_json::from_str(out.lines().next().expect("one host")).expect("json");
    assert_eq!(host["address"], "127.215.0.1");
    assert_eq!(host["status"], "budget-exhausted", "{host}");
    assert_eq!(host["ports"], serde_json::json!(ports));
    assert!(err.contains("1 budget-exhausted"), "{err}");
}

/// UDP discovery runs by default, unicast to the named target only; `--no-discover` turns it
/// off; the old `--discover` flag is still accepted; `scan --help` says so.
#[test]
fn discovery_is_on_by_default_and_can_be_turned_off() {
    let (help, _, code) = stdout_of(sightline().args(["scan", "--help"]));
    assert_eq!(code, 0);
    assert!(help.contains("--no-discover"), "{help}");
    assert!(help.contains("unicast to the named targets"), "{help}");
    // A listener on the DHIP discovery port of the target: the scan's probe lands in its buffer.
    let listener = std::net::UdpSocket::bind("127.215.0.20:37810").expect("bind loopback");
    listener.set_nonblocking(true).expect("nonblocking");
    let closed = TcpListener::bind("127.215.0.20:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
        .to_string();
    let scan = |extra: &[&str]| {
        let (_, err, code) = stdout_of(
            sightline()
                .args(["scan", "127.215.0.20", "--ports", &closed])
                .args([
                    "--format",
                    "jsonl",
                    "--no-progress",
                    "--discover-window",
                    "100",
                ])
                .args(extra),
        );
        assert_eq!(code, 0, "{extra:?}: {err}");
    };
    let received = || {
        let mut buf = [0u8; 2048];
        let mut n = 0;
        while listener.recv_from(&mut buf).is_ok() {
            n += 1;
        }
        n
    };
    scan(&["--no-discover"]);
    assert_eq!(received(), 0, "--no-discover sent a discovery probe");
    scan(&[]);
    assert!(received() >= 1, "no discovery probe by default");
    scan(&["--discover"]);
    assert!(received() >= 1, "--discover is still accepted");
    let (_, err, code) =
        stdout_of(sightline().args(["scan", "127.215.0.20", "--discover", "--no-discover"]));
    assert_eq!(code, 2, "{err}");
}
