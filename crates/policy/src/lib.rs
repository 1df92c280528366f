//! sightline's policy engine: which device breaks which rule of which regime, and what to do
//! about it. Regimes are data (the vendor registry's `regimes.toml` and company listings); rules
//! are code, one per file under `rules/`, each with the documentation the reports render
//! (`RuleDoc`). A profile selects the rules of one regime plus the known-vulnerable-firmware
//! rules. Pure: no IO, no async.
//!
//! Severity mapping (what each level means here):
//! - critical: a regime's hardest line is crossed now: covered surveillance equipment connected
//!   to a core network, on a sensitive site's core, or newly deployed on a sensitive site after
//!   24 November 2022; Huawei equipment in a core segment after the DVD core deadline.
//! - high: covered equipment where a regime says it must go (sensitive site, NDAA 889, FCC
//!   Covered List, Huawei in the core before the deadline), and firmware of a covered maker
//!   that is known-vulnerable to a remotely exploitable CVE.
//! - medium: unidentified devices on sensitive sites (unknown provenance); covered surveillance
//!   equipment on a non-sensitive site outside a dedicated CCTV segment (advisory); an
//!   identifier (serial, MAC, certificate) claimed by two devices (`identity/key-conflict`).
//! - low: covered surveillance equipment on a non-sensitive site, already on a dedicated CCTV
//!   segment (advisory); a device of another maker built on a covered company's part (a
//!   HiSilicon SoC) on a sensitive site (`supply-chain/covered-component`).
//! - info: the same covered part on a non-sensitive site.

mod date;
mod firmware;
mod plan;
pub mod rules;
mod serial;
mod subject;
mod waiver;

pub use plan::plan;
pub use serial::serial_production_date;

use model::{Finding, Inventory, InventoryDevice};
use std::cmp::Reverse;

/// What the rules see besides the device: the estate (sites, segments, waivers), the vendor
/// registry (companies, lineage, listings, regimes) and the day of the audit.
pub struct Context<'a> {
    pub estate: &'a model::Estate,
    pub registry: &'a fingerprint::Registry,
    /// YYYY-MM-DD. Decides waiver expiry and dated deadlines.
    pub today: &'a str,
}

/// A named selection of rules (one regime's rules plus the firmware rules).
pub struct Profile {
    pub id: &'static str,
    pub name: &'static str,
    pub rules: Vec<&'static dyn Rule>,
}

/// The user-facing documentation of a rule; the reports render this same text.
#[derive(Debug)]
pub struct RuleDoc {
    pub title: &'static str,
    /// What it checks.
    pub what: &'static str,
    /// Why it matters, citing the regime.
    pub why: &'static str,
    pub example: &'static str,
    /// How to fix.
    pub fix: &'static str,
}

/// One rule: looks at one device in its context and says whether it breaks the rule.
pub trait Rule: Sync {
    /// Stable id, `<profile-or-cve>/<rule-name>`.
    fn id(&self) -> &'static str;
    fn doc(&self) -> &'static RuleDoc;
    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding>;
}

/// The profile with this id: `uk-gov-2022`, `us-ndaa-889`, `us-fcc-covered`, `uk-huawei-dvd`.
pub fn profile(id: &str) -> Option<Profile> {
    profiles().into_iter().find(|p| p.id == id)
}

/// Every profile, in a stable order.
pub fn profiles() -> Vec<Profile> {
    rules::profiles()
}

/// Every rule of every profile, each once, in a stable order.
pub fn all_rules() -> Vec<&'static dyn Rule> {
    let mut out: Vec<&'static dyn Rule> = Vec::new();
    for p in profiles() {
        for r in p.rules {
            if !out.iter().any(|o| o.id() == r.id()) {
                out.push(r);
            }
        }
    }
    out
}

/// The rule with this id, in any profile.
pub fn rule(id: &str) -> Option<&'static dyn Rule> {
    all_rules().into_iter().find(|r| r.id() == id)
}

/// Run every rule of `profile` on every device of `inventory`.
///
/// Findings are sorted by severity (most severe first), then site, then address (numerically
/// for IP addresses), then rule and device. A finding whose device and rule a non-expired
/// waiver of the estate names carries that waiver in `waived` (it is reported, not counted);
/// expired waivers, and every waiver when `cx.today` is not a valid date, do not apply.
///
/// "First seen" dates a deployment only when the device was not already there when the history
/// began. A device first seen on the earliest first-seen date of the inventory (the first
/// recorded scan) was deployed on or before that day: when that day is after the UK statement
/// of 24 November 2022, it says nothing about which side of the statement the deployment fell,
/// so the rules judge the deployment date from the register install date or the serial
/// number's production date instead. The findings still report the real first-seen date.
pub fn evaluate(inventory: &Inventory, profile: &Profile, cx: &Context) -> Vec<Finding> {
    let today = date::parse(cx.today);
    let history_start = inventory
        .devices
        .iter()
        .filter_map(|d| d.first_seen.as_deref())
        .filter(|d| date::parse(d).is_some())
        .min()
        .filter(|d| date::parse(d).is_some_and(|d| d > date::UK_STATEMENT));
    let mut out = Vec::new();
    for device in &inventory.devices {
        let judged;
        let seen = if device.first_seen.is_some() && device.first_seen.as_deref() == history_start {
            judged = InventoryDevice {
                first_seen: None,
                ..device.clone()
            };
            &judged
        } else {
            device
        };
        for rule in &profile.rules {
            if let Some(mut finding) = rule.check(seen, cx) {
                finding.first_seen = device.first_seen.clone();
                finding.waived =
                    waiver::find(&cx.estate.waivers, device, &finding.rule, today).cloned();
                out.push(finding);
            }
        }
    }
    sort(&mut out);
    out
}

/// Severity descending, then site, address, rule, device.
fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                Reverse(f.severity),
                f.site.is_none(),
                f.site.clone(),
                f.address.is_none(),
                subject::address_key(f.address.as_deref()),
                f.rule.clone(),
                f.device.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
}
