//! Fuzz target: full identification (`fingerprint::Database::identify` with the embedded
//! database) of one device from up to eight answers. The input is split on 0xFE (a byte UTF-8
//! never uses, so text seeds split cleanly); byte 0 of each part picks its kind (low four bits) and request (high four bits).
#![no_main]

use fingerprint::Database;
use libfuzzer_sys::fuzz_target;
use sightline_fuzz::{MAX_EVIDENCE, kind_from, observation, within_heap};
use std::sync::OnceLock;

/// Observations per device: a scan stores a few per open port, eight covers a busy camera.
const MAX_OBSERVATIONS: usize = 8;

fn database() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| Database::embedded().0)
}

fuzz_target!(
    // Loading the database takes seconds in an instrumented build: do it once, before
    // libFuzzer's per-input timer starts (each fork-mode job is a fresh process).
    init: {
        database();
    },
    |data: &[u8]| {
    let db = database();
    let observations: Vec<model::Observation> = data
        .split(|&b| b == 0xfe)
        .filter_map(|part| part.split_first())
        .take(MAX_OBSERVATIONS)
        .enumerate()
        .map(|(n, (k, response))| {
            observation(n, kind_from(*k & 0x0f), usize::from(*k >> 4), response)
        })
        .collect();
    let identity = within_heap("identify", data.len(), || {
        db.identify("fuzz", &observations)
    });
    assert!(
        identity.evidence.len() <= MAX_EVIDENCE,
        "identify: {} evidence items from {} observations",
        identity.evidence.len(),
        observations.len()
    );
    assert!(
        (0.0..=1.0).contains(&identity.confidence),
        "identify: confidence {}",
        identity.confidence
    );
    for text in [&identity.manufacturer, &identity.model, &identity.firmware]
        .into_iter()
        .flatten()
    {
        assert!(
            text.len() <= 4 * data.len() + 256,
            "identify: a {}-byte name from {} bytes",
            text.len(),
            data.len()
        );
    }
}
);
