//! Inputs the fuzzers found or the hostile-device issue described (`fuzz/regressions/`), replayed
//! through field extraction and identification on every test run, so that a fixed crash or
//! blow-up stays fixed without building the fuzz project.

use crate::db;
use fingerprint::fields::{MAX_NAME_LEN, MAX_VALUES};
use model::{Kind, Observation};
use std::path::PathBuf;

/// The fuzz targets whose inputs are device answers.
const TARGETS: &[&str] = &["extract", "xml", "json", "kv_banner", "identify"];

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut out = Vec::new();
    for target in TARGETS {
        let Ok(dir) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in dir.flatten() {
            let path = entry.path();
            if path.is_file() {
                let name = format!("{target}/{}", entry.file_name().to_string_lossy());
                out.push((
                    name,
                    std::fs::read(&path).expect("readable regression input"),
                ));
            }
        }
    }
    out.sort();
    out
}

#[track_caller]
fn check(name: &str, bytes: &[u8]) {
    for kind in Kind::ALL {
        let fields =
            fingerprint::extract(kind, Some("GET /ISAPI/System/deviceInfo HTTP/1.1"), bytes);
        let values: usize = fields.iter().map(|(_, v)| v.len()).sum();
        assert!(
            values <= MAX_VALUES + 16,
            "{name} as {kind}: {values} values"
        );
        for (field, _) in fields.iter() {
            assert!(
                field.len() <= MAX_NAME_LEN + 16,
                "{name} as {kind}: name of {} bytes",
                field.len()
            );
        }
        let observation = Observation {
            id: "o1".into(),
            device: "d".into(),
            kind,
            address: None,
            port: None,
            request: None,
            response: bytes.to_vec(),
            time: None,
        };
        let id = db().identify("d", std::slice::from_ref(&observation));
        assert!(
            id.evidence.len() <= fingerprint::MAX_EVIDENCE,
            "{name} as {kind}"
        );
        assert!((0.0..=1.0).contains(&id.confidence), "{name} as {kind}");
    }
}

#[test]
fn fuzz_regressions_stay_fixed() {
    let inputs = inputs();
    assert!(
        inputs.len() >= 5,
        "fuzz/regressions/ went missing: {}",
        inputs.len()
    );
    for (name, bytes) in &inputs {
        check(name, bytes);
    }
}
