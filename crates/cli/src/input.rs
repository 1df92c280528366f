//! Reading JSON Lines observations: each bad line is reported with its number and skipped.
//! Observations are read one line at a time and grouped by device in a bounded window, so
//! that identification streams: a device is identified once its observations have ended and
//! the whole input is never held.

use anyhow::{Context, Result};
use base64::Engine as _;
use model::{Observation, ObservationRecord};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Most observations held waiting for more of their device. Input grouped by device (what
/// `scan` writes) needs only the current device's; interleaved input (concurrent scans merged)
/// is joined correctly while a device's observations are at most this far apart.
pub const WINDOW_OBSERVATIONS: usize = 10_000;
/// Most bytes of answers held in the window.
pub const WINDOW_BYTES: usize = 64 << 20;
/// Most names of identified devices remembered, to notice one that appears again.
const MAX_REMEMBERED: usize = 1 << 20;

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

/// Read every observation, in order, handing each (with its labelled truth, if any) to `each`.
/// Returns how many lines were skipped as bad.
pub fn read(
    path: Option<&Path>,
    mut each: impl FnMut(Observation, Option<serde_json::Value>) -> Result<()>,
) -> Result<usize> {
    let name = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "<stdin>".into());
    let mut reader = BufReader::with_capacity(1 << 20, open(path)?);
    let decode = |s: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(|e| e.to_string())
    };
    let mut bad_lines = 0;
    let mut line = Vec::new();
    let mut lineno = 0;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read {name}"))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
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
                bad_lines += 1;
                continue;
            }
        };
        let mut record = record;
        let truth = record.truth.take();
        // The fallback name is only built for a record without an id.
        let fallback = if record.id.is_none() {
            format!("line{lineno}")
        } else {
            String::new()
        };
        match record.into_observation(&fallback, decode) {
            Ok(obs) => each(obs, truth)?,
            Err(e) => {
                eprintln!(
                    "{name}:{lineno}: skipped: {}",
                    report::text::terminal(&e.to_string())
                );
                bad_lines += 1;
            }
        }
    }
    Ok(bad_lines)
}

/// Read the whole input (for evaluation sets, which are small and need their labels).
pub fn load(path: Option<&Path>) -> Result<Loaded> {
    let mut observations = Vec::new();
    let mut truths: Vec<(String, serde_json::Value)> = Vec::new();
    let bad_lines = read(path, |obs, truth| {
        if let Some(t) = truth
            && !truths.iter().any(|(d, _)| d == &obs.device)
        {
            truths.push((obs.device.clone(), t));
        }
        observations.push(obs);
        Ok(())
    })?;
    Ok(Loaded {
        observations,
        truths,
        bad_lines,
    })
}

/// Group observations by device, devices in order of first appearance.
pub fn by_device(observations: Vec<Observation>) -> Vec<(String, Vec<Observation>)> {
    let mut grouper = Grouper::new(usize::MAX, usize::MAX);
    let mut groups = Vec::new();
    for obs in observations {
        grouper.push(obs, |d, o| groups.push((d, o)));
    }
    grouper.finish(|d, o| groups.push((d, o)));
    groups
}

/// Groups a stream of observations by device in a bounded window: devices are handed on in
/// order of first appearance, each with all its observations that arrived while it was held.
/// The oldest device leaves the window when the window is full (never the device of the
/// latest observation, whose answers must stay together).
pub struct Grouper {
    max_observations: usize,
    max_bytes: usize,
    /// Held devices, oldest first; `first` is the sequence number of the front one.
    held: VecDeque<(String, Vec<Observation>)>,
    first: u64,
    /// Device -> its sequence number while held.
    index: HashMap<String, u64>,
    observations: usize,
    bytes: usize,
    /// Devices already handed on (at most `MAX_REMEMBERED`), to notice input that is not
    /// grouped by device beyond the window.
    done: HashSet<String>,
    /// Devices that appeared again after they were handed on (identified in parts).
    pub split: Vec<String>,
}

impl Grouper {
    pub fn new(max_observations: usize, max_bytes: usize) -> Grouper {
        Grouper {
            max_observations,
            max_bytes,
            held: VecDeque::new(),
            first: 0,
            index: HashMap::new(),
            observations: 0,
            bytes: 0,
            done: HashSet::new(),
            split: Vec::new(),
        }
    }

    /// The streaming window of `identify`.
    pub fn window() -> Grouper {
        Grouper::new(WINDOW_OBSERVATIONS, WINDOW_BYTES)
    }

    pub fn push(&mut self, obs: Observation, mut out: impl FnMut(String, Vec<Observation>)) {
        self.observations += 1;
        self.bytes += obs.response.len();
        let seq = match self.index.get(&obs.device) {
            Some(&seq) => seq,
            None => {
                if self.done.contains(&obs.device) && self.split.len() < 1000 {
                    self.split.push(obs.device.clone());
                }
                let seq = self.first + self.held.len() as u64;
                self.index.insert(obs.device.clone(), seq);
                self.held.push_back((obs.device.clone(), Vec::new()));
                seq
            }
        };
        self.held[(seq - self.first) as usize].1.push(obs);
        while self.held.len() > 1
            && (self.observations > self.max_observations || self.bytes > self.max_bytes)
            && self.first != seq
        {
            self.pop(&mut out);
        }
    }

    /// Hand on every device still held.
    pub fn finish(&mut self, mut out: impl FnMut(String, Vec<Observation>)) {
        while !self.held.is_empty() {
            self.pop(&mut out);
        }
    }

    fn pop(&mut self, out: &mut impl FnMut(String, Vec<Observation>)) {
        let Some((device, obs)) = self.held.pop_front() else {
            return;
        };
        self.first += 1;
        self.index.remove(&device);
        self.observations -= obs.len();
        self.bytes -= obs.iter().map(|o| o.response.len()).sum::<usize>();
        if self.done.len() < MAX_REMEMBERED {
            self.done.insert(device.clone());
        }
        out(device, obs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Kind;

    fn obs(device: &str, id: usize) -> Observation {
        Observation {
            id: format!("o{id}"),
            device: device.to_string(),
            kind: Kind::Mac,
            address: None,
            port: None,
            request: None,
            response: b"00:00:00:00:00:01".to_vec(),
            time: None,
        }
    }

    fn run(grouper: &mut Grouper, devices: &[&str]) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        let mut take = |d: String, o: Vec<Observation>| {
            out.push((d, o.into_iter().map(|o| o.id).collect()));
        };
        for (i, d) in devices.iter().enumerate() {
            grouper.push(obs(d, i), &mut take);
        }
        grouper.finish(&mut take);
        out
    }

    #[test]
    fn grouped_input_streams_one_device_at_a_time() {
        let mut g = Grouper::new(2, usize::MAX);
        let mut seen = Vec::new();
        for (i, d) in ["a", "a", "a", "b", "c", "c"].iter().enumerate() {
            g.push(obs(d, i), |d, o| seen.push((d, o.len(), i)));
        }
        // `a` leaves as soon as the window is full and another device is current; `a`'s three
        // observations stay together although they exceed the window.
        assert_eq!(seen, [("a".to_string(), 3, 3), ("b".to_string(), 1, 5)]);
        assert!(g.split.is_empty());
    }

    #[test]
    fn interleaved_input_is_joined_within_the_window_and_split_beyond_it() {
        let joined = run(
            &mut Grouper::new(10, usize::MAX),
            &["a", "b", "a", "c", "b"],
        );
        assert_eq!(
            joined,
            [
                ("a".to_string(), vec!["o0".to_string(), "o2".to_string()]),
                ("b".to_string(), vec!["o1".to_string(), "o4".to_string()]),
                ("c".to_string(), vec!["o3".to_string()]),
            ]
        );
        let mut g = Grouper::new(2, usize::MAX);
        let split = run(&mut g, &["a", "b", "c", "a"]);
        let names: Vec<&str> = split.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "a"]);
        assert_eq!(g.split, ["a"]);
    }
}
