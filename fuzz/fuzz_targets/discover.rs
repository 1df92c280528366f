//! Fuzz target: the UDP discovery reply parsers (`scan::discover::{sadp,dhip,wsd,ssdp}::parse`).
//! Byte 0 picks the protocol; the rest is one datagram. What a parser returns is copied from the
//! datagram, so its total size is bounded by the datagram's (times the worst UTF-8 repair).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scan::discover::{dhip, sadp, ssdp, wsd};
use sightline_fuzz::within_heap;

/// Bytes of text a reply may hold per datagram byte: invalid UTF-8 becomes U+FFFD (3 bytes)
/// and entities decode to at most a few bytes each.
const TEXT_PER_BYTE: usize = 4;

fn total<'a>(parts: impl IntoIterator<Item = &'a String>) -> usize {
    parts.into_iter().map(String::len).sum()
}

fuzz_target!(|data: &[u8]| {
    let [p, datagram @ ..] = data else { return };
    let len = datagram.len();
    let size = within_heap("discover", len, || {
        match p % 4 {
            0 => sadp::parse(datagram)
                .map(|r| {
                    total(
                        [
                            &r.device_type,
                            &r.description,
                            &r.serial,
                            &r.firmware,
                            &r.mac,
                            &r.ipv4,
                        ]
                        .into_iter()
                        .flatten(),
                    )
                })
                .ok(),
            1 => dhip::parse(datagram)
                .map(|r| {
                    total(
                        [
                            &r.method,
                            &r.mac,
                            &r.device_type,
                            &r.device_class,
                            &r.serial,
                            &r.version,
                            &r.vendor,
                            &r.ipv4,
                        ]
                        .into_iter()
                        .flatten(),
                    )
                })
                .ok(),
            2 => wsd::parse(datagram)
                .map(|r| {
                    total(r.endpoint.iter()) + total(&r.types) + total(&r.scopes) + total(&r.xaddrs)
                })
                .ok(),
            _ => ssdp::parse(datagram)
                .map(|r| {
                    r.start_line.len()
                        + total(
                            [&r.server, &r.usn, &r.location, &r.st]
                                .into_iter()
                                .flatten(),
                        )
                })
                .ok(),
        }
        .unwrap_or(0)
    });
    assert!(
        size <= TEXT_PER_BYTE * len + 64,
        "discover: {size} bytes of reply text from a {len}-byte datagram"
    );
});
