//! A readable identification table over the project's labelled evaluation set, snapshotted so
//! that every change in what the engine concludes is reviewed.

use super::db;
use model::{Observation, ObservationRecord};
use std::fmt::Write as _;

#[test]
fn evaluation_set_identification_table() {
    let text = include_str!("../../../../eval/dev/devices.jsonl");
    let mut devices: Vec<(String, Vec<Observation>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let rec: ObservationRecord =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("eval line {}: {e}", n + 1));
        let obs = rec
            .into_observation(&format!("line{}", n + 1), |_| {
                Err("no base64 in the eval set".into())
            })
            .expect("valid observation");
        match devices.iter_mut().find(|(d, _)| *d == obs.device) {
            Some((_, v)) => v.push(obs),
            None => devices.push((obs.device.clone(), vec![obs])),
        }
    }
    let mut table = String::new();
    for (device, obs) in &devices {
        let id = db().identify(device, obs);
        let fps: Vec<&str> = id.evidence.iter().map(|e| e.fingerprint.as_str()).collect();
        writeln!(
            table,
            "{device} | {} | {} | {} | {} | covered={} | {:.2} | {}",
            id.manufacturer.as_deref().unwrap_or("-"),
            id.brand.as_deref().unwrap_or("-"),
            id.model.as_deref().unwrap_or("-"),
            id.device_class.map(|c| c.as_str()).unwrap_or("-"),
            id.covered,
            id.confidence,
            fps.join(" ")
        )
        .expect("write to string");
    }
    insta::assert_snapshot!(table);
}
