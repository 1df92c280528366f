//! Reading JSON Lines observations: each bad line is reported with its number and skipped.

use anyhow::{Context, Result};
use base64::Engine as _;
use model::{Observation, ObservationRecord};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

pub struct Loaded {
    pub observations: Vec<Observation>,
    /// Labelled truth per device (first one seen), for evaluation sets.
    pub truths: Vec<(String, serde_json::Value)>,
    pub bad_lines: usize,
}

pub fn open(path: Option<&Path>) -> Result<Box<dyn Read>> {
    Ok(match path {
        Some(p) => Box::new(
            std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?,
        ),
        None => Box::new(std::io::stdin()),
    })
}

pub fn load(path: Option<&Path>) -> Result<Loaded> {
    let name = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "<stdin>".into());
    let reader = BufReader::with_capacity(1 << 20, open(path)?);
    let mut out = Loaded {
        observations: Vec::new(),
        truths: Vec::new(),
        bad_lines: 0,
    };
    let decode = |s: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(|e| e.to_string())
    };
    for (n, line) in reader.split(b'\n').enumerate() {
        let lineno = n + 1;
        let line = line.with_context(|| format!("cannot read {name}"))?;
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let record: ObservationRecord = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                // serde's message quotes the offending value, which came from the file.
                eprintln!(
                    "{name}:{lineno}: skipped: not a JSON observation: {}",
                    report::text::terminal(&e.to_string())
                );
                out.bad_lines += 1;
                continue;
            }
        };
        let truth = record.truth.clone();
        match record.into_observation(&format!("line{lineno}"), decode) {
            Ok(obs) => {
                if let Some(t) = truth
                    && !out.truths.iter().any(|(d, _)| d == &obs.device)
                {
                    out.truths.push((obs.device.clone(), t));
                }
                out.observations.push(obs);
            }
            Err(e) => {
                eprintln!(
                    "{name}:{lineno}: skipped: {}",
                    report::text::terminal(&e.to_string())
                );
                out.bad_lines += 1;
            }
        }
    }
    Ok(out)
}

/// Group observations by device, devices in order of first appearance.
pub fn by_device(observations: Vec<Observation>) -> Vec<(String, Vec<Observation>)> {
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut groups: Vec<(String, Vec<Observation>)> = Vec::new();
    for obs in observations {
        match index.get(&obs.device) {
            Some(&i) => groups[i].1.push(obs),
            None => {
                index.insert(obs.device.clone(), groups.len());
                groups.push((obs.device.clone(), vec![obs]));
            }
        }
    }
    groups
}
