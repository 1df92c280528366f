//! What every rule needs to know about a device: where it sits (site, segment, role) and who made
//! it (registry company, lineage, listings, covered), plus the finding builder with its evidence
//! chain (observations -> fingerprints -> registry entry -> regime citation -> rule facts).

use crate::{Context, Rule};
use fingerprint::Registry;
use fingerprint::registry::{Company, Listing, Named, Regime};
use model::{DeviceClass, Estate, Finding, InventoryDevice, SegmentRole, Severity, Site};
use std::net::IpAddr;

/// Where a device sits. The inventory's own site and segment win; when it has none, the estate
/// segment that contains the device's address (the most specific one) supplies them.
pub(crate) struct Placement<'a> {
    pub site_id: Option<String>,
    pub site: Option<&'a Site>,
    pub segment: Option<String>,
    pub role: Option<SegmentRole>,
}

impl Placement<'_> {
    pub(crate) fn of<'a>(device: &InventoryDevice, estate: &'a Estate) -> Placement<'a> {
        let by_cidr = device.segment.as_deref().and_then(|s| {
            let wanted = s.trim().parse::<ipnet::IpNet>().ok();
            estate.segments.iter().find(|seg| {
                seg.cidr.trim() == s.trim()
                    || (wanted.is_some() && seg.cidr.trim().parse::<ipnet::IpNet>().ok() == wanted)
            })
        });
        let segment = by_cidr.or_else(|| {
            let ip = parse_ip(device.address.as_deref()?)?;
            estate
                .segments
                .iter()
                .filter_map(|seg| Some((seg, seg.cidr.trim().parse::<ipnet::IpNet>().ok()?)))
                .filter(|(_, net)| net.contains(&ip))
                .max_by_key(|(_, net)| net.prefix_len())
                .map(|(seg, _)| seg)
        });
        let site_id = device
            .site
            .clone()
            .or_else(|| segment.map(|s| s.site.clone()));
        let site = site_id
            .as_deref()
            .and_then(|id| estate.sites.iter().find(|s| s.id == id));
        Placement {
            site,
            site_id,
            segment: device
                .segment
                .clone()
                .or_else(|| segment.map(|s| s.cidr.clone())),
            role: device.segment_role.or_else(|| segment.map(|s| s.role)),
        }
    }

    pub(crate) fn sensitive(&self) -> bool {
        self.site.is_some_and(|s| s.sensitive)
    }

    pub(crate) fn core(&self) -> bool {
        self.role == Some(SegmentRole::Core)
    }

    /// "site Headquarters (hq)".
    pub(crate) fn site_name(&self) -> String {
        match (self.site, &self.site_id) {
            (Some(s), _) if !s.name.is_empty() && s.name != s.id => {
                format!("site {} ({})", s.name, s.id)
            }
            (Some(s), _) => format!("site {}", s.id),
            (None, Some(id)) => format!("site {id}"),
            (None, None) => "an unknown site".to_string(),
        }
    }

    /// "segment 10.1.0.0/24 (core)".
    pub(crate) fn segment_name(&self) -> String {
        match (&self.segment, self.role) {
            (Some(s), Some(r)) => format!("{r} segment {s}"),
            (Some(s), None) => format!("segment {s} (role unknown)"),
            (None, Some(r)) => format!("a {r} segment"),
            (None, None) => "an unknown segment".to_string(),
        }
    }

    /// The evidence line saying where the device is.
    pub(crate) fn line(&self, address: Option<&str>) -> String {
        let sensitivity = match self.site {
            Some(s) if s.sensitive => "sensitive",
            Some(_) => "not sensitive",
            None => "not described in the estate",
        };
        format!(
            "placement: {} on {}, {sensitivity}; {}",
            address.unwrap_or("address unknown"),
            self.site_name(),
            self.segment_name()
        )
    }
}

fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// Orders addresses numerically when they are IP addresses (10.0.0.2 before 10.0.0.10), and
/// after them any other text in text order.
pub(crate) fn address_key(address: Option<&str>) -> (Option<IpAddr>, String) {
    match address {
        Some(a) => match parse_ip(a) {
            Some(ip) => (Some(ip), String::new()),
            None => (None, a.to_string()),
        },
        None => (None, String::new()),
    }
}

/// Who made a device, as the registry knows the company.
pub(crate) struct Maker<'r> {
    /// The identity's manufacturer as written (a registry display name).
    pub name: String,
    /// The company and its parents, nearest first; empty when the registry does not know it.
    pub lineage: Vec<&'r Company>,
    /// Named (itself or a parent) by a regime that defines covered equipment, by the registry or
    /// as the identity says.
    pub covered: bool,
    /// Regime ids naming it: the registry's and the identity's.
    pub regimes: Vec<String>,
}

impl<'r> Maker<'r> {
    /// `None` when the device has no manufacturer and the identity does not say it is covered.
    pub(crate) fn of(device: &InventoryDevice, registry: &'r Registry) -> Option<Maker<'r>> {
        let identity = &device.identity;
        let name = identity
            .manufacturer
            .clone()
            .filter(|m| !m.trim().is_empty());
        if name.is_none() && !identity.covered && identity.regimes.is_empty() {
            return None;
        }
        let company = name.as_deref().and_then(|n| match registry.resolve(n)? {
            Named::Company(c) => Some(c),
            Named::Brand(b) => registry.maker_of_brand(b).map(|(c, _, _)| c),
        });
        let lineage: Vec<&Company> = company
            .map(|c| {
                registry
                    .lineage(c)
                    .iter()
                    .map(|&i| &registry.companies[i])
                    .collect()
            })
            .unwrap_or_default();
        let (mut regimes, mut covered) =
            company.map(|c| registry.regimes_for(c)).unwrap_or_default();
        covered |= identity.covered;
        for r in &identity.regimes {
            if !regimes.contains(r) {
                regimes.push(r.clone());
            }
        }
        regimes.sort();
        Some(Maker {
            name: name.unwrap_or_else(|| "an unidentified maker".to_string()),
            lineage,
            covered,
            regimes,
        })
    }

    /// The nearest company of the lineage listed by `regime`, with its listing.
    pub(crate) fn listing(&self, regime: &str) -> Option<(&'r Company, &'r Listing)> {
        self.lineage.iter().find_map(|c| {
            c.listing
                .iter()
                .find(|l| l.regime == regime)
                .map(|l| (*c, l))
        })
    }

    /// Named by `regime`, per the registry or the identity.
    pub(crate) fn named_by(&self, regime: &str) -> bool {
        self.regimes.iter().any(|r| r == regime)
    }

    /// The company itself or one of its parents has this registry id.
    pub(crate) fn is(&self, company_id: &str) -> bool {
        self.lineage.iter().any(|c| c.id == company_id)
    }

    /// Whether the maker makes visual-surveillance equipment, per the registry's `products` of
    /// the company itself (or, when it lists none, of its group). Unknown makers count as yes.
    pub(crate) fn makes_surveillance(&self) -> bool {
        let Some(own) = self.lineage.first() else {
            return true;
        };
        let products = if own.products.is_empty() {
            self.lineage.iter().flat_map(|c| &c.products).collect()
        } else {
            own.products.iter().collect::<Vec<_>>()
        };
        if products.is_empty() {
            return true;
        }
        products
            .iter()
            .filter_map(|p| p.parse::<DeviceClass>().ok())
            .any(DeviceClass::is_surveillance)
    }

    /// "registry: Hikvision = Hangzhou Hikvision Digital Technology Co., Ltd. (CN); parents CETHIK, CETC".
    pub(crate) fn line(&self) -> String {
        let Some(own) = self.lineage.first() else {
            return format!(
                "registry: {} is not in the vendor registry; covered and regimes as the identity gives them",
                self.name
            );
        };
        let mut line = format!("registry: {} (id {})", own.name, own.id);
        if let Some(legal) = own.legal_names.first() {
            line.push_str(&format!(" = {legal}"));
        }
        if !own.country.is_empty() {
            line.push_str(&format!(" ({})", own.country));
        }
        if self.lineage.len() > 1 {
            let parents: Vec<&str> = self.lineage[1..].iter().map(|c| c.name.as_str()).collect();
            line.push_str(&format!("; parents {}", parents.join(", ")));
        }
        line
    }
}

/// Covered surveillance equipment as the UK 2022 statement means it: a covered maker, and a
/// camera, recorder or video encoder, or a device of unknown class from a maker that makes
/// surveillance equipment.
pub(crate) fn covered_surveillance<'r>(
    device: &InventoryDevice,
    registry: &'r Registry,
) -> Option<Maker<'r>> {
    let maker = Maker::of(device, registry)?;
    if !maker.covered {
        return None;
    }
    match device.identity.device_class {
        Some(c) if c.is_surveillance() => Some(maker),
        None if maker.makes_surveillance() => Some(maker),
        _ => None,
    }
}

/// "Hikvision camera DS-2CD2143G0-I at 10.1.0.10".
pub(crate) fn describe(device: &InventoryDevice) -> String {
    let id = &device.identity;
    let mut out = id
        .manufacturer
        .clone()
        .unwrap_or_else(|| "Unidentified".to_string());
    if let Some(brand) = &id.brand
        && !brand.eq_ignore_ascii_case(&out)
    {
        out.push_str(&format!("-made {brand}"));
    }
    match id.device_class {
        Some(c) => out.push_str(&format!(" {}", c.as_str().replace('-', " "))),
        None => out.push_str(" device"),
    }
    if let Some(model) = &id.model {
        out.push_str(&format!(" {model}"));
    }
    match &device.address {
        Some(a) => out.push_str(&format!(" at {a}")),
        None => out.push_str(&format!(" ({})", device.id)),
    }
    out
}

/// Builds the evidence chain of a finding, in order.
pub(crate) struct Chain {
    lines: Vec<String>,
}

/// Evidence text can be a whole banner: keep lines readable.
fn clip(text: &str) -> String {
    const MAX: usize = 160;
    let text = text.replace(['\r', '\n'], " ");
    if text.chars().count() <= MAX {
        return text;
    }
    let mut out: String = text.chars().take(MAX).collect();
    out.push('…');
    out
}

impl Chain {
    /// Observations, then fingerprints, then what they add up to.
    pub(crate) fn identity(device: &InventoryDevice) -> Chain {
        let mut chain = Chain { lines: Vec::new() };
        let id = &device.identity;
        // The evidence for the maker first, a few items only: one line per item, from the
        // observed text through the fingerprint to what it asserts. The device's full evidence
        // stays in the inventory (report device table and report.json).
        const SHOWN: usize = 4;
        let mut ranked: Vec<&model::Evidence> = id
            .evidence
            .iter()
            .filter(|e| e.asserts.contains("manufacturer="))
            .collect();
        ranked.extend(
            id.evidence
                .iter()
                .filter(|e| !e.asserts.contains("manufacturer=")),
        );
        for e in ranked.iter().take(SHOWN) {
            let field = if e.field.is_empty() {
                String::new()
            } else {
                format!(" {}", e.field)
            };
            let asserts = if e.asserts.is_empty() {
                "matched".to_string()
            } else {
                e.asserts.clone()
            };
            chain.push(format!(
                "observed: {}{field} \"{}\" -> fingerprint {} -> {asserts}",
                e.observation,
                clip(&e.matched),
                e.fingerprint
            ));
        }
        if ranked.len() > SHOWN {
            chain.push(format!(
                "... and {} more matching fingerprints (all listed with the device)",
                ranked.len() - SHOWN
            ));
        }
        let mut parts = Vec::new();
        match &id.manufacturer {
            Some(m) => parts.push(format!(
                "manufacturer {m} (confidence {:.2})",
                id.confidence
            )),
            None => parts.push("manufacturer unknown".to_string()),
        }
        if let Some(b) = &id.brand {
            parts.push(format!("brand {b}"));
        }
        if let Some(m) = &id.model {
            parts.push(format!("model {m}"));
        }
        if let Some(c) = id.device_class {
            parts.push(format!("class {c}"));
        }
        if let Some(f) = &id.firmware {
            parts.push(format!("firmware {f}"));
        }
        if let Some(s) = &device.serial {
            parts.push(format!("serial {s}"));
        }
        chain.push(format!("identified: {}", parts.join(", ")));
        chain
    }

    pub(crate) fn push(&mut self, line: String) {
        if !self.lines.contains(&line) {
            self.lines.push(line);
        }
    }

    /// The registry entry, then the regime's citation: the listing of the maker (or a parent)
    /// when there is one, else the regime itself followed by the covered listings that make
    /// the maker's equipment covered.
    pub(crate) fn regime(&mut self, cx: &Context, maker: &Maker, regime: &str) {
        self.push(maker.line());
        let listed = maker.listing(regime);
        match (cx.registry.regime(regime), listed) {
            (Some(r), Some((company, listing))) => self.push(listing_line(r, company, listing)),
            (Some(r), None) => {
                self.push(regime_line(r));
                for other in &maker.regimes {
                    if other == regime {
                        continue;
                    }
                    let Some(o) = cx.registry.regime(other) else {
                        continue;
                    };
                    if !o.covered {
                        continue;
                    }
                    if let Some((company, listing)) = maker.listing(other) {
                        self.push(format!(
                            "covered through {}",
                            listing_line(o, company, listing)
                        ));
                    }
                }
            }
            (None, _) => self.push(format!(
                "regime: {regime} (not in the registry's regimes; named by the identity)"
            )),
        }
    }

    /// The covered listings of the maker (for rules whose citation is not a regime).
    pub(crate) fn covered_by(&mut self, cx: &Context, maker: &Maker) {
        self.push(maker.line());
        let names: Vec<String> = maker
            .regimes
            .iter()
            .filter_map(|id| cx.registry.regime(id))
            .filter(|r| r.covered)
            .map(|r| match maker.listing(&r.id) {
                Some((_, l)) => format!("{} (since {})", r.name, since(l)),
                None => r.name.clone(),
            })
            .collect();
        if !names.is_empty() {
            self.push(format!("covered: named by {}", names.join("; ")));
        }
    }

    pub(crate) fn into_lines(self) -> Vec<String> {
        self.lines
    }
}

fn since(listing: &Listing) -> String {
    match &listing.since {
        Some(toml::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "an unrecorded date".to_string(),
    }
}

fn listing_line(regime: &Regime, company: &Company, listing: &Listing) -> String {
    let mut line = format!(
        "regime: {} [{}]; the registry lists {} under it since {}",
        regime.name,
        regime.citation,
        company.name,
        since(listing)
    );
    if !listing.scope.is_empty() {
        line.push_str(&format!(" for {}", listing.scope));
    }
    let source = if listing.source.is_empty() {
        &regime.url
    } else {
        &listing.source
    };
    if !source.is_empty() {
        line.push_str(&format!("; source: {source}"));
    }
    if !listing.note.is_empty() {
        line.push_str(&format!(" (note: {})", listing.note.trim()));
    }
    line
}

fn regime_line(regime: &Regime) -> String {
    let since = match &regime.since {
        Some(toml::Value::String(s)) => format!(", in force {s}"),
        Some(v) => format!(", in force {v}"),
        None => String::new(),
    };
    let mut line = format!("regime: {} [{}]{since}", regime.name, regime.citation);
    if !regime.url.is_empty() {
        line.push_str(&format!("; source: {}", regime.url));
    }
    line
}

/// A finding of `rule` on `device`; `first_seen` and `waived` are filled by `evaluate`.
pub(crate) fn finding(
    rule: &dyn Rule,
    severity: Severity,
    device: &InventoryDevice,
    placement: &Placement,
    title: String,
    evidence: Vec<String>,
    remediation: &str,
) -> Finding {
    Finding {
        rule: rule.id().to_string(),
        severity: Some(severity),
        device: device.id.clone(),
        address: device.address.clone(),
        site: placement.site_id.clone(),
        segment: placement.segment.clone(),
        first_seen: device.first_seen.clone(),
        title,
        evidence,
        remediation: remediation.to_string(),
        waived: None,
    }
}
