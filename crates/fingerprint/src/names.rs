//! Name spotting: a registry company or brand named in a short, identifying field (page
//! title, Server header, realm, banner, certificate subject, discovery names) is evidence
//! even when no fingerprint was written for that exact string. This is what lets the engine
//! recognise answers nobody has catalogued yet ("ACME-Webs", "Welcome to Foo NVR").

use crate::Fields;
use crate::registry::{Named, Registry};
use regex::Regex;
use std::collections::HashMap;

/// Fields short and identifying enough for a maker's name in them to mean something.
pub const FIELDS: &[&str] = &[
    "title",
    "header.server",
    "header.usn",
    "realm",
    "banner",
    "cert.subject.o",
    "cert.subject.cn",
    "cert.subject.ou",
    "xml.Manufacturer",
    "xml.manufacturer",
    "xml.friendlyName",
    "xml.modelName",
    "xml.DeviceName",
    "scope",
    "json.Vendor",
    "json.vendor",
    "json.manufacturer",
    "kv.vendor",
    "copyright",
];

/// Whether the values of a structured name field (`xml.manufacturer`, `json.vendor`...) are a
/// list of other devices' names: a router's client list or an NVR's channel list names many
/// makers, none of them the answering device's. A device names its own maker once (or repeats
/// the same name, as a UPnP root device and its embedded devices do), so several different
/// values in one such field make none of them evidence.
pub fn names_several_devices(field: &str, values: &[String]) -> bool {
    let structured = ["xml.", "json.", "kv."]
        .iter()
        .any(|p| field.starts_with(p));
    if !structured || values.len() < 2 {
        return false;
    }
    let first = crate::registry::normalize(&values[0]);
    values[1..]
        .iter()
        .any(|v| crate::registry::normalize(v) != first)
}

/// Confidence of a name seen in one of those fields.
pub const CONFIDENCE: f64 = 0.55;
/// How much of a long field (a banner) is searched.
const MAX_LEN: usize = 1024;
/// Longest name field (a banner excepted: it is searched in its first `MAX_LEN` bytes) whose
/// names count, and longest maker name a device writes that is looked up. A maker's name is a
/// few words; a field of kilobytes was written to name every maker at once (80 KB of
/// "Hikvision Dahua Huawei ..." in `<Manufacturer>` made a device Hikvision) and claims nothing.
pub const MAX_NAME_FIELD_LEN: usize = 1024;

/// Everyday words that are also company or brand names: only their capitalised spellings count.
const COMMON_WORDS: &[&str] = &[
    "ring", "nest", "canon", "sharp", "brother", "apple", "extreme", "ruckus", "buffalo", "eaton",
    "arlo", "google", "amazon", "nokia", "sophos", "cisco", "honor", "swann", "alibi", "speco",
    "vicon",
];

/// The short names that are spotted.
const SHORT_NAMES: &[&str] = &["ZTE", "HP", "H3C", "TVT", "AVM", "IBM", "NEC", "LG"];

#[derive(Debug)]
pub struct Spotter {
    re: Option<Regex>,
    names: HashMap<String, Named>,
}

impl Spotter {
    pub fn new(reg: &Registry) -> Spotter {
        let mut names: HashMap<String, Named> = HashMap::new();
        let mut alts: Vec<String> = Vec::new();
        let mut add = |name: &str, target: Named, names: &mut HashMap<String, Named>| {
            let name = name.trim();
            let letters = name.chars().filter(|c| c.is_alphanumeric()).count();
            if letters < 2 || name.len() > 40 {
                return;
            }
            // Short names only when they are known maker names, in capitals as makers write
            // them: two or three letters are too often something else ("DH" is also the
            // Department of Health, "HIK" a word fragment).
            let variants: Vec<String> = if letters <= 3 {
                if !SHORT_NAMES.contains(&name.to_uppercase().as_str()) {
                    return;
                }
                vec![name.to_uppercase()]
            } else if COMMON_WORDS.contains(&name.to_lowercase().as_str()) {
                vec![name.to_string(), name.to_uppercase()]
            } else {
                vec![name.to_string(), name.to_uppercase(), name.to_lowercase()]
            };
            for v in variants {
                // First declaration wins: companies are added before brands.
                if let std::collections::hash_map::Entry::Vacant(e) = names.entry(v.clone()) {
                    e.insert(target);
                    alts.push(regex::escape(&v));
                }
            }
        };
        for (i, c) in reg.companies.iter().enumerate() {
            for n in std::iter::once(&c.name).chain(&c.aliases) {
                add(n, Named::Company(i), &mut names);
            }
        }
        for (i, b) in reg.brands.iter().enumerate() {
            for n in std::iter::once(&b.name).chain(&b.aliases) {
                add(n, Named::Brand(i), &mut names);
            }
        }
        // Longest first, so "Hikvision Digital" wins over "Hik".
        alts.sort_by_key(|a| std::cmp::Reverse(a.len()));
        let re = if alts.is_empty() {
            None
        } else {
            // Word boundaries by hand: `\b` fails next to names ending in punctuation.
            Regex::new(&format!(
                r"(?:^|[^\p{{L}}\p{{N}}])({})(?:$|[^\p{{L}}\p{{N}}])",
                alts.join("|")
            ))
            .ok()
        };
        Spotter { re, names }
    }

    /// Names spotted in the identifying fields: (field, matched text, what it names).
    pub fn spot(&self, fields: &Fields) -> Vec<(String, String, Named)> {
        let mut out: Vec<(String, String, Named)> = Vec::new();
        let Some(re) = &self.re else { return out };
        for field in FIELDS {
            if names_several_devices(field, fields.get(field)) {
                continue;
            }
            for value in fields.get(field) {
                if value.len() > MAX_NAME_FIELD_LEN && *field != "banner" {
                    continue;
                }
                let mut end = value.len().min(MAX_LEN);
                while !value.is_char_boundary(end) {
                    end -= 1;
                }
                let text = &value[..end];
                let mut at = 0;
                // The boundary character after a name is part of the match: search again from
                // it, so that "Hikvision Axis" yields both names.
                while at <= text.len() {
                    let Some(cap) = re.captures_at(text, at) else {
                        break;
                    };
                    let m = cap.get(1).expect("group 1 always takes part");
                    if let Some(&target) = self.names.get(m.as_str())
                        && !out.iter().any(|(f, _, t)| f == field && *t == target)
                    {
                        out.push((field.to_string(), m.as_str().to_string(), target));
                    }
                    at = m.end();
                }
            }
        }
        out
    }
}
