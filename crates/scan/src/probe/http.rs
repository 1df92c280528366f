//! HTTP probe. Port: any web port (80, 8080, 81, 8899 ... and after TLS on 443/8443).
//! Transport: TCP (or a TLS stream from `tls`), HTTP/1.1 with `Connection: close`.
//! Sends: `GET /`; then what a person's browser would ask next, and a few read-only vendor
//! requests (see [`follow`]): the page the front page redirects to (once, same host, port and
//! scheme only, see `redirect`), `/favicon.ico` and the icon the page names, then, when the
//! first answer looks embedded or hints at a platform, read-only vendor API paths whose 401
//! answers name their maker ([`VENDOR_PATHS`]), and ONVIF `GetSystemDateAndTime` (a PRE_AUTH
//! call) and `GetDeviceInformation` (SOAP POST to /onvif/device_service, no credentials).
//! Never sends credentials, never writes: every follow-up is a GET except the two ONVIF reads.
//! Reads: status line, headers and body (bounded), kept verbatim.
//! Spec: RFC 9112; ONVIF Core Specification (device service); vendor APIs from public docs.
//!
//! Parsing is deliberately our own (see ../shared/reference/crates.md: hyper and reqwest reject
//! many real camera answers: `Server : x`, obs-fold, duplicate Content-Length, truncated bodies).

use super::io::{self, HttpFraming};
use super::{Answer, Cx, ProbeKind, ProbeOutcome, Status};
use std::net::SocketAddr;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;

pub const USER_AGENT: &str = "sightline/0.1 (inventory scan; read-only, no login attempts)";

/// A parsed HTTP answer head: enough to choose follow-ups and a status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    pub version: String,
    pub code: u16,
    pub headers: Vec<(String, String)>,
    pub body_start: usize,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not an HTTP answer")]
    NotHttp,
    #[error("answer head incomplete")]
    Incomplete,
}

/// Build a request. `body` makes it a POST with that content type.
pub fn request(host: &str, method: &str, path: &str, body: Option<(&str, &str)>) -> Vec<u8> {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\nConnection: close\r\n"
    );
    if let Some((ctype, b)) = body {
        r.push_str(&format!(
            "Content-Type: {ctype}\r\nContent-Length: {}\r\n\r\n{b}",
            b.len()
        ));
    } else {
        r.push_str("\r\n");
    }
    r.into_bytes()
}

/// Parse the head of an HTTP (or RTSP) answer. Total: any bytes give a head or an error.
/// Lenient like devices need (httparse with every leniency, then our own line split).
pub fn parse(bytes: &[u8]) -> Result<Head, ParseError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let b = &bytes[start..];
    if !(b.starts_with(b"HTTP/") || b.starts_with(b"RTSP/")) {
        return Err(ParseError::NotHttp);
    }
    let end = io::find(b, b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| io::find(b, b"\n\n").map(|i| i + 2))
        .ok_or(ParseError::Incomplete)?;
    let head = String::from_utf8_lossy(&b[..end]);
    let mut lines = head.lines();
    let status = lines.next().unwrap_or("");
    let mut parts = status.split_whitespace();
    let version = parts.next().unwrap_or("").to_string();
    let code = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .filter(|(n, _)| !n.is_empty())
        .collect();
    Ok(Head {
        version,
        code,
        headers,
        body_start: start + end,
    })
}

/// Whether an answer starts like a protocol's status line (`HTTP/`, `RTSP/`).
pub fn speaks(bytes: &[u8], prefix: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes[start..].starts_with(prefix)
}

/// Which follow-ups the first answer suggests.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// An embedded web server (no platform named, or a small embedded one): every vendor path.
    pub embedded: bool,
    pub hikvision: bool,
    pub dahua: bool,
    pub onvif: bool,
}

impl Hints {
    /// Either answer's hints (the front page and the page it redirects to).
    pub fn or(self, other: Hints) -> Hints {
        Hints {
            embedded: self.embedded || other.embedded,
            hikvision: self.hikvision || other.hikvision,
            dahua: self.dahua || other.dahua,
            onvif: self.onvif || other.onvif,
        }
    }
}

pub fn hints(answer: &[u8], port: u16) -> Hints {
    let text = String::from_utf8_lossy(&answer[..answer.len().min(64 * 1024)]).to_ascii_lowercase();
    // An embedded web server that names no platform (no Server header, or a small embedded
    // one) may be either vendor's firmware under another label: ask both vendor APIs once.
    let server = parse(answer)
        .ok()
        .and_then(|h| h.header("server").map(str::to_ascii_lowercase));
    let embedded = match &server {
        None => !text.contains("<html") || text.contains("login"),
        Some(s) => [
            "webs",
            "webserver",
            "boa",
            "goahead",
            "lighttpd",
            "thttpd",
            "mini_httpd",
            "httpd",
            "mongoose",
            "embedthis",
            "dnvrs",
            "hikvision",
            "dahua",
        ]
        .iter()
        .any(|e| s.contains(e)),
    };
    let isapi_like = text.contains("version=\"2.0\"") || text.contains("version=\"1.0\" xmlns");
    let dahua_like =
        text.contains("table.") || text.contains("--myboundary") || text.contains("code=");
    let hikvision = embedded
        || isapi_like
        || [
            "webs",
            "app-webs",
            "hikvision",
            "doc/page/login.asp",
            "/doc/",
            "realm=\"ds-",
            "isapi",
        ]
        .iter()
        .any(|s| text.contains(s));
    let dahua = embedded
        || dahua_like
        || [
            "jsbase",
            "web service",
            "cp=cao psa our",
            "realm=\"login to",
            "dhwebclientplugin",
            "baseproj",
            "magicbox",
        ]
        .iter()
        .any(|s| text.contains(s));
    // ONVIF lives on the main web port; ask there and where cameras usually put it.
    let onvif = matches!(port, 80 | 8080 | 8000 | 8899 | 2020)
        || hikvision
        || dahua
        || text.contains("onvif");
    Hints {
        embedded,
        hikvision,
        dahua,
        onvif,
    }
}

const ONVIF_DATE: &str = r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>"#;
const ONVIF_INFO: &str = r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>"#;

/// One request on a fresh connection (plain TCP). Returns the status and the answer bytes.
pub async fn exchange(cx: &Cx, addr: SocketAddr, req: &[u8]) -> (Status, Vec<u8>) {
    let mut stream = match io::connect(cx, addr).await {
        Ok(s) => s,
        Err(status) => return (status, Vec::new()),
    };
    exchange_on(cx, &mut stream, req).await
}

/// One request on an open stream (plain or TLS).
pub async fn exchange_on<S: AsyncRead + AsyncWrite + Unpin>(
    cx: &Cx,
    stream: &mut S,
    req: &[u8],
) -> (Status, Vec<u8>) {
    if let Err(status) = io::send(cx, stream, req).await {
        return (status, Vec::new());
    }
    let mut framing = HttpFraming::default();
    let read = io::read_answer(cx, stream, |b| framing.update(b)).await;
    let status = match (read.status, parse(&read.bytes)) {
        (Status::Closed, _) => Status::Closed,
        (Status::TooLarge, _) => Status::TooLarge,
        (_, Ok(h)) if h.code == 401 => Status::AuthRequired,
        (Status::Success, Ok(_)) => Status::Success,
        (Status::ReadTimeout, Ok(_)) => Status::ReadTimeout,
        (Status::ReadTimeout, Err(_)) => Status::ReadTimeout,
        // A head that stopped before its end: HTTP, but no complete answer came.
        (_, Err(ParseError::Incomplete)) => Status::ReadTimeout,
        (_, Err(_)) => Status::NotThisProtocol,
        (s, _) => s,
    };
    (status, read.bytes)
}

/// A follow-up request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    pub method: &'static str,
    pub path: String,
    /// (content type, body) of a POST.
    pub body: Option<(&'static str, &'static str)>,
}

impl FollowUp {
    fn get(path: impl Into<String>) -> FollowUp {
        FollowUp {
            method: "GET",
            path: path.into(),
            body: None,
        }
    }
}

/// Which first answers a vendor path is asked after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Hikvision hints (or an embedded server).
    Hikvision,
    /// Dahua hints (or an embedded server).
    Dahua,
    /// Any embedded-looking server.
    Embedded,
}

/// Read-only vendor API paths whose answers name the maker even when the device is locked
/// (a 401's realm, an error body's shape, headers). GET only, no credentials, no path that
/// changes state; at most eight.
pub const VENDOR_PATHS: &[(&str, Gate)] = &[
    // Hikvision ISAPI device information; locked devices answer 401 with a Digest realm.
    // https://github.com/maciej-or/hikvision_next/blob/main/tests/fixtures/ISAPI/System.deviceInfo/ipc1.xml
    ("/ISAPI/System/deviceInfo", Gate::Hikvision),
    // Dahua CGI system information (`getSystemInfo`); locked devices answer 401.
    // https://github.com/rroller/dahua/blob/main/custom_components/dahua/client.py
    ("/cgi-bin/magicBox.cgi?action=getSystemInfo", Gate::Dahua),
    // Huawei HiLink device information; locked devices answer an `<error>` XML body.
    // https://github.com/Salamek/huawei-lte-api/blob/cc7c63fc823b37a080eebdda4e6a786395602119/huawei_lte_api/api/Device.py
    ("/api/device/information", Gate::Embedded),
    // ZTE goform read of the firmware version fields, which the web UI reads before login
    // (`goform_get_cmd_process` is the UI's GET-only read endpoint; writes go to
    // `goform_set_cmd_process`, never asked).
    // https://github.com/michaeldurkee/zteweb2/blob/79b036b5d9499e4a56b54be5b5c8fd7089352002/js/service.js
    (
        "/goform/goform_get_cmd_process?isTest=false&cmd=wa_inner_version,cr_version&multi_data=1",
        Gate::Embedded,
    ),
    // Uniview LAPI device information (Digest-protected JSON).
    // https://github.com/apache/hertzbeat/blob/master/home/docs/help/uniview.md
    ("/LAPI/V1.0/System/DeviceInfo", Gate::Embedded),
    // Axis VAPIX parameter list of the Brand group (read-only `action=list`).
    // https://github.com/Kane610/axis/blob/79a90b42c839c4bce81faac297b0ed78cfeb64cb/tests/parameters/test_brand.py
    (
        "/axis-cgi/param.cgi?action=list&group=root.Brand",
        Gate::Embedded,
    ),
];

/// The vendor and ONVIF requests for an answer's hints.
pub fn follow_ups(h: &Hints) -> Vec<FollowUp> {
    let mut out: Vec<FollowUp> = VENDOR_PATHS
        .iter()
        .filter(|(_, gate)| {
            h.embedded
                || match gate {
                    Gate::Hikvision => h.hikvision,
                    Gate::Dahua => h.dahua,
                    Gate::Embedded => false,
                }
        })
        .map(|(path, _)| FollowUp::get(*path))
        .collect();
    if h.onvif {
        for call in [ONVIF_DATE, ONVIF_INFO] {
            out.push(FollowUp {
                method: "POST",
                path: "/onvif/device_service".into(),
                body: Some(("application/soap+xml; charset=utf-8", call)),
            });
        }
    }
    out
}

/// The icon every browser asks for.
pub const FAVICON: &str = "/favicon.ico";

/// Ask what follows the front page `root`, in order, each request through `send` (which opens
/// a fresh connection, plain or TLS, and returns the answer bytes): the redirect target (once),
/// `/favicon.ico` and the icon a page names, then the vendor and ONVIF requests its hints call
/// for. No request starts once the host's budget is spent, and none is sent twice. Every HTTP
/// answer is kept (401s and 404s included: their realms and bodies identify).
pub async fn follow<F, Fut>(
    cx: &Cx,
    addr: SocketAddr,
    tls: bool,
    root: &[u8],
    send: F,
) -> Vec<Answer>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: Future<Output = Vec<u8>>,
{
    let mut a = Asker {
        cx,
        addr,
        host: addr.to_string(),
        sent: vec![("GET", "/".into())],
        answers: Vec::new(),
        send,
    };
    let landing = match super::redirect::follow_path(root, addr, tls) {
        Some(path) => a.ask(&FollowUp::get(path)).await,
        None => None,
    };
    a.ask(&FollowUp::get(FAVICON)).await;
    let named_icon = super::redirect::icon_path(root, addr, tls).or_else(|| {
        landing
            .as_deref()
            .and_then(|l| super::redirect::icon_path(l, addr, tls))
    });
    if let Some(icon) = named_icon {
        a.ask(&FollowUp::get(icon)).await;
    }
    let mut h = hints(root, addr.port());
    if let Some(l) = &landing {
        h = h.or(hints(l, addr.port()));
    }
    for f in follow_ups(&h) {
        a.ask(&f).await;
    }
    a.answers
}

/// Sends follow-ups, once each, while the host's budget lasts, keeping the HTTP answers.
struct Asker<'a, F> {
    cx: &'a Cx,
    addr: SocketAddr,
    host: String,
    sent: Vec<(&'static str, String)>,
    answers: Vec<Answer>,
    send: F,
}

impl<F, Fut> Asker<'_, F>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: Future<Output = Vec<u8>>,
{
    /// Send `f` unless it was sent already or the budget is spent; its answer when HTTP.
    async fn ask(&mut self, f: &FollowUp) -> Option<Vec<u8>> {
        if self.cx.expired()
            || self
                .sent
                .iter()
                .any(|(m, p)| *m == f.method && *p == f.path)
        {
            return None;
        }
        self.sent.push((f.method, f.path.clone()));
        let b = (self.send)(request(&self.host, f.method, &f.path, f.body)).await;
        // Only HTTP answers count: an RTSP server answering a GET is not an HTTP API.
        if parse(&b).is_err() || !speaks(&b, b"HTTP/") {
            return None;
        }
        self.answers.push(Answer {
            kind: kind_for(&f.path, f.body),
            port: self.addr.port(),
            request: request_text(f.method, &f.path, f.body),
            response: b.clone(),
        });
        Some(b)
    }
}

/// The kind an answer is recorded as: ONVIF SOAP answers are `onvif`, the rest `http`.
fn kind_for(path: &str, body: Option<(&str, &str)>) -> model::Kind {
    if path.starts_with("/onvif/") && body.is_some() {
        model::Kind::Onvif
    } else {
        model::Kind::Http
    }
}

/// The request as recorded: the request line, and the body of a POST (the SOAP call).
pub fn request_text(method: &str, path: &str, body: Option<(&str, &str)>) -> String {
    match body {
        Some((_, b)) => format!("{method} {path} HTTP/1.1\n\n{b}"),
        None => format!("{method} {path} HTTP/1.1"),
    }
}

/// Probe a plain HTTP port.
pub async fn run(cx: &Cx, addr: SocketAddr) -> ProbeOutcome {
    let started = Instant::now();
    let host = addr.to_string();
    let first = request(&host, "GET", "/", None);
    let (status, bytes) = exchange(cx, addr, &first).await;
    let mut answers = Vec::new();
    if bytes.is_empty() {
        return ProbeOutcome {
            probe: ProbeKind::Http,
            port: addr.port(),
            status,
            answers,
            elapsed: started.elapsed(),
        };
    }
    // A head cut off by the deadline is still HTTP: it is kept as such, with its status.
    // An RTSP server on a web-looking port answers a GET in RTSP: record it as RTSP and ask
    // nothing more of it over HTTP.
    let is_rtsp = speaks(&bytes, b"RTSP/");
    let is_http = !is_rtsp && (parse(&bytes).is_ok() || speaks(&bytes, b"HTTP/"));
    answers.push(Answer {
        kind: if is_http {
            model::Kind::Http
        } else if is_rtsp {
            model::Kind::Rtsp
        } else {
            model::Kind::Banner
        },
        port: addr.port(),
        request: "GET / HTTP/1.1".into(),
        response: bytes.clone(),
    });
    // A front page cut off by the read deadline (a tarpit, a device too slow to finish one
    // page) is asked nothing more: each follow-up would cost another deadline.
    if is_http && cx.follow_ups && status != Status::ReadTimeout {
        let more = follow(cx, addr, false, &bytes, |req: Vec<u8>| async move {
            exchange(cx, addr, &req).await.1
        })
        .await;
        answers.extend(more);
    }
    // A cut-off or oversized answer keeps that status; a complete non-HTTP one is a banner.
    let status = if is_http || is_rtsp || matches!(status, Status::ReadTimeout | Status::TooLarge) {
        status
    } else {
        Status::NotThisProtocol
    };
    ProbeOutcome {
        probe: ProbeKind::Http,
        port: addr.port(),
        status,
        answers,
        elapsed: started.elapsed(),
    }
}
