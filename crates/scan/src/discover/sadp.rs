//! Hikvision SADP (Search Active Devices Protocol). UDP port 37020, multicast group
//! 239.255.255.250 (or unicast to a device). Sends only the read-only inquiry
//! `<Probe><Uuid>..</Uuid><Types>inquiry</Types></Probe>` with a fresh upper-case UUID; never the
//! activate, modify-network or password-reset messages of the same protocol, which change
//! device state. Reads the `<ProbeMatch>` answer: DeviceType, DeviceDescription (model),
//! DeviceSN (serial), SoftwareVersion (firmware), MAC, IPv4Address. There is no public spec;
//! source: the open-source sadp-go client and Hikvision SADP captures (see
//! `fingerprints/sadp/xml.toml`).

use std::net::Ipv4Addr;

pub const PORT: u16 = 37020;
pub const MULTICAST: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);

/// The inquiry, with `uuid` (no braces) as its Uuid; SADP clients send it upper case.
pub fn request(uuid: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>{}</Uuid><Types>inquiry</Types></Probe>"#,
        uuid.to_ascii_uppercase()
    )
    .into_bytes()
}

/// What a ProbeMatch says about the device (absent or empty elements are `None`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    /// Numeric device type code, e.g. `44322`.
    pub device_type: Option<String>,
    /// Model, e.g. `DS-7804HQH-K1`.
    pub description: Option<String>,
    /// Full serial (model + channels + date + serial).
    pub serial: Option<String>,
    /// `SoftwareVersion`, e.g. `V3.5.38build 191215`.
    pub firmware: Option<String>,
    /// As sent, usually `aa-bb-cc-dd-ee-ff`.
    pub mac: Option<String>,
    pub ipv4: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not well-formed xml: {0}")]
    Xml(String),
    #[error("root element is <{0}>, not <ProbeMatch>: not a sadp answer")]
    NotProbeMatch(String),
}

pub fn parse(bytes: &[u8]) -> Result<Reply, ParseError> {
    let text = super::xml_text(bytes);
    let doc = roxmltree::Document::parse(&text).map_err(|e| ParseError::Xml(e.to_string()))?;
    let root = doc.root_element();
    let name = root.tag_name().name();
    if name != "ProbeMatch" {
        return Err(ParseError::NotProbeMatch(name.chars().take(40).collect()));
    }
    let field = |local: &str| super::child_text(root, local).filter(|v| !v.is_empty());
    Ok(Reply {
        device_type: field("DeviceType"),
        description: field("DeviceDescription"),
        serial: field("DeviceSN"),
        firmware: field("SoftwareVersion"),
        mac: field("MAC"),
        ipv4: field("IPv4Address"),
    })
}
