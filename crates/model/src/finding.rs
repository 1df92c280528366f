//! Findings (which device breaks which rule) and the remediation plan.

use crate::Waiver;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!("unknown severity {s:?}; expected critical, high, medium, low or info")
            })
    }
}

/// One rule broken by one device.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id, e.g. `uk-gov-2022/sensitive-site`.
    pub rule: String,
    pub severity: Option<Severity>,
    /// Inventory id of the device.
    pub device: String,
    pub address: Option<String>,
    pub site: Option<String>,
    pub segment: Option<String>,
    pub first_seen: Option<String>,
    /// One sentence: what is wrong.
    pub title: String,
    /// The evidence chain, in order: observations -> fingerprints -> registry entry -> regime citation.
    pub evidence: Vec<String>,
    /// What to do about it.
    pub remediation: String,
    /// The waiver that suppresses it, when one applies (the finding is then reported, not counted).
    pub waived: Option<Waiver>,
}

/// What to do with one device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Disconnect from the core network now.
    DisconnectFromCore,
    /// Move onto a dedicated, isolated segment.
    Isolate,
    Replace,
    Monitor,
}

/// One step of the remediation plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    /// 1 = first.
    pub priority: usize,
    pub device: String,
    pub address: Option<String>,
    pub site: Option<String>,
    pub actions: Vec<Action>,
    /// Why this order (highest severity, core, sensitive site ...).
    pub reason: String,
    /// Replacement options from the catalogue: (make model, unit cost).
    pub replacements: Vec<(String, f64)>,
    pub cost: f64,
}

/// Counts and costs per site.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteTotal {
    pub site: String,
    pub devices: usize,
    pub replacements: usize,
    pub cost: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub items: Vec<PlanItem>,
    pub sites: Vec<SiteTotal>,
    pub total_cost: f64,
    pub currency: String,
    /// True when the catalogue used is the shipped sample (costs are illustrative only).
    pub sample_catalogue: bool,
}
