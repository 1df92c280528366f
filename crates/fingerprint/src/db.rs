//! Fingerprint entries: TOML shape, validation, compilation, and matching against fields.

use crate::Problem;
use crate::ascii::{self, Compiled, parse};
use crate::fields::Fields;
use model::{DeviceClass, Kind};
use regex::Regex;
use regex_automata::{Input, PatternID, PatternSet, meta};
use regex_syntax::hir::{Hir, HirKind, Look};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

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
    /// The pattern's source. At load it is only parsed (which finds every syntax error); it is
    /// compiled when first needed (`regex()`): the candidates of a value come from its field's
    /// multi-pattern matcher, and compiling every entry's own `Regex` at load cost most of the
    /// start-up time and memory of identification.
    pub pattern: String,
    compiled: OnceLock<Option<Regex>>,
    /// The pattern compiled for hits, cut to ASCII for ASCII values (see `ascii`).
    matcher: Compiled,
    /// Whether the pattern has named captures (then a hit runs a capturing search).
    has_names: bool,
    /// Whether every match of the pattern spans the whole value (`^...$`, no `(?m)`): a value
    /// its field's matcher reports is then matched whole, without a second search.
    whole: bool,
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
    pub also: Vec<Cond>,
    /// Conditions that veto a match when any value of the field matches.
    pub unless: Vec<Cond>,
    pub examples: Vec<Example>,
    /// Answers it must not match, each with its source.
    pub counterexamples: Vec<Example>,
}

/// A condition of a fingerprint: some value of `field` matches `pattern`. Parsed at load,
/// compiled when first asked; conditions written alike in several entries share one
/// compiled pattern and one answer per observation.
#[derive(Debug)]
pub struct Cond {
    pub field: String,
    pub pattern: String,
    pub(crate) shared: Arc<CondPattern>,
}

/// The compiled side of a condition, shared by every condition of the same field and pattern.
#[derive(Debug, Default)]
pub(crate) struct CondPattern {
    /// Index among the distinct conditions of the database (for answers memoised per
    /// observation).
    pub id: usize,
    compiled: OnceLock<Option<Regex>>,
    matcher: Compiled,
}

impl CondPattern {
    pub(crate) fn new(id: usize) -> CondPattern {
        CondPattern {
            id,
            ..CondPattern::default()
        }
    }
}

impl Cond {
    /// The compiled pattern (`None` only if it exceeds the regex size limit, which the data
    /// check reports).
    pub fn regex(&self) -> Option<&Regex> {
        self.shared
            .compiled
            .get_or_init(|| Regex::new(&self.pattern).ok())
            .as_ref()
    }

    /// Whether some value of the field matches.
    pub(crate) fn holds(&self, fields: &Fields) -> bool {
        fields.get(&self.field).iter().any(|v| {
            self.shared
                .matcher
                .for_text(&self.pattern, v)
                .is_some_and(|re| re.is_match(v.as_str()))
        })
    }
}

/// The names of the capture groups of a parsed pattern, in the order of their groups.
fn capture_names(h: &Hir, out: &mut Vec<String>) {
    match h.kind() {
        HirKind::Capture(c) => {
            if let Some(n) = &c.name {
                out.push(n.to_string());
            }
            capture_names(&c.sub, out);
        }
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            for x in v {
                capture_names(x, out);
            }
        }
        HirKind::Repetition(r) => capture_names(&r.sub, out),
        _ => {}
    }
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
        let pattern = match parse(&e.pattern) {
            Ok(h) => Some(h),
            Err(err) => {
                bad(format!("pattern does not compile: {err}"));
                None
            }
        };
        let mut conds = |list: &[CondToml], what: &str| {
            let mut out = Vec::new();
            for c in list {
                match parse(&c.pattern) {
                    Ok(_) => out.push(Cond {
                        field: c.field.clone(),
                        pattern: c.pattern.clone(),
                        shared: Arc::default(),
                    }),
                    Err(err) => bad(format!("`{what}` pattern does not compile: {err}")),
                }
            }
            out
        };
        let also = conds(&e.also, "also");
        let unless = conds(&e.unless, "unless");
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
        let mut names = Vec::new();
        if let Some(hir) = &pattern {
            capture_names(hir, &mut names);
            for (attr, tpl) in [
                ("manufacturer", &e.manufacturer),
                ("brand", &e.brand),
                ("model", &e.model),
                ("firmware", &e.firmware),
            ] {
                if let Some(tpl) = tpl {
                    for name in template_names(tpl) {
                        if !names.iter().any(|n| n == name) {
                            bad(format!(
                                "{attr} uses {{{name}}} but the pattern has no capture named {name}"
                            ));
                        }
                    }
                }
            }
        }
        let props = pattern?.properties().clone();
        if !ok {
            return None;
        }
        let whole = props.look_set_prefix().contains(Look::Start)
            && props.look_set_suffix().contains(Look::End);
        Some(Fingerprint {
            id: e.id,
            aliases: e.aliases,
            file: file.to_string(),
            kinds,
            fields,
            pattern: e.pattern,
            compiled: OnceLock::new(),
            matcher: Compiled::default(),
            has_names: !names.is_empty(),
            whole,
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
        self.also.iter().all(|c| c.holds(fields)) && !self.unless.iter().any(|c| c.holds(fields))
    }

    /// `conditions_hold`, with each distinct condition's answer on this observation kept in
    /// `answers` (indexed by condition id: 0 not asked yet, 1 no, 2 yes).
    pub(crate) fn conditions_hold_memo(&self, fields: &Fields, answers: &mut [u8]) -> bool {
        let mut holds = |c: &Cond| match answers.get(c.shared.id).copied() {
            Some(1) => false,
            Some(2) => true,
            _ => {
                let h = c.holds(fields);
                if let Some(a) = answers.get_mut(c.shared.id) {
                    *a = 1 + u8::from(h);
                }
                h
            }
        };
        self.also.iter().all(&mut holds) && !self.unless.iter().any(&mut holds)
    }

    /// Match the pattern alone on one value.
    pub(crate) fn hit<'a>(&'a self, field: &str, value: &str) -> Option<Hit<'a>> {
        let re = self.matcher.for_text(&self.pattern, value)?;
        let mut captures = BTreeMap::new();
        let matched = if self.has_names {
            let mut caps = re.create_captures();
            re.captures(value, &mut caps);
            let m = caps.get_match()?;
            for (i, name) in re.group_info().pattern_names(PatternID::ZERO).enumerate() {
                if let (Some(name), Some(span)) = (name, caps.get_group(i)) {
                    captures.insert(name.to_string(), value[span.range()].to_string());
                }
            }
            &value[m.range()]
        } else {
            &value[re.find(value)?.range()]
        };
        Some(self.hit_on(field, value, matched, captures))
    }

    /// A hit on a value that the field's matcher found this pattern to match: no search is
    /// run again when the pattern spans the whole value and captures nothing.
    pub(crate) fn hit_known<'a>(&'a self, field: &str, value: &str) -> Option<Hit<'a>> {
        if self.whole && !self.has_names {
            return Some(self.hit_on(field, value, value, BTreeMap::new()));
        }
        self.hit(field, value)
    }

    fn hit_on<'a>(
        &'a self,
        field: &str,
        value: &str,
        matched: &str,
        captures: BTreeMap<String, String>,
    ) -> Hit<'a> {
        let matched = if matched.is_empty() { value } else { matched };
        let render = |tpl: &Option<String>| tpl.as_deref().and_then(|t| render(t, &captures));
        Hit {
            fingerprint: self,
            field: field.to_string(),
            matched: truncate(matched, 200),
            manufacturer: render(&self.manufacturer),
            brand: render(&self.brand),
            model: render(&self.model),
            firmware: render(&self.firmware),
            captures,
        }
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

/// All fingerprints on one field, with one multi-pattern matcher that finds which of their
/// patterns match a value in a single pass. It is compiled when the field is first seen, cut
/// to ASCII for ASCII values and whole for others (see `ascii`). (Literal prefilters in front
/// of it were tried: on device answers the literals occur in far more values than match, and
/// the extra candidates cost more than the scan they save.)
#[derive(Debug)]
pub(crate) struct Group {
    pub members: Vec<usize>,
    patterns: Vec<String>,
    /// `None` inside when the patterns together exceed the regex size limit; then each is tried.
    ascii: OnceLock<Option<meta::Regex>>,
    full: OnceLock<Option<FullSet>>,
}

/// A group's matcher for text that is not ASCII. Patterns with a Unicode word boundary make
/// the lazy DFA give up on such text, and the whole set would then run in the PikeVM (a
/// quarter of a millisecond per 5 KB body): they are left out of the set and tried alone.
#[derive(Debug)]
struct FullSet {
    set: Option<meta::Regex>,
    /// Set pattern -> member position.
    in_set: Vec<usize>,
    /// Member positions of the patterns with a Unicode word boundary.
    alone: Vec<usize>,
}

impl FullSet {
    fn new(patterns: &[String]) -> Option<FullSet> {
        let mut in_set = Vec::new();
        let mut alone = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            let looks = parse(p).ok()?.properties().look_set();
            if looks.contains_word_unicode() {
                alone.push(i);
            } else {
                in_set.push(i);
            }
        }
        let set_patterns: Vec<String> = in_set.iter().map(|&i| patterns[i].clone()).collect();
        let set = if set_patterns.is_empty() {
            None
        } else {
            Some(ascii::set(&set_patterns, false)?)
        };
        Some(FullSet { set, in_set, alone })
    }
}

impl Group {
    /// Which members' patterns match `value`, into `found` (cleared first; its capacity must
    /// be at least the number of members). Returns `false` when some of `found` are only
    /// candidates, to be matched one by one (patterns that could not be compiled together,
    /// or that are tried alone on text that is not ASCII).
    pub fn which(&self, value: &str, found: &mut PatternSet, scratch: &mut PatternSet) -> bool {
        found.clear();
        let everyone = |found: &mut PatternSet| {
            for i in 0..self.members.len() {
                found.insert(PatternID::new_unchecked(i));
            }
            false
        };
        if value.is_ascii() {
            return match self.ascii.get_or_init(|| ascii::set(&self.patterns, true)) {
                Some(set) => {
                    set.which_overlapping_matches(&Input::new(value), found);
                    true
                }
                None => everyone(found),
            };
        }
        let Some(full) = self.full.get_or_init(|| FullSet::new(&self.patterns)) else {
            return everyone(found);
        };
        if let Some(set) = &full.set {
            scratch.clear();
            set.which_overlapping_matches(&Input::new(value), scratch);
            for p in scratch.iter() {
                found.insert(PatternID::new_unchecked(full.in_set[p.as_usize()]));
            }
        }
        for &i in &full.alone {
            found.insert(PatternID::new_unchecked(i));
        }
        full.alone.is_empty()
    }
}

/// The fingerprints of each field, one group per kind of observation (a value is matched only
/// against the patterns of its own kind: an RTSP answer's body against 14, not 64).
pub(crate) fn build_groups(fps: &[Fingerprint]) -> HashMap<String, Vec<(Kind, Group)>> {
    let mut by_field: HashMap<String, Vec<(Kind, Vec<usize>)>> = HashMap::new();
    for (i, fp) in fps.iter().enumerate() {
        for field in &fp.fields {
            let kinds = by_field.entry(field.clone()).or_default();
            for &kind in &fp.kinds {
                match kinds.iter_mut().find(|(k, _)| *k == kind) {
                    Some((_, members)) => members.push(i),
                    None => kinds.push((kind, vec![i])),
                }
            }
        }
    }
    by_field
        .into_iter()
        .map(|(field, kinds)| {
            let groups = kinds
                .into_iter()
                .map(|(kind, members)| {
                    let patterns = members.iter().map(|&i| fps[i].pattern.clone()).collect();
                    let group = Group {
                        members,
                        patterns,
                        ascii: OnceLock::new(),
                        full: OnceLock::new(),
                    };
                    (kind, group)
                })
                .collect();
            (field, groups)
        })
        .collect()
}
