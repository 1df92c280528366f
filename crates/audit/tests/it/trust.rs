//! The serial clone across scans, through the whole pipeline: a covered recorder that appears
//! on a sensitive core after the ban reporting the serial of one deployed before it is a new
//! device with its own first-seen date, keeps its new-deployment finding, and the conflict
//! is reported as a finding and in the history.

use audit::pipeline::{self, ReportInputs};
use model::{Kind, Observation};
use std::path::Path;
use store::{ScanRecord, Sqlite, Store};

const ESTATE: &str = r#"
[organisation]
name = "Test Department"

[[site]]
id = "hq"
name = "Headquarters"
sensitive = true

[[segment]]
cidr = "192.0.2.0/25"
site = "hq"
role = "core"

[[segment]]
cidr = "192.0.2.128/25"
site = "hq"
role = "cctv"
"#;

const SERIAL: &str = "DS-7608NI-K20180101CCWR123456789";

/// What a Hikvision recorder answers to `GET /ISAPI/System/deviceInfo`.
fn answer(address: &str) -> Vec<Observation> {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><DeviceInfo version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><deviceName>NVR</deviceName><model>DS-7608NI-K2</model><serialNumber>{SERIAL}</serialNumber><firmwareVersion>V4.22.005</firmwareVersion><deviceType>NVR</deviceType></DeviceInfo>"#
    );
    vec![Observation {
        id: format!("{address}:80/http#1"),
        device: address.to_owned(),
        kind: Kind::Http,
        address: Some(address.to_owned()),
        port: Some(80),
        request: Some("GET /ISAPI/System/deviceInfo HTTP/1.1".to_owned()),
        response: format!("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n\r\n{body}")
            .into_bytes(),
        time: None,
    }]
}

/// (rule, address, first seen) of every unwaived finding of the recorders, sorted.
type Seen = Vec<(String, String, String)>;

#[track_caller]
fn check(scans: &[(&str, &[&str])], expect: &[(&str, &str, &str)]) -> report::Report {
    let (db, problems) = fingerprint::Database::embedded();
    assert!(problems.is_empty(), "{problems:?}");
    let estate = audit::parse_estate(ESTATE, Path::new("estate.toml")).expect("estate");
    let mut store = Sqlite::open_in_memory().expect("store");
    for (day, addresses) in scans {
        let hosts = addresses
            .iter()
            .map(|a| {
                let a = (*a).to_owned();
                pipeline::host_record(&db, &estate, Some(a.clone()), None, None, None, answer(&a))
            })
            .collect();
        store
            .record_scan(&ScanRecord {
                started: format!("{day}T09:00:00Z"),
                finished: format!("{day}T09:05:00Z"),
                source: "scan 192.0.2.0/24".to_owned(),
                hosts,
            })
            .expect("recorded");
    }
    let inputs = ReportInputs {
        estate: &estate,
        profile: "uk-gov-2022",
        today: "2025-06-01",
        now: "2025-06-01T10:00:00Z",
        catalogue: &[],
        currency: "GBP",
        sample_catalogue: false,
        notes: Vec::new(),
    };
    let r = pipeline::build_report(&db, &store, inputs).expect("report");
    let mut got: Seen = r
        .findings
        .iter()
        .filter(|f| f.waived.is_none())
        .filter(|f| f.rule == "uk-gov-2022/new-deployment" || f.rule == "identity/key-conflict")
        .map(|f| {
            (
                f.rule.clone(),
                f.address.clone().unwrap_or_default(),
                f.first_seen.clone().unwrap_or_default(),
            )
        })
        .collect();
    got.sort();
    let expect: Seen = expect
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(got, expect);
    r
}

#[test]
fn a_new_recorder_reporting_an_old_ones_serial_is_a_new_deployment() {
    let r = check(
        &[
            ("2022-06-01", &["192.0.2.130"]),
            ("2024-05-01", &["192.0.2.77"]),
        ],
        &[
            ("identity/key-conflict", "192.0.2.77", "2024-05-01"),
            ("uk-gov-2022/new-deployment", "192.0.2.77", "2024-05-01"),
        ],
    );
    let conflicts: Vec<&str> = r
        .history
        .iter()
        .filter(|c| c.what == "key-conflict")
        .map(|c| c.address.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(conflicts, ["192.0.2.77"], "the conflict is in the history");
}
