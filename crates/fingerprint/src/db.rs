//! Fingerprint entries: TOML shape, validation, compilation, and matching against fields.

use crate::Problem;
use crate::fields::Fields;
use model::{DeviceClass, Kind};
use regex::{Regex, RegexSet, RegexSetBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntryToml {
    pub id: String,
    /// Ids this entry had before it was renamed, so stored evidence naming them still resolves.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub kinds: Vec<String>,
    pub field: OneOrMany,
    pub pattern: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub manufacturer: Option<String>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub device_class: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub firmware: Option<String>,
    pub confidence: f64,
    /// What a match proves: `maker` (the default), `platform` or `component` (see `Proves`).
    #[serde(default)]
    pub proves: Proves,
    /// For `proves = "component"`: the part found (`HiSilicon`, `GoAhead web server`).
    #[serde(default)]
    pub component: Option<String>,
    /// For `proves = "platform"`: the firmware family (`Hikvision firmware`).
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub also: Vec<CondToml>,
    #[serde(default)]
    pub unless: Vec<CondToml>,
    #[serde(default)]
    pub example: Vec<Example>,
    /// Answers the entry must not match (a look-alike from another maker's device or server).
    #[serde(default)]
    pub counterexample: Vec<Example>,
    /// Reviewer commentary; not used by the engine.
    #[serde(default, rename = "note")]
    pub _note: String,
}

/// What a fingerprint's match proves about the device.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Proves {
    /// Who made it: text or structure only the maker's own firmware produces (its OEM builds
    /// included). The default.
    #[default]
    Maker,
    /// A firmware family shared by an OEM ecosystem (Hikvision's firmware under LTS, Annke and
    /// other labels): names its owner as the maker, through the registry's OEM relations, and
    /// yields to a maker the device names itself when the registry records no OEM relation
    /// between them.
    Platform,
    /// A part inside the device (a chip, an SDK, a web server used by many makers): reported as
    /// a component, never as who made the device.
    Component,
}

/// `field = "title"` or `field = ["title", "realm"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CondToml {
    pub field: String,
    pub pattern: String,
}

/// An example answer; every key other than the known ones is an expected capture value.
#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub response: Option<String>,
    #[serde(default)]
    pub request: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    /// For `value` examples of an entry with several fields: which field the value is from.
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub source: String,
    #[serde(flatten)]
    pub expect: BTreeMap<String, toml::Value>,
}

impl Example {
    /// Expected captures, ignoring commentary keys.
    pub fn captures(&self) -> BTreeMap<String, String> {
        self.expect
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "note" | "description" | "comment" | "port"))
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect()
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub(crate) struct FingerprintFile {
    pub fingerprint: Vec<EntryToml>,
}

/// A compiled fingerprint.
#[derive(Debug)]
pub struct Fingerprint {
    pub id: String,
    /// Former ids of this entry (`Database::fingerprint` resolves them to it).
    pub aliases: Vec<String>,
    pub file: String,
    pub kinds: Vec<Kind>,
    /// The fields it matches on (any of them).
    pub fields: Vec<String>,
    /// The pattern's source. It is compiled when first needed (`regex()`): the candidates of a
    /// value come from its field's `RegexSet`, and compiling every entry's own `Regex` at load
    /// cost most of the start-up memory of identification.
    pub pattern: String,
    compiled: OnceLock<Option<Regex>>,
    pub description: String,
    pub manufacturer: Option<String>,
    pub brand: Option<String>,
    pub device_class: Option<DeviceClass>,
    pub model: Option<String>,
    pub firmware: Option<String>,
    pub confidence: f64,
    pub proves: Proves,
    /// The component a `component` fingerprint finds.
    pub component: Option<String>,
    /// The firmware family a `platform` fingerprint finds.
    pub platform: Option<String>,
    pub also: Vec<(String, Regex)>,
    /// Conditions that veto a match when any value of the field matches.
    pub unless: Vec<(String, Regex)>,
    pub examples: Vec<Example>,
    /// Answers it must not match, each with its source.
    pub counterexamples: Vec<Example>,
}

/// A fingerprint that matched one value of one observation.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub fingerprint: &'a Fingerprint,
    /// The field whose value matched.
    pub field: String,
    pub matched: String,
    pub manufacturer: Option<String>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub firmware: Option<String>,
    /// Named captures, for the self-test.
    pub captures: BTreeMap<String, String>,
}

impl Fingerprint {
    pub(crate) fn compile(
        file: &str,
        e: EntryToml,
        problems: &mut Vec<Problem>,
    ) -> Option<Fingerprint> {
        let mut ok = true;
        let mut bad = |msg: String| {
            problems.push(Problem::new(file, &e.id, msg));
            ok = false;
        };
        let fields = e.field.into_vec();
        if fields.is_empty() {
            bad("`field` is empty".into());
        }
        let mut kinds = Vec::new();
        for k in &e.kinds {
            match k.parse::<Kind>() {
                Ok(k) => kinds.push(k),
                Err(msg) => bad(msg),
            }
        }
        if kinds.is_empty() {
            bad("`kinds` is empty".into());
        }
        let pattern = match Regex::new(&e.pattern) {
            Ok(r) => Some(r),
            Err(err) => {
                bad(format!("pattern does not compile: {err}"));
                None
            }
        };
        let mut also = Vec::new();
        for c in &e.also {
            match Regex::new(&c.pattern) {
                Ok(r) => also.push((c.field.clone(), r)),
                Err(err) => bad(format!("`also` pattern does not compile: {err}")),
            }
        }
        let mut unless = Vec::new();
        for c in &e.unless {
            match Regex::new(&c.pattern) {
                Ok(r) => unless.push((c.field.clone(), r)),
                Err(err) => bad(format!("`unless` pattern does not compile: {err}")),
            }
        }
        let device_class = match e.device_class.as_deref().map(str::parse::<DeviceClass>) {
            Some(Ok(c)) => Some(c),
            Some(Err(msg)) => {
                bad(msg);
                None
            }
            None => None,
        };
        if !(e.confidence > 0.0 && e.confidence <= 1.0) {
            bad(format!("confidence {} is not within (0, 1]", e.confidence));
        }
        if e.example.is_empty() {
            bad("no example: add at least one real answer with its source".into());
        }
        match e.proves {
            Proves::Component => {
                if e.component.is_none() {
                    bad("`proves = \"component\"` needs `component` (what part it finds)".into());
                }
                if e.manufacturer.is_some() || e.brand.is_some() {
                    bad("a component fingerprint names no manufacturer or brand: a chip, SDK or web server is not who made the device".into());
                }
            }
            Proves::Platform => {
                if e.platform.is_none() || e.manufacturer.is_none() {
                    bad("`proves = \"platform\"` needs `platform` (the firmware family) and `manufacturer` (its owner)".into());
                }
            }
            Proves::Maker => {
                if e.component.is_some() || e.platform.is_some() {
                    bad("`component` and `platform` need `proves = \"component\"` or `\"platform\"`".into());
                }
            }
        }
        if e.manufacturer.is_none()
            && e.component.is_none()
            && e.brand.is_none()
            && e.device_class.is_none()
            && e.model.is_none()
            && e.firmware.is_none()
        {
            bad("asserts nothing: set manufacturer, brand, device_class, model or firmware".into());
        }
        if let Some(re) = &pattern {
            let names: Vec<&str> = re.capture_names().flatten().collect();
            for (attr, tpl) in [
                ("manufacturer", &e.manufacturer),
                ("brand", &e.brand),
                ("model", &e.model),
                ("firmware", &e.firmware),
            ] {
                if let Some(tpl) = tpl {
                    for name in template_names(tpl) {
                        if !names.contains(&name) {
                            bad(format!(
                                "{attr} uses {{{name}}} but the pattern has no capture named {name}"
                            ));
                        }
                    }
                }
            }
        }
        // Checked and dropped: compiled again on first use (see `regex`).
        drop(pattern?);
        if !ok {
            return None;
        }
        Some(Fingerprint {
            id: e.id,
            aliases: e.aliases,
            file: file.to_string(),
            kinds,
            fields,
            pattern: e.pattern,
            compiled: OnceLock::new(),
            description: e.description,
            manufacturer: e.manufacturer,
            brand: e.brand,
            device_class,
            model: e.model,
            firmware: e.firmware,
            confidence: e.confidence,
            proves: e.proves,
            component: e.component,
            platform: e.platform,
            also,
            unless,
            examples: e.example,
            counterexamples: e.counterexample,
        })
    }

    /// The compiled pattern (it compiled when the entry was loaded, so this is `None` only if
    /// it no longer does, which cannot happen for the same source).
    pub fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| Regex::new(&self.pattern).ok())
            .as_ref()
    }

    /// Match one value (and the `also` conditions against the observation's other fields).
    pub fn check<'a>(&'a self, field: &str, value: &str, fields: &Fields) -> Option<Hit<'a>> {
        if !self.conditions_hold(fields) {
            return None;
        }
        self.hit(field, value)
    }

    /// Whether the `also` conditions hold and no `unless` veto does, on one observation. They
    /// do not depend on the value matched, so a caller matching many values of one observation
    /// asks once (a body condition re-run for each of thousands of values was quadratic).
    pub fn conditions_hold(&self, fields: &Fields) -> bool {
        self.also
            .iter()
            .all(|(field, re)| fields.get(field).iter().any(|v| re.is_match(v)))
            && !self
                .unless
                .iter()
                .any(|(field, re)| fields.get(field).iter().any(|v| re.is_match(v)))
    }

    /// Match the pattern alone on one value.
    pub(crate) fn hit<'a>(&'a self, field: &str, value: &str) -> Option<Hit<'a>> {
        let re = self.regex()?;
        let caps = re.captures(value)?;
        let mut captures = BTreeMap::new();
        for name in re.capture_names().flatten() {
            if let Some(m) = caps.name(name) {
                captures.insert(name.to_string(), m.as_str().to_string());
            }
        }
        let matched = caps.get(0).map(|m| m.as_str()).unwrap_or_default();
        let matched = if matched.is_empty() { value } else { matched };
        let render = |tpl: &Option<String>| tpl.as_deref().and_then(|t| render(t, &captures));
        Some(Hit {
            fingerprint: self,
            field: field.to_string(),
            matched: truncate(matched, 200),
            manufacturer: render(&self.manufacturer),
            brand: render(&self.brand),
            model: render(&self.model),
            firmware: render(&self.firmware),
            captures,
        })
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn template_names(tpl: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = tpl;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.push(&rest[i + 1..i + j]);
        rest = &rest[i + j + 1..];
    }
    out
}

/// Fill `{name}` placeholders; `None` when a placeholder has no (or an empty) capture.
fn render(tpl: &str, caps: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = tpl;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}')?;
        let v = caps.get(&rest[i + 1..i + j])?.trim();
        if v.is_empty() {
            return None;
        }
        out.push_str(v);
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    let out = out.trim().to_string();
    (!out.is_empty()).then_some(out)
}

/// All fingerprints on one field, with a RegexSet to find candidates in one pass.
#[derive(Debug)]
pub(crate) struct Group {
    pub members: Vec<usize>,
    /// `None` when the patterns together exceed the regex size limit; then each is tried.
    pub set: Option<RegexSet>,
}

pub(crate) fn build_groups(fps: &[Fingerprint]) -> HashMap<String, Group> {
    let mut by_field: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, fp) in fps.iter().enumerate() {
        for field in &fp.fields {
            by_field.entry(field.clone()).or_default().push(i);
        }
    }
    by_field
        .into_iter()
        .map(|(field, members)| {
            let set = RegexSetBuilder::new(members.iter().map(|&i| fps[i].pattern.as_str()))
                .size_limit(64 << 20)
                .dfa_size_limit(32 << 20)
                .build()
                .ok();
            (field, Group { members, set })
        })
        .collect()
}
