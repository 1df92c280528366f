//! sightline's identification engine: loads the fingerprint data and vendor registry (embedded
//! at build time from `fingerprints/`), checks them, and turns observations into identities
//! with evidence. Pure: no IO beyond reading a data directory on request, no async.

mod ascii;
pub mod cert;
pub mod check;
mod db;
pub mod eval;
pub mod favicon;
pub mod fields;
mod identify;
pub mod names;
pub mod oui;
pub mod registry;

pub use db::{Cond, Example, Fingerprint, Hit};
pub use fields::{Fields, extract};
pub use identify::MAX_EVIDENCE;
pub use registry::{Named, Registry};

use db::{FingerprintFile, Group};
use model::{Identity, Observation};
use regex_automata::PatternSet;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

mod data {
    include!(concat!(env!("OUT_DIR"), "/data.rs"));
}

/// A problem found in the data: which file, which entry, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub file: String,
    pub entry: String,
    pub message: String,
}

impl Problem {
    pub fn new(file: &str, entry: &str, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_string(),
            entry: entry.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.entry.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.entry, self.message)
        }
    }
}

/// Errors reading a data directory from disk.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read fingerprint data in {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Fingerprints, registry and OUI table, ready to identify devices.
#[derive(Debug)]
pub struct Database {
    pub registry: Registry,
    pub fingerprints: Vec<Fingerprint>,
    pub oui: oui::OuiTable,
    /// IANA Private Enterprise Numbers (`pen.tsv`): number -> registrant, for SNMP agents whose
    /// vendor the registry does not hold.
    pub pen: HashMap<u32, String>,
    groups: HashMap<String, Vec<(model::Kind, Group)>>,
    /// Index of each fingerprint by id and by every alias (a live id wins over an alias).
    by_id: HashMap<String, usize>,
    spotter: names::Spotter,
    /// Every field some fingerprint, condition or the name spotter reads.
    wanted: std::sync::Arc<std::collections::HashSet<String>>,
    /// The most fingerprints on one field.
    widest_group: usize,
    /// How many distinct conditions (`also`, `unless`) the fingerprints have.
    conditions: usize,
}

impl Database {
    /// The data compiled into this binary. Entries with problems are left out and the
    /// problems returned (the test suite keeps that list empty).
    pub fn embedded() -> (Database, Vec<Problem>) {
        Database::from_files(data::FILES.iter().map(|(p, b)| (p.to_string(), b.to_vec())))
    }

    /// Load a `fingerprints/`-shaped directory from disk (to try data changes without a rebuild).
    pub fn from_dir(dir: &Path) -> Result<(Database, Vec<Problem>), LoadError> {
        let mut files = Vec::new();
        collect(dir, dir, &mut files)?;
        files.sort();
        Ok(Database::from_files(files))
    }

    /// Build from (relative path, contents) pairs: `registry/*.toml` are registry files,
    /// `oui.tsv` the OUI table, every other `*.toml` a fingerprint file.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> (Database, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut registry_files = Vec::new();
        let mut fp_files = Vec::new();
        let mut oui_text = String::new();
        let mut pen = HashMap::new();
        for (path, bytes) in files {
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    problems.push(Problem::new(&path, "", "not UTF-8"));
                    continue;
                }
            };
            if path.ends_with("oui.tsv") {
                oui_text = text;
            } else if path.ends_with("pen.tsv") {
                pen = parse_pen(&text);
            } else if path.starts_with("registry/") {
                registry_files.push((path, text));
            } else if path.ends_with(".toml") {
                fp_files.push((path, text));
            }
        }
        let (registry, reg_problems) =
            Registry::load(registry_files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        problems.extend(reg_problems);
        let mut fingerprints = Vec::new();
        for (path, text) in &fp_files {
            match toml::from_str::<FingerprintFile>(text) {
                Ok(file) => {
                    for e in file.fingerprint {
                        if let Some(fp) = Fingerprint::compile(path, e, &mut problems) {
                            fingerprints.push(fp);
                        }
                    }
                }
                Err(e) => problems.push(Problem::new(path, "", format!("invalid TOML: {e}"))),
            }
        }
        // Conditions written alike share one compiled pattern and one answer per observation.
        let mut shared: HashMap<(String, String), std::sync::Arc<db::CondPattern>> = HashMap::new();
        for fp in &mut fingerprints {
            for c in fp.also.iter_mut().chain(fp.unless.iter_mut()) {
                let next = shared.len();
                c.shared = shared
                    .entry((c.field.clone(), c.pattern.clone()))
                    .or_insert_with(|| std::sync::Arc::new(db::CondPattern::new(next)))
                    .clone();
            }
        }
        let conditions = shared.len();
        let groups = db::build_groups(&fingerprints);
        let mut by_id = HashMap::new();
        for (i, fp) in fingerprints.iter().enumerate() {
            for alias in &fp.aliases {
                by_id.entry(alias.clone()).or_insert(i);
            }
        }
        // A live id wins over another entry's alias (the self-test reports that clash); of two
        // entries with one id the first wins, as it does in the self-test's report.
        let mut live = std::collections::HashSet::new();
        for (i, fp) in fingerprints.iter().enumerate() {
            if live.insert(fp.id.as_str()) {
                by_id.insert(fp.id.clone(), i);
            }
        }
        let spotter = names::Spotter::new(&registry);
        let mut wanted: std::collections::HashSet<String> = groups.keys().cloned().collect();
        for fp in &fingerprints {
            wanted.extend(fp.also.iter().chain(&fp.unless).map(|c| c.field.clone()));
        }
        wanted.extend(names::FIELDS.iter().map(|f| f.to_string()));
        // `scope` is derived from `xml.Scopes`, `mac` is read by the OUI lookup.
        wanted.extend(["xml.Scopes", "mac", "header.content-type"].map(String::from));
        let wanted = std::sync::Arc::new(wanted);
        let widest_group = groups
            .values()
            .flatten()
            .map(|(_, g)| g.members.len())
            .max()
            .unwrap_or(0);
        let db = Database {
            widest_group,
            conditions,
            registry,
            fingerprints,
            oui: oui::OuiTable::parse(&oui_text),
            pen,
            groups,
            by_id,
            spotter,
            wanted,
        };
        (db, problems)
    }

    /// The fingerprint with this id, or that had it before a rename (`aliases`), so evidence
    /// stored under an old id still names its entry.
    pub fn fingerprint(&self, id: &str) -> Option<&Fingerprint> {
        self.by_id.get(id).map(|&i| &self.fingerprints[i])
    }

    /// Every fingerprint hit on one observation.
    pub fn matches<'a>(&'a self, obs: &Observation) -> (Fields, Vec<Hit<'a>>) {
        let fields = fields::extract_into(
            Fields::only(self.wanted.clone()),
            obs.kind,
            obs.request.as_deref(),
            &obs.response,
        );
        let hits = self.matches_fields(obs.kind, &fields);
        (fields, hits)
    }

    pub fn matches_fields<'a>(&'a self, kind: model::Kind, fields: &Fields) -> Vec<Hit<'a>> {
        let mut hits = Vec::new();
        // Whether each candidate's conditions hold on this observation, asked once. Candidates
        // per observation are few: a list beats a hash map.
        let mut conditions: Vec<(usize, bool)> = Vec::new();
        let mut found = PatternSet::new(self.widest_group);
        let mut scratch = PatternSet::new(self.widest_group);
        // Each distinct condition's answer on this observation: 0 not asked, 1 no, 2 yes.
        let mut answers = vec![0u8; self.conditions];
        for (name, values) in fields.iter() {
            let Some((_, group)) = self
                .groups
                .get(name)
                .and_then(|g| g.iter().find(|(k, _)| *k == kind))
            else {
                continue;
            };
            for value in values {
                let exact = group.which(value, &mut found, &mut scratch);
                for p in found.iter() {
                    let i = group.members[p.as_usize()];
                    let fp = &self.fingerprints[i];
                    let holds = match conditions.iter().find(|(j, _)| *j == i) {
                        Some(&(_, holds)) => holds,
                        None => {
                            let holds = fp.conditions_hold_memo(fields, &mut answers);
                            conditions.push((i, holds));
                            holds
                        }
                    };
                    if !holds {
                        continue;
                    }
                    let hit = if exact {
                        fp.hit_known(name, value)
                    } else {
                        fp.hit(name, value)
                    };
                    hits.extend(hit);
                }
            }
        }
        hits
    }

    /// Identify one device from all its observations.
    pub fn identify(&self, device: &str, observations: &[Observation]) -> Identity {
        identify::identify(self, device, observations)
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> Result<(), LoadError> {
    let io = |e| LoadError::Io {
        path: dir.display().to_string(),
        source: e,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "tsv")
        ) {
            let bytes = std::fs::read(&path).map_err(|e| LoadError::Io {
                path: path.display().to_string(),
                source: e,
            })?;
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, bytes));
        }
    }
    Ok(())
}

/// `pen.tsv`: `<number> TAB <registrant>` lines; comments and malformed lines are skipped.
fn parse_pen(text: &str) -> HashMap<u32, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (number, name) = l.split_once('\t')?;
            Some((number.trim().parse().ok()?, name.trim().to_string()))
        })
        .filter(|(_, name): &(u32, String)| !name.is_empty())
        .collect()
}
