//! Device-reported identifiers are claims: a serial number alone does not carry a device's
//! history to another place, two live hosts claiming one serial stay two devices, and each
//! such conflict is recorded, shown in `changes` and on both devices of the inventory.

use crate::{host, identity, scan};
use model::{DeviceClass, SegmentRole};
use store::{ChangeKind, HostRecord, Sqlite, Store};

const HQ_CORE: (&str, &str, SegmentRole) = ("hq", "10.1.0.0/24", SegmentRole::Core);
const HQ_CCTV: (&str, &str, SegmentRole) = ("hq", "10.1.1.0/24", SegmentRole::Cctv);
const SERIAL: &str = "DS-7608NI-K20180101CCWR123456789";

/// A Hikvision recorder reporting `serial` (and nothing else that identifies it).
fn recorder(address: &str, place: (&str, &str, SegmentRole), serial: &str) -> HostRecord {
    HostRecord {
        serial: Some(serial.to_owned()),
        ..host(
            address,
            place,
            identity(
                Some("Hikvision"),
                Some("DS-7608NI-K2"),
                Some(DeviceClass::Recorder),
                None,
                "",
            ),
        )
    }
}

/// Device id, first seen date and the devices it has key conflicts with, per device.
type Tracked = Vec<(String, Option<String>, Vec<String>)>;

#[track_caller]
fn check(scans: Vec<Vec<HostRecord>>, expect: Tracked, last_changes: &[(&str, ChangeKind)]) {
    let mut db = Sqlite::open_in_memory().unwrap();
    let days = ["2022-06-01", "2024-05-01", "2024-06-01"];
    let mut last = None;
    for (hosts, day) in scans.into_iter().zip(days) {
        last = Some(
            db.record_scan(&scan(day, "scan 10.1.0.0/16", hosts))
                .unwrap(),
        );
    }
    let got: Tracked = db
        .inventory("2024-12-31")
        .unwrap()
        .devices
        .into_iter()
        .map(|d| {
            let others = d.key_conflicts.iter().map(|c| c.other.clone()).collect();
            (d.id, d.first_seen, others)
        })
        .collect();
    assert_eq!(got, expect, "devices");
    let changes = db.changes(last.unwrap()).unwrap();
    let kinds: Vec<(&str, ChangeKind)> = changes
        .iter()
        .map(|c| (c.device.as_str(), c.kind))
        .collect();
    assert_eq!(
        kinds, last_changes,
        "changes of the last scan: {changes:#?}"
    );
    if let Some(c) = changes.iter().find(|c| c.kind == ChangeKind::KeyConflict) {
        assert!(
            c.detail.contains(&SERIAL.to_ascii_uppercase()) && c.detail.contains("two devices"),
            "{}",
            c.detail
        );
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[test]
fn a_serial_alone_elsewhere_is_a_new_device() {
    use ChangeKind::*;
    // A new covered recorder on the core reports the serial of one deployed before the ban:
    // it is a new device, first seen today, and the conflict is reported.
    check(
        vec![
            vec![recorder("10.1.1.30", HQ_CCTV, SERIAL)],
            vec![recorder("10.1.0.77", HQ_CORE, SERIAL)],
        ],
        vec![
            ("dev-1".into(), s("2022-06-01"), vec![]),
            ("dev-2".into(), s("2024-05-01"), vec!["dev-1".into()]),
        ],
        &[("dev-1", Gone), ("dev-2", New), ("dev-2", KeyConflict)],
    );
}

#[test]
fn a_serial_on_the_same_segment_follows_a_device_to_a_new_address() {
    // DHCP gave the recorder another address on its own segment: the same device.
    check(
        vec![
            vec![recorder("10.1.1.30", HQ_CCTV, SERIAL)],
            vec![recorder("10.1.1.31", HQ_CCTV, SERIAL)],
        ],
        vec![("dev-1".into(), s("2022-06-01"), vec![])],
        &[],
    );
}

#[test]
fn two_live_hosts_claiming_one_serial_are_two_devices_in_conflict() {
    use ChangeKind::*;
    // The original stays where it was; a clone on the core claims its serial in the same
    // scan. The clone gets no history, and both carry the conflict.
    check(
        vec![
            vec![recorder("10.1.1.30", HQ_CCTV, SERIAL)],
            vec![
                recorder("10.1.0.77", HQ_CORE, SERIAL),
                recorder("10.1.1.30", HQ_CCTV, SERIAL),
            ],
        ],
        vec![
            ("dev-1".into(), s("2022-06-01"), vec!["dev-2".into()]),
            ("dev-2".into(), s("2024-05-01"), vec!["dev-1".into()]),
        ],
        &[("dev-2", New), ("dev-2", KeyConflict)],
    );
}

#[test]
fn a_placeholder_serial_is_no_key() {
    // `0000000000` names no device: two hosts reporting it are tracked by address, quietly.
    check(
        vec![
            vec![
                recorder("10.1.1.30", HQ_CCTV, "0000000000"),
                recorder("10.1.1.31", HQ_CCTV, "0000000000"),
            ],
            vec![
                recorder("10.1.1.31", HQ_CCTV, "0000000000"),
                recorder("10.1.1.30", HQ_CCTV, "0000000000"),
            ],
        ],
        vec![
            ("dev-1".into(), s("2022-06-01"), vec![]),
            ("dev-2".into(), s("2022-06-01"), vec![]),
        ],
        &[],
    );
}

#[test]
fn a_clone_on_the_same_segment_does_not_take_the_device_it_copies() {
    // The clone answers first in the batch, from another address on the recorder's own
    // segment; the recorder, at its own address, is still the known device.
    check(
        vec![
            vec![recorder("10.1.1.30", HQ_CCTV, SERIAL)],
            vec![
                recorder("10.1.1.29", HQ_CCTV, SERIAL),
                recorder("10.1.1.30", HQ_CCTV, SERIAL),
            ],
        ],
        vec![
            ("dev-1".into(), s("2022-06-01"), vec!["dev-2".into()]),
            ("dev-2".into(), s("2024-05-01"), vec!["dev-1".into()]),
        ],
        &[
            ("dev-2", ChangeKind::New),
            ("dev-2", ChangeKind::KeyConflict),
        ],
    );
}

#[test]
fn a_clone_replaying_serial_and_mac_elsewhere_is_a_new_device() {
    use ChangeKind::*;
    // ISAPI deviceInfo carries serialNumber and macAddress together: a clone replaying it on
    // another segment claims both, but both come from the device's own answer, so they are one
    // source, not two (found in review: they used to "corroborate" each other).
    let with_mac = |mut h: HostRecord| {
        h.mac = Some("c0:56:e3:aa:bb:cc".to_owned());
        h
    };
    check(
        vec![
            vec![with_mac(recorder("10.1.1.30", HQ_CCTV, SERIAL))],
            vec![with_mac(recorder("10.1.0.77", HQ_CORE, SERIAL))],
        ],
        vec![
            ("dev-1".into(), Some("2022-06-01".into()), vec![]),
            (
                "dev-2".into(),
                Some("2024-05-01".into()),
                vec!["dev-1".into()],
            ),
        ],
        &[("dev-1", Gone), ("dev-2", New), ("dev-2", KeyConflict)],
    );
}
