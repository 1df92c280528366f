//! Fuzz target: `fingerprint::extract` on any answer of any observation kind (HTTP/RTSP/SSDP
//! heads and bodies, SOAP, SADP, DHIP, certificates, MAC text, banners). Byte 0 picks the kind,
//! byte 1 the request that was sent, the rest is the device's answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sightline_fuzz::{REQUESTS, check_fields, kind_from, within_heap};

fuzz_target!(|data: &[u8]| {
    let [k, r, response @ ..] = data else { return };
    let kind = kind_from(*k);
    let request = REQUESTS[usize::from(*r) % REQUESTS.len()];
    let fields = within_heap("extract", response.len(), || {
        fingerprint::extract(kind, Some(request), response)
    });
    check_fields("extract", response.len(), &fields);
});
