//! Three scans of one estate: a device appears, changes firmware, moves segment, disappears
//! and reappears; another is replaced at the same address. First seen stays the first day,
//! last seen moves, and `changes` says exactly what happened each time.

use crate::{host, identity, obs, scan};
use model::{DeviceClass, Kind, SegmentRole};
use store::HostRecord;
use store::{ChangeKind, ScanId, Sqlite, Store};

const HQ_CORE: (&str, &str, SegmentRole) = ("hq", "10.1.0.0/24", SegmentRole::Core);
const HQ_CCTV: (&str, &str, SegmentRole) = ("hq", "10.1.1.0/24", SegmentRole::Cctv);
const REGIONAL: (&str, &str, SegmentRole) = ("regional", "10.3.0.0/24", SegmentRole::Cctv);
const DEPOT: (&str, &str, SegmentRole) = ("depot", "10.2.0.0/24", SegmentRole::Other);
const SERIAL: &str = "DS-2CD2143G0-I20190101AAWR123456789";

/// The Hikvision camera: known by its serial number; its address changes (DHCP).
fn hikvision(address: &str, firmware: &str, scan: &str) -> HostRecord {
    let id = format!("{scan}-hik");
    let body = format!("<deviceInfo><firmwareVersion>{firmware}</firmwareVersion></deviceInfo>");
    HostRecord {
        serial: Some(SERIAL.to_owned()),
        mac: Some("C0-56-E3-11-22-33".to_owned()),
        observations: vec![obs(&id, address, Kind::Http, 80, body.as_bytes())],
        ..host(
            address,
            HQ_CORE,
            identity(
                Some("Hikvision"),
                Some("DS-2CD2143G0-I"),
                Some(DeviceClass::Camera),
                Some(firmware),
                &id,
            ),
        )
    }
}

/// The Axis camera: known by its certificate (a claim it makes) and its MAC as the network saw
/// it (a neighbour table or the asset register: independent of what the camera says); it moves
/// from headquarters to the regional office. Two independent sources follow it to another
/// segment and address; the camera's own claims alone would not (a clone can replay them all:
/// see `a_serial_alone_elsewhere_is_a_new_device` and the trust tests).
fn axis(address: &str, place: (&str, &str, SegmentRole), scan: &str) -> HostRecord {
    let id = format!("{scan}-axis");
    HostRecord {
        mac: Some("ac:cc:8e:01:02:03".to_owned()),
        mac_observed: true,
        cert_fingerprint: Some("0A:0B:0C:0D".to_owned()),
        observations: vec![obs(
            &id,
            address,
            Kind::Rtsp,
            554,
            b"RTSP/1.0 200 OK\r\nServer: GStreamer\r\n\r\n",
        )],
        ..host(
            address,
            place,
            identity(
                Some("Axis"),
                Some("P3245-V"),
                Some(DeviceClass::Camera),
                Some("10.12.1"),
                &id,
            ),
        )
    }
}

/// The printer: known by its address only.
fn printer() -> HostRecord {
    host(
        "10.2.0.5",
        DEPOT,
        identity(None, None, Some(DeviceClass::Printer), None, ""),
    )
}

/// The Dahua recorder: known by its TLS certificate.
fn dahua(cert: &str, scan: &str) -> HostRecord {
    let id = format!("{scan}-dahua");
    HostRecord {
        cert_fingerprint: Some(cert.to_owned()),
        observations: vec![obs(
            &id,
            "10.1.1.30",
            Kind::TlsCert,
            443,
            b"subject: CN=NVR",
        )],
        ..host(
            "10.1.1.30",
            HQ_CCTV,
            identity(
                Some("Dahua"),
                Some("DHI-NVR4108"),
                Some(DeviceClass::Recorder),
                None,
                &id,
            ),
        )
    }
}

const CERT_1: &str = "AB:CD:EF:01:23:45:67:89";
const CERT_2: &str = "99:88:77:66:55:44:33:22";

fn three_scans() -> (Sqlite, [ScanId; 3]) {
    let mut db = Sqlite::open_in_memory().unwrap();
    let first = db
        .record_scan(&scan(
            "2024-01-10",
            "scan 10.0.0.0/8",
            vec![
                hikvision("10.1.0.10", "V5.5.0", "s1"),
                axis("10.1.1.11", HQ_CCTV, "s1"),
                printer(),
            ],
        ))
        .unwrap();
    let second = db
        .record_scan(&scan(
            "2024-02-10",
            "scan 10.0.0.0/8",
            vec![
                hikvision("10.1.0.20", "V5.7.3", "s2"),
                axis("10.3.0.11", REGIONAL, "s2"),
                dahua(CERT_1, "s2"),
            ],
        ))
        .unwrap();
    let third = db
        .record_scan(&scan(
            "2024-03-10",
            "import assets.csv",
            vec![
                hikvision("10.1.0.20", "V5.7.3", "s3"),
                axis("10.3.0.11", REGIONAL, "s3"),
                HostRecord {
                    install_date: Some("2021-06-01".to_owned()),
                    ..printer()
                },
                // Another recorder at the Dahua's address: a new certificate, a new device.
                dahua(CERT_2, "s3"),
            ],
        ))
        .unwrap();
    (db, [first, second, third])
}

#[track_caller]
fn check(db: &Sqlite, scan: ScanId, expect: &[(&str, ChangeKind, &str)]) {
    let changes = db.changes(scan).unwrap();
    let got: Vec<(&str, ChangeKind, &str)> = changes
        .iter()
        .map(|c| (c.device.as_str(), c.kind, c.detail.as_str()))
        .collect();
    assert_eq!(got, expect, "changes of scan {scan}");
}

#[test]
fn changes_say_what_happened_between_scans() {
    let (db, [first, second, third]) = three_scans();
    use ChangeKind::*;
    check(
        &db,
        first,
        &[
            (
                "dev-1",
                New,
                "first seen: Hikvision DS-2CD2143G0-I (camera) on 10.1.0.0/24 (hq core)",
            ),
            (
                "dev-2",
                New,
                "first seen: Axis P3245-V (camera) on 10.1.1.0/24 (hq cctv)",
            ),
            (
                "dev-3",
                New,
                "first seen: (printer) on 10.2.0.0/24 (depot other)",
            ),
        ],
    );
    check(
        &db,
        second,
        &[
            ("dev-1", FirmwareChanged, "firmware V5.5.0 -> V5.7.3"),
            (
                "dev-2",
                MovedSegment,
                "segment 10.1.1.0/24 (hq cctv) -> 10.3.0.0/24 (regional cctv)",
            ),
            (
                "dev-3",
                Gone,
                "not seen since 2024-01-10: (printer) on 10.2.0.0/24 (depot other)",
            ),
            (
                "dev-4",
                New,
                "first seen: Dahua DHI-NVR4108 (recorder) on 10.1.1.0/24 (hq cctv)",
            ),
        ],
    );
    check(
        &db,
        third,
        &[
            (
                "dev-3",
                New,
                "seen again (last seen 2024-01-10): (printer) on 10.2.0.0/24 (depot other)",
            ),
            (
                "dev-4",
                Gone,
                "not seen since 2024-02-10: Dahua DHI-NVR4108 (recorder) on 10.1.1.0/24 (hq cctv)",
            ),
            (
                "dev-5",
                New,
                "first seen: Dahua DHI-NVR4108 (recorder) on 10.1.1.0/24 (hq cctv)",
            ),
        ],
    );
    let gone = &db.changes(second).unwrap()[2];
    assert_eq!(
        gone.address.as_deref(),
        Some("10.2.0.5"),
        "a gone device keeps its last address"
    );
}

#[test]
fn first_seen_stays_and_last_seen_moves() {
    let (db, _) = three_scans();
    // Device id, first seen, last seen, firmware.
    type Seen = (String, Option<String>, Option<String>, Option<String>);
    let seen = |as_of: &str| -> Vec<Seen> {
        db.inventory(as_of)
            .unwrap()
            .devices
            .into_iter()
            .map(|d| (d.id, d.first_seen, d.last_seen, d.identity.firmware))
            .collect()
    };
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        seen("2024-01-09"),
        Vec::new(),
        "nothing was seen before the first scan"
    );
    assert_eq!(
        seen("2024-02-15"),
        [
            (
                "dev-1".into(),
                s("2024-01-10"),
                s("2024-02-10"),
                s("V5.7.3")
            ),
            (
                "dev-2".into(),
                s("2024-01-10"),
                s("2024-02-10"),
                s("10.12.1")
            ),
            ("dev-3".into(), s("2024-01-10"), s("2024-01-10"), None),
            ("dev-4".into(), s("2024-02-10"), s("2024-02-10"), None),
        ]
    );
    let now = db.inventory("2024-03-10T18:00:00+00:00").unwrap();
    assert_eq!(now.as_of, "2024-03-10");
    let printer = &now.devices[2];
    assert_eq!(printer.install_date.as_deref(), Some("2021-06-01"));
    assert_eq!(
        (printer.first_seen.as_deref(), printer.last_seen.as_deref()),
        (s("2024-01-10").as_deref(), s("2024-03-10").as_deref())
    );
    let camera = &now.devices[0];
    assert_eq!(
        camera.address.as_deref(),
        Some("10.1.0.20"),
        "the latest address wins"
    );
    assert_eq!(
        camera.mac.as_deref(),
        Some("c0:56:e3:11:22:33"),
        "MACs are normalised"
    );
    assert_eq!(camera.sources, ["scan 10.0.0.0/8", "import assets.csv"]);
}

#[test]
fn the_inventory_after_three_scans() {
    let (db, _) = three_scans();
    insta::assert_json_snapshot!(db.inventory("2024-03-31").unwrap());
}

#[test]
fn observations_come_back_latest_scan_first() {
    let (db, _) = three_scans();
    let ids: Vec<String> = db
        .observations("dev-1")
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ids, ["s3-hik", "s2-hik", "s1-hik"]);
    assert_eq!(
        db.observations("dev-3").unwrap(),
        Vec::new(),
        "the printer said nothing"
    );
    for unknown in ["dev-99", "printer"] {
        let err = db.observations(unknown).unwrap_err();
        assert!(err.to_string().contains("dev-12"), "{err}");
    }
}

#[test]
fn scans_are_listed_oldest_first() {
    let (db, [first, second, third]) = three_scans();
    let scans: Vec<(ScanId, String, String, usize)> = db.scans().unwrap();
    assert_eq!(
        scans,
        [
            (
                first,
                "2024-01-10T09:00:00Z".into(),
                "scan 10.0.0.0/8".into(),
                3
            ),
            (
                second,
                "2024-02-10T09:00:00Z".into(),
                "scan 10.0.0.0/8".into(),
                3
            ),
            (
                third,
                "2024-03-10T09:00:00Z".into(),
                "import assets.csv".into(),
                4
            ),
        ]
    );
    assert!(db.changes(ScanId(42)).is_err());
}

#[test]
fn hosts_sharing_a_key_in_one_scan_stay_distinct_devices() {
    // Cheap devices repeat serial numbers; two of them in one scan are two devices, and in the
    // next scan each is found again at its own address.
    let mut db = Sqlite::open_in_memory().unwrap();
    let twin = |address: &str| HostRecord {
        serial: Some("0000000000".to_owned()),
        ..host(
            address,
            DEPOT,
            identity(None, None, Some(DeviceClass::Camera), None, ""),
        )
    };
    let record = scan(
        "2024-01-10",
        "scan 10.2.0.0/24",
        vec![twin("10.2.0.7"), twin("10.2.0.8")],
    );
    db.record_scan(&record).unwrap();
    let again = scan(
        "2024-01-11",
        "scan 10.2.0.0/24",
        vec![twin("10.2.0.7"), twin("10.2.0.8")],
    );
    let second = db.record_scan(&again).unwrap();
    assert_eq!(db.changes(second).unwrap(), Vec::new());
    let ids: Vec<(String, Option<String>)> = db
        .inventory("2024-01-11")
        .unwrap()
        .devices
        .into_iter()
        .map(|d| (d.id, d.address))
        .collect();
    assert_eq!(
        ids,
        [
            ("dev-1".into(), Some("10.2.0.7".into())),
            ("dev-2".into(), Some("10.2.0.8".into()))
        ]
    );
}
