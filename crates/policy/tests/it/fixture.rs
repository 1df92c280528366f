//! Test fixtures: a small estate and inventory written as TOML (devices in a short form whose
//! identity's `covered` and `regimes` come from the embedded registry, as identification would
//! give them), and a text rendering of findings and plans for snapshots.

use fingerprint::{Database, Named, Registry};
use model::{
    CatalogueItem, DeviceClass, Estate, Evidence, Finding, Identity, Inventory, InventoryDevice,
    KeyConflict, Plan, SegmentRole,
};
use policy::Context;
use serde::Deserialize;
use std::fmt::Write;
use std::path::PathBuf;
use std::sync::LazyLock;

static DATABASE: LazyLock<Database> = LazyLock::new(|| {
    let (db, problems) = Database::embedded();
    assert!(
        problems.is_empty(),
        "embedded data has problems: {problems:?}"
    );
    db
});

pub fn registry() -> &'static Registry {
    &DATABASE.registry
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// The rule the fixture exercises (rule fixtures only).
    #[serde(default)]
    pub rule: Option<String>,
    pub today: String,
    #[serde(default)]
    pub as_of: Option<String>,
    pub estate: Estate,
    #[serde(default)]
    pub catalogue: Vec<CatalogueItem>,
    #[serde(default, rename = "device")]
    pub devices: Vec<Device>,
}

/// A device in short form.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub id: String,
    pub address: Option<String>,
    pub mac: Option<String>,
    pub serial: Option<String>,
    pub manufacturer: Option<String>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub class: Option<DeviceClass>,
    pub firmware: Option<String>,
    pub site: Option<String>,
    pub segment: Option<String>,
    pub role: Option<SegmentRole>,
    pub first_seen: Option<String>,
    pub install_date: Option<String>,
    pub production_date: Option<String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub key_conflicts: Vec<KeyConflict>,
    /// Parts the device is built from (a SoC), as identification reports them.
    #[serde(default)]
    pub components: Vec<model::Component>,
    /// Whether the fixture's rule must report this device.
    pub expect: Option<bool>,
}

impl Fixture {
    pub fn load(relative: &str) -> Fixture {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/it/fixtures")
            .join(relative);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()));
        toml::from_str(&text).unwrap_or_else(|e| panic!("bad fixture {}: {e}", path.display()))
    }

    pub fn cx(&self) -> Context<'_> {
        Context {
            estate: &self.estate,
            registry: registry(),
            today: &self.today,
        }
    }

    pub fn inventory(&self) -> Inventory {
        Inventory {
            as_of: self.as_of.clone().unwrap_or_else(|| self.today.clone()),
            devices: self.devices.iter().map(Device::to_inventory).collect(),
        }
    }
}

impl Device {
    fn to_inventory(&self) -> InventoryDevice {
        let reg = registry();
        let company = self
            .manufacturer
            .as_deref()
            .and_then(|m| match reg.resolve(m)? {
                Named::Company(c) => Some(c),
                Named::Brand(b) => reg.maker_of_brand(b).map(|(c, _, _)| c),
            });
        let (regimes, covered) = company.map(|c| reg.regimes_for(c)).unwrap_or_default();
        InventoryDevice {
            id: self.id.clone(),
            address: self.address.clone(),
            mac: self.mac.clone(),
            serial: self.serial.clone(),
            identity: Identity {
                device: self.id.clone(),
                manufacturer: self.manufacturer.clone(),
                brand: self.brand.clone(),
                model: self.model.clone(),
                device_class: self.class,
                firmware: self.firmware.clone(),
                covered,
                regimes,
                confidence: if self.manufacturer.is_some() {
                    0.95
                } else {
                    0.0
                },
                evidence: self.evidence.clone(),
                notes: self.notes.clone(),
                components: self.components.clone(),
                ..Identity::default()
            },
            site: self.site.clone(),
            segment: self.segment.clone(),
            segment_role: self.role,
            first_seen: self.first_seen.clone(),
            last_seen: None,
            install_date: self.install_date.clone(),
            production_date: self.production_date.clone(),
            sources: Vec::new(),
            key_conflicts: self.key_conflicts.clone(),
        }
    }
}

/// Findings as a reviewer reads them.
pub fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let sev = f.severity.map(|s| s.as_str()).unwrap_or("unrated");
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
        writeln!(
            out,
            "[{sev}] {} device={} address={} site={} segment={} first_seen={}",
            f.rule,
            f.device,
            opt(&f.address),
            opt(&f.site),
            opt(&f.segment),
            opt(&f.first_seen)
        )
        .unwrap();
        writeln!(out, "  title: {}", f.title).unwrap();
        writeln!(out, "  evidence:").unwrap();
        for e in &f.evidence {
            writeln!(out, "    - {e}").unwrap();
        }
        writeln!(out, "  remediation: {}", f.remediation).unwrap();
        if let Some(w) = &f.waived {
            writeln!(
                out,
                "  waived: {} for {} by {} until {} ({})",
                w.device, w.rule, w.approver, w.expires, w.reason
            )
            .unwrap();
        }
        out.push('\n');
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    out
}

/// A plan as a reviewer reads it.
pub fn render_plan(plan: &Plan) -> String {
    let mut out = String::new();
    writeln!(
        out,
        "currency {}, total {:.2}, sample catalogue: {}",
        plan.currency, plan.total_cost, plan.sample_catalogue
    )
    .unwrap();
    for i in &plan.items {
        let actions: Vec<String> = i.actions.iter().map(|a| format!("{a:?}")).collect();
        writeln!(
            out,
            "{}. {} ({}) site={} actions=[{}] cost={:.2}",
            i.priority,
            i.device,
            i.address.as_deref().unwrap_or("-"),
            i.site.as_deref().unwrap_or("-"),
            actions.join(", "),
            i.cost
        )
        .unwrap();
        writeln!(out, "   reason: {}", i.reason).unwrap();
        for (name, cost) in &i.replacements {
            writeln!(out, "   option: {name} {cost:.2}").unwrap();
        }
    }
    for s in &plan.sites {
        writeln!(
            out,
            "site {}: {} devices, {} replacements, cost {:.2}",
            s.site, s.devices, s.replacements, s.cost
        )
        .unwrap();
    }
    out
}
