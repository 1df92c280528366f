//! The inventory: every device known on the estate, where it sits, since when, and what it is.

use crate::{Identity, SegmentRole};
use serde::{Deserialize, Serialize};

/// How the "deployed after" date of a device was judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateBasis {
    /// First seen by a sightline scan (history).
    FirstSeen,
    /// The install date of an imported asset register.
    Register,
    /// The production date encoded in the serial number (Hikvision serials carry one).
    Serial,
}

/// One device of the inventory.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryDevice {
    /// Stable key across scans (serial, MAC, certificate or address based).
    pub id: String,
    pub address: Option<String>,
    pub mac: Option<String>,
    pub serial: Option<String>,
    pub identity: Identity,
    pub site: Option<String>,
    /// CIDR of the segment it is on.
    pub segment: Option<String>,
    pub segment_role: Option<SegmentRole>,
    /// Dates are YYYY-MM-DD.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Install date from an imported asset register.
    pub install_date: Option<String>,
    /// Production date decoded from the serial number.
    pub production_date: Option<String>,
    /// Where the device is known from (scan ids, import files).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Identifiers this device reported that another device also claims (two live hosts with
    /// one serial in one scan, or a serial that moved with nothing else agreeing), from the
    /// device's latest scan. Device-reported identifiers are claims, so a conflict is kept as
    /// two devices and reported, never merged silently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_conflicts: Vec<KeyConflict>,
}

/// One identifier claimed by two devices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyConflict {
    /// Which identifier: `serial`, `mac` or `cert`.
    pub key: String,
    /// Its value as compared (normalised).
    pub value: String,
    /// The other device claiming it (`dev-<n>`).
    pub other: String,
    /// In words: where the other device is and why the two were not merged.
    pub detail: String,
}

impl InventoryDevice {
    /// The earliest evidence of when the device was deployed, and what it rests on. A register
    /// install date is the owner's own record and wins; then the first scan that saw it; a
    /// production date only bounds deployment from below.
    pub fn deployed(&self) -> Option<(&str, DateBasis)> {
        if let Some(d) = &self.install_date {
            return Some((d, DateBasis::Register));
        }
        if let Some(d) = &self.first_seen {
            return Some((d, DateBasis::FirstSeen));
        }
        self.production_date
            .as_deref()
            .map(|d| (d, DateBasis::Serial))
    }
}

/// Every device of an estate at one point in time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// The day the inventory describes (YYYY-MM-DD).
    pub as_of: String,
    pub devices: Vec<InventoryDevice>,
}
