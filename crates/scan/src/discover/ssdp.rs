//! SSDP (UPnP discovery). UDP port 1900, multicast group 239.255.255.250 (or unicast to a
//! device). Sends `M-SEARCH * HTTP/1.1` with `MAN: "ssdp:discover"`, `ST: ssdp:all`, `MX: 1`.
//! Reads the `HTTP/1.1 200 OK` answer (a `NOTIFY` announcement is accepted too): its `SERVER`,
//! `USN`, `LOCATION` and `ST` (or `NT`) headers. The description XML behind `LOCATION` is not
//! fetched here. Spec: UPnP Device Architecture 1.1, section 1 "Discovery".

use std::net::Ipv4Addr;

pub const PORT: u16 = 1900;
pub const MULTICAST: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);

/// The M-SEARCH. HOST names the multicast group even when sent unicast; devices answer either.
pub fn request() -> Vec<u8> {
    b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"
        .to_vec()
}

/// The identifying headers of an SSDP answer (each the first occurrence, trimmed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    /// `HTTP/1.1 200 OK` or `NOTIFY * HTTP/1.1`.
    pub start_line: String,
    pub server: Option<String>,
    pub usn: Option<String>,
    pub location: Option<String>,
    /// `ST` of a search answer, or `NT` of a NOTIFY.
    pub st: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty message")]
    Empty,
    #[error("start line {0:?} is neither an HTTP 200 answer nor a NOTIFY")]
    NotAnswer(String),
    #[error("no ST, NT, USN or LOCATION header: not an ssdp answer")]
    NoHeaders,
}

pub fn parse(bytes: &[u8]) -> Result<Reply, ParseError> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
    let start_line = loop {
        match lines.next() {
            None => return Err(ParseError::Empty),
            Some(l) if l.trim().is_empty() => continue,
            Some(l) => break l.trim().to_string(),
        }
    };
    if !is_answer(&start_line) {
        let mut shown: String = start_line.chars().take(60).collect();
        if shown.len() < start_line.len() {
            shown.push('…');
        }
        return Err(ParseError::NotAnswer(shown));
    }
    let mut reply = Reply {
        start_line,
        ..Reply::default()
    };
    for line in lines {
        if line.trim().is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "server" => &mut reply.server,
            "usn" => &mut reply.usn,
            "location" => &mut reply.location,
            "st" | "nt" => &mut reply.st,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    if reply.st.is_none() && reply.usn.is_none() && reply.location.is_none() {
        return Err(ParseError::NoHeaders);
    }
    Ok(reply)
}

/// `HTTP/1.x 200 ...` or `NOTIFY * HTTP/1.x`; an `M-SEARCH` (another searcher) is not.
fn is_answer(start_line: &str) -> bool {
    let mut words = start_line.split_whitespace();
    match (words.next(), words.next()) {
        (Some(version), Some(code)) if version.to_ascii_uppercase().starts_with("HTTP/") => {
            code == "200"
        }
        (Some(method), Some(_)) => method.eq_ignore_ascii_case("NOTIFY"),
        _ => false,
    }
}
