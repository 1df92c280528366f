//! Fuzz target: certificates as a TLS handshake or an import delivers them: DER, PEM, or the
//! text form tools print (`Subject: CN=...`), plus the distinguished-name parser on the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::Kind;
use sightline_fuzz::{check_fields, within_heap};

fuzz_target!(|data: &[u8]| {
    let fields = within_heap("cert", data.len(), || {
        fingerprint::extract(Kind::TlsCert, None, data)
    });
    check_fields("cert", data.len(), &fields);
    let text = String::from_utf8_lossy(data);
    let parts = within_heap("parse_dn", data.len(), || {
        fingerprint::cert::parse_dn(&text)
    });
    assert!(
        parts.len() <= data.len() + 1,
        "parse_dn: {} parts from {} bytes",
        parts.len(),
        data.len()
    );
});
