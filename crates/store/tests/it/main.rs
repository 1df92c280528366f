//! Integration tests of the store at its boundary: scans in; inventory, changes, history and
//! verbatim observations out. Also what a fresh, re-opened or killed database looks like.

mod batches;
mod crash;
mod history;
mod migrations;
mod reidentify;
mod trust;

use model::{DeviceClass, Evidence, Identity, Kind, Observation, SegmentRole};
use store::{HostRecord, ScanRecord};

/// An observation of `device` with an exact response.
pub fn obs(id: &str, device: &str, kind: Kind, port: u16, response: &[u8]) -> Observation {
    Observation {
        id: id.to_owned(),
        device: device.to_owned(),
        kind,
        address: Some(device.to_owned()),
        port: Some(port),
        request: Some("GET / HTTP/1.1".to_owned()),
        response: response.to_vec(),
        time: Some("2024-01-10T09:00:00Z".to_owned()),
    }
}

/// An identity with one piece of evidence from observation `from`.
pub fn identity(
    manufacturer: Option<&str>,
    model: Option<&str>,
    class: Option<DeviceClass>,
    firmware: Option<&str>,
    from: &str,
) -> Identity {
    Identity {
        device: String::new(),
        manufacturer: manufacturer.map(str::to_owned),
        brand: None,
        model: model.map(str::to_owned),
        device_class: class,
        firmware: firmware.map(str::to_owned),
        covered: matches!(manufacturer, Some("Hikvision" | "Dahua")),
        regimes: if matches!(manufacturer, Some("Hikvision" | "Dahua")) {
            vec!["uk-2022".to_owned(), "ndaa-889".to_owned()]
        } else {
            Vec::new()
        },
        confidence: if manufacturer.is_some() { 0.95 } else { 0.0 },
        evidence: manufacturer
            .map(|m| Evidence {
                observation: from.to_owned(),
                fingerprint: format!("test.{}", m.to_ascii_lowercase()),
                matched: m.to_owned(),
                field: "header.server".to_owned(),
                asserts: format!("manufacturer={m}"),
            })
            .into_iter()
            .collect(),
        notes: Vec::new(),
        ..Identity::default()
    }
}

/// A host on a segment (`site`, `cidr`, `role`).
pub fn host(address: &str, place: (&str, &str, SegmentRole), identity: Identity) -> HostRecord {
    HostRecord {
        address: Some(address.to_owned()),
        site: Some(place.0.to_owned()),
        segment: Some(place.1.to_owned()),
        segment_role: Some(place.2),
        identity,
        ..HostRecord::default()
    }
}

/// A scan started on `day` at 09:00 UTC.
pub fn scan(day: &str, source: &str, hosts: Vec<HostRecord>) -> ScanRecord {
    ScanRecord {
        started: format!("{day}T09:00:00Z"),
        finished: format!("{day}T09:05:00Z"),
        source: source.to_owned(),
        hosts,
    }
}
