//! ONVIF WS-Discovery. UDP port 3702, multicast group 239.255.255.250 (or unicast to a device).
//! Sends a SOAP 1.2 `Probe` for `dn:NetworkVideoTransmitter` with a fresh `uuid:` MessageID
//! (WS-Addressing 2004/08, WS-Discovery 2005/04 namespaces). Reads the `ProbeMatches` answer (or
//! a `Hello` announcement): the endpoint address, `Types`, `Scopes` and `XAddrs` of each match.
//! Spec: OASIS/Microsoft WS-Discovery (April 2005) as profiled by the ONVIF Core Specification,
//! section "Device discovery". Elements are matched by local name, since devices use many
//! different namespace prefixes.

use std::net::Ipv4Addr;

pub const PORT: u16 = 3702;
pub const MULTICAST: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);

/// The Probe, with `message_id` (a UUID without the `uuid:` prefix) as its MessageID.
pub fn request(message_id: &str) -> Vec<u8> {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope""#,
            r#" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing""#,
            r#" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery""#,
            r#" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">"#,
            "<e:Header>",
            "<w:MessageID>uuid:{id}</w:MessageID>",
            r#"<w:To e:mustUnderstand="true">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"#,
            r#"<w:Action e:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action>"#,
            "<w:ReplyTo><w:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</w:Address></w:ReplyTo>",
            "</e:Header>",
            "<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body>",
            "</e:Envelope>"
        ),
        id = message_id
    )
    .into_bytes()
}

/// What a ProbeMatch (or Hello) says about the device. With several matches in one message,
/// the lists are merged in order without duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    /// `EndpointReference/Address` of the first match, e.g. `urn:uuid:...`.
    pub endpoint: Option<String>,
    /// QNames such as `dn:NetworkVideoTransmitter`, `tds:Device`.
    pub types: Vec<String>,
    /// Scope URIs as sent (still percent-encoded).
    pub scopes: Vec<String>,
    /// Device service URLs.
    pub xaddrs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not well-formed xml: {0}")]
    Xml(String),
    #[error("no ProbeMatch or Hello element: not a ws-discovery answer")]
    NoMatch,
}

pub fn parse(bytes: &[u8]) -> Result<Reply, ParseError> {
    let text = super::xml_text(bytes);
    let doc = roxmltree::Document::parse(&text).map_err(|e| ParseError::Xml(e.to_string()))?;
    let matches: Vec<_> = doc
        .descendants()
        .filter(|n| n.is_element() && matches!(n.tag_name().name(), "ProbeMatch" | "Hello"))
        .collect();
    if matches.is_empty() {
        return Err(ParseError::NoMatch);
    }
    let mut reply = Reply::default();
    for m in matches {
        if reply.endpoint.is_none() {
            reply.endpoint = m
                .children()
                .find(|c| c.is_element() && c.tag_name().name() == "EndpointReference")
                .and_then(|e| super::child_text(e, "Address"))
                .filter(|a| !a.is_empty());
        }
        for (field, list) in [
            ("Types", &mut reply.types),
            ("Scopes", &mut reply.scopes),
            ("XAddrs", &mut reply.xaddrs),
        ] {
            for word in super::child_text(m, field)
                .unwrap_or_default()
                .split_whitespace()
            {
                if !list.iter().any(|w| w == word) {
                    list.push(word.to_string());
                }
            }
        }
    }
    Ok(reply)
}
