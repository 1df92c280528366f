//! Personas: what one kind of fake device answers, on which ports, and what it truly is.
//! Built from the labelled evaluation sets (`eval/*.jsonl`, real answers with sources) plus a
//! few misbehaving devices defined here and the hostile ones of `crate::hostile`.

use crate::hostile::{self, Hostile};
use model::{Kind, ObservationRecord};
use serde::Serialize;
use std::collections::BTreeMap;

/// What a fake device truly is; written to the truth file.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Truth {
    pub manufacturer: Option<String>,
    pub brand: Option<String>,
    pub covered: bool,
}

/// How a device's services behave, beyond replaying answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Behaviour {
    Normal,
    /// Answers after a delay.
    Slow,
    /// Answers one byte at a time, forever.
    Tarpit,
    /// Answers random bytes.
    Garbage,
    /// Accepts and closes at once.
    Reset,
    /// Sends headers without end.
    HugeHeaders,
    /// Reads the request and never answers, holding the connection while the peer does.
    Silent,
    /// Answers an HTTP head one byte every `hostile::DRIP_INTERVAL`, never finishing it.
    Drip,
    /// Answers each UDP datagram with `hostile::FLOOD_REPLIES` distinct replies.
    Flood,
}

/// The protocol a service speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Proto {
    /// HTTP: answers by request path; TLS when `tls` is set on the service.
    Http,
    Rtsp,
    /// Speaks first (greeting), or answers any request with its banner.
    Banner,
    /// Answers any UDP datagram (discovery replies).
    Udp,
}

/// One port of a device.
#[derive(Clone, Debug)]
pub struct Service {
    pub port: u16,
    pub proto: Proto,
    /// Wrap in TLS with a certificate carrying these names (subject, issuer).
    pub tls: Option<CertNames>,
    /// (request line or path prefix, answer). The first answer serves anything unmatched.
    pub answers: Vec<(String, Vec<u8>)>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CertNames {
    pub subject: Vec<(String, String)>,
    pub issuer: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct Persona {
    pub id: String,
    pub truth: Truth,
    pub behaviour: Behaviour,
    pub services: Vec<Service>,
    /// Set on the hostile personas (`crate::hostile`), which `plan` only places when asked.
    pub hostile: Option<Hostile>,
}

const EVAL: &[(&str, &str)] = &[
    (
        "eval/devices.jsonl",
        include_str!("../../../eval/devices.jsonl"),
    ),
    (
        "eval/devices-2.jsonl",
        include_str!("../../../eval/devices-2.jsonl"),
    ),
    (
        "eval/devices-3.jsonl",
        include_str!("../../../eval/devices-3.jsonl"),
    ),
];

/// Every persona: one per evaluation device that has an answer a TCP or UDP service can
/// replay (SNMP lines and bare MAC addresses cannot be), plus the misbehaving ones, then the
/// hostile ones (last, so that adding them moved no existing persona).
pub fn catalog() -> Vec<Persona> {
    let mut devices: BTreeMap<String, (Truth, Vec<ObservationRecord>)> = BTreeMap::new();
    for (_, text) in EVAL {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(rec) = serde_json::from_str::<ObservationRecord>(line) else {
                continue;
            };
            let Some(device) = rec.device.clone() else {
                continue;
            };
            let truth = rec.truth.as_ref().map(truth_of).unwrap_or_default();
            devices
                .entry(device)
                .or_insert_with(|| (truth, Vec::new()))
                .1
                .push(rec);
        }
    }
    let mut out: Vec<Persona> = devices
        .into_iter()
        .filter_map(|(id, (truth, recs))| {
            let services = services_of(&recs);
            (!services.is_empty()).then_some(Persona {
                id,
                truth,
                behaviour: Behaviour::Normal,
                services,
                hostile: None,
            })
        })
        .collect();
    out.extend(misbehaving());
    let hostile = hostile::personas(&out);
    out.extend(hostile);
    out
}

fn truth_of(v: &serde_json::Value) -> Truth {
    Truth {
        manufacturer: v
            .get("manufacturer")
            .and_then(|m| m.as_str())
            .map(str::to_string),
        brand: v.get("brand").and_then(|m| m.as_str()).map(str::to_string),
        covered: v.get("covered").and_then(|c| c.as_bool()).unwrap_or(false),
    }
}

fn services_of(recs: &[ObservationRecord]) -> Vec<Service> {
    let mut by_port: BTreeMap<(u16, Proto), Service> = BTreeMap::new();
    let mut certs: BTreeMap<u16, CertNames> = BTreeMap::new();
    for r in recs {
        let Ok(kind) = r.kind.parse::<Kind>() else {
            continue;
        };
        let Some(resp) = r.response.clone() else {
            continue;
        };
        let (proto, default_port) = match kind {
            Kind::Http | Kind::Onvif => (Proto::Http, 80),
            Kind::Rtsp => (Proto::Rtsp, 554),
            Kind::Banner => (Proto::Banner, 0),
            Kind::Sadp => (Proto::Udp, 37020),
            Kind::Dhip => (Proto::Udp, 37810),
            Kind::WsDiscovery => (Proto::Udp, 3702),
            Kind::Ssdp
                if r.request
                    .as_deref()
                    .is_some_and(|q| q.starts_with("M-SEARCH")) =>
            {
                (Proto::Udp, 1900)
            }
            Kind::Ssdp => (Proto::Http, 80),
            Kind::TlsCert => {
                if let Some(names) = cert_names(&resp) {
                    certs.insert(r.port.unwrap_or(443), names);
                }
                continue;
            }
            Kind::Mac => continue,
        };
        let port = r.port.unwrap_or(default_port);
        // SNMP and other UDP banners cannot be replayed over TCP.
        if port == 0 || (proto == Proto::Banner && matches!(port, 161 | 162 | 1900)) {
            continue;
        }
        let key = r.request.clone().unwrap_or_default();
        let answer = if proto == Proto::Http {
            as_http(resp.as_bytes())
        } else {
            resp.into_bytes()
        };
        by_port
            .entry((port, proto))
            .or_insert_with(|| Service {
                port,
                proto,
                tls: None,
                answers: Vec::new(),
            })
            .answers
            .push((key, answer));
    }
    let mut services: Vec<Service> = by_port.into_values().collect();
    for (port, names) in certs {
        match services
            .iter_mut()
            .find(|s| s.port == port && s.proto == Proto::Http)
        {
            Some(s) => s.tls = Some(names),
            None => services.push(Service {
                port,
                proto: Proto::Http,
                tls: Some(names),
                answers: vec![(
                    String::new(),
                    as_http(b"<html><head><title></title></head></html>"),
                )],
            }),
        }
    }
    services
}

/// Captures often hold only a body: serve it as a 200 answer.
fn as_http(resp: &[u8]) -> Vec<u8> {
    let start = resp
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(resp.len());
    if resp[start..].starts_with(b"HTTP/") {
        let mut v = resp[start..].to_vec();
        if !v.windows(2).any(|w| w == b"\n\n") && !v.windows(4).any(|w| w == b"\r\n\r\n") {
            v.extend_from_slice(b"\r\n\r\n");
        }
        return v;
    }
    let body = &resp[start..];
    let ctype = if body.starts_with(b"<?xml")
        || body.starts_with(b"<") && !body.starts_with(b"<!") && !body.starts_with(b"<html")
    {
        "application/xml"
    } else if body.starts_with(b"{") {
        "application/json"
    } else {
        "text/html"
    };
    let mut v = format!("HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body);
    v
}

/// Subject and issuer of a captured certificate (PEM, or `subject:`/`issuer:` text).
fn cert_names(resp: &str) -> Option<CertNames> {
    if resp.contains("-----BEGIN CERTIFICATE-----") {
        let cert = openssl::x509::X509::from_pem(resp.as_bytes()).ok()?;
        let names = |n: &openssl::x509::X509NameRef| -> Vec<(String, String)> {
            n.entries()
                .filter_map(|e| {
                    let key = e.object().nid().short_name().ok()?.to_string();
                    let value = e.data().to_string().ok()?;
                    Some((key, value))
                })
                .collect()
        };
        return Some(CertNames {
            subject: names(cert.subject_name()),
            issuer: names(cert.issuer_name()),
        });
    }
    let mut subject = Vec::new();
    let mut issuer = Vec::new();
    for line in resp.lines() {
        let l = line.trim();
        let lower = l.to_ascii_lowercase();
        for (label, slot) in [("subject", &mut subject), ("issuer", &mut issuer)] {
            if let Some(rest) = lower.strip_prefix(label)
                && (rest.trim_start().starts_with(':') || rest.trim_start().starts_with('='))
            {
                let offset = l.len() - rest.trim_start().len() + 1;
                *slot = fingerprint::cert::parse_dn(l[offset..].trim());
            }
        }
    }
    if subject.is_empty() {
        return None;
    }
    if issuer.is_empty() {
        issuer = subject.clone();
    }
    Some(CertNames { subject, issuer })
}

const HIK_PAGE: &[u8] = b"HTTP/1.1 401 Unauthorized\r\nServer: DNVRS-Webs\r\nContent-Length: 0\r\nWWW-Authenticate: Digest qop=\"auth\", realm=\"DS-7608NI-K2\", nonce=\"4e6a4d314f54453d\"\r\n\r\n";

/// Devices that misbehave. Their answers, when they give any, are the same Hikvision-style
/// 401 as the unit tests use; the truth records what a careful scanner could still learn.
fn misbehaving() -> Vec<Persona> {
    let hik = Truth {
        manufacturer: Some("Hikvision".into()),
        brand: None,
        covered: true,
    };
    let unknown = Truth::default();
    let web = |answer: &[u8]| {
        vec![Service {
            port: 80,
            proto: Proto::Http,
            tls: None,
            answers: vec![(String::new(), answer.to_vec())],
        }]
    };
    vec![
        Persona {
            id: "misbehaving-slow".into(),
            truth: hik.clone(),
            behaviour: Behaviour::Slow,
            services: web(HIK_PAGE),
            hostile: None,
        },
        Persona {
            id: "misbehaving-tarpit".into(),
            truth: unknown.clone(),
            behaviour: Behaviour::Tarpit,
            services: web(b""),
            hostile: None,
        },
        Persona {
            id: "misbehaving-garbage".into(),
            truth: unknown.clone(),
            behaviour: Behaviour::Garbage,
            services: web(b""),
            hostile: None,
        },
        Persona {
            id: "misbehaving-reset".into(),
            truth: unknown.clone(),
            behaviour: Behaviour::Reset,
            services: web(b""),
            hostile: None,
        },
        Persona {
            id: "misbehaving-huge-headers".into(),
            truth: unknown,
            behaviour: Behaviour::HugeHeaders,
            services: web(b""),
            hostile: None,
        },
        Persona {
            id: "misbehaving-tls-only".into(),
            truth: hik,
            behaviour: Behaviour::Normal,
            services: vec![Service {
                port: 443,
                proto: Proto::Http,
                tls: Some(CertNames {
                    subject: fingerprint::cert::parse_dn(
                        "C=CN, ST=ZheJiang, L=HangZhou, O=HIKVISION, OU=DVRNVR, CN=www.hikvision.com",
                    ),
                    issuer: fingerprint::cert::parse_dn(
                        "C=CN, ST=ZheJiang, L=HangZhou, O=HIKVISION, OU=DVRNVR, CN=www.hikvision.com",
                    ),
                }),
                answers: vec![(String::new(), HIK_PAGE.to_vec())],
            }],
            hostile: None,
        },
    ]
}
