//! The estate: the organisation's sites, network segments, waivers and procurement catalogue,
//! as described by its owner (an estate TOML file), plus what the audit concludes about it.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub name: String,
}

/// A place: a building or campus. Sensitive sites carry the strictest rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub sensitive: bool,
}

/// What a network segment is for.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SegmentRole {
    /// The departmental core network.
    Core,
    Corporate,
    /// A dedicated CCTV / physical-security network.
    Cctv,
    /// Operational technology (building management, industrial control).
    Ot,
    Guest,
    Dmz,
    #[default]
    Other,
}

impl SegmentRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentRole::Core => "core",
            SegmentRole::Corporate => "corporate",
            SegmentRole::Cctv => "cctv",
            SegmentRole::Ot => "ot",
            SegmentRole::Guest => "guest",
            SegmentRole::Dmz => "dmz",
            SegmentRole::Other => "other",
        }
    }
}

impl fmt::Display for SegmentRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An address range on a site with a role.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// CIDR, e.g. `10.1.0.0/24`.
    pub cidr: String,
    /// Id of the site it belongs to.
    pub site: String,
    #[serde(default)]
    pub role: SegmentRole,
    #[serde(default)]
    pub name: Option<String>,
}

/// An accepted exception: a finding of `rule` on `device` is suppressed until `expires`.
///
/// The device is named by something the owner controls (its inventory id or its address),
/// never by what the device itself reports: a clone could report a waived device's serial
/// number or MAC. `manufacturer`, `model` and `serial` name the identity that was waived: a
/// waiver never applies to a device whose identity differs from them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Waiver {
    /// The device: its inventory id (`dev-12`) or address.
    pub device: String,
    /// Rule id, or `*` for every rule.
    pub rule: String,
    pub reason: String,
    pub approver: String,
    /// Last day the waiver holds (YYYY-MM-DD).
    pub expires: String,
    /// The manufacturer waived (as identified, any case); the waiver holds only while the
    /// device is identified as this maker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// The model waived (any case); the waiver holds only while the device is this model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// An extra condition: the serial number the waived device reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
}

impl Waiver {
    /// Whether this waiver names `device`: by its inventory id or address (any case), and,
    /// for each of manufacturer (or brand), model and serial the waiver states, the device is
    /// identified so (any case; a device that does not report one the waiver states is not
    /// that device). A waiver naming a device by serial or MAC alone names nothing: those are
    /// what a device reports, and any device can report another's.
    pub fn names(&self, device: &crate::InventoryDevice) -> bool {
        let wanted = self.device.trim();
        let by_owner = !wanted.is_empty()
            && (device.id.trim().eq_ignore_ascii_case(wanted)
                || device
                    .address
                    .as_deref()
                    .is_some_and(|a| a.trim().eq_ignore_ascii_case(wanted)));
        let same = |wanted: &Option<String>, have: &[Option<&str>]| match wanted
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            None => true,
            Some(w) => have
                .iter()
                .flatten()
                .any(|h| h.trim().eq_ignore_ascii_case(w)),
        };
        let identity = &device.identity;
        by_owner
            && same(
                &self.manufacturer,
                &[identity.manufacturer.as_deref(), identity.brand.as_deref()],
            )
            && same(&self.model, &[identity.model.as_deref()])
            && same(&self.serial, &[device.serial.as_deref()])
    }
}

/// A replacement product from the procurement catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogueItem {
    pub device_class: crate::DeviceClass,
    pub make: String,
    pub model: String,
    /// Unit cost in the catalogue's currency.
    pub unit_cost: f64,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// The whole estate description.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Estate {
    pub organisation: Organisation,
    #[serde(default, rename = "site")]
    pub sites: Vec<Site>,
    #[serde(default, rename = "segment")]
    pub segments: Vec<Segment>,
    #[serde(default, rename = "waiver")]
    pub waivers: Vec<Waiver>,
    /// Path of the procurement catalogue (TOML), relative to the estate file.
    #[serde(default)]
    pub catalogue: Option<String>,
}
