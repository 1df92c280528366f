//! The self-test over the data: every example matches its own entry, extracts exactly the
//! declared captures, and is not contradicted by an earlier entry on the same field; no
//! counterexample matches its entry; every name resolves in the registry; no source cites a
//! local file instead of a public document; every id and file follows the data layout
//! (`fingerprints/README.md`, "Where an entry goes" and "Ids").

use crate::registry::Named;
use crate::{Database, Fields, Fingerprint, Hit, Problem};
use model::Kind;
use std::collections::{BTreeMap, HashSet};

/// Run every check; an empty list means the data is sound.
pub fn check(db: &Database) -> Vec<Problem> {
    let mut problems = Vec::new();
    sources_are_public(db, &mut problems);
    layout(db, &mut problems);
    let mut seen = HashSet::new();
    for fp in &db.fingerprints {
        if !seen.insert(fp.id.as_str()) {
            problems.push(Problem::new(
                &fp.file,
                &fp.id,
                "id used by an earlier entry",
            ));
        }
        names_resolve(db, fp, &mut problems);
        // Loading only parses patterns; one over the regex size limit is found here.
        if fp.regex().is_none() {
            problems.push(Problem::new(
                &fp.file,
                &fp.id,
                "pattern does not compile (over the regex size limit)",
            ));
        }
        for c in fp.also.iter().chain(&fp.unless) {
            if c.regex().is_none() {
                problems.push(Problem::new(
                    &fp.file,
                    &fp.id,
                    format!(
                        "condition on {} does not compile (over the regex size limit)",
                        c.field
                    ),
                ));
            }
        }
    }
    for fp in &db.fingerprints {
        for (n, ex) in fp.counterexamples.iter().enumerate() {
            let label = format!("{} counterexample {}", fp.id, n + 1);
            if ex.source.trim().is_empty() {
                problems.push(Problem::new(
                    &fp.file,
                    &label,
                    "counterexample has no `source`",
                ));
            }
            let kind = match ex.kind.as_deref().map(str::parse::<Kind>) {
                Some(Ok(k)) => k,
                Some(Err(msg)) => {
                    problems.push(Problem::new(&fp.file, &label, msg));
                    continue;
                }
                None => fp.kinds[0],
            };
            let Some(response) = &ex.response else {
                problems.push(Problem::new(
                    &fp.file,
                    &label,
                    "a counterexample is a whole `response`",
                ));
                continue;
            };
            let fields = crate::fields::extract(kind, ex.request.as_deref(), response.as_bytes());
            if let Some(hit) = first_hit(fp, &fp.fields, &fields) {
                problems.push(Problem::new(
                    &fp.file,
                    &label,
                    format!("matches its counterexample on `{}`", hit.field),
                ));
            }
        }
    }
    for (i, fp) in db.fingerprints.iter().enumerate() {
        for (n, ex) in fp.examples.iter().enumerate() {
            let label = format!("{} example {}", fp.id, n + 1);
            if ex.source.trim().is_empty() {
                problems.push(Problem::new(&fp.file, &label, "example has no `source`"));
            }
            let Some((kind, fields)) = example_fields(fp, ex, &mut problems, &label) else {
                continue;
            };
            let hit = first_hit(fp, &fp.fields, &fields);
            let Some(hit) = hit else {
                problems.push(Problem::new(
                    &fp.file,
                    &label,
                    format!(
                        "does not match its own pattern on field `{}`",
                        fp.fields.join("|")
                    ),
                ));
                continue;
            };
            let expected = ex.captures();
            let got: BTreeMap<String, String> = hit.captures.clone();
            if expected != got {
                problems.push(Problem::new(
                    &fp.file,
                    &label,
                    format!(
                        "extracts {} but the example declares {}",
                        show(&got),
                        show(&expected)
                    ),
                ));
            }
            for earlier in &db.fingerprints[..i] {
                if !earlier.kinds.contains(&kind)
                    || !earlier.fields.iter().any(|f| fp.fields.contains(f))
                {
                    continue;
                }
                let shared: Vec<String> = earlier
                    .fields
                    .iter()
                    .filter(|f| fp.fields.contains(f))
                    .cloned()
                    .collect();
                if let Some(other) = first_hit(earlier, &shared, &fields)
                    && let Some(what) = contradiction(db, &hit, &other)
                {
                    problems.push(Problem::new(
                        &fp.file,
                        &label,
                        format!(
                            "shadowed by earlier entry {} ({}), which asserts {what}",
                            earlier.id, earlier.file
                        ),
                    ));
                }
            }
        }
    }
    problems
}

/// The first hit of `fp` on any value of the given fields.
fn first_hit<'a>(fp: &'a Fingerprint, on: &[String], fields: &Fields) -> Option<Hit<'a>> {
    on.iter().find_map(|name| {
        fields
            .get(name)
            .iter()
            .find_map(|v| fp.check(name, v, fields))
    })
}

fn show(m: &BTreeMap<String, String>) -> String {
    if m.is_empty() {
        return "no captures".into();
    }
    m.iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fields an example yields, as the engine would see them.
fn example_fields(
    fp: &Fingerprint,
    ex: &crate::Example,
    problems: &mut Vec<Problem>,
    label: &str,
) -> Option<(Kind, Fields)> {
    let kind = match ex.kind.as_deref().map(str::parse::<Kind>) {
        Some(Ok(k)) => k,
        Some(Err(msg)) => {
            problems.push(Problem::new(&fp.file, label, msg));
            return None;
        }
        None => fp.kinds[0],
    };
    match (&ex.value, &ex.response) {
        (Some(v), None) => {
            if !fp.also.is_empty() || !fp.unless.is_empty() {
                problems.push(Problem::new(
                    &fp.file,
                    label,
                    "entry has `also` conditions: give a whole `response` example",
                ));
                return None;
            }
            let mut f = Fields::default();
            let field = ex.field.as_deref().unwrap_or(&fp.fields[0]);
            if !fp.fields.iter().any(|f| f == field) {
                problems.push(Problem::new(
                    &fp.file,
                    label,
                    format!("example field `{field}` is not one of the entry's fields"),
                ));
                return None;
            }
            f.push(field, v.clone());
            Some((kind, f))
        }
        (None, Some(r)) => {
            let f = crate::fields::extract(kind, ex.request.as_deref(), r.as_bytes());
            if fp.fields.iter().all(|name| f.get(name).is_empty()) {
                problems.push(Problem::new(
                    &fp.file,
                    label,
                    format!("response yields no `{}` field", fp.fields.join("|")),
                ));
                return None;
            }
            Some((kind, f))
        }
        _ => {
            problems.push(Problem::new(
                &fp.file,
                label,
                "give exactly one of `value` or `response`",
            ));
            None
        }
    }
}

fn names_resolve(db: &Database, fp: &Fingerprint, problems: &mut Vec<Problem>) {
    if let Some(m) = &fp.manufacturer
        && !m.contains('{')
    {
        match db.registry.resolve(m) {
            Some(named) if db.registry.component_of(named).is_some() => problems.push(Problem::new(&fp.file, &fp.id, format!("manufacturer {m:?} makes components (chips, SDKs, web servers), not devices: use `proves = \"component\"` and `component = {m:?}`"))),
            Some(Named::Company(_)) => {}
            Some(Named::Brand(_)) => problems.push(Problem::new(&fp.file, &fp.id, format!("manufacturer {m:?} is a brand: name the true maker, and put the label in `brand`"))),
            None => problems.push(Problem::new(&fp.file, &fp.id, format!("manufacturer {m:?} is not in the registry"))),
        }
    }
    if let Some(b) = &fp.brand
        && !b.contains('{')
        && db.registry.resolve(b).is_none()
    {
        problems.push(Problem::new(
            &fp.file,
            &fp.id,
            format!("brand {b:?} is not in the registry"),
        ));
    }
}

/// Whether two hits on the same value say different things about an attribute both assert.
fn contradiction(db: &Database, a: &Hit<'_>, b: &Hit<'_>) -> Option<String> {
    if let (Some(x), Some(y)) = (&a.manufacturer, &b.manufacturer) {
        let rx = maker(db, x);
        let ry = maker(db, y);
        let same = match (rx, ry) {
            (Some(i), Some(j)) => db.registry.is_within(i, j) || db.registry.is_within(j, i),
            _ => crate::registry::normalize(x) == crate::registry::normalize(y),
        };
        if !same {
            return Some(format!("manufacturer={y}"));
        }
    }
    if let (Some(x), Some(y)) = (a.fingerprint.device_class, b.fingerprint.device_class)
        && x != y
    {
        return Some(format!("device_class={y}"));
    }
    for (name, x, y) in [
        ("brand", &a.brand, &b.brand),
        ("model", &a.model, &b.model),
        ("firmware", &a.firmware, &b.firmware),
    ] {
        if let (Some(x), Some(y)) = (x, y)
            && !x.eq_ignore_ascii_case(y)
        {
            return Some(format!("{name}={y}"));
        }
    }
    None
}

fn maker(db: &Database, name: &str) -> Option<usize> {
    match db.registry.resolve(name)? {
        Named::Company(i) => Some(db.registry.maker_of_company_label(i).0),
        Named::Brand(b) => db.registry.maker_of_brand(b).map(|m| m.0),
    }
}

/// Whether a `source` value is a path on some machine rather than a public citation (a URL, or
/// "https://github.com/... (file)" style text): the data must cite the public document,
/// registry or capture a fact comes from, never a local copy of it.
pub fn is_local_source(source: &str) -> bool {
    let s = source.trim();
    s.starts_with('/')
        || s.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("file:"))
        || s.contains("/work/")
        || s.contains("/usr/share/")
}

/// Every `source` / `sources` / regime `url` in the registry and every example `source` in the
/// fingerprints must be public (see [`is_local_source`]).
fn sources_are_public(db: &Database, problems: &mut Vec<Problem>) {
    let mut flag = |file: &str, entry: String, source: &str| {
        if is_local_source(source) {
            problems.push(Problem::new(
                file,
                &entry,
                format!(
                    "source {source:?} is a local path: cite the public URL of the document, registry or capture"
                ),
            ));
        }
    };
    let reg = &db.registry;
    for r in &reg.regimes {
        for s in std::iter::once(&r.url).chain(&r.sources) {
            flag(&r.file, format!("regime {}", r.id), s);
        }
    }
    for c in &reg.companies {
        for s in &c.sources {
            flag(&c.file, format!("company {}", c.id), s);
        }
        for l in &c.listing {
            flag(
                &c.file,
                format!("company {} listing {}", c.id, l.regime),
                &l.source,
            );
        }
    }
    for b in &reg.brands {
        flag(&b.file, format!("brand {}", b.name), &b.source);
    }
    for o in &reg.oems {
        flag(
            &o.file,
            format!("oem {} -> {}", o.brand, o.manufacturer),
            &o.source,
        );
    }
    for e in &reg.enterprises {
        flag(&e.file, format!("enterprise {}", e.number), &e.source);
    }
    for fp in &db.fingerprints {
        for (n, ex) in fp.examples.iter().enumerate() {
            flag(&fp.file, format!("{} example {}", fp.id, n + 1), &ex.source);
        }
    }
}

/// The directory of entries that are cross-protocol (any kind's fields).
const MULTI: &str = "multi";

/// Group files that hold entries whose field has no file of its own: per directory, the file
/// stem and which fields it takes (`fingerprints/README.md`, "Where an entry goes").
fn group_file(dir: &str, stem: &str, field: &str) -> bool {
    match (dir, stem) {
        (MULTI, "models") => true,
        ("banner", "snmp" | "ssh") => field == "banner",
        (_, "header") => field.starts_with("header."),
        _ => false,
    }
}

/// The file stems a field may live in: the field with a `header.` or `cert.` prefix dropped and
/// dots as dashes, or its first dotted part (`xml`, `json`, `kv`, `favicon`, `subject`).
fn field_stems(field: &str) -> [String; 2] {
    let bare = field
        .strip_prefix("header.")
        .or_else(|| field.strip_prefix("cert."))
        .unwrap_or(field);
    let first = bare.split('.').next().unwrap_or(bare);
    [bare.replace('.', "-"), first.to_string()]
}

/// One id segment: lower-case letters, digits and inner dashes.
fn is_segment(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A suffix some authoring batch added to a vendor or name segment (`hikvision-c2`,
/// `huawei-x`): it says when an entry was written, not what it matches.
fn batch_suffix(segment: &str) -> bool {
    if segment.ends_with("-x") {
        return true;
    }
    match segment.rsplit_once("-c") {
        Some((head, n)) => {
            !head.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Ids, aliases and file placement (see the README sections named in the header).
fn layout(db: &Database, problems: &mut Vec<Problem>) {
    let live: HashSet<&str> = db.fingerprints.iter().map(|f| f.id.as_str()).collect();
    let mut aliases: HashSet<&str> = HashSet::new();
    for fp in &db.fingerprints {
        let mut bad = |msg: String| problems.push(Problem::new(&fp.file, &fp.id, msg));
        let (dir, stem) = match fp
            .file
            .strip_suffix(".toml")
            .and_then(|p| p.split_once('/'))
        {
            Some((dir, stem)) if !stem.contains('/') => (dir, stem),
            _ => {
                bad("a fingerprint file is `<kind>/<field>.toml` (or `multi/...`)".into());
                continue;
            }
        };
        if dir != MULTI {
            match dir.parse::<Kind>() {
                Ok(k) if k.as_str() == dir => {
                    if fp.kinds[0] != k {
                        bad(format!(
                            "filed under `{dir}/` but its first kind is `{}`",
                            fp.kinds[0].as_str()
                        ));
                    }
                }
                _ => bad(format!(
                    "directory `{dir}` is not an observation kind (nor `{MULTI}`)"
                )),
            }
        }
        let placed = fp
            .fields
            .iter()
            .any(|f| field_stems(f).iter().any(|s| s == stem) || group_file(dir, stem, f));
        if !placed {
            let wanted = field_stems(&fp.fields[0])[0].clone();
            bad(format!(
                "file `{stem}.toml` is not named after a field of the entry (`{}`): it goes in `{dir}/{wanted}.toml` or a group file",
                fp.fields.join("|")
            ));
        }
        let segments: Vec<&str> = fp.id.split('.').collect();
        let [kind, vendor, name] = segments[..] else {
            bad("id is not `<kind>.<vendor>.<name>` (three dot-separated segments)".into());
            continue;
        };
        if !segments.iter().all(|s| is_segment(s)) {
            bad("id segments are lower-case `[a-z0-9-]`".into());
        }
        if dir == MULTI {
            if kind != "model" && !matches!(kind.parse::<Kind>(), Ok(k) if k.as_str() == kind) {
                bad(format!(
                    "id starts with `{kind}`: under `{MULTI}/` an id starts with a kind or `model`"
                ));
            }
        } else if kind != dir {
            bad(format!(
                "id starts with `{kind}` but the file is under `{dir}/`"
            ));
        }
        if batch_suffix(vendor) || batch_suffix(name) {
            bad("id carries an authoring-batch suffix (`-c2`, `-x`): name what is matched".into());
        }
        if let Some((stripped, n)) = name.rsplit_once('-')
            && n.bytes().all(|b| b.is_ascii_digit())
            && live.contains(format!("{kind}.{vendor}.{stripped}").as_str())
        {
            bad(format!(
                "id only differs from {kind}.{vendor}.{stripped} by a number: name what is matched"
            ));
        }
        for alias in &fp.aliases {
            if live.contains(alias.as_str()) {
                bad(format!("alias {alias} is a live id"));
            } else if !aliases.insert(alias.as_str()) {
                bad(format!("alias {alias} is an alias of an earlier entry too"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_local_and_citations_are_not() {
        for local in [
            "/usr/share/ieee-data/oui.csv",
            "/work/shared/reference/vendors-protocols.md#A3",
            "file:///tmp/capture.pcap",
            "FILE:notes.txt",
            "IEEE listing (ieee-data: /usr/share/ieee-data/oui.csv)",
            " /home/someone/capture.txt",
        ] {
            assert!(is_local_source(local), "{local:?} not flagged");
        }
        for public in [
            "https://standards-oui.ieee.org/oui/oui.csv",
            "http://firstedeal.in/Consumer-Electronics/Hikvision.html",
            "https://github.com/rapid7/recog (xml/http_servers.xml)",
            "Community knowledge, no public document cited",
            "",
        ] {
            assert!(!is_local_source(public), "{public:?} flagged");
        }
    }

    fn files(registry: &str, fingerprints: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            ("registry/test.toml".into(), registry.as_bytes().to_vec()),
            (
                "banner/banner.toml".into(),
                fingerprints.as_bytes().to_vec(),
            ),
        ]
    }

    const REGISTRY: &str = r##"
[[regime]]
id = "r"
name = "R"
url = "https://example.org/r"
sources = ["https://example.org/r", "/work/shared/reference/facts.md#C1"]

[[company]]
id = "acme"
name = "Acme"
sources = ["/usr/share/ieee-data/oui.csv"]

[[company.listing]]
regime = "r"
source = "file:///srv/notes/acme.txt"

[[brand]]
name = "Roadrunner"
owner = "acme"
source = "https://example.org/roadrunner"

[[oem]]
brand = "Roadrunner"
manufacturer = "acme"
confidence = 0.9
source = "/work/shared/reference/facts.md#A3"
"##;

    const FINGERPRINTS: &str = r##"
[[fingerprint]]
id = "banner.acme.t"
kinds = ["banner"]
field = "banner"
pattern = '^Acme (?P<model>\w+)$'
manufacturer = "Acme"
model = "{model}"
confidence = 0.9

[[fingerprint.example]]
value = "Acme X1"
source = "/tmp/capture.txt"
model = "X1"
"##;

    #[test]
    fn local_path_sources_are_reported() {
        let (db, load) = Database::from_files(files(REGISTRY, FINGERPRINTS));
        assert!(load.is_empty(), "{load:?}");
        let local: Vec<Problem> = check(&db)
            .into_iter()
            .filter(|p| p.message.contains("is a local path"))
            .collect();
        let entries: Vec<(&str, &str)> = local
            .iter()
            .map(|p| (p.file.as_str(), p.entry.as_str()))
            .collect();
        assert_eq!(
            entries,
            [
                ("registry/test.toml", "regime r"),
                ("registry/test.toml", "company acme"),
                ("registry/test.toml", "company acme listing r"),
                ("registry/test.toml", "oem Roadrunner -> acme"),
                ("banner/banner.toml", "banner.acme.t example 1"),
            ],
            "{local:#?}"
        );
    }

    #[test]
    fn public_sources_are_not_reported() {
        let registry = REGISTRY
            .replace(
                "/work/shared/reference/facts.md#C1",
                "https://example.org/c1",
            )
            .replace(
                "/usr/share/ieee-data/oui.csv",
                "https://standards-oui.ieee.org/oui/oui.csv",
            )
            .replace("file:///srv/notes/acme.txt", "https://example.org/acme")
            .replace(
                "/work/shared/reference/facts.md#A3",
                "https://example.org/a3",
            );
        let fingerprints = FINGERPRINTS.replace("/tmp/capture.txt", "https://example.org/capture");
        let (db, load) = Database::from_files(files(&registry, &fingerprints));
        assert!(load.is_empty(), "{load:?}");
        let problems = check(&db);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
