//! The derived view every format renders from: devices and findings in report order, the
//! summary counts, waiver status (judged against the generation date), and lookups from ids to
//! the names people read. Computing these once keeps the formats consistent with each other.

use crate::{Change, Report, RuleInfo, text};
use model::{Finding, InventoryDevice, Segment, Severity, Site, Waiver};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

pub struct View<'a> {
    pub report: &'a Report,
    /// The generation day (YYYY-MM-DD), when `generated` starts with one.
    pub today: Option<&'a str>,
    /// Devices ordered by address (numerically), then id.
    pub devices: Vec<&'a InventoryDevice>,
    /// Counted findings first, by severity (worst first), rule, address; then waived ones.
    pub findings: Vec<&'a Finding>,
    pub waivers: Vec<WaiverView<'a>>,
    /// Rules by id.
    pub rules: Vec<&'a RuleInfo>,
    /// History in the order given (the caller's chronology).
    pub history: Vec<&'a Change>,
    pub plan_items: Vec<&'a model::PlanItem>,
    pub site_totals: Vec<&'a model::SiteTotal>,
    pub summary: Summary,
    by_id: BTreeMap<&'a str, &'a InventoryDevice>,
    sites: BTreeMap<&'a str, &'a Site>,
    segments: BTreeMap<&'a str, &'a Segment>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WaiverStatus {
    /// The generation day is on or before the expiry day.
    Active,
    Expired,
    /// The expiry (or the generation time) is not a YYYY-MM-DD date.
    Unknown,
}

pub struct WaiverView<'a> {
    pub waiver: &'a Waiver,
    pub status: WaiverStatus,
    /// Findings this waiver suppresses in this report.
    pub suppressed: Vec<&'a Finding>,
    /// Counted findings it would cover by device and rule: for an expired waiver, the findings it
    /// no longer suppresses.
    pub uncovered: Vec<&'a Finding>,
}

/// Finding counts per severity (counted findings only; waived ones are not counted).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    /// Findings without a severity.
    pub unrated: usize,
}

impl SeverityCounts {
    pub fn get(&self, severity: Option<Severity>) -> usize {
        match severity {
            Some(Severity::Critical) => self.critical,
            Some(Severity::High) => self.high,
            Some(Severity::Medium) => self.medium,
            Some(Severity::Low) => self.low,
            Some(Severity::Info) => self.info,
            None => self.unrated,
        }
    }

    fn add(&mut self, severity: Option<Severity>) {
        let slot = match severity {
            Some(Severity::Critical) => &mut self.critical,
            Some(Severity::High) => &mut self.high,
            Some(Severity::Medium) => &mut self.medium,
            Some(Severity::Low) => &mut self.low,
            Some(Severity::Info) => &mut self.info,
            None => &mut self.unrated,
        };
        *slot += 1;
    }
}

/// The headline numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub devices: usize,
    /// Devices whose manufacturer is known.
    pub identified_devices: usize,
    pub covered_devices: usize,
    /// Findings not suppressed by a waiver.
    pub findings: usize,
    pub waived_findings: usize,
    pub findings_by_severity: SeverityCounts,
    /// Worst severity among counted findings.
    pub worst_severity: Option<Severity>,
    /// Devices with at least one counted finding.
    pub devices_with_findings: usize,
    /// Ids of the sites with at least one counted finding, in estate order.
    pub sites_affected: Vec<String>,
    pub total_cost: f64,
    pub currency: String,
    /// True when costs come from the shipped sample catalogue (illustrative only).
    pub sample_catalogue: bool,
    pub active_waivers: usize,
    pub expired_waivers: usize,
}

impl<'a> View<'a> {
    pub fn new(report: &'a Report) -> View<'a> {
        let today = text::date_prefix(&report.generated);
        let by_id: BTreeMap<&str, &InventoryDevice> = report
            .inventory
            .devices
            .iter()
            .map(|d| (d.id.as_str(), d))
            .collect();
        let sites = report
            .estate
            .sites
            .iter()
            .map(|s| (s.id.as_str(), s))
            .collect();
        let segments = report
            .estate
            .segments
            .iter()
            .map(|s| (s.cidr.as_str(), s))
            .collect();

        let mut devices: Vec<&InventoryDevice> = report.inventory.devices.iter().collect();
        devices.sort_by(|a, b| {
            address_key(a.address.as_deref())
                .cmp(&address_key(b.address.as_deref()))
                .then_with(|| a.id.cmp(&b.id))
        });

        let mut findings: Vec<&Finding> = report.findings.iter().collect();
        findings.sort_by(|a, b| {
            (a.waived.is_some(), Reverse(a.severity))
                .cmp(&(b.waived.is_some(), Reverse(b.severity)))
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| {
                    address_key(a.address.as_deref()).cmp(&address_key(b.address.as_deref()))
                })
                .then_with(|| a.device.cmp(&b.device))
                .then_with(|| a.title.cmp(&b.title))
        });

        let mut rules: Vec<&RuleInfo> = report.rules.iter().collect();
        rules.sort_by(|a, b| a.id.cmp(&b.id));

        let mut plan_items: Vec<&model::PlanItem> = report.plan.items.iter().collect();
        plan_items.sort_by_key(|i| i.priority);

        let site_rank = |id: &str| {
            report
                .estate
                .sites
                .iter()
                .position(|s| s.id == id)
                .unwrap_or(usize::MAX)
        };
        let mut site_totals: Vec<&model::SiteTotal> = report.plan.sites.iter().collect();
        site_totals.sort_by(|a, b| {
            site_rank(&a.site)
                .cmp(&site_rank(&b.site))
                .then_with(|| a.site.cmp(&b.site))
        });

        let mut view = View {
            report,
            today,
            devices,
            findings,
            waivers: Vec::new(),
            rules,
            history: report.history.iter().collect(),
            plan_items,
            site_totals,
            summary: Summary::default(),
            by_id,
            sites,
            segments,
        };
        view.waivers = view.waivers_view();
        view.summary = view.summarise(&site_rank);
        view
    }

    fn waivers_view(&self) -> Vec<WaiverView<'a>> {
        // The estate's waivers, plus any waiver a finding carries that the estate does not list
        // (so that nothing suppressed is ever invisible).
        let mut waivers: Vec<&'a Waiver> = self.report.estate.waivers.iter().collect();
        for f in &self.report.findings {
            if let Some(w) = &f.waived
                && !waivers.contains(&w)
            {
                waivers.push(w);
            }
        }
        waivers.sort_by(|a, b| {
            (&a.device, &a.rule, &a.expires, &a.approver, &a.reason).cmp(&(
                &b.device,
                &b.rule,
                &b.expires,
                &b.approver,
                &b.reason,
            ))
        });
        waivers
            .into_iter()
            .map(|w| {
                let status = match (self.today, text::date_prefix(&w.expires)) {
                    (Some(today), Some(expires)) if expires >= today => WaiverStatus::Active,
                    (Some(_), Some(_)) => WaiverStatus::Expired,
                    _ => WaiverStatus::Unknown,
                };
                let suppressed = self
                    .findings
                    .iter()
                    .copied()
                    .filter(|f| f.waived.as_ref() == Some(w))
                    .collect();
                let uncovered = self
                    .findings
                    .iter()
                    .copied()
                    .filter(|f| f.waived.is_none() && self.waiver_covers(w, f))
                    .collect();
                WaiverView {
                    waiver: w,
                    status,
                    suppressed,
                    uncovered,
                }
            })
            .collect()
    }

    /// Whether a waiver names this finding's rule and device (`Waiver::names`: by inventory id
    /// or address plus the identity waived; never by serial or MAC alone).
    fn waiver_covers(&self, w: &Waiver, f: &Finding) -> bool {
        let rule = w.rule == "*" || w.rule == f.rule;
        let wanted = w.device.trim();
        let same = |s: Option<&str>| s.is_some_and(|s| s.eq_ignore_ascii_case(wanted));
        rule && match self.device(&f.device) {
            Some(device) => w.names(device),
            None => !wanted.is_empty() && (same(Some(&f.device)) || same(f.address.as_deref())),
        }
    }

    fn summarise(&self, site_rank: &dyn Fn(&str) -> usize) -> Summary {
        let r = self.report;
        let mut by_severity = SeverityCounts::default();
        let mut sites: BTreeSet<(usize, &str)> = BTreeSet::new();
        let mut devices: BTreeSet<&str> = BTreeSet::new();
        let mut worst = None;
        let mut waived = 0;
        for f in &r.findings {
            if f.waived.is_some() {
                waived += 1;
                continue;
            }
            by_severity.add(f.severity);
            worst = worst.max(f.severity);
            devices.insert(&f.device);
            if let Some(site) = self.finding_site(f) {
                sites.insert((site_rank(site), site));
            }
        }
        Summary {
            devices: r.inventory.devices.len(),
            identified_devices: r
                .inventory
                .devices
                .iter()
                .filter(|d| d.identity.manufacturer.is_some())
                .count(),
            covered_devices: r
                .inventory
                .devices
                .iter()
                .filter(|d| d.identity.covered)
                .count(),
            findings: r.findings.len() - waived,
            waived_findings: waived,
            findings_by_severity: by_severity,
            worst_severity: worst,
            devices_with_findings: devices.len(),
            sites_affected: sites.into_iter().map(|(_, s)| s.to_string()).collect(),
            total_cost: r.plan.total_cost,
            currency: r.plan.currency.clone(),
            sample_catalogue: r.plan.sample_catalogue,
            active_waivers: self
                .waivers
                .iter()
                .filter(|w| w.status == WaiverStatus::Active)
                .count(),
            expired_waivers: self
                .waivers
                .iter()
                .filter(|w| w.status == WaiverStatus::Expired)
                .count(),
        }
    }

    pub fn device(&self, id: &str) -> Option<&'a InventoryDevice> {
        self.by_id.get(id).copied()
    }

    pub fn site(&self, id: &str) -> Option<&'a Site> {
        self.sites.get(id).copied()
    }

    pub fn segment(&self, cidr: &str) -> Option<&'a Segment> {
        self.segments.get(cidr).copied()
    }

    /// The finding's site, or its device's when the finding does not say.
    pub fn finding_site(&self, f: &'a Finding) -> Option<&'a str> {
        f.site
            .as_deref()
            .or_else(|| self.device(&f.device).and_then(|d| d.site.as_deref()))
    }

    /// A site's name for people: `Headquarters`, or the id when the estate does not know it.
    pub fn site_name(&self, id: &str) -> String {
        match self.site(id) {
            Some(s) if !s.name.is_empty() => s.name.clone(),
            _ => id.to_string(),
        }
    }

    /// A segment for people: `10.1.0.0/24 (core)`, with its name when it has one.
    pub fn segment_label(&self, cidr: &str, role: Option<model::SegmentRole>) -> String {
        let segment = self.segment(cidr);
        let role = role.or(segment.map(|s| s.role));
        let name = segment.and_then(|s| s.name.as_deref());
        match (name, role) {
            (Some(n), Some(r)) => format!("{cidr} ({n}, {r})"),
            (Some(n), None) => format!("{cidr} ({n})"),
            (None, Some(r)) => format!("{cidr} ({r})"),
            (None, None) => cidr.to_string(),
        }
    }

    /// The role of a device's segment: the device's own record, else the estate's.
    pub fn segment_role(&self, d: &InventoryDevice) -> Option<model::SegmentRole> {
        d.segment_role.or_else(|| {
            d.segment
                .as_deref()
                .and_then(|c| self.segment(c))
                .map(|s| s.role)
        })
    }

    /// What a device is, in a few words: `Hikvision DS-2CD2143G0-I`, `unidentified camera`.
    pub fn device_label(&self, id: &str) -> String {
        match self.device(id) {
            Some(d) => describe(d),
            None => id.to_string(),
        }
    }
}

/// A device described from its identity.
pub fn describe(d: &InventoryDevice) -> String {
    let i = &d.identity;
    let maker = i.manufacturer.as_deref().or(i.brand.as_deref());
    let class = i.device_class.map(|c| c.as_str());
    match (maker, i.model.as_deref(), class) {
        (Some(m), Some(model), _) => format!("{m} {model}"),
        (Some(m), None, Some(c)) => format!("{m} {c}"),
        (Some(m), None, None) => m.to_string(),
        (None, Some(model), _) => format!("unidentified maker, model {model}"),
        (None, None, Some(c)) => format!("unidentified {c}"),
        (None, None, None) => "unidentified device".to_string(),
    }
}

/// Sort key for addresses: IP addresses in numeric order, then other text, then none.
pub fn address_key(address: Option<&str>) -> (u8, Option<IpAddr>, String) {
    match address {
        Some(a) => match a.trim().parse::<IpAddr>() {
            Ok(ip) => (0, Some(ip), String::new()),
            Err(_) => (1, None, a.to_string()),
        },
        None => (2, None, String::new()),
    }
}
