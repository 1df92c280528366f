//! The remediation plan: per device with unwaived findings, what to do and in which order, the
//! replacement options from the procurement catalogue, and the cost per site.
//!
//! Order (tiers), then within a tier most severe first, then site and address:
//! 1. covered equipment on the core of a sensitive site: disconnect from core now, replace;
//! 2. covered equipment elsewhere on a sensitive site: replace;
//! 3. covered equipment on a core segment of another site: disconnect from core, isolate;
//! 4. covered equipment elsewhere: isolate (unless already on a CCTV segment), replace when a
//!    finding is high or worse (a regime bans it outright), else monitor;
//! 5. devices of unknown provenance: monitor (identify them).

use crate::rules::UNKNOWN_PROVENANCE;
use crate::subject::{Placement, address_key};
use model::{
    Action, CatalogueItem, DeviceClass, Estate, Finding, Inventory, InventoryDevice, Plan,
    PlanItem, SegmentRole, Severity, SiteTotal,
};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// How many catalogue options a plan item lists.
const OPTIONS: usize = 3;

/// Build the plan from the findings of `evaluate` (waived findings are left out). Replacement
/// options are the catalogue items of the device's class, cheapest first (up to three); the
/// item's cost is the cheapest unit cost. The currency is the first the catalogue names, else
/// GBP. `sample_catalogue` is copied into the plan so reports can say costs are illustrative.
pub fn plan(
    findings: &[Finding],
    inventory: &Inventory,
    estate: &Estate,
    catalogue: &[CatalogueItem],
    sample_catalogue: bool,
) -> Plan {
    let mut by_device: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.waived.is_none()) {
        by_device.entry(f.device.as_str()).or_default().push(f);
    }
    let mut drafts: Vec<Draft> = by_device
        .into_iter()
        .map(|(id, found)| {
            let device = inventory.devices.iter().find(|d| d.id == id);
            Draft::new(id, device, &found, estate)
        })
        .collect();
    drafts.sort_by(|a, b| {
        let key = |d: &Draft| {
            (
                d.tier,
                Reverse(d.severity),
                d.site.is_none(),
                d.site.clone(),
                address_key(d.address.as_deref()),
                d.device.clone(),
            )
        };
        key(a).cmp(&key(b))
    });

    let mut items = Vec::with_capacity(drafts.len());
    let mut sites: BTreeMap<String, SiteTotal> = BTreeMap::new();
    for (i, d) in drafts.into_iter().enumerate() {
        let mut reason = d.reason;
        let mut replacements = Vec::new();
        let mut cost = 0.0;
        if d.actions.contains(&Action::Replace) {
            replacements = options(catalogue, d.class);
            match (replacements.first(), d.class) {
                (Some((_, c)), _) => cost = *c,
                (None, Some(class)) => reason.push_str(&format!(
                    "; no {class} in the catalogue, cost not estimated"
                )),
                (None, None) => reason.push_str("; device class unknown, cost not estimated"),
            }
        }
        let site = d.site.clone().unwrap_or_else(|| "(no site)".to_string());
        let total = sites.entry(site.clone()).or_insert_with(|| SiteTotal {
            site,
            ..SiteTotal::default()
        });
        total.devices += 1;
        if d.actions.contains(&Action::Replace) {
            total.replacements += 1;
        }
        total.cost += cost;
        items.push(PlanItem {
            priority: i + 1,
            device: d.device,
            address: d.address,
            site: d.site,
            actions: d.actions,
            reason,
            replacements,
            cost,
        });
    }

    // Sites in the estate's order, then any others by name.
    let mut ordered: Vec<SiteTotal> = estate
        .sites
        .iter()
        .filter_map(|s| sites.remove(&s.id))
        .collect();
    ordered.extend(sites.into_values());
    let total_cost = ordered.iter().map(|s| s.cost).sum();
    let currency = catalogue
        .iter()
        .find_map(|c| c.currency.clone().filter(|c| !c.trim().is_empty()))
        .unwrap_or_else(|| "GBP".to_string());
    Plan {
        items,
        sites: ordered,
        total_cost,
        currency,
        sample_catalogue,
    }
}

/// Catalogue items of the class, cheapest first: ("make model", unit cost).
fn options(catalogue: &[CatalogueItem], class: Option<DeviceClass>) -> Vec<(String, f64)> {
    let Some(class) = class else {
        return Vec::new();
    };
    let mut matching: Vec<&CatalogueItem> = catalogue
        .iter()
        .filter(|c| c.device_class == class && c.unit_cost.is_finite() && c.unit_cost >= 0.0)
        .collect();
    matching.sort_by(|a, b| {
        a.unit_cost
            .total_cmp(&b.unit_cost)
            .then_with(|| a.make.cmp(&b.make))
            .then_with(|| a.model.cmp(&b.model))
    });
    matching
        .into_iter()
        .take(OPTIONS)
        .map(|c| (format!("{} {}", c.make, c.model), c.unit_cost))
        .collect()
}

/// One device's plan item before priorities and costs.
struct Draft {
    tier: u8,
    severity: Option<Severity>,
    device: String,
    address: Option<String>,
    site: Option<String>,
    class: Option<DeviceClass>,
    actions: Vec<Action>,
    reason: String,
}

impl Draft {
    fn new(
        id: &str,
        device: Option<&InventoryDevice>,
        found: &[&Finding],
        estate: &Estate,
    ) -> Draft {
        let first = found[0];
        let severity = found.iter().filter_map(|f| f.severity).max();
        let placement = match device {
            Some(d) => Placement::of(d, estate),
            // A finding without its inventory device: judge from what the finding says.
            None => Placement::of(
                &InventoryDevice {
                    id: id.to_string(),
                    address: first.address.clone(),
                    site: first.site.clone(),
                    segment: first.segment.clone(),
                    ..InventoryDevice::default()
                },
                estate,
            ),
        };
        let covered = found.iter().any(|f| f.rule != UNKNOWN_PROVENANCE);
        let sensitive = placement.sensitive();
        let core = placement.core();
        let high = severity.is_some_and(|s| s >= Severity::High);
        let rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
        let worst = severity.map(|s| s.as_str()).unwrap_or("unrated");
        let (tier, actions, why) = if !covered {
            (5, vec![Action::Monitor], "maker unknown: identify it")
        } else if sensitive && core {
            (
                1,
                vec![Action::DisconnectFromCore, Action::Replace],
                "covered equipment on the core network of a sensitive site",
            )
        } else if sensitive {
            (
                2,
                vec![Action::Replace],
                "covered equipment on a sensitive site",
            )
        } else if core {
            (
                3,
                vec![Action::DisconnectFromCore, Action::Isolate],
                "covered equipment on a core network",
            )
        } else {
            let mut actions = Vec::new();
            if placement.role != Some(SegmentRole::Cctv) {
                actions.push(Action::Isolate);
            }
            if high {
                actions.push(Action::Replace);
            } else {
                actions.push(Action::Monitor);
            }
            (4, actions, "covered equipment elsewhere (advisory)")
        };
        Draft {
            tier,
            severity,
            device: id.to_string(),
            address: device
                .and_then(|d| d.address.clone())
                .or_else(|| first.address.clone()),
            site: placement.site_id.clone(),
            class: device.and_then(|d| d.identity.device_class),
            actions,
            reason: format!("{why}; worst finding {worst} ({})", rules.join(", ")),
        }
    }
}
