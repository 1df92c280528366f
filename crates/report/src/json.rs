//! `report.json`: the machine-readable report. Its shape is documented in SCHEMA.md; the structs
//! here are that schema, field for field, in output order.

use crate::view::{Summary, View, WaiverStatus, address_key};
use crate::{Change, Method, RuleInfo, SCHEMA_VERSION};
use model::{Action, DateBasis, DeviceClass, SegmentRole, Severity};
use serde::Serialize;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    organisation: &'a str,
    generated: &'a str,
    profile: Profile<'a>,
    inventory_as_of: &'a str,
    summary: &'a Summary,
    sites: Vec<SiteOut<'a>>,
    segments: Vec<SegmentOut<'a>>,
    devices: Vec<DeviceOut<'a>>,
    findings: Vec<FindingOut<'a>>,
    plan: PlanOut<'a>,
    waivers: Vec<WaiverOut<'a>>,
    history: &'a [&'a Change],
    rules: &'a [&'a RuleInfo],
    method: &'a Method,
}

#[derive(Serialize)]
struct Profile<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct SiteOut<'a> {
    id: &'a str,
    name: &'a str,
    sensitive: bool,
    devices: usize,
    covered_devices: usize,
    findings: usize,
}

#[derive(Serialize)]
struct SegmentOut<'a> {
    cidr: &'a str,
    site: &'a str,
    role: SegmentRole,
    name: Option<&'a str>,
}

#[derive(Serialize)]
struct DeviceOut<'a> {
    id: &'a str,
    address: Option<&'a str>,
    mac: Option<&'a str>,
    serial: Option<&'a str>,
    manufacturer: Option<&'a str>,
    brand: Option<&'a str>,
    model: Option<&'a str>,
    device_class: Option<DeviceClass>,
    firmware: Option<&'a str>,
    covered: bool,
    regimes: &'a [String],
    confidence: f64,
    site: Option<&'a str>,
    segment: Option<&'a str>,
    segment_role: Option<SegmentRole>,
    first_seen: Option<&'a str>,
    last_seen: Option<&'a str>,
    install_date: Option<&'a str>,
    production_date: Option<&'a str>,
    deployed: Option<Deployed<'a>>,
    sources: &'a [String],
    evidence: &'a [model::Evidence],
    notes: &'a [String],
    /// Safety limits its answers reached (absent when none).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    limits: &'a [model::LimitHit],
    /// The firmware family its answers show (absent when none was recognised).
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<&'a str>,
    /// Parts made by others (a SoC, an SDK, a web server), absent when none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    components: &'a [model::Component],
    /// True when the manufacturer is a name the device gave that the registry lacks.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unregistered: bool,
}

#[derive(Serialize)]
struct Deployed<'a> {
    date: &'a str,
    basis: DateBasis,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: &'a str,
    severity: Option<Severity>,
    address: Option<&'a str>,
    device: &'a str,
    site: Option<&'a str>,
    segment: Option<&'a str>,
    first_seen: Option<&'a str>,
    title: &'a str,
    evidence: &'a [String],
    remediation: &'a str,
    waived: Option<&'a model::Waiver>,
}

#[derive(Serialize)]
struct PlanOut<'a> {
    currency: &'a str,
    sample_catalogue: bool,
    total_cost: f64,
    items: Vec<PlanItemOut<'a>>,
    sites: &'a [&'a model::SiteTotal],
}

#[derive(Serialize)]
struct PlanItemOut<'a> {
    priority: usize,
    device: &'a str,
    address: Option<&'a str>,
    site: Option<&'a str>,
    actions: &'a [Action],
    reason: &'a str,
    replacements: Vec<Replacement<'a>>,
    cost: f64,
}

#[derive(Serialize)]
struct Replacement<'a> {
    product: &'a str,
    unit_cost: f64,
}

#[derive(Serialize)]
struct WaiverOut<'a> {
    device: &'a str,
    /// The identity waived (absent when the waiver states none).
    #[serde(skip_serializing_if = "Option::is_none")]
    manufacturer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial: Option<&'a str>,
    rule: &'a str,
    reason: &'a str,
    approver: &'a str,
    expires: &'a str,
    status: WaiverStatus,
    suppressed: Vec<FindingRef<'a>>,
    not_suppressed: Vec<FindingRef<'a>>,
}

#[derive(Serialize)]
struct FindingRef<'a> {
    rule: &'a str,
    device: &'a str,
    address: Option<&'a str>,
}

fn refs<'a>(findings: &[&'a model::Finding]) -> Vec<FindingRef<'a>> {
    findings
        .iter()
        .map(|f| FindingRef {
            rule: &f.rule,
            device: &f.device,
            address: f.address.as_deref(),
        })
        .collect()
}

pub fn render(view: &View) -> Vec<u8> {
    let r = view.report;
    let sites = r
        .estate
        .sites
        .iter()
        .map(|s| {
            let here: Vec<_> = view
                .devices
                .iter()
                .filter(|d| d.site.as_deref() == Some(s.id.as_str()))
                .collect();
            SiteOut {
                id: &s.id,
                name: &s.name,
                sensitive: s.sensitive,
                devices: here.len(),
                covered_devices: here.iter().filter(|d| d.identity.covered).count(),
                findings: view
                    .findings
                    .iter()
                    .filter(|f| f.waived.is_none() && view.finding_site(f) == Some(s.id.as_str()))
                    .count(),
            }
        })
        .collect();
    let mut segments: Vec<SegmentOut> = r
        .estate
        .segments
        .iter()
        .map(|s| SegmentOut {
            cidr: &s.cidr,
            site: &s.site,
            role: s.role,
            name: s.name.as_deref(),
        })
        .collect();
    segments.sort_by(|a, b| {
        let net = |c: &str| address_key(c.split('/').next());
        net(a.cidr)
            .cmp(&net(b.cidr))
            .then_with(|| a.cidr.cmp(b.cidr))
    });
    let devices = view
        .devices
        .iter()
        .map(|d| {
            let i = &d.identity;
            DeviceOut {
                id: &d.id,
                address: d.address.as_deref(),
                mac: d.mac.as_deref(),
                serial: d.serial.as_deref(),
                manufacturer: i.manufacturer.as_deref(),
                brand: i.brand.as_deref(),
                model: i.model.as_deref(),
                device_class: i.device_class,
                firmware: i.firmware.as_deref(),
                covered: i.covered,
                regimes: &i.regimes,
                confidence: i.confidence,
                site: d.site.as_deref(),
                segment: d.segment.as_deref(),
                segment_role: view.segment_role(d),
                first_seen: d.first_seen.as_deref(),
                last_seen: d.last_seen.as_deref(),
                install_date: d.install_date.as_deref(),
                production_date: d.production_date.as_deref(),
                deployed: d.deployed().map(|(date, basis)| Deployed { date, basis }),
                sources: &d.sources,
                evidence: &i.evidence,
                notes: &i.notes,
                limits: &i.limits,
                platform: i.platform.as_deref(),
                components: &i.components,
                unregistered: i.unregistered,
            }
        })
        .collect();
    let findings = view
        .findings
        .iter()
        .map(|f| FindingOut {
            rule: &f.rule,
            severity: f.severity,
            address: f.address.as_deref(),
            device: &f.device,
            site: view.finding_site(f),
            segment: f.segment.as_deref(),
            first_seen: f.first_seen.as_deref(),
            title: &f.title,
            evidence: &f.evidence,
            remediation: &f.remediation,
            waived: f.waived.as_ref(),
        })
        .collect();
    let plan = PlanOut {
        currency: &r.plan.currency,
        sample_catalogue: r.plan.sample_catalogue,
        total_cost: r.plan.total_cost,
        items: view
            .plan_items
            .iter()
            .map(|i| PlanItemOut {
                priority: i.priority,
                device: &i.device,
                address: i.address.as_deref(),
                site: i.site.as_deref(),
                actions: &i.actions,
                reason: &i.reason,
                replacements: i
                    .replacements
                    .iter()
                    .map(|(product, unit_cost)| Replacement {
                        product,
                        unit_cost: *unit_cost,
                    })
                    .collect(),
                cost: i.cost,
            })
            .collect(),
        sites: &view.site_totals,
    };
    let waivers = view
        .waivers
        .iter()
        .map(|w| WaiverOut {
            device: &w.waiver.device,
            manufacturer: w.waiver.manufacturer.as_deref(),
            model: w.waiver.model.as_deref(),
            serial: w.waiver.serial.as_deref(),
            rule: &w.waiver.rule,
            reason: &w.waiver.reason,
            approver: &w.waiver.approver,
            expires: &w.waiver.expires,
            status: w.status,
            suppressed: refs(&w.suppressed),
            not_suppressed: refs(&w.uncovered),
        })
        .collect();
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        organisation: &r.organisation,
        generated: &r.generated,
        profile: Profile {
            id: &r.profile,
            name: &r.profile_name,
        },
        inventory_as_of: &r.inventory.as_of,
        summary: &view.summary,
        sites,
        segments,
        devices,
        findings,
        plan,
        waivers,
        history: &view.history,
        rules: &view.rules,
        method: &r.method,
    };
    // Serialising plain structs with string keys into memory cannot fail (non-finite numbers
    // become null).
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("report.json serialises");
    bytes.push(b'\n');
    bytes
}
