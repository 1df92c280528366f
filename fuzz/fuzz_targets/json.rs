//! Fuzz target: the JSON field extractor, as reached by an HTTP JSON API answer or a DHIP reply
//! (with or without its 32-byte binary header). Byte 0 picks the carrier; the rest is the JSON
//! text, given a `{` in front when it lacks one so every input reaches the JSON walker.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::Kind;
use sightline_fuzz::{check_fields, within_heap};

fuzz_target!(|data: &[u8]| {
    let [k, body @ ..] = data else { return };
    let mut answer = Vec::with_capacity(body.len() + 64);
    let kind = match k % 3 {
        0 => {
            answer.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n");
            Kind::Http
        }
        1 => {
            // The DHIP header: magic at bytes 4..8, lengths that can hold any byte.
            answer.extend_from_slice(b" \0\0\0DHIP");
            answer.extend_from_slice(&[0xff; 24]);
            Kind::Dhip
        }
        _ => Kind::Dhip,
    };
    let trimmed = body.trim_ascii_start();
    if !(trimmed.starts_with(b"{") || trimmed.starts_with(b"[")) {
        answer.push(b'{');
    }
    answer.extend_from_slice(body);
    let fields = within_heap("json", answer.len(), || {
        fingerprint::extract(kind, Some("POST /RPC2_Login HTTP/1.1"), &answer)
    });
    check_fields("json", answer.len(), &fields);
});
