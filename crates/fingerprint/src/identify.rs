//! Combining the hits of all observations of one device into one identity.
//!
//! Each hit makes claims (manufacturer, brand, class, model, firmware) with the fingerprint's
//! confidence. Independent fingerprints add up (noisy-OR: 1 - Π(1 - c)); the same fingerprint
//! matching several answers counts once. A brand claim also supports its true maker through
//! the registry (owner, or OEM relation scaled by the relation's confidence). Companies of one
//! group (a subsidiary and its parent) support each other. Below `REPORT` the manufacturer
//! stays unknown and the hint is only noted: unknown is never presented as fact.

use crate::db::Proves;
use crate::registry::Named;
use crate::{Database, Hit};
use model::{
    Component, DeviceClass, DeviceKeys, Evidence, Identity, Kind, LimitHit, MacKey, MacRole,
    Observation,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Least combined confidence at which a manufacturer is reported.
pub const REPORT: f64 = 0.5;
/// Confidence of a MAC address whose OUI belongs to a registry company. The OUI names the
/// network-interface registrant, which for cameras and network gear is the maker, but board
/// makers and module vendors make it short of certain.
const OUI_CONFIDENCE: f64 = 0.7;
/// Most evidence items kept per device: a reader needs the few that decided the identity, and
/// answers with thousands of matching values made 79,960 items (all stored and rendered). The
/// claims of dropped items still count; how many were dropped is recorded as a limit.
pub const MAX_EVIDENCE: usize = 256;
/// Most MAC addresses kept in a device's keys (a router's client list can hold hundreds).
pub const MAX_KEY_MACS: usize = 64;

/// Evidence of one device, without duplicates (the same fingerprint matching the same text of
/// the same observation), at most `MAX_EVIDENCE`. Duplicates are found by hashing: linear, and
/// without copying the item's text into the index.
#[derive(Default)]
struct EvidenceList {
    items: Vec<Evidence>,
    /// Hash of (observation, fingerprint, matched) -> the items with that hash.
    seen: HashMap<u64, Vec<usize>>,
    /// Hashes of dropped items, to count each once.
    dropped: HashSet<u64>,
    first_dropped: Option<String>,
}

impl EvidenceList {
    fn push(&mut self, ev: Evidence) {
        use std::hash::{BuildHasher, RandomState};
        static STATE: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
        let h = STATE.get_or_init(RandomState::new).hash_one((
            ev.observation.as_str(),
            ev.fingerprint.as_str(),
            ev.matched.as_str(),
        ));
        let same = |e: &Evidence| {
            e.observation == ev.observation
                && e.fingerprint == ev.fingerprint
                && e.matched == ev.matched
        };
        if let Some(ids) = self.seen.get(&h)
            && ids.iter().any(|&i| same(&self.items[i]))
        {
            return;
        }
        if self.items.len() < MAX_EVIDENCE {
            self.seen.entry(h).or_default().push(self.items.len());
            self.items.push(ev);
        } else if self.dropped.insert(h) && self.first_dropped.is_none() {
            self.first_dropped = Some(ev.observation);
        }
    }
}

#[derive(Default)]
struct Claims {
    /// company index -> fingerprint id -> best confidence
    manufacturer: HashMap<usize, HashMap<String, f64>>,
    brand: BTreeMap<String, HashMap<String, f64>>,
    class: BTreeMap<DeviceClass, HashMap<String, f64>>,
    model: BTreeMap<String, HashMap<String, f64>>,
    firmware: BTreeMap<String, HashMap<String, f64>>,
    /// Evidence of a label (brand or seller name) that implies a maker, per label. The label's
    /// evidence is combined first and the relation's confidence applied once, so that a device
    /// repeating its label everywhere cannot push a weak OEM relation over the threshold.
    labels: BTreeMap<String, HashMap<String, f64>>,
    label_maker: BTreeMap<String, (usize, f64)>,
    /// Names the device wrote itself (a maker or label in its own answer, not a structure a
    /// fingerprint recognised), per label: the maker the registry gives for it, and the
    /// evidence. A maker the device names wins over format-level evidence of another maker.
    explicit: BTreeMap<String, Explicit>,
    /// Maker names the device wrote that the registry does not hold, normalised.
    unregistered: BTreeMap<String, HashMap<String, f64>>,
    platform: BTreeMap<String, HashMap<String, f64>>,
    components: Vec<Component>,
    notes: Vec<String>,
}

#[derive(Default)]
struct Explicit {
    maker: Option<usize>,
    fps: HashMap<String, f64>,
}

fn add<K: Ord + Clone>(map: &mut BTreeMap<K, HashMap<String, f64>>, key: K, fp: &str, c: f64) {
    let slot = map
        .entry(key)
        .or_default()
        .entry(fp.to_string())
        .or_insert(0.0);
    *slot = slot.max(c);
}

fn combine<'a>(cs: impl IntoIterator<Item = &'a f64>) -> f64 {
    1.0 - cs
        .into_iter()
        .fold(1.0, |acc, c| acc * (1.0 - c.clamp(0.0, 1.0)))
}

fn best<K: Ord + Clone>(map: &BTreeMap<K, HashMap<String, f64>>) -> Option<(K, f64)> {
    map.iter()
        .map(|(k, fps)| (k.clone(), combine(fps.values())))
        .fold(None, |acc: Option<(K, f64)>, (k, s)| match acc {
            Some((_, bs)) if bs >= s => acc,
            _ => Some((k, s)),
        })
}

pub(crate) fn identify(db: &Database, device: &str, observations: &[Observation]) -> Identity {
    let reg = &db.registry;
    let mut claims = Claims::default();
    let mut evidence = EvidenceList::default();
    let mut keys = DeviceKeys::default();
    let mut limits: Vec<LimitHit> = Vec::new();
    for obs in observations {
        if obs.kind == Kind::Mac {
            mac_claim(db, obs, &mut claims, &mut evidence);
            if let Some(mac) = crate::oui::normalize_mac(&obs.response_text()) {
                add_mac(&mut keys, &mut limits, obs, mac, MacRole::Own);
            }
            continue;
        }
        let (fields, hits) = db.matches(obs);
        limits.extend(fields.limits().iter().map(|l| LimitHit {
            observation: obs.id.clone(),
            limit: l.limit.to_string(),
            detail: l.detail.clone(),
        }));
        if keys.serial.is_none() {
            keys.serial = own_serial(obs, &fields);
        }
        for (mac, role) in embedded_macs(db, obs, &fields, &mut claims, &mut evidence) {
            add_mac(&mut keys, &mut limits, obs, mac, role);
        }
        if obs.kind == Kind::Banner {
            snmp_enterprise(db, obs, &mut claims, &mut evidence);
        }
        for (field, text, named) in db.spotter.spot(&fields) {
            let fp = format!("name:{field}");
            let mut words = Vec::new();
            if let Some(c) = reg.component_of(named) {
                let name = reg.companies[c].name.clone();
                add_component(reg, &mut claims, &name, Some(c), &fp);
                words.push(format!("component={name}"));
            } else {
                claim_label(
                    reg,
                    named,
                    &fp,
                    crate::names::CONFIDENCE,
                    &mut claims,
                    &mut words,
                    true,
                );
            }
            evidence.push(Evidence {
                observation: obs.id.clone(),
                fingerprint: fp,
                matched: text,
                field,
                asserts: words.join(", "),
            });
        }
        unregistered_names(reg, obs, &fields, &mut claims, &mut evidence);
        for hit in hits {
            let asserts = claim(db, &hit, &mut claims);
            evidence.push(Evidence {
                observation: obs.id.clone(),
                fingerprint: hit.fingerprint.id.clone(),
                matched: hit.matched,
                field: hit.field,
                asserts,
            });
        }
    }
    if let Some(first) = evidence.first_dropped.take() {
        limits.push(LimitHit {
            observation: first,
            limit: "evidence".into(),
            detail: format!(
                "{} evidence items beyond the first {MAX_EVIDENCE} were dropped (their claims still count)",
                evidence.dropped.len()
            ),
        });
    }
    let evidence = evidence.items;

    let implied: Vec<(usize, String, f64)> = claims
        .labels
        .iter()
        .filter_map(|(label, fps)| {
            claims
                .label_maker
                .get(label)
                .map(|&(maker, rel)| (maker, format!("label:{label}"), combine(fps.values()) * rel))
        })
        .collect();
    for (maker, key, c) in implied {
        add_maker(&mut claims, maker, &key, c);
    }
    let mut id = Identity {
        device: device.to_string(),
        ..Identity::default()
    };
    // Manufacturer: each candidate is supported by its own claims and those of companies in
    // the same group (parent or subsidiary).
    let own: Vec<(usize, f64)> = claims
        .manufacturer
        .iter()
        .map(|(&c, fps)| (c, combine(fps.values())))
        .collect();
    let mut scored: Vec<(usize, f64, f64)> = own
        .iter()
        .map(|&(c, own_score)| {
            let mut all: HashMap<&str, f64> = HashMap::new();
            for (&other, fps) in &claims.manufacturer {
                if reg.is_within(c, other) || reg.is_within(other, c) {
                    for (fp, &v) in fps {
                        let slot = all.entry(fp.as_str()).or_insert(0.0);
                        *slot = slot.max(v);
                    }
                }
            }
            (c, combine(all.values()), own_score)
        })
        .collect();
    scored.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(b.2.total_cmp(&a.2))
            .then(a.0.cmp(&b.0))
    });
    let explicit_pick = scored
        .first()
        .and_then(|&(winner, score, _)| explicit_override(reg, &claims, winner, score));
    if let Some((maker, score, note)) = explicit_pick {
        // The device names a maker the registry does not relate to the format-level winner:
        // what it says of itself wins, and the disagreement is noted.
        id.notes.push(note);
        scored.retain(|s| s.0 == maker);
        scored.insert(0, (maker, score, score));
    }
    if let Some(&(winner, score, _)) = scored.first() {
        let score = round(score);
        let name = &reg.companies[winner].name;
        for &(other, s, own_s) in &scored[1..] {
            if !(reg.is_within(winner, other) || reg.is_within(other, winner)) && own_s >= 0.3 {
                id.notes.push(format!(
                    "conflicting evidence: {} ({:.2}) against {} ({:.2}); kept {}",
                    reg.companies[other].name, s, name, score, name
                ));
            }
        }
        if score >= REPORT {
            id.manufacturer = Some(name.clone());
            id.confidence = round(score);
            let (regimes, covered) = reg.regimes_for(winner);
            id.regimes = regimes;
            id.covered = covered;
        } else {
            id.notes.push(format!(
                "weak hint of {name} ({score:.3}) is below {REPORT}: manufacturer left unknown"
            ));
        }
    }
    if id.manufacturer.is_none()
        && let Some((name, score)) = best(&claims.unregistered)
    {
        // A maker the device names that the registry lacks is still its maker: an inventory
        // needs every maker. No regime names it, so it is not covered.
        id.notes.push(format!(
            "{name} is named by the device but not in the registry: reported as given, not covered"
        ));
        id.manufacturer = Some(name);
        id.confidence = round(score);
        id.unregistered = true;
    } else if let Some((name, _)) = best(&claims.unregistered)
        && id.manufacturer.as_deref() != Some(name.as_str())
    {
        id.notes.push(format!(
            "the device also names {name}, which is not in the registry (a label?)"
        ));
    }
    id.platform = best(&claims.platform).map(|(p, _)| p);
    id.components = std::mem::take(&mut claims.components);
    id.brand = best(&claims.brand).map(|(b, _)| b);
    if id.brand.is_none()
        && let Some(m) = &id.manufacturer
    {
        // The device wrote its maker's own name (not only a platform structure): that is its brand.
        let key = crate::registry::normalize(m);
        if evidence
            .iter()
            .any(|e| crate::registry::normalize(&e.matched).contains(&key))
        {
            id.brand = Some(m.clone());
        }
    }
    id.device_class = best(&claims.class).map(|(c, _)| c);
    if id.device_class.is_none()
        && let Some(m) = &id.manufacturer
        && let Some(ci) = reg.companies.iter().position(|c| &c.name == m)
        && let [only] = reg.companies[ci].products.as_slice()
    {
        id.device_class = only.parse().ok();
    }
    id.model = best(&claims.model).map(|(m, _)| m);
    id.firmware = best(&claims.firmware).map(|(f, _)| f);
    id.notes.append(&mut claims.notes);
    let others = keys
        .macs
        .iter()
        .filter(|m| m.role == MacRole::Other)
        .count();
    if others > 0 {
        id.notes.push(format!(
            "{others} MAC address(es) in the answers belong to other devices (client lists, neighbours): not evidence of this device's maker"
        ));
    }
    id.notes.extend(limit_notes(&limits));
    // Each note once, in order: a note made per matching value (an OEM relation) would
    // otherwise repeat for every value of a hostile answer.
    let mut seen = HashSet::new();
    id.notes.retain(|n| seen.insert(n.clone()));
    id.evidence = evidence;
    id.keys = keys;
    id.limits = limits;
    id
}

/// One short note per kind of limit reached: how many answers, and the first detail.
fn limit_notes(limits: &[LimitHit]) -> Vec<String> {
    let mut kinds: Vec<(&str, usize, &str)> = Vec::new();
    for l in limits {
        match kinds.iter_mut().find(|(k, _, _)| *k == l.limit) {
            Some((_, n, _)) => *n += 1,
            None => kinds.push((&l.limit, 1, &l.detail)),
        }
    }
    kinds
        .into_iter()
        .map(|(kind, n, detail)| {
            let answers = if n == 1 { "an answer" } else { "answers" };
            format!("safety limit {kind} reached by {answers}: {detail}")
        })
        .collect()
}

/// Add a MAC to the device's keys once; a MAC seen as the device's own anywhere stays its own.
fn add_mac(
    keys: &mut DeviceKeys,
    limits: &mut Vec<LimitHit>,
    obs: &Observation,
    mac: String,
    role: MacRole,
) {
    if let Some(k) = keys.macs.iter_mut().find(|k| k.mac == mac) {
        if role == MacRole::Own {
            k.role = MacRole::Own;
        }
        return;
    }
    if keys.macs.len() >= MAX_KEY_MACS {
        if !limits.iter().any(|l| l.limit == "macs") {
            limits.push(LimitHit {
                observation: obs.id.clone(),
                limit: "macs".into(),
                detail: format!("only the first {MAX_KEY_MACS} MAC addresses were kept"),
            });
        }
        return;
    }
    keys.macs.push(MacKey { mac, role });
}

/// The serial an answer reports for the device itself: the one serial value of the answer in a
/// serial field (not one of a list), 6 characters or more, not masked with `*`.
fn own_serial(obs: &Observation, fields: &crate::Fields) -> Option<String> {
    if obs.kind == Kind::TlsCert {
        return None;
    }
    let serials: Vec<&crate::fields::KeyValue> = fields
        .keys()
        .iter()
        .filter(|k| crate::fields::SERIAL_FIELDS.contains(&k.field.as_str()))
        .collect();
    let first = serials.first()?;
    let value = first.value.trim();
    let one = serials.iter().all(|k| !k.listed && k.value.trim() == value);
    (one && value.chars().count() >= 6 && !value.contains('*')).then(|| value.to_string())
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A name the device wrote (a label): it is the brand, and its true maker comes from the
/// registry (owner, or OEM relation scaled by its confidence). Returns whether a maker was claimed.
fn claim_label(
    reg: &crate::Registry,
    named: Named,
    fp: &str,
    c: f64,
    claims: &mut Claims,
    words: &mut Vec<String>,
    explicit: bool,
) -> bool {
    let (label, maker) = match named {
        Named::Company(i) => (
            reg.companies[i].name.clone(),
            Some(reg.maker_of_company_label(i)),
        ),
        Named::Brand(b) => (reg.brands[b].name.clone(), reg.maker_of_brand(b)),
    };
    add(&mut claims.brand, label.clone(), fp, c);
    words.push(format!("brand={label}"));
    if explicit {
        let e = claims.explicit.entry(label.clone()).or_default();
        e.maker = maker.map(|m| m.0);
        let slot = e.fps.entry(fp.to_string()).or_insert(0.0);
        *slot = slot.max(c);
    }
    let Some((maker, rel, oem)) = maker else {
        return false;
    };
    imply_maker(claims, &label, maker, rel, fp, c);
    words.push(format!("manufacturer={}", reg.companies[maker].name));
    note_oem(reg, claims, &label, maker, oem);
    true
}

/// Record that a label seen with confidence `c` implies `maker` with confidence `rel`.
fn imply_maker(claims: &mut Claims, label: &str, maker: usize, rel: f64, fp: &str, c: f64) {
    let slot = claims
        .labels
        .entry(label.to_string())
        .or_default()
        .entry(fp.to_string())
        .or_insert(0.0);
    *slot = slot.max(c);
    claims.label_maker.insert(label.to_string(), (maker, rel));
}

/// Record what one hit claims; returns the claims in words for the evidence record.
fn claim(db: &Database, hit: &Hit<'_>, claims: &mut Claims) -> String {
    let reg = &db.registry;
    let fp = hit.fingerprint;
    let c = fp.confidence;
    let mut words = Vec::new();
    if fp.proves == Proves::Component {
        if let Some(name) = &fp.component {
            let company = reg.resolve(name).and_then(|n| match n {
                Named::Company(i) => Some(i),
                Named::Brand(b) => reg.company_index(&reg.brands[b].owner),
            });
            add_component(reg, claims, name, company, &fp.id);
            words.push(format!("component={name}"));
        }
        if let Some(class) = fp.device_class {
            add(&mut claims.class, class, &fp.id, c);
            words.push(format!("class={class}"));
        }
        return words.join(", ");
    }
    if let Some(p) = &fp.platform {
        add(&mut claims.platform, p.clone(), &fp.id, c);
        words.push(format!("platform={p}"));
    }
    // The maker is literal in the fingerprint when its author asserts it; a `{capture}` means
    // the device wrote a name, which may be a label sold by someone else.
    let from_device = fp.manufacturer.as_deref().is_some_and(|m| m.contains('{'));
    let mut maker_claimed = false;
    // A maker name the device wrote that is longer than any name is no claim (see
    // `names::MAX_NAME_FIELD_LEN`).
    let manufacturer = hit
        .manufacturer
        .as_ref()
        .filter(|m| !from_device || m.len() <= crate::names::MAX_NAME_FIELD_LEN);
    if let Some(m) = manufacturer {
        match reg.resolve(m) {
            Some(Named::Company(i)) if !from_device => {
                claims
                    .manufacturer
                    .entry(i)
                    .or_default()
                    .insert(fp.id.clone(), c);
                words.push(format!("manufacturer={}", reg.companies[i].name));
                maker_claimed = true;
            }
            Some(named) if from_device && reg.component_of(named).is_some() => {
                let comp = reg.component_of(named).expect("checked");
                let name = reg.companies[comp].name.clone();
                add_component(reg, claims, &name, Some(comp), &fp.id);
                words.push(format!("component={name}"));
            }
            Some(named) => {
                maker_claimed = claim_label(reg, named, &fp.id, c, claims, &mut words, from_device)
            }
            None => {
                if !from_device {
                    claims.notes.push(format!(
                        "fingerprint {} names {m:?}, which is not in the registry",
                        fp.id
                    ));
                } else if let Some(name) = plausible_maker(m) {
                    add(&mut claims.unregistered, name.clone(), &fp.id, c);
                    words.push(format!("manufacturer={name} (not in the registry)"));
                }
            }
        }
    }
    if let Some(b) = &hit.brand {
        let (display, maker) = match reg.resolve(b) {
            Some(Named::Brand(i)) => (reg.brands[i].name.clone(), reg.maker_of_brand(i)),
            Some(Named::Company(i)) => {
                let (m, rel, oem) = reg.maker_of_company_label(i);
                (reg.companies[i].name.clone(), Some((m, rel, oem)))
            }
            None => (b.clone(), None),
        };
        add(&mut claims.brand, display.clone(), &fp.id, c);
        words.push(format!("brand={display}"));
        if !maker_claimed && let Some((maker, rel, oem)) = maker {
            imply_maker(claims, &display, maker, rel, &fp.id, c);
            words.push(format!("manufacturer={}", reg.companies[maker].name));
            note_oem(reg, claims, &display, maker, oem);
        }
    }
    if let Some(class) = fp.device_class {
        add(&mut claims.class, class, &fp.id, c);
        words.push(format!("class={class}"));
    }
    if let Some(m) = &hit.model {
        add(&mut claims.model, m.clone(), &fp.id, c);
        words.push(format!("model={m}"));
    }
    if let Some(f) = &hit.firmware {
        add(&mut claims.firmware, f.clone(), &fp.id, c);
        words.push(format!("firmware={f}"));
    }
    words.join(", ")
}

/// Record a component once per name.
fn add_component(
    reg: &crate::Registry,
    claims: &mut Claims,
    name: &str,
    company: Option<usize>,
    fp: &str,
) {
    if claims.components.iter().any(|c| c.name == name) {
        return;
    }
    let (regimes, covered) = company.map(|c| reg.regimes_for(c)).unwrap_or_default();
    claims.components.push(Component {
        name: name.to_string(),
        company: company.map(|c| reg.companies[c].name.clone()),
        covered,
        regimes,
        fingerprint: fp.to_string(),
    });
}

/// When the device names a maker itself and the combined winner is another company (not of its
/// group, and not one the registry says makes products under that name), the named maker wins:
/// format-level evidence (a shared structure, an interface's OUI) is weaker than what the
/// device says of itself. Returns the named maker, its score and a note of the conflict.
fn explicit_override(
    reg: &crate::Registry,
    claims: &Claims,
    winner: usize,
    winner_score: f64,
) -> Option<(usize, f64, String)> {
    let related = |m: usize| reg.is_within(m, winner) || reg.is_within(winner, m);
    let mut named: Vec<(&String, usize, f64)> = claims
        .explicit
        .iter()
        .filter_map(|(label, e)| e.maker.map(|m| (label, m, combine(e.fps.values()))))
        .collect();
    // A label the winner is known to make, or a name of the winner's group, agrees with it.
    if named
        .iter()
        .any(|&(label, m, _)| related(m) || reg.makes_for(label, winner))
    {
        return None;
    }
    named.sort_by(|a, b| b.2.total_cmp(&a.2));
    let &(label, maker, score) = named.first()?;
    if round(score) < REPORT {
        return None;
    }
    Some((
        maker,
        score,
        format!(
            "the device names {label}; format-level evidence points to {} ({winner_score:.2}), which the registry does not record as making {label}: kept {}",
            reg.companies[winner].name, reg.companies[maker].name
        ),
    ))
}

/// Fields in which a device states its maker (UPnP and ONVIF `Manufacturer`, JSON and
/// key=value vendor fields, a certificate's organisation).
const MAKER_FIELDS: &[&str] = &[
    "xml.manufacturer",
    "xml.Manufacturer",
    "json.manufacturer",
    "json.Manufacturer",
    "json.vendor",
    "json.Vendor",
    "kv.vendor",
    "kv.manufacturer",
    "cert.subject.o",
];

/// Words devices put in a maker field that name no maker.
const GENERIC_MAKERS: &[&str] = &[
    "manufacturer",
    "manufacture",
    "vendor",
    "unknown",
    "generic",
    "default",
    "none",
    "null",
    "n/a",
    "na",
    "oem",
    "odm",
    "test",
    "company",
    "my company",
    "default company",
    "internet widgits pty",
    "some-state",
    "example",
    "localhost",
    "ipc",
    "ipcam",
    "ip camera",
    "ipcamera",
    "network camera",
    "camera",
    "nvt",
    "onvif",
    "dvr",
    "nvr",
    "xvr",
    "china",
    "router",
    "gateway",
    "linux",
    "upnp",
    "private",
    "h264",
    "h.264",
    "web",
    "device",
    "server",
    // A legal form alone (a certificate's `O=Corp.`) names nobody.
    "corp",
    "corporation",
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "co",
    "limited",
    "org",
    "organization",
    "organisation",
];

/// A maker name as the device gave it, normalised (spaces collapsed, trailing legal form cut),
/// or `None` when it is no plausible maker name (generic words, numbers, addresses, too long).
pub(crate) fn plausible_maker(raw: &str) -> Option<String> {
    if raw.len() > 128 {
        return None;
    }
    let mut name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let trimmed = name.trim_end_matches([',', '.', ' ', ';']);
        let lower = trimmed.to_lowercase();
        let cut = [
            " co., ltd",
            " co.,ltd",
            " co. ltd",
            " co ltd",
            " co.",
            " ltd",
            " limited",
            " inc",
            " llc",
            " gmbh",
            " corp",
            " corporation",
            " s.a",
            " b.v",
            " ag",
            " s.r.l",
            " oy",
            " ab",
            " a/s",
            " pty",
        ]
        .iter()
        .find(|suffix| lower.ends_with(*suffix))
        .map(|suffix| trimmed.len() - suffix.len());
        match cut {
            Some(n) if n > 0 => name = trimmed[..n].to_string(),
            _ => {
                name = trimmed.to_string();
                break;
            }
        }
    }
    let lower = name.to_lowercase();
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    let ok = letters >= 2
        && name.chars().count() <= 64
        && !GENERIC_MAKERS.contains(&lower.as_str())
        && !lower.contains("://")
        && !lower.contains('@')
        && !lower.starts_with("www.")
        && name.chars().all(|c| !c.is_control())
        // Hex strings and serial-like tokens are not names.
        && !name.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '-');
    ok.then_some(name)
}

/// Maker names in the maker fields of one answer that the registry does not hold.
fn unregistered_names(
    reg: &crate::Registry,
    obs: &Observation,
    fields: &crate::Fields,
    claims: &mut Claims,
    evidence: &mut EvidenceList,
) {
    for field in MAKER_FIELDS {
        if crate::names::names_several_devices(field, fields.get(field)) {
            continue;
        }
        for value in fields.get(field) {
            if value.len() > crate::names::MAX_NAME_FIELD_LEN || reg.resolve(value).is_some() {
                continue;
            }
            let Some(name) = plausible_maker(value) else {
                continue;
            };
            // A certificate's organisation is often the software that made it, so it counts
            // for less than a maker field.
            let c = if field.starts_with("cert.") {
                crate::names::CONFIDENCE - 0.05
            } else {
                crate::names::CONFIDENCE
            };
            let fp = format!("name:{field}");
            add(&mut claims.unregistered, name.clone(), &fp, c);
            evidence.push(Evidence {
                observation: obs.id.clone(),
                fingerprint: fp,
                matched: value.clone(),
                field: field.to_string(),
                asserts: format!("manufacturer={name} (not in the registry)"),
            });
        }
    }
}

fn add_maker(claims: &mut Claims, maker: usize, fp: &str, c: f64) {
    let slot = claims
        .manufacturer
        .entry(maker)
        .or_default()
        .entry(fp.to_string())
        .or_insert(0.0);
    *slot = slot.max(c);
}

fn note_oem(
    reg: &crate::Registry,
    claims: &mut Claims,
    label: &str,
    maker: usize,
    oem: Option<&crate::registry::Oem>,
) {
    if let Some(o) = oem {
        claims.notes.push(format!(
            "{label} is a label: registry OEM relation says {} makes it (confidence {:.1}; {})",
            reg.companies[maker].name,
            o.confidence,
            if o.source.is_empty() {
                "no source"
            } else {
                o.source.as_str()
            }
        ));
    }
}

/// Confidence of an SNMP sysObjectID under a registry company's enterprise number: the agent's
/// vendor, which on embedded devices is the maker (resellers keep the maker's number).
const ENTERPRISE_CONFIDENCE: f64 = 0.85;

/// The enterprise number in an SNMP sysObjectID answer, in the spellings tools print:
/// `1.3.6.1.2.1.1.2.0|6|.1.3.6.1.4.1.2011.2.23` (snmprec), `sysObjectID.0 = OID:
/// SNMPv2-SMI::enterprises.2011.2.23` (net-snmp), `iso.3.6.1.2.1.1.2.0 = OID: iso.3.6.1.4.1.9.1`.
pub fn sys_object_enterprise(text: &str) -> Option<u32> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"(?m)(?:sysObjectID(?:\.0)?|(?:1|iso)\.3\.6\.1\.2\.1\.1\.2(?:\.0)?)\b[^\n]*?(?:(?:1|iso)\.3\.6\.1\.4\.1|enterprises)\.([0-9]{1,9})")
            .expect("valid regex")
    });
    re.captures(text)?.get(1)?.as_str().parse().ok()
}

fn snmp_enterprise(
    db: &Database,
    obs: &Observation,
    claims: &mut Claims,
    evidence: &mut EvidenceList,
) {
    let text = obs.response_text();
    let Some(number) = sys_object_enterprise(&text) else {
        return;
    };
    let Some(c) = db.registry.company_for_enterprise(number) else {
        iana_enterprise(db, obs, number, claims, evidence);
        return;
    };
    add_maker(claims, c, &format!("pen:{number}"), ENTERPRISE_CONFIDENCE);
    evidence.push(enterprise_evidence(
        obs,
        number,
        format!(
            "manufacturer={} (SNMP enterprise {number})",
            db.registry.companies[c].name
        ),
    ));
}

/// The evidence of an SNMP sysObjectID under enterprise `number`.
fn enterprise_evidence(obs: &Observation, number: u32, asserts: String) -> Evidence {
    Evidence {
        observation: obs.id.clone(),
        fingerprint: format!("pen:{number}"),
        matched: format!("1.3.6.1.4.1.{number}"),
        field: "banner".into(),
        asserts,
    }
}

/// Enterprise numbers of SNMP agent software and chip SDKs, not of a device maker: a device
/// answering under them says which agent it runs, not who made it (net-snmp, UCD-SNMP,
/// Broadcom's SDK agent, Windows' agent).
const AGENT_ENTERPRISES: &[u32] = &[8072, 2021, 4413, 311];

/// Enterprise numbers that devices of another maker are known to answer under, so their IANA
/// registrant is not the maker: 10002 (Frogfoot Networks) in Ubiquiti AirOS agents, 50001
/// (Scildon, an insurer) in Hikvision recorders (`banner.hikvision.snmp-nvr-50001`).
const BORROWED_ENTERPRISES: &[u32] = &[10002, 50001];

/// An SNMP agent under an enterprise number the registry does not hold: its IANA registrant is
/// the agent's vendor, which on embedded devices is the maker. Reported as a maker outside the
/// registry (never covered), with the registrant's name cleaned of notes in parentheses.
fn iana_enterprise(
    db: &Database,
    obs: &Observation,
    number: u32,
    claims: &mut Claims,
    evidence: &mut EvidenceList,
) {
    if AGENT_ENTERPRISES.contains(&number) || BORROWED_ENTERPRISES.contains(&number) {
        return;
    }
    let Some(registrant) = db.pen.get(&number) else {
        return;
    };
    let mut name = String::new();
    let mut depth = 0usize;
    for ch in registrant.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => name.push(ch),
            _ => {}
        }
    }
    let Some(name) = plausible_maker(&name) else {
        return;
    };
    add(
        &mut claims.unregistered,
        name.clone(),
        &format!("pen:{number}"),
        UNREGISTERED_ENTERPRISE_CONFIDENCE,
    );
    evidence.push(enterprise_evidence(
        obs,
        number,
        format!(
            "manufacturer={name} (SNMP enterprise {number}, IANA registrant {registrant:?}; not in the registry)"
        ),
    ));
}

/// Confidence of an IANA registrant that the registry does not hold as a company: the
/// registrant name is the organisation's, which may be a parent or an old name of the maker.
const UNREGISTERED_ENTERPRISE_CONFIDENCE: f64 = 0.6;

/// Confidence of a realm that is a bare MAC address: several makers (Uniview among them) use
/// the device's MAC as its authentication realm, but a 12-hex-digit realm could be anything.
const REALM_MAC_CONFIDENCE: f64 = 0.5;

/// Observation kinds whose MAC fields are the answering device's own: discovery replies
/// announce the device that sends them.
const ANNOUNCING: &[Kind] = &[Kind::Sadp, Kind::Dhip, Kind::WsDiscovery, Kind::Ssdp];

/// MAC addresses inside answers (`<macAddress>`, `"mac":`, `MACAddress=`, a realm that is a
/// MAC), each with whose it is. A MAC is the answering device's own when a discovery reply
/// announces it, or when it is the one MAC of the answer and not in a list or under a name for
/// other devices (clients, hosts, leases, neighbours, stations, ARP, DHCP). Every other MAC is
/// about another device (a router's client list) and claims nothing. Own MACs are looked up
/// like a MAC observation.
fn embedded_macs(
    db: &Database,
    obs: &Observation,
    fields: &crate::Fields,
    claims: &mut Claims,
    evidence: &mut EvidenceList,
) -> Vec<(String, MacRole)> {
    // (field, mac, confidence, listed)
    let mut found: Vec<(&str, String, f64, bool)> = Vec::new();
    let keyed = fields
        .keys()
        .iter()
        .filter(|k| crate::fields::is_mac_field(&k.field))
        .map(|k| (k.field.as_str(), k.value.as_str(), OUI_CONFIDENCE, k.listed));
    // A realm of twelve decimal digits is more likely a serial or a number than a MAC.
    let realms = fields
        .get("realm")
        .iter()
        .filter(|v| {
            v.chars()
                .any(|c| c.is_ascii_alphabetic() || matches!(c, ':' | '-' | '.'))
        })
        .map(|v| ("realm", v.as_str(), REALM_MAC_CONFIDENCE, false));
    for (field, value, confidence, listed) in keyed.chain(realms) {
        let Some(mac) = crate::oui::normalize_mac(value) else {
            continue;
        };
        match found.iter_mut().find(|(_, m, _, _)| *m == mac) {
            Some(f) => f.3 |= listed,
            None => found.push((field, mac, confidence, listed)),
        }
    }
    let announcing = ANNOUNCING.contains(&obs.kind);
    let single = found.len() == 1;
    let mut out = Vec::with_capacity(found.len());
    for (field, mac, confidence, listed) in found {
        let own = !listed && (announcing || single);
        out.push((mac.clone(), if own { MacRole::Own } else { MacRole::Other }));
        if !own {
            continue;
        }
        let Some(a) = db.oui.lookup(&mac) else {
            continue;
        };
        let Some(c) = db.registry.company_for_ieee(&a.organization) else {
            continue;
        };
        let fp = format!("oui:{}", a.prefix);
        add_maker(claims, c, &fp, confidence);
        evidence.push(Evidence {
            observation: obs.id.clone(),
            fingerprint: fp,
            matched: mac,
            field: field.to_string(),
            asserts: format!(
                "manufacturer={} (nic={})",
                db.registry.companies[c].name, a.organization
            ),
        });
    }
    out
}

fn mac_claim(db: &Database, obs: &Observation, claims: &mut Claims, evidence: &mut EvidenceList) {
    let text = obs.response_text();
    let Some(a) = db.oui.lookup(&text) else {
        return;
    };
    let fp = format!("oui:{}", a.prefix);
    let mut asserts = format!("nic={}", a.organization);
    if let Some(c) = db.registry.company_for_ieee(&a.organization) {
        add_maker(claims, c, &fp, OUI_CONFIDENCE);
        asserts = format!("manufacturer={} ({asserts})", db.registry.companies[c].name);
    }
    evidence.push(Evidence {
        observation: obs.id.clone(),
        fingerprint: fp,
        matched: text.trim().to_string(),
        field: "mac".into(),
        asserts,
    });
}
