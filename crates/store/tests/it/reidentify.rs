//! Identity recomputation: after a fingerprint update, every stored identity is derived again
//! from the stored observations, which stay byte for byte what the device said.

use crate::{host, identity, obs, scan};
use model::{DeviceClass, Identity, Kind, Observation, SegmentRole};
use std::cell::RefCell;
use store::{ChangeKind, HostRecord, Sqlite, Store};

const PLACE: (&str, &str, SegmentRole) = ("hq", "10.1.0.0/24", SegmentRole::Core);

/// A binary banner that is not UTF-8 (a DHIP-style reply), and a text answer.
fn answers(scan: &str) -> Vec<Observation> {
    vec![
        obs(
            &format!("{scan}-a"),
            "10.1.0.5",
            Kind::Dhip,
            37777,
            &[0x20, 0x00, 0xff, 0xfe, 0x80, b'D', b'H', 0xc3, 0x28, 0x00],
        ),
        obs(
            &format!("{scan}-b"),
            "10.1.0.5",
            Kind::Http,
            80,
            b"HTTP/1.1 200 OK\r\nServer: Webs\r\n\r\n",
        ),
    ]
}

fn record(db: &mut Sqlite) {
    let camera = |scan_id: &str| HostRecord {
        mac: Some("3c:ef:8c:00:00:01".to_owned()),
        observations: answers(scan_id),
        ..host(
            "10.1.0.5",
            PLACE,
            identity(None, None, Some(DeviceClass::Camera), None, ""),
        )
    };
    // An imported register line: no observations, so nothing to recompute.
    let imported = HostRecord {
        serial: Some("ASSET-77".to_owned()),
        ..host(
            "10.1.0.9",
            PLACE,
            identity(Some("Axis"), Some("M3106"), None, None, ""),
        )
    };
    db.record_scan(&scan("2024-01-10", "scan 10.1.0.0/24", vec![camera("s1")]))
        .unwrap();
    db.record_scan(&scan(
        "2024-02-10",
        "import assets.csv",
        vec![camera("s2"), imported],
    ))
    .unwrap();
}

/// The updated fingerprints: a DHIP answer now identifies a Dahua device, with evidence.
fn updated(device: &str, observations: &[Observation]) -> Identity {
    let dhip = observations.iter().find(|o| o.kind == Kind::Dhip);
    let mut identity = identity(
        dhip.map(|_| "Dahua"),
        None,
        Some(DeviceClass::Camera),
        None,
        "",
    );
    identity.device = device.to_owned();
    if let (Some(o), Some(e)) = (dhip, identity.evidence.first_mut()) {
        e.observation = o.id.clone();
        e.matched = String::from_utf8_lossy(&o.response[5..7]).into_owned();
    }
    identity
}

#[test]
fn reidentify_changes_identities_and_keeps_observations_verbatim() {
    let mut db = Sqlite::open_in_memory().unwrap();
    record(&mut db);
    let before = db.observations("dev-1").unwrap();
    assert_eq!(before, [answers("s2"), answers("s1")].concat());

    let calls = RefCell::new(Vec::new());
    let identify = |device: &str, observations: &[Observation]| {
        let ids = observations
            .iter()
            .map(|o| o.id.clone())
            .collect::<Vec<_>>();
        calls.borrow_mut().push((device.to_owned(), ids));
        updated(device, observations)
    };
    assert_eq!(
        db.reidentify(&identify).unwrap(),
        1,
        "only the camera had observations to use"
    );
    assert_eq!(
        calls.borrow().as_slice(),
        [
            (
                "dev-1".to_owned(),
                vec!["s1-a".to_owned(), "s1-b".to_owned()]
            ),
            (
                "dev-1".to_owned(),
                vec!["s2-a".to_owned(), "s2-b".to_owned()]
            ),
        ],
        "one call per device per scan, with that scan's observations in order"
    );

    let inventory = db.inventory("2024-02-10").unwrap();
    let camera = &inventory.devices[0].identity;
    assert_eq!(camera.manufacturer.as_deref(), Some("Dahua"));
    assert!(camera.covered);
    assert_eq!(
        camera.evidence[0].observation, "s2-a",
        "evidence points at the latest scan"
    );
    assert_eq!(camera.evidence[0].matched, "DH");
    let imported = &inventory.devices[1].identity;
    assert_eq!(
        imported.manufacturer.as_deref(),
        Some("Axis"),
        "an import keeps its identity"
    );

    let after = db.observations("dev-1").unwrap();
    assert_eq!(after, before, "observations are never rewritten");
    assert_eq!(
        after[0].response,
        answers("s2")[0].response,
        "non-UTF-8 bytes survive"
    );

    // The history was recomputed too: the earlier scan already saw a Dahua, so nothing changed.
    let scans = db.scans().unwrap();
    let kinds: Vec<ChangeKind> = db
        .changes(scans[1].0)
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(kinds, [ChangeKind::New], "only the imported device is new");

    assert_eq!(
        db.reidentify(&identify).unwrap(),
        0,
        "the same fingerprints change nothing"
    );
}

#[test]
fn an_unusable_confidence_is_stored_as_none() {
    let mut db = Sqlite::open_in_memory().unwrap();
    let mut id = identity(Some("Axis"), None, None, None, "");
    id.confidence = f64::NAN;
    db.record_scan(&scan(
        "2024-01-10",
        "scan 10.1.0.0/24",
        vec![host("10.1.0.5", PLACE, id)],
    ))
    .unwrap();
    let inventory = db.inventory("2024-01-10").unwrap();
    assert_eq!(inventory.devices[0].identity.confidence, 0.0);
}
