//! Fuzz target: what the scan engine itself parses from a TCP answer before storing it: the
//! HTTP/RTSP head parser, the follow-up hints, and the framing that decides when an answer is
//! complete (`scan::probe::{http, io}`). Byte 0 picks the port; the rest is the answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scan::probe::{http, io};
use sightline_fuzz::within_heap;

const PORTS: [u16; 5] = [80, 443, 554, 8000, 37777];

fuzz_target!(|data: &[u8]| {
    let [p, answer @ ..] = data else { return };
    let port = PORTS[usize::from(*p) % PORTS.len()];
    within_heap("probe_head", answer.len(), || {
        if let Ok(head) = http::parse(answer) {
            let _ = head.header("server");
        }
        let hints = http::hints(answer, port);
        let follow = http::follow_ups(&hints);
        // Follow-ups come from a fixed list: an answer may choose among them, not add to them.
        assert!(follow.len() <= 16, "{} follow-ups", follow.len());
        let _ = io::http_framing(answer);
        // The read loop calls framing on a growing buffer: the first half must be decidable too.
        let _ = io::http_framing(&answer[..answer.len() / 2]);
    });
});
