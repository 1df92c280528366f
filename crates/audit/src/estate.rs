//! Estate files (TOML): parsing, validation with file:line:field errors, and placing an address
//! on its site and segment.

use ipnet::IpNet;
use model::{CatalogueItem, Estate, SegmentRole};
use serde::Deserialize;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// A problem in an estate or catalogue file, located.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{file}:{line}: {field}: {message}")]
pub struct EstateError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// An estate with its segments parsed, ready to place devices.
#[derive(Clone, Debug)]
pub struct LoadedEstate {
    pub estate: Estate,
    pub path: PathBuf,
    /// Segments as networks, most specific first.
    nets: Vec<(IpNet, usize)>,
    /// Problems that do not stop the audit but change what it does (a waiver that no longer
    /// applies), each located and saying how to fix it. The caller shows them.
    pub warnings: Vec<String>,
}

impl LoadedEstate {
    /// The site id, segment CIDR and role of an address, from the most specific segment
    /// containing it.
    pub fn place(&self, address: &str) -> Option<(String, String, SegmentRole)> {
        let ip: IpAddr = address.parse().ok()?;
        let &(_, i) = self.nets.iter().find(|(n, _)| n.contains(&ip))?;
        let s = &self.estate.segments[i];
        Some((s.site.clone(), s.cidr.clone(), s.role))
    }

    /// Every segment's network (what `audit --scan` scans).
    pub fn networks(&self) -> Vec<IpNet> {
        let mut v: Vec<IpNet> = self.nets.iter().map(|(n, _)| *n).collect();
        v.sort();
        v.dedup();
        v
    }

    pub fn site_is_sensitive(&self, site: &str) -> bool {
        self.estate
            .sites
            .iter()
            .any(|s| s.id == site && s.sensitive)
    }

    /// The catalogue path, resolved relative to the estate file.
    pub fn catalogue_path(&self) -> Option<PathBuf> {
        let c = self.estate.catalogue.as_ref()?;
        let p = Path::new(c);
        Some(if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.path.parent().unwrap_or(Path::new(".")).join(p)
        })
    }
}

/// `table.key` for the key written on `line` (1-based), with the nearest `[table]` or
/// `[[table]]` header above it.
fn field_at(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let l = lines.get(line.checked_sub(1)?)?.trim();
    let key = l.split_once('=')?.0.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') {
        return None;
    }
    let table = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('['))
        .map(|h| h.trim_matches(['[', ']']).trim().to_string());
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

/// Field and line of a TOML deserialisation error.
fn locate(text: &str, e: &toml::de::Error) -> (usize, String) {
    let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
    let msg = e.message();
    let field = if let Some(rest) = msg.strip_prefix("missing field `") {
        rest.split('`').next().unwrap_or("-").to_string()
    } else {
        field_at(text, line).unwrap_or_else(|| "-".into())
    };
    (line, field)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// The line where `key = "value"` appears (the first one), for errors found after parsing.
fn line_of_value(text: &str, key: &str, value: &str) -> usize {
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        if t.starts_with(key) && t.contains(value) {
            return i + 1;
        }
    }
    0
}

pub fn load_estate(path: &Path) -> Result<LoadedEstate, EstateError> {
    let text = std::fs::read_to_string(path).map_err(|e| EstateError {
        file: path.display().to_string(),
        line: 0,
        field: "-".into(),
        message: format!("cannot read the estate file: {e}"),
    })?;
    parse_estate(&text, path)
}

/// Parse and validate an estate description.
pub fn parse_estate(text: &str, path: &Path) -> Result<LoadedEstate, EstateError> {
    let file = path.display().to_string();
    let err = |line: usize, field: &str, message: String| EstateError {
        file: file.clone(),
        line,
        field: field.to_string(),
        message,
    };
    let estate: Estate = toml::from_str(text).map_err(|e| {
        let (line, field) = locate(text, &e);
        err(line, &field, e.message().to_string())
    })?;
    if estate.organisation.name.trim().is_empty() {
        return Err(err(
            line_of_value(text, "name", ""),
            "organisation.name",
            "the organisation needs a name".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for s in &estate.sites {
        if s.id.trim().is_empty() {
            return Err(err(
                line_of_value(text, "id", ""),
                "site.id",
                "every [[site]] needs an id".into(),
            ));
        }
        if !seen.insert(s.id.as_str()) {
            return Err(err(
                line_of_value(text, "id", &format!("\"{}\"", s.id)),
                "site.id",
                format!("site id {:?} is used twice", s.id),
            ));
        }
    }
    let mut nets = Vec::new();
    for (i, seg) in estate.segments.iter().enumerate() {
        let net: IpNet = seg.cidr.parse().map_err(|_| {
            err(
                line_of_value(text, "cidr", &format!("\"{}\"", seg.cidr)),
                "segment.cidr",
                format!("{:?} is not a CIDR such as 10.1.0.0/24", seg.cidr),
            )
        })?;
        if !estate.sites.iter().any(|s| s.id == seg.site) {
            let known: Vec<&str> = estate.sites.iter().map(|s| s.id.as_str()).collect();
            return Err(err(
                line_of_value(text, "site", &format!("\"{}\"", seg.site)),
                "segment.site",
                format!(
                    "segment {} names site {:?}, which no [[site]] declares (known: {})",
                    seg.cidr,
                    seg.site,
                    known.join(", ")
                ),
            ));
        }
        nets.push((net.trunc(), i));
    }
    for w in &estate.waivers {
        let ok = time::Date::parse(
            &w.expires,
            &time::format_description::well_known::Iso8601::DATE,
        )
        .is_ok();
        if !ok {
            return Err(err(
                line_of_value(text, "expires", &w.expires),
                "waiver.expires",
                format!("{:?} is not a date YYYY-MM-DD", w.expires),
            ));
        }
        if w.rule.trim().is_empty() || w.device.trim().is_empty() {
            return Err(err(
                line_of_value(text, "device", &w.device),
                "waiver",
                "a waiver needs `device` and `rule` (use \"*\" for every rule)".into(),
            ));
        }
    }
    let warnings = estate
        .waivers
        .iter()
        .filter_map(|w| waiver_warning(&file, text, w))
        .collect();
    // Most specific first, so that a /28 inside a /24 wins.
    nets.sort_by_key(|n| std::cmp::Reverse(n.0.prefix_len()));
    Ok(LoadedEstate {
        estate,
        path: path.to_path_buf(),
        nets,
        warnings,
    })
}

/// What is wrong with how a waiver names its device, if anything. A waiver names a device by
/// what the owner controls (its inventory id `dev-12` or its address) plus the identity
/// waived; a serial number or MAC is only what the device reports, and any device can report
/// another's, so a waiver naming one alone no longer applies.
fn waiver_warning(file: &str, text: &str, w: &model::Waiver) -> Option<String> {
    let device = w.device.trim();
    let line = line_of_value(text, "device", &w.device);
    let by_id = device
        .strip_prefix("dev-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let by_address = device.parse::<IpAddr>().is_ok();
    if !by_id && !by_address {
        return Some(format!(
            "{file}:{line}: waiver.device: {device:?} is not an address or an inventory id (dev-12), \
             so this waiver applies to nothing: a serial number or MAC is what a device reports, \
             and any device can report another's. Rewrite it as device = \"<its address or dev-id>\", \
             manufacturer = \"<maker>\", model = \"<model>\" and, to keep the serial as an extra \
             condition, serial = {device:?}"
        ));
    }
    let says_identity = [&w.manufacturer, &w.model]
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()));
    (!says_identity).then(|| {
        format!(
            "{file}:{line}: waiver.device: the waiver for {device} does not say which device was \
             waived, so it would also cover another device put at that address: add \
             manufacturer = \"<maker>\" and model = \"<model>\" to it"
        )
    })
}

#[derive(Deserialize)]
struct CatalogueFile {
    #[serde(default)]
    sample: bool,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    item: Vec<CatalogueItem>,
}

/// A procurement catalogue: items, currency, and whether it is the shipped sample.
pub fn parse_catalogue(
    text: &str,
    path: &Path,
) -> Result<(Vec<CatalogueItem>, String, bool), EstateError> {
    let c: CatalogueFile = toml::from_str(text).map_err(|e| {
        let (line, field) = locate(text, &e);
        EstateError {
            file: path.display().to_string(),
            line,
            field,
            message: e.message().to_string(),
        }
    })?;
    let currency = c.currency.unwrap_or_else(|| "GBP".into());
    Ok((c.item, currency, c.sample))
}

pub fn load_catalogue(path: &Path) -> Result<(Vec<CatalogueItem>, String, bool), EstateError> {
    let text = std::fs::read_to_string(path).map_err(|e| EstateError {
        file: path.display().to_string(),
        line: 0,
        field: "-".into(),
        message: format!("cannot read the catalogue: {e}"),
    })?;
    parse_catalogue(&text, path)
}
