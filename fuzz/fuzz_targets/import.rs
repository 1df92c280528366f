//! Fuzz target: the file imports of `audit --import` (`audit::import::{csv_register, nmap_xml,
//! scan_jsonl}`). Byte 0 picks the format; the rest is the file text.
#![no_main]

use audit::import::{ColumnMap, csv_register, nmap_xml, scan_jsonl};
use libfuzzer_sys::fuzz_target;
use sightline_fuzz::within_heap;

fuzz_target!(|data: &[u8]| {
    let [f, bytes @ ..] = data else { return };
    let text = String::from_utf8_lossy(bytes);
    let hosts = within_heap("import", text.len(), || match f % 3 {
        0 => csv_register(&text, "fuzz.csv", &ColumnMap::default()),
        1 => nmap_xml(&text, "fuzz.xml"),
        _ => scan_jsonl(&text, "fuzz.jsonl"),
    });
    if let Ok(hosts) = hosts {
        // Every host and every observation comes from some bytes of the file.
        let observations: usize = hosts.iter().map(|h| h.observations.len()).sum();
        assert!(
            hosts.len() + observations <= 2 * text.len() + 2,
            "import: {} hosts and {observations} observations from {} bytes",
            hosts.len(),
            text.len()
        );
    }
});
