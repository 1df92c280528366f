//! Identities: who made a device, derived from observations, always with the evidence.

use crate::DeviceClass;
use serde::{Deserialize, Serialize};

/// One piece of evidence: which fingerprint matched which text of which observation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Id of the observation the text came from.
    pub observation: String,
    /// Id of the fingerprint (or `oui:<prefix>` for a MAC registry match).
    pub fingerprint: String,
    /// The text that matched.
    pub matched: String,
    /// The observation field the fingerprint looked at (`header.server`, `xml.model`...).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field: String,
    /// What this evidence says, in words (`manufacturer=Hikvision, model=DS-2CD2143G0-I`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub asserts: String,
}

/// What sightline concluded about one device. Every `None` means unknown, never a guess.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub device: String,
    /// The true manufacturer (registry display name).
    pub manufacturer: Option<String>,
    /// The label on the box, when it differs or is known.
    pub brand: Option<String>,
    pub model: Option<String>,
    pub device_class: Option<DeviceClass>,
    pub firmware: Option<String>,
    /// True when the manufacturer, or a company that controls it, is named by a regime that
    /// defines covered equipment.
    pub covered: bool,
    /// Ids of the regimes that name the manufacturer or its parents.
    pub regimes: Vec<String>,
    /// Confidence in the manufacturer (0 when unknown).
    pub confidence: f64,
    pub evidence: Vec<Evidence>,
    /// Explanations: conflicts that were resolved, inferences through OEM relations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The identifiers the device reported about itself (serial, its own MACs) and MACs it
    /// reported about other devices. Claims made by the device, never proof of which unit it is.
    #[serde(default, skip_serializing_if = "DeviceKeys::is_empty")]
    pub keys: DeviceKeys,
    /// Safety limits that an answer reached while it was read (a document type declaration that
    /// was ignored, a field cap, a cut body): what was not looked at is said, never silent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<LimitHit>,
    /// The firmware platform the answers show (a firmware family an OEM ecosystem shares, such
    /// as Hikvision's firmware in LTS and Annke products), when a fingerprint recognised one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Parts inside the device made by others (a system-on-chip, an SDK, a web server): what it
    /// is built from, never who made it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// True when the manufacturer is a name the device gave that the registry does not hold
    /// (reported as the device wrote it, normalised; no regime names it, so it is not covered).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unregistered: bool,
}

/// A part of a device made by another company: a chip, a module, an SDK or a web server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// What it is, as the evidence names it (`HiSilicon`, `GoAhead web server`).
    pub name: String,
    /// The company that makes it (registry display name), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// True when that company, or one that controls it, is named by a regime that defines
    /// covered equipment (a HiSilicon SoC: HiSilicon is Huawei's). Advisory: a covered part
    /// does not make the device covered equipment.
    #[serde(default)]
    pub covered: bool,
    /// Ids of the regimes that name the component's company or its parents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regimes: Vec<String>,
    /// The fingerprint (or `name:<field>`) that found it.
    pub fingerprint: String,
}

/// Identifiers found in a device's answers. Each is what the device *says*: a hostile device can
/// report another unit's serial or MAC, so tracking and waivers treat these as claims.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKeys {
    /// Serial number the device reported for itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// MAC addresses (`aa:bb:cc:dd:ee:ff`) with whose they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub macs: Vec<MacKey>,
}

impl DeviceKeys {
    pub fn is_empty(&self) -> bool {
        self.serial.is_none() && self.macs.is_empty()
    }

    /// The first MAC that is the device's own.
    pub fn own_mac(&self) -> Option<&str> {
        self.macs
            .iter()
            .find(|m| m.role == MacRole::Own)
            .map(|m| m.mac.as_str())
    }
}

/// A MAC address seen in an answer, and whose it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacKey {
    /// Lower-case, colon-separated (`aa:bb:cc:dd:ee:ff`).
    pub mac: String,
    pub role: MacRole,
}

/// Whose a MAC address is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MacRole {
    /// The answering device's own interface (a MAC observation, a discovery reply's own MAC, a
    /// device-information field).
    Own,
    /// Another device's, reported by this one (a router's client list, an ARP table).
    Other,
}

/// One safety limit reached while reading one observation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitHit {
    /// Id of the observation.
    pub observation: String,
    /// The limit, kebab-case (`dtd-ignored`, `fields`, `json-depth`, `body-size`...).
    pub limit: String,
    /// What was left out, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}
