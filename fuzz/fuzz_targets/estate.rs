//! Fuzz target: the estate file and procurement catalogue loaders
//! (`audit::estate::{parse_estate, parse_catalogue}`). Byte 0 picks the loader; the rest is the
//! TOML text.
#![no_main]

use audit::estate::{parse_catalogue, parse_estate};
use libfuzzer_sys::fuzz_target;
use sightline_fuzz::within_heap;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let [f, bytes @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(bytes) else {
        // The loaders take text read with `read_to_string`, which refuses invalid UTF-8.
        return;
    };
    within_heap("estate", text.len(), || {
        if f % 2 == 0 {
            let _ = parse_estate(text, Path::new("fuzz/estate.toml")).map(|e| e.networks());
        } else {
            let _ = parse_catalogue(text, Path::new("fuzz/catalogue.toml"));
        }
    });
});
