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
}
