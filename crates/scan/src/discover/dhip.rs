//! Dahua DHIP discovery. UDP port 37810, multicast group 239.255.255.251 (note .251, not the
//! SSDP group; or unicast to a device). Sends a 32-byte DHIP header followed by the JSON
//! `{"method":"DHDiscover.search","params":{"mac":"","uni":1}}`. Reads the
//! `client.notifyDevInfo` answer (same header, then JSON): top-level `mac` and
//! `params.deviceInfo` DeviceType (model), DeviceClass, SerialNo, Version (firmware), Vendor,
//! IPv4Address.IPAddress. No public spec; sources: mcw0/Tools (Dahua-Console), the
//! us-dahua discovery tool and Phenomite/AMP-Research captures (see
//! `fingerprints/dhip/`).
//!
//! Header layout (little-endian u32 words): 0x20 (header length), ASCII `DHIP`, session id,
//! request id, body length, 0, body length, 0.

use std::net::Ipv4Addr;

pub const PORT: u16 = 37810;
pub const MULTICAST: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 251);

const HEADER_LEN: usize = 32;
const MAGIC: &[u8; 4] = b"DHIP";
const SEARCH: &[u8] = br#"{"method":"DHDiscover.search","params":{"mac":"","uni":1}}"#;

/// Header + DHDiscover.search body.
pub fn request() -> Vec<u8> {
    let len = (SEARCH.len() as u32).to_le_bytes();
    let mut out = Vec::with_capacity(HEADER_LEN + SEARCH.len());
    out.extend_from_slice(&(HEADER_LEN as u32).to_le_bytes());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[0; 8]); // session id, request id
    out.extend_from_slice(&len);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&len);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(SEARCH);
    out
}

/// What a notifyDevInfo answer says about the device (absent fields are `None`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub method: Option<String>,
    pub mac: Option<String>,
    /// Model, e.g. `IPC-HDW5421S`.
    pub device_type: Option<String>,
    /// e.g. `IPC`, `NVR`, `MHDX`.
    pub device_class: Option<String>,
    pub serial: Option<String>,
    /// Firmware, e.g. `2.400.0.8`.
    pub version: Option<String>,
    /// `Dahua` or an OEM label.
    pub vendor: Option<String>,
    pub ipv4: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("no DHIP header and no JSON body")]
    NotDhip,
    #[error("body is not JSON: {0}")]
    Json(String),
    #[error("no params.deviceInfo object: not a discovery answer")]
    NoDeviceInfo,
}

pub fn parse(bytes: &[u8]) -> Result<Reply, ParseError> {
    let body = body(bytes).ok_or(ParseError::NotDhip)?;
    // Only the first JSON value counts; some firmware appends a newline or padding.
    let value: serde_json::Value = serde_json::Deserializer::from_slice(body)
        .into_iter()
        .next()
        .ok_or(ParseError::NotDhip)?
        .map_err(|e| ParseError::Json(e.to_string()))?;
    let info = value
        .pointer("/params/deviceInfo")
        .filter(|v| v.is_object())
        .ok_or(ParseError::NoDeviceInfo)?;
    let text = |v: Option<&serde_json::Value>| -> Option<String> {
        match v? {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    Ok(Reply {
        method: text(value.get("method")),
        mac: text(value.get("mac")),
        device_type: text(info.get("DeviceType")),
        device_class: text(info.get("DeviceClass")),
        serial: text(info.get("SerialNo")),
        version: text(info.get("Version")),
        vendor: text(info.get("Vendor")),
        ipv4: text(info.pointer("/IPv4Address/IPAddress")),
    })
}

/// The JSON body: after a well-formed header (bounded by its length field when that fits),
/// after a mangled header (`DHIP` within the first bytes, body from the first `{`), or the
/// whole message when it is bare JSON (captures often omit the header).
fn body(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.len() >= HEADER_LEN && bytes[..4] == [0x20, 0, 0, 0] && &bytes[4..8] == MAGIC {
        let rest = &bytes[HEADER_LEN..];
        let declared = u32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]) as usize;
        return Some(if declared > 0 && declared <= rest.len() {
            &rest[..declared]
        } else {
            rest
        });
    }
    let head = &bytes[..bytes.len().min(12)];
    if let Some(at) = head.windows(4).position(|w| w == MAGIC) {
        let rest = &bytes[at + 4..];
        let brace = rest.iter().position(|&b| b == b'{')?;
        return Some(&rest[brace..]);
    }
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    (bytes[start] == b'{').then(|| &bytes[start..])
}
