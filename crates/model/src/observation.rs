//! Observations: what a device answered, kept verbatim. Identities are always derived from
//! these, so that a fingerprint update can re-identify every stored device.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The protocol an observation was made over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Http,
    Rtsp,
    Onvif,
    WsDiscovery,
    Ssdp,
    Sadp,
    Dhip,
    TlsCert,
    Mac,
    Banner,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Http,
        Kind::Rtsp,
        Kind::Onvif,
        Kind::WsDiscovery,
        Kind::Ssdp,
        Kind::Sadp,
        Kind::Dhip,
        Kind::TlsCert,
        Kind::Mac,
        Kind::Banner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::Rtsp => "rtsp",
            Kind::Onvif => "onvif",
            Kind::WsDiscovery => "ws-discovery",
            Kind::Ssdp => "ssdp",
            Kind::Sadp => "sadp",
            Kind::Dhip => "dhip",
            Kind::TlsCert => "tls-cert",
            Kind::Mac => "mac",
            Kind::Banner => "banner",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        let wanted = match wanted.as_str() {
            "https" => "http",
            "wsd" | "ws_discovery" | "wsdiscovery" => "ws-discovery",
            "tls" | "x509" | "cert" | "tls_cert" | "certificate" => "tls-cert",
            "upnp" => "ssdp",
            other => other,
        };
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown kind {s:?}; expected one of {}", names.join(", "))
            })
    }
}

/// One answer from one device, verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// Stable identifier, unique within a run or a store.
    pub id: String,
    /// The device this observation belongs to; observations with the same device are
    /// identified together.
    pub device: String,
    pub kind: Kind,
    /// Network address the answer came from, when known.
    pub address: Option<String>,
    pub port: Option<u16>,
    /// What was sent, as text (for HTTP the request line, e.g. `GET / HTTP/1.1`).
    pub request: Option<String>,
    /// What came back, byte for byte.
    pub response: Vec<u8>,
    /// When it was observed (RFC 3339), when known.
    pub time: Option<String>,
}

impl Observation {
    /// The response as text, with invalid UTF-8 replaced. Fingerprints match on this.
    pub fn response_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.response)
    }
}

/// The JSON Lines shape of an observation (`identify` input, `scan` output). Unknown fields
/// are kept out of the model on purpose; `truth` and `source` serve labelled evaluation sets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ObservationRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The response as base64, for answers that are not UTF-8 (favicons, binary banners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truth: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Why a record could not become an observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordError {
    UnknownKind(String),
    NoResponse,
    BadBase64(String),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::UnknownKind(msg) => f.write_str(msg),
            RecordError::NoResponse => {
                f.write_str("no `response` (or `response_base64`) field: add the device's answer")
            }
            RecordError::BadBase64(e) => write!(f, "`response_base64` is not valid base64: {e}"),
        }
    }
}

impl std::error::Error for RecordError {}

impl ObservationRecord {
    /// Turn a record into an observation. `fallback_id` names records without an `id`;
    /// records without a `device` become a device of their own, named after the observation.
    pub fn into_observation(
        self,
        fallback_id: &str,
        decode_base64: impl Fn(&str) -> Result<Vec<u8>, String>,
    ) -> Result<Observation, RecordError> {
        let kind = Kind::from_str(&self.kind).map_err(RecordError::UnknownKind)?;
        let response = match (self.response, self.response_base64) {
            (_, Some(b64)) => decode_base64(&b64).map_err(RecordError::BadBase64)?,
            (Some(text), None) => text.into_bytes(),
            (None, None) => return Err(RecordError::NoResponse),
        };
        let id = self.id.unwrap_or_else(|| fallback_id.to_string());
        let device = self.device.unwrap_or_else(|| id.clone());
        Ok(Observation {
            id,
            device,
            kind,
            address: self.address,
            port: self.port,
            request: self.request,
            response,
            time: self.time,
        })
    }
}
