//! Personas: what one kind of fake device answers, on which ports, and what it truly is.
//! Built from the labelled evaluation sets (`eval/dev/*.jsonl`, real answers with sources) plus a
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
    /// Whether one of its captured answers is one a scan gets on first contact without
    /// credentials (see `first_contact`): a root page, a vendor path a scanner asks, RTSP, a
    /// certificate, a discovery reply, a TCP banner. A persona made only of answers to
    /// after-login requests at other paths is served by the lab's fallback, out of context.
    pub first_contact: bool,
    pub behaviour: Behaviour,
    pub services: Vec<Service>,
    /// Set on the hostile personas (`crate::hostile`), which `plan` only places when asked.
    pub hostile: Option<Hostile>,
}

const EVAL: &[(&str, &str)] = &[
    (
        "eval/dev/devices.jsonl",
        include_str!("../../../eval/dev/devices.jsonl"),
    ),
    (
        "eval/dev/devices-2.jsonl",
        include_str!("../../../eval/dev/devices-2.jsonl"),
    ),
    (
        "eval/dev/devices-3.jsonl",
        include_str!("../../../eval/dev/devices-3.jsonl"),
    ),
];

/// Every persona: one per evaluation device that has an answer a TCP or UDP service can
/// replay (SNMP lines and bare MAC addresses cannot be), plus the misbehaving ones, then the
/// hostile ones (last, so that adding them moved no existing persona).
pub fn catalog() -> Vec<Persona> {
    catalog_from(EVAL.iter().map(|(_, text)| *text))
}

/// The same, from other labelled sets (JSON Lines in the `eval/` format): a set the built-in
/// estate was not made from (a blind set) replayed on loopback, for an end-to-end score of
/// answers never seen. Lines that do not parse are skipped, as in the built-in sets.
pub fn catalog_from<'a>(sets: impl IntoIterator<Item = &'a str>) -> Vec<Persona> {
    let mut devices: BTreeMap<String, (Truth, Vec<ObservationRecord>)> = BTreeMap::new();
    for text in sets {
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
            let mut services = services_of(&recs);
            browser_view(&truth, &mut services);
            let first_contact = recs.iter().any(first_contact);
            (!services.is_empty()).then_some(Persona {
                id,
                truth,
                first_contact,
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

/// Paths a scan asks of every web port without credentials: the root page and the read-only
/// vendor paths and ONVIF service of `scan::probe::http` (kept in step with its `VENDOR_PATHS`).
const FIRST_CONTACT_PATHS: &[&str] = &[
    "/",
    "/favicon.ico",
    "/ISAPI/System/deviceInfo",
    "/cgi-bin/magicBox.cgi?action=getSystemInfo",
    "/api/device/information",
    "/LAPI/V1.0/System/DeviceInfo",
    "/onvif/device_service",
];

/// Whether a scan gets this captured answer on first contact: any RTSP, certificate, discovery or
/// TCP banner answer, and HTTP answers to the paths a scan asks (or with no request recorded,
/// which the lab serves at the root).
fn first_contact(r: &ObservationRecord) -> bool {
    let Ok(kind) = r.kind.parse::<Kind>() else {
        return false;
    };
    match kind {
        Kind::Rtsp | Kind::TlsCert | Kind::Sadp | Kind::Dhip | Kind::WsDiscovery => true,
        Kind::Banner => !matches!(r.port, Some(161 | 162) | None),
        Kind::Mac => false,
        Kind::Http | Kind::Onvif | Kind::Ssdp => match r.request.as_deref() {
            None => true,
            Some(q) if q.starts_with("M-SEARCH") => true,
            Some(q) => {
                let path = q.split_whitespace().nth(1).unwrap_or(q);
                FIRST_CONTACT_PATHS.contains(&path)
                    || (kind == Kind::Ssdp && path.ends_with(".xml"))
                    || path.starts_with("/goform/goform_get_cmd_process")
                    || path.starts_with("/axis-cgi/param.cgi")
            }
        },
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
        } else if kind == Kind::Ssdp && !resp.starts_with("HTTP/") {
            // A discovery record that kept only the reply's headers: a device sends them after
            // a status line, as every SSDP reply does, and scanners drop a reply without one.
            format!("HTTP/1.1 200 OK\r\n{resp}").into_bytes()
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

/// A made-up 1x1 icon (one blue-grey pixel), served as every browser-view persona's favicon:
/// not any vendor's real icon, so no favicon fingerprint matches it (the scanner's fetching and
/// hashing are what it tests).
pub const MADE_UP_ICON: &[u8] = b"\x00\x00\x01\x00\x01\x00\x01\x01\x00\x00\x01\x00\x20\x00\x30\x00\x00\x00\x16\x00\x00\x00\x28\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x01\x00\x20\x00\x00\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x80\xc0\xff\x00\x00\x00\x00";

/// A front page that sends the browser to the login page by script, as Hikvision's current
/// firmware does, but with no vendor's words or paths in it: the lab must not invent evidence
/// the captured device did not give (Hikvision's real page names `/doc/page/login.asp`, which a
/// fingerprint reads; serving it to personas that never showed it would inflate the benchmarks).
const REDIRECT_ROOT: &str = "<!DOCTYPE html>\n<html><head><title></title></head><body></body>\n<script>\nwindow.location.href = \"/login.htm\";\n</script>\n</html>\n";

/// Where that front page sends the browser; it serves the persona's captured front page.
pub const LOGIN_PATH: &str = "/login.htm";

/// Each camera maker's own read-only API path (the scanner's `http::VENDOR_PATHS`), which a
/// locked device answers with a 401.
const VENDOR_401_PATHS: &[(&str, &str)] = &[
    ("Hikvision", "/ISAPI/System/deviceInfo"),
    ("Dahua", "/cgi-bin/magicBox.cgi?action=getSystemInfo"),
    ("Uniview", "/LAPI/V1.0/System/DeviceInfo"),
    ("Axis", "/axis-cgi/param.cgi?action=list&group=root.Brand"),
];

/// Makers whose personas serve what a browser sees first.
const BROWSER_VIEW_MAKERS: &[&str] = &["Hikvision", "Dahua", "Uniview", "Axis", "Huawei", "ZTE"];

/// What a browser sees first, added to a persona of a known camera or network maker, on each of
/// its web services: the made-up favicon; for Hikvision without a captured front page, a
/// neutral redirecting front page (see `REDIRECT_ROOT`), with what the front page served before moved to the login page; and
/// for camera makers, a 401 on their own API path whose `WWW-Authenticate` is the one the
/// device's captured answers carry (no captured challenge, no 401: the lab invents no realm).
/// Captured answers for these paths win. Answers are appended (the front page excepted), so a
/// capture's first answer stays first.
fn browser_view(truth: &Truth, services: &mut [Service]) {
    let Some(maker) = truth
        .manufacturer
        .as_deref()
        .filter(|m| BROWSER_VIEW_MAKERS.contains(m))
    else {
        return;
    };
    let path_of = |k: &str| k.split_whitespace().nth(1).unwrap_or(k).to_string();
    let challenge = services
        .iter()
        .flat_map(|s| &s.answers)
        .find_map(|(_, a)| www_authenticate(a));
    for svc in services.iter_mut().filter(|s| s.proto == Proto::Http) {
        let has = |svc: &Service, path: &str| svc.answers.iter().any(|(k, _)| path_of(k) == path);
        if !has(svc, "/favicon.ico") {
            let mut icon = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/x-icon\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                MADE_UP_ICON.len()
            )
            .into_bytes();
            icon.extend_from_slice(MADE_UP_ICON);
            svc.answers.push(("GET /favicon.ico HTTP/1.1".into(), icon));
        }
        if let Some((_, path)) = VENDOR_401_PATHS.iter().find(|(m, _)| *m == maker)
            && !has(svc, path)
            && let Some(ch) = &challenge
        {
            let answer = format!(
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {ch}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            svc.answers
                .push((format!("GET {path} HTTP/1.1"), answer.into_bytes()));
        }
        if maker == "Hikvision"
            && !has(svc, "/")
            && !has(svc, LOGIN_PATH)
            && let Some((_, front)) = svc.answers.first().cloned()
        {
            svc.answers
                .push((format!("GET {LOGIN_PATH} HTTP/1.1"), front));
            svc.answers.insert(
                0,
                ("GET / HTTP/1.1".into(), as_http(REDIRECT_ROOT.as_bytes())),
            );
        }
    }
}

/// The `WWW-Authenticate` value of a captured answer, if it has one.
fn www_authenticate(answer: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&answer[..answer.len().min(8192)]);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        (name.trim().eq_ignore_ascii_case("www-authenticate") && !value.trim().is_empty())
            .then(|| value.trim().to_string())
    })
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
            first_contact: true,
            truth: hik.clone(),
            behaviour: Behaviour::Slow,
            services: web(HIK_PAGE),
            hostile: None,
        },
        Persona {
            id: "misbehaving-tarpit".into(),
            first_contact: true,
            truth: unknown.clone(),
            behaviour: Behaviour::Tarpit,
            services: web(b""),
            hostile: None,
        },
        Persona {
            id: "misbehaving-garbage".into(),
            first_contact: true,
            truth: unknown.clone(),
            behaviour: Behaviour::Garbage,
            services: web(b""),
            hostile: None,
        },
        Persona {
            id: "misbehaving-reset".into(),
            first_contact: true,
            truth: unknown.clone(),
            behaviour: Behaviour::Reset,
            services: web(b""),
            hostile: None,
        },
        Persona {
            id: "misbehaving-huge-headers".into(),
            first_contact: true,
            truth: unknown,
            behaviour: Behaviour::HugeHeaders,
            services: web(b""),
            hostile: None,
        },
        Persona {
            id: "misbehaving-tls-only".into(),
            first_contact: true,
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
