//! Fuzz target: key=value and banner text (SNMP sysDescr dumps, Telnet/FTP/SSH greetings,
//! `key=value` CGI answers, copyright lines). Byte 0 picks a bare banner or an HTTP answer whose
//! body is plain text; the rest is the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::Kind;
use sightline_fuzz::{check_fields, within_heap};

fuzz_target!(|data: &[u8]| {
    let [k, text @ ..] = data else { return };
    let (kind, answer) = if k % 2 == 0 {
        (Kind::Banner, text.to_vec())
    } else {
        let mut a = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n".to_vec();
        a.extend_from_slice(text);
        (Kind::Http, a)
    };
    let fields = within_heap("kv_banner", answer.len(), || {
        fingerprint::extract(kind, Some("GET /cgi-bin/magicBox.cgi HTTP/1.1"), &answer)
    });
    check_fields("kv_banner", answer.len(), &fields);
});
