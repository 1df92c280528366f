//! Fuzz target: the XML field extractor, reached as a device reaches it: an HTTP answer with an
//! XML body (ISAPI, ONVIF SOAP, UPnP description, WS-Discovery). Byte 0 picks the kind; the rest
//! is the body, given a `<` in front when it lacks one so every input reaches the XML reader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::Kind;
use sightline_fuzz::{check_fields, within_heap};

const KINDS: [(Kind, &str); 4] = [
    (Kind::Http, "GET /ISAPI/System/deviceInfo HTTP/1.1"),
    (Kind::Onvif, "POST /onvif/device_service HTTP/1.1"),
    (Kind::Ssdp, "GET /description.xml HTTP/1.1"),
    (Kind::WsDiscovery, "WS-Discovery Probe"),
];

fuzz_target!(|data: &[u8]| {
    let [k, body @ ..] = data else { return };
    let (kind, request) = KINDS[usize::from(*k) % KINDS.len()];
    let mut answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n\r\n".to_vec();
    if !body.trim_ascii_start().starts_with(b"<") {
        answer.push(b'<');
    }
    answer.extend_from_slice(body);
    let fields = within_heap("xml", answer.len(), || {
        fingerprint::extract(kind, Some(request), &answer)
    });
    check_fields("xml", answer.len(), &fields);
});
