//! Totality: no bytes make field extraction or identification panic.

use super::db;
use model::{Kind, Observation};
use proptest::prelude::*;

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(Kind::ALL.to_vec())
}

/// Bytes that look enough like device answers to reach deep into the parsers.
fn answer() -> impl Strategy<Value = Vec<u8>> {
    let prefixes = prop::sample::select(vec![
        "",
        "HTTP/1.1 200 OK\r\n",
        "RTSP/1.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"",
        "<?xml version=\"1.0\"?><a xmlns=\"u\"><b>",
        "{\"params\":{\"deviceInfo\":",
        " \0\0\0DHIP",
        "-----BEGIN CERTIFICATE-----\n",
        "subject: CN=",
        "key=value\n",
        "<html><title>",
        "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e \"&e;\">",
        "<DeviceInfo><ClientList><Client><mac>",
        "HTTP/1.1 200 OK\r\nContent-Type: image/x-icon\r\n\r\n",
    ]);
    (prefixes, prop::collection::vec(any::<u8>(), 0..600)).prop_map(|(p, mut tail)| {
        let mut v = p.as_bytes().to_vec();
        v.append(&mut tail);
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn extract_and_identify_never_panic(kind in kind(), request in "[ -~]{0,40}", response in answer()) {
        let _ = fingerprint::extract(kind, Some(&request), &response);
        let obs = Observation { id: "o".into(), device: "d".into(), kind, address: None, port: None, request: Some(request), response, time: None };
        let id = db().identify("d", &[obs]);
        prop_assert!(id.confidence >= 0.0 && id.confidence <= 1.0);
    }

    #[test]
    fn mac_lookup_never_panics(text in "[0-9a-fA-F:.-]{0,20}") {
        let _ = db().oui.lookup(&text);
    }
}
