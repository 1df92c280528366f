//! `sightline audit` end to end from an import (no network): covered devices on a sensitive
//! core segment give critical findings for exactly those devices; compliant devices give none.

use super::sightline;

const ESTATE: &str = r#"
[organisation]
name = "Test Department"

[[site]]
id = "hq"
name = "Headquarters"
sensitive = true

[[segment]]
cidr = "192.0.2.0/24"
site = "hq"
role = "core"
"#;

fn obs(address: &str, kind: &str, request: &str, response: &str) -> String {
    serde_json::json!({"id": format!("{address}-{kind}"), "device": address, "address": address, "kind": kind, "request": request, "response": response}).to_string()
}

#[test]
fn covered_devices_on_a_sensitive_core_are_critical_and_only_they() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("estate.toml"), ESTATE).expect("estate");
    let hik = r#"<?xml version="1.0" encoding="UTF-8"?><DeviceInfo version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><deviceName>IP CAMERA</deviceName><model>DS-2CD2143G0-I</model><serialNumber>DS-2CD2143G0-I20190101AAWRC12345678</serialNumber><firmwareVersion>V5.5.82</firmwareVersion><firmwareReleasedDate>build 190220</firmwareReleasedDate><deviceType>IPCamera</deviceType></DeviceInfo>"#;
    let dahua = r#"{ "error" : { "code" : 268632079, "message" : "Component error: login challenge!" }, "id" : 1, "params" : { "encryption" : "Default", "random" : "1234567", "realm" : "Login to 4L0123PAZ00000" }, "result" : false, "session" : "abc" }"#;
    let axis = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"AXIS_ACCC8E012345\", nonce=\"x\"\r\n\r\n";
    let lines = [
        obs(
            "192.0.2.5",
            "http",
            "GET /ISAPI/System/deviceInfo HTTP/1.1",
            hik,
        ),
        obs("192.0.2.6", "http", "POST /RPC2_Login HTTP/1.1", dahua),
        obs("192.0.2.7", "http", "GET / HTTP/1.1", axis),
        obs("192.0.2.7", "mac", "", "00:40:8c:12:34:56"),
    ];
    std::fs::write(dir.path().join("import.jsonl"), lines.join("\n")).expect("import");
    let out = dir.path().join("report");
    let run = sightline()
        .current_dir(dir.path())
        .args([
            "audit",
            "--estate",
            "estate.toml",
            "--import",
            "import.jsonl",
            "--profile",
            "uk-gov-2022",
            "--fail-on",
            "critical",
            "--db",
            "inv.db",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(1),
        "critical findings reach --fail-on: {stderr}"
    );
    for f in [
        "report.html",
        "report.json",
        "devices.csv",
        "findings.csv",
        "report.md",
    ] {
        assert!(out.join(f).exists(), "{f} written");
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("json"))
            .expect("valid json");
    let findings = report["findings"].as_array().expect("findings");
    let critical: std::collections::BTreeSet<&str> = findings
        .iter()
        .filter(|f| f["severity"] == "critical")
        .filter_map(|f| f["address"].as_str())
        .collect();
    assert_eq!(
        critical.into_iter().collect::<Vec<_>>(),
        ["192.0.2.5", "192.0.2.6"]
    );
    assert!(
        findings.iter().all(|f| f["address"] != "192.0.2.7"),
        "the compliant Axis camera has no finding"
    );
    let devices = report["devices"].as_array().expect("devices");
    for key in [
        "address",
        "manufacturer",
        "brand",
        "covered",
        "site",
        "segment",
    ] {
        assert!(devices[0].get(key).is_some(), "device field {key}");
    }
    for key in [
        "rule",
        "severity",
        "address",
        "site",
        "segment",
        "evidence",
        "remediation",
    ] {
        assert!(findings[0].get(key).is_some(), "finding field {key}");
    }
    // Without --fail-on the same audit exits 0, and history accumulates in the same database.
    let again = sightline()
        .current_dir(dir.path())
        .args([
            "audit",
            "--estate",
            "estate.toml",
            "--import",
            "import.jsonl",
            "--db",
            "inv.db",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn bad_estate_file_is_a_located_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("estate.toml"), "[organisation]\nname = \"X\"\n[[site]]\nid = \"hq\"\nname = \"HQ\"\n[[segment]]\ncidr = \"192.0.2.0/33\"\nsite = \"hq\"\n").expect("estate");
    let run = sightline()
        .current_dir(dir.path())
        .args(["audit", "--estate", "estate.toml", "--import", "none.jsonl"])
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("estate.toml:7: segment.cidr"), "{err}");
}

/// A second Hikvision on the core that reports a waived camera's serial gets none of its
/// waivers: `--fail-on high` fails, the old serial-only waiver is warned about, and the two
/// claims of one serial are reported as a key conflict (finding and history entry).
#[test]
fn a_clone_reporting_a_waived_cameras_serial_is_not_waived() {
    const SERIAL: &str = "DS-2CD2143G0-I20190101AAWRC12345678";
    let dir = tempfile::tempdir().expect("tempdir");
    let estate = format!(
        "{ESTATE}
[[waiver]]
device = \"192.0.2.5\"
manufacturer = \"Hikvision\"
rule = \"*\"
reason = \"replacement ordered\"
approver = \"J. Smith\"
expires = \"2099-12-31\"

[[waiver]]
device = \"{SERIAL}\"
rule = \"*\"
reason = \"written before waivers named devices by address\"
approver = \"J. Smith\"
expires = \"2099-12-31\"
"
    );
    std::fs::write(dir.path().join("estate.toml"), estate).expect("estate");
    let hik = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><DeviceInfo version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><deviceName>IP CAMERA</deviceName><model>DS-2CD2143G0-I</model><serialNumber>{SERIAL}</serialNumber><firmwareVersion>V5.7.3</firmwareVersion><deviceType>IPCamera</deviceType></DeviceInfo>"#
    );
    let lines = [
        obs(
            "192.0.2.5",
            "http",
            "GET /ISAPI/System/deviceInfo HTTP/1.1",
            &hik,
        ),
        obs(
            "192.0.2.9",
            "http",
            "GET /ISAPI/System/deviceInfo HTTP/1.1",
            &hik,
        ),
    ];
    std::fs::write(dir.path().join("import.jsonl"), lines.join("\n")).expect("import");
    let out = dir.path().join("report");
    let run = sightline()
        .current_dir(dir.path())
        .args([
            "audit",
            "--estate",
            "estate.toml",
            "--import",
            "import.jsonl",
            "--fail-on",
            "high",
            "--db",
            "inv.db",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(1),
        "the clone's findings are not waived: {stderr}"
    );
    assert!(
        stderr.contains("applies to nothing") && stderr.contains(SERIAL),
        "the serial-only waiver is warned about: {stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("json"))
            .expect("valid json");
    let findings = report["findings"].as_array().expect("findings");
    let waived = |address: &str| -> Vec<bool> {
        findings
            .iter()
            .filter(|f| f["address"] == address)
            .map(|f| !f["waived"].is_null())
            .collect()
    };
    let genuine = waived("192.0.2.5");
    assert!(
        !genuine.is_empty() && genuine.iter().all(|w| *w),
        "{genuine:?}"
    );
    let clone = waived("192.0.2.9");
    assert!(!clone.is_empty() && clone.iter().all(|w| !*w), "{clone:?}");
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "identity/key-conflict" && f["address"] == "192.0.2.9"),
        "the conflict is a finding"
    );
    let markdown = std::fs::read_to_string(out.join("report.md")).expect("markdown");
    assert!(
        markdown.contains("key-conflict") && markdown.contains(SERIAL),
        "the conflict is in the report's history"
    );
}

/// A database another program holds locked is waited for, the wait shown on stderr, and the
/// import recorded once the lock is released: never a reason to fail or to lose the audit.
#[test]
fn a_busy_database_is_waited_for_and_the_wait_shown() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("estate.toml"), ESTATE).expect("estate");
    let line = obs("192.0.2.7", "mac", "", "00:40:8c:12:34:56");
    std::fs::write(dir.path().join("import.jsonl"), line).expect("import");
    let audit = |out: &str| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sightline"));
        cmd.current_dir(dir.path()).args([
            "audit",
            "--estate",
            "estate.toml",
            "--import",
            "import.jsonl",
            "--db",
            "inv.db",
            "--out",
            out,
        ]);
        cmd
    };
    // The first audit creates the database; then another program takes its write lock.
    let first = audit("r1").output().expect("runs");
    assert_eq!(first.status.code(), Some(0));
    let other = rusqlite::Connection::open(dir.path().join("inv.db")).expect("open");
    other.execute_batch("BEGIN IMMEDIATE").expect("lock");

    let mut second = audit("r2")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("runs");
    let mut stderr = BufReader::new(second.stderr.take().expect("stderr"));
    let mut shown = String::new();
    // Release the lock once the audit says it is waiting for it (3 s in).
    loop {
        let mut l = String::new();
        let n = stderr.read_line(&mut l).expect("reads");
        assert!(n > 0, "the audit ended without waiting: {shown}");
        shown.push_str(&l);
        let waited: Option<u64> = l
            .split_once("waiting... ")
            .and_then(|(_, w)| w.trim().strip_suffix(" s")?.parse().ok());
        if l.contains("database busy") && waited.is_some_and(|w| w >= 3) {
            break;
        }
    }
    other.execute_batch("ROLLBACK").expect("unlock");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("reads");
    let status = second.wait().expect("ends");
    assert_eq!(status.code(), Some(0), "{shown}{rest}");
    assert!(rest.contains("imported 1 devices"), "{rest}");
}
