//! Laying out an estate: which persona lives on which loopback address, reproducibly from a
//! seed, and the truth file that records it.

use crate::Rng;
use crate::hostile::Hostile;
use crate::persona::{Behaviour, Persona, Truth};
use ipnet::Ipv4Net;
use serde::Serialize;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

#[derive(Clone, Debug)]
pub struct EstateConfig {
    pub devices: usize,
    /// Where the devices live; must be inside 127.0.0.0/8.
    pub net: Ipv4Net,
    pub seed: u64,
    /// Share of devices that misbehave (0..1).
    pub misbehaving: f64,
    /// Hostile devices placed beside the `devices` others, round-robin over the hostile kinds.
    /// They take addresses the others left free, so the others are laid out exactly as without
    /// them (same seed, same addresses, same personas).
    pub hostile: usize,
    /// Place every persona that behaves normally exactly once, in turn, instead of drawing
    /// `devices` at random (which repeats some and skips others): one device per labelled unit,
    /// so an estate built from a labelled set is scored per device. `devices` and `misbehaving`
    /// are then ignored.
    pub each: bool,
}

impl Default for EstateConfig {
    fn default() -> EstateConfig {
        EstateConfig {
            devices: 50,
            net: "127.70.0.0/24".parse().expect("valid net"),
            seed: 1,
            misbehaving: 0.03,
            hostile: 0,
            each: false,
        }
    }
}

/// One device of the estate.
#[derive(Clone, Debug, Serialize)]
pub struct Placement {
    pub address: Ipv4Addr,
    /// Index into the catalog.
    #[serde(skip)]
    pub persona: usize,
}

/// One line of the truth file.
#[derive(Clone, Debug, Serialize)]
pub struct TruthLine<'a> {
    pub address: String,
    pub persona: &'a str,
    pub behaviour: Behaviour,
    /// Whether one of its answers is one a scan gets on first contact (`Persona::first_contact`).
    pub first_contact: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostile: Option<Hostile>,
    #[serde(flatten)]
    pub truth: &'a Truth,
    pub ports: Vec<u16>,
}

/// Mixed into the seed of the hostile devices' generator.
const HOSTILE_STREAM: u64 = 0x686f_7374_696c_6521;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("{0} is not inside 127.0.0.0/8: the lab only lives on loopback addresses")]
    NotLoopback(Ipv4Net),
    #[error("{net} has {room} usable addresses, fewer than the {want} devices asked for")]
    TooSmall {
        net: Ipv4Net,
        room: u64,
        want: usize,
    },
    #[error("the persona catalog is empty")]
    NoPersonas,
    #[error("the persona catalog has no hostile personas")]
    NoHostilePersonas,
}

/// Place `cfg.devices` devices, then `cfg.hostile` hostile ones, on distinct addresses of
/// `cfg.net`.
pub fn plan(cfg: &EstateConfig, catalog: &[Persona]) -> Result<Vec<Placement>, PlanError> {
    let loopback: Ipv4Net = "127.0.0.0/8".parse().expect("valid net");
    if !loopback.contains(&cfg.net) {
        return Err(PlanError::NotLoopback(cfg.net));
    }
    let first = u32::from(cfg.net.network()) + 1;
    let last = u32::from(cfg.net.broadcast()).saturating_sub(1);
    let room = u64::from(last.saturating_sub(first)) + 1;
    // The labelled units: every persona that is neither hostile nor one of the misbehaving ones.
    let units: Vec<usize> = (0..catalog.len())
        .filter(|&i| {
            catalog[i].behaviour == Behaviour::Normal
                && catalog[i].hostile.is_none()
                && !catalog[i].id.starts_with("misbehaving")
        })
        .collect();
    let devices = if cfg.each { units.len() } else { cfg.devices };
    let want = devices.saturating_add(cfg.hostile);
    if (want as u64) > room || last < first {
        return Err(PlanError::TooSmall {
            net: cfg.net,
            room,
            want,
        });
    }
    let normal: Vec<usize> = (0..catalog.len())
        .filter(|&i| catalog[i].behaviour == Behaviour::Normal && catalog[i].hostile.is_none())
        .collect();
    let odd: Vec<usize> = (0..catalog.len())
        .filter(|&i| {
            catalog[i].hostile.is_none()
                && (catalog[i].behaviour != Behaviour::Normal
                    || catalog[i].id.starts_with("misbehaving"))
        })
        .collect();
    let hostile: Vec<usize> = (0..catalog.len())
        .filter(|&i| catalog[i].hostile.is_some())
        .collect();
    if cfg.hostile > 0 && hostile.is_empty() {
        return Err(PlanError::NoHostilePersonas);
    }
    if normal.is_empty() {
        return Err(PlanError::NoPersonas);
    }
    let mut rng = Rng::new(cfg.seed);
    let mut used = BTreeSet::new();
    let mut out = Vec::with_capacity(devices);
    while out.len() < devices {
        let addr = first + rng.below(room) as u32;
        if !used.insert(addr) {
            continue;
        }
        let misbehave =
            !cfg.each && !odd.is_empty() && (rng.below(10_000) as f64) < cfg.misbehaving * 10_000.0;
        let persona = if cfg.each {
            units[out.len()]
        } else if misbehave {
            odd[rng.below(odd.len() as u64) as usize]
        } else {
            normal[rng.below(normal.len() as u64) as usize]
        };
        out.push(Placement {
            address: Ipv4Addr::from(addr),
            persona,
        });
    }
    // A generator of their own, so that the devices above draw exactly what they drew
    // without hostile ones.
    let mut rng = Rng::new(cfg.seed ^ HOSTILE_STREAM);
    let mut placed = 0;
    while placed < cfg.hostile {
        let addr = first + rng.below(room) as u32;
        if !used.insert(addr) {
            continue;
        }
        out.push(Placement {
            address: Ipv4Addr::from(addr),
            persona: hostile[placed % hostile.len()],
        });
        placed += 1;
    }
    out.sort_by_key(|p| p.address);
    Ok(out)
}

/// The truth file: one JSON line per device.
pub fn truth_jsonl(placements: &[Placement], catalog: &[Persona]) -> String {
    let mut s = String::new();
    for p in placements {
        let persona = &catalog[p.persona];
        let line = TruthLine {
            address: p.address.to_string(),
            persona: &persona.id,
            behaviour: persona.behaviour,
            first_contact: persona.first_contact,
            hostile: persona.hostile,
            truth: &persona.truth,
            ports: persona.services.iter().map(|s| s.port).collect(),
        };
        s.push_str(&serde_json::to_string(&line).unwrap_or_default());
        s.push('\n');
    }
    s
}
