//! Turns one observation into named fields (`header.server`, `title`, `xml.model`, `scope`,
//! `cert.subject.cn` ...) that fingerprints match on. Total on arbitrary bytes: a malformed
//! answer yields fewer fields, never a panic.

use model::Kind;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Largest body we look inside; devices can send megabytes and fingerprints need the start.
/// The whole answer (`raw`) is kept up to twice this, for patterns over head and body together.
pub const MAX_BODY: usize = 256 * 1024;
/// Most elements / JSON nodes / key-value lines / header lines taken from one answer: device
/// information answers have tens; a document of thousands is a list or an attack.
pub const MAX_ITEMS: usize = 2000;
/// Most values kept per answer, over all fields: each value is a copy of device text, so an
/// answer of many tiny elements would otherwise cost far more memory than its size.
pub const MAX_VALUES: usize = 4096;
/// Longest field name (`xml.<element>@<attribute>`, `json.a.b.c`): names are built per value,
/// so long attribute names or JSON keys multiplied memory (a 269 KB answer of long attribute
/// names took 3 GB). Real names are under 80 bytes.
pub const MAX_NAME_LEN: usize = 256;
/// Longest value of an identifying field, cut before any regex or registry lookup: a name,
/// model or serial fits in far less, and lookups on the captured text must stay cheap (80 KB
/// of `<Manufacturer>` text took 11.8 s). The whole-text fields (`raw`, `body`, `headers`,
/// `banner`) are bounded by `MAX_BODY` instead.
pub const MAX_VALUE_LEN: usize = 4096;
/// Most attributes read per XML element; real device answers carry a handful.
pub const MAX_ATTRS: usize = 32;
/// Deepest JSON nesting walked. serde_json itself refuses more than 128 levels; device answers
/// nest a few levels.
pub const MAX_JSON_DEPTH: usize = 32;
/// Most serial/MAC values (with their place) kept per answer: enough to see that an answer is a
/// list of other devices, not the whole list.
pub const MAX_KEY_VALUES: usize = 64;
/// How many ancestors of an XML element are looked at to decide whether it sits in a list.
const MAX_ANCESTORS: usize = 16;
/// Most `realm=` parameters read from one authentication header.
const MAX_REALMS: usize = 16;

/// Fields that hold the whole text of an answer or part of it, bounded by `MAX_BODY`, not by
/// `MAX_VALUE_LEN`: body patterns need the whole body.
const WHOLE_TEXT: &[&str] = &["raw", "body", "headers", "banner"];

/// Fields in which a device reports its own serial number (the first that a device-information
/// answer holds once, 6 characters or more and not masked with `*`, is its serial key).
pub const SERIAL_FIELDS: &[&str] = &[
    "xml.serialNumber",
    "xml.SerialNumber",
    "xml.DeviceSN",
    "kv.serialNumber",
    "json.params.deviceInfo.SerialNo",
    "xml.serialNo",
];

/// Words in a field's place (element, key or path names) that say its MACs are other devices'.
const OTHER_DEVICE_WORDS: &[&str] = &[
    "client", "host", "lease", "neighbo", "station", "arp", "dhcp", "peer", "remote", "member",
];

/// One safety limit an answer reached while its fields were extracted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldLimit {
    /// Kebab-case name of the limit (`dtd-ignored`, `body-size`, `items`, `fields`,
    /// `field-name-length`, `value-length`, `attributes`, `json-depth`, `key-values`).
    pub limit: &'static str,
    /// What was left out, in words.
    pub detail: String,
}

/// A serial or MAC value with its place: whether the answer holds it as one of a list, or
/// under a name that says it belongs to another device (a client, a lease, a neighbour).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub field: String,
    pub value: String,
    /// In a JSON array, a repeated XML element, an indexed key (`x[3].mac`), or under a name
    /// of `OTHER_DEVICE_WORDS`.
    pub listed: bool,
}

/// Field name -> values, in the order found, and the safety limits reached while extracting.
#[derive(Debug, Default, Clone)]
pub struct Fields {
    map: HashMap<String, Vec<String>>,
    order: Vec<String>,
    /// When set, only these fields are kept (the ones some fingerprint looks at): extraction
    /// then skips copying what nobody reads.
    wanted: Option<Arc<HashSet<String>>>,
    scratch: String,
    values: usize,
    limits: Vec<FieldLimit>,
    keys: Vec<KeyValue>,
}

impl Fields {
    /// Fields that keep only the named ones.
    pub fn only(wanted: Arc<HashSet<String>>) -> Fields {
        Fields {
            wanted: Some(wanted),
            ..Fields::default()
        }
    }

    /// Whether a field of this name would be kept.
    pub fn wants(&self, name: &str) -> bool {
        name.len() <= MAX_NAME_LEN
            && (self.wanted.as_ref().is_none_or(|w| w.contains(name))
                || is_mac_field(name)
                || SERIAL_FIELDS.contains(&name))
    }

    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.push_in(name, value, false);
    }

    /// Whether `xml.<name>` would be kept as a serial or MAC value (whose place is then looked
    /// at, which costs a walk up the document).
    fn wants_key(&self, name: &str) -> bool {
        self.keys.len() < MAX_KEY_VALUES
            && self.values < MAX_VALUES
            && (is_mac_field(name)
                || SERIAL_FIELDS
                    .iter()
                    .any(|s| s.strip_prefix("xml.") == Some(name)))
    }

    /// Push a value whose place in the answer says whether it is one of a list (`listed`).
    pub fn push_in(&mut self, name: &str, value: impl Into<String>, listed: bool) {
        if name.len() > MAX_NAME_LEN {
            self.limit("field-name-length", || {
                format!("field names longer than {MAX_NAME_LEN} bytes were not read")
            });
            return;
        }
        if !self.wants(name) {
            return;
        }
        if self.values >= MAX_VALUES {
            self.limit("fields", || {
                format!("only the first {MAX_VALUES} values of the answer were kept")
            });
            return;
        }
        self.values += 1;
        let mut value = value.into();
        if value.len() > MAX_VALUE_LEN && !WHOLE_TEXT.contains(&name) {
            let len = value.len();
            value.truncate(floor_boundary(&value, MAX_VALUE_LEN));
            self.limit("value-length", || {
                format!("a {name} value of {len} bytes was cut to {MAX_VALUE_LEN}")
            });
        }
        if is_mac_field(name) || SERIAL_FIELDS.contains(&name) {
            if self.keys.len() < MAX_KEY_VALUES {
                let listed = listed || names_other_device(name);
                self.keys.push(KeyValue {
                    field: name.to_string(),
                    value: value.clone(),
                    listed,
                });
            } else {
                self.limit("key-values", || {
                    format!("only the first {MAX_KEY_VALUES} serial and MAC values were kept")
                });
            }
        }
        match self.map.get_mut(name) {
            Some(v) => v.push(value),
            None => {
                self.order.push(name.to_string());
                self.map.insert(name.to_string(), vec![value]);
            }
        }
    }

    /// Push `prefix.name` without allocating the name when the field is not wanted.
    pub fn push_prefixed(&mut self, prefix: &str, name: &str, value: impl Into<String>) {
        self.push_prefixed_in(prefix, name, value, false);
    }

    fn push_prefixed_in(
        &mut self,
        prefix: &str,
        name: &str,
        value: impl Into<String>,
        listed: bool,
    ) {
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        key.push_str(prefix);
        key.push('.');
        key.push_str(name);
        self.push_in(&key, value, listed);
        self.scratch = key;
    }

    /// Record that a limit was reached; the first detail of each kind is kept.
    pub fn limit(&mut self, limit: &'static str, detail: impl FnOnce() -> String) {
        if !self.limits.iter().any(|l| l.limit == limit) {
            self.limits.push(FieldLimit {
                limit,
                detail: detail(),
            });
        }
    }

    /// The safety limits reached while extracting, one per kind.
    pub fn limits(&self) -> &[FieldLimit] {
        &self.limits
    }

    /// Serial and MAC values with their place, in the order found.
    pub fn keys(&self) -> &[KeyValue] {
        &self.keys
    }

    pub fn get(&self, name: &str) -> &[String] {
        self.map.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Fields in the order they were first found.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.order
            .iter()
            .map(|n| (n.as_str(), self.map[n].as_slice()))
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// The largest char boundary of `s` at or below `at`.
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut end = at.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Whether a name (element, key or dotted path) says its values are about other devices.
fn names_other_device(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    OTHER_DEVICE_WORDS.iter().any(|w| lower.contains(w))
}

/// Fields whose name says they hold a MAC address (`xml.macAddress`, `json.params.mac`,
/// `kv.MACAddress`, `xml.MAC`): the identification engine looks their values up in the OUI table.
pub fn is_mac_field(name: &str) -> bool {
    let last = name.rsplit(['.', '@']).next().unwrap_or(name);
    last.eq_ignore_ascii_case("mac")
        || last.eq_ignore_ascii_case("macaddress")
        || last.eq_ignore_ascii_case("mac_address")
}

/// Extract every field of a response of the given kind.
pub fn extract(kind: Kind, request: Option<&str>, response: &[u8]) -> Fields {
    extract_into(Fields::default(), kind, request, response)
}

/// Extract into `f`, which may keep only some fields (`Fields::only`).
pub fn extract_into(mut f: Fields, kind: Kind, request: Option<&str>, response: &[u8]) -> Fields {
    if response.len() > MAX_BODY * 2 {
        f.limit("body-size", || {
            format!(
                "an answer of {} bytes: only the first {} KiB were read",
                response.len(),
                MAX_BODY * 2 / 1024
            )
        });
    }
    let response = &response[..response.len().min(MAX_BODY * 2)];
    let text = String::from_utf8_lossy(response);
    f.push("raw", text.as_ref());
    if let Some(path) = request.and_then(request_path) {
        f.push("path", path);
    }
    match kind {
        Kind::Http | Kind::Rtsp | Kind::Onvif | Kind::Ssdp => {
            let body = http_like(&mut f, response);
            body_fields(&mut f, kind, body);
            if kind == Kind::Http
                && (f.wants("favicon.md5") || f.wants("favicon.mmh3"))
                && let Some(icon) = crate::favicon::Favicon::of_answer(request, response)
            {
                f.push("favicon.md5", icon.md5);
                f.push("favicon.mmh3", icon.mmh3.to_string());
            }
        }
        Kind::WsDiscovery | Kind::Sadp => {
            let body = http_like(&mut f, response);
            body_fields(&mut f, kind, body);
            for scopes in f.get("xml.Scopes").to_vec() {
                for s in scopes.split_whitespace() {
                    f.push("scope", percent_decode(s));
                }
            }
            if f.get("scope").is_empty() {
                // Tools often print the scopes as text rather than the SOAP message.
                for s in text
                    .split_whitespace()
                    .filter(|s| s.starts_with("onvif://"))
                {
                    f.push("scope", percent_decode(s));
                }
            }
        }
        Kind::Dhip => {
            // A 32-byte binary header (" \0\0\0DHIP" ...) may precede the JSON body; its length
            // fields can hold any byte, `{` included, so skip it by position when present.
            let start = if response.len() >= 32 && &response[4..8] == b"DHIP" {
                32
            } else {
                response
                    .iter()
                    .position(|&b| b == b'{')
                    .unwrap_or(response.len())
            };
            body_fields(&mut f, kind, &response[start..]);
        }
        Kind::TlsCert => crate::cert::fields(&mut f, response),
        Kind::Mac => {
            if let Some(mac) = crate::oui::normalize_mac(&text) {
                f.push("mac", mac);
            }
        }
        Kind::Banner => {
            f.push("banner", text.as_ref());
            f.push("hex", hex_prefix(response));
            kv_fields(&mut f, &text);
        }
    }
    if kind == Kind::Dhip {
        f.push("hex", hex_prefix(response));
    }
    f
}

/// How many leading bytes of a binary answer the `hex` field shows: enough for any vendor
/// framing header (DVRIP 32 bytes, DHIP 32, Hikvision's SDK port 32), short enough to match fast.
pub const HEX_PREFIX: usize = 64;

/// The first `HEX_PREFIX` bytes in lower-case hex: binary framing (a DVRIP `b0 00 00 00` header)
/// is lost in the lossy text of `banner`, so structure fingerprints match it here.
fn hex_prefix(response: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(HEX_PREFIX * 2);
    for b in &response[..response.len().min(HEX_PREFIX)] {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// `GET /ISAPI/System/deviceInfo HTTP/1.1` -> `/ISAPI/System/deviceInfo`.
fn request_path(request: &str) -> Option<String> {
    let first = request.lines().next()?.trim();
    if first.starts_with('/') {
        return Some(first.split_whitespace().next()?.to_string());
    }
    let mut parts = first.split_whitespace();
    let _method = parts.next()?;
    let target = parts.next()?;
    // Absolute URIs (RTSP, proxies): keep only the path.
    let path = match target.find("://") {
        Some(i) => {
            let rest = &target[i + 3..];
            rest.find('/').map(|j| &rest[j..]).unwrap_or("/")
        }
        None => target,
    };
    Some(path.to_string())
}

/// Split an HTTP-like answer (HTTP, RTSP, SSDP, SIP) into fields; returns the body bytes.
/// Deliberately lenient (see crates.md: real devices send `Server : x`, bare LF, obs-fold,
/// header lines without a colon); anything that is not a head is treated as a bare body.
fn http_like<'a>(f: &mut Fields, response: &'a [u8]) -> &'a [u8] {
    let trimmed_start = response
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(response.len());
    let resp = &response[trimmed_start..];
    let starts_head = [
        b"HTTP/".as_slice(),
        b"RTSP/",
        b"NOTIFY ",
        b"M-SEARCH ",
        b"SIP/",
    ]
    .iter()
    .any(|p| resp.len() >= p.len() && resp[..p.len()].eq_ignore_ascii_case(p));
    // Captures often lose the status line and start at the first header.
    if !starts_head && !starts_with_header(resp) {
        return response;
    }
    let (head, body) = split_head(resp);
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    if starts_head && let Some(status) = lines.next() {
        f.push("status", status.trim());
    }
    f.push("headers", head.as_ref());
    let mut current: Option<(String, String)> = None;
    let mut count = 0;
    for line in lines {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = current.as_mut()
                && v.len() < MAX_VALUE_LEN
            {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((n, v)) = current.take() {
            push_header(f, n, v);
        }
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim().to_ascii_lowercase();
            if !name.is_empty() && !name.contains(' ') {
                current = Some((name, value.trim().to_string()));
            }
        }
        count += 1;
        if count > MAX_ITEMS {
            f.limit("items", || {
                format!("only the first {MAX_ITEMS} header lines were read")
            });
            break;
        }
    }
    if let Some((n, v)) = current.take() {
        push_header(f, n, v);
    }
    body
}

/// `Name: value` on the first line, with a token name: a head whose status line is missing.
fn starts_with_header(resp: &[u8]) -> bool {
    let line = resp.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    // Only well-known header names count, so that `key: value` text bodies (JavaScript
    // objects, YAML) are not mistaken for a head.
    const KNOWN: &[&str] = &[
        "server",
        "date",
        "content-type",
        "content-length",
        "connection",
        "keep-alive",
        "cache-control",
        "pragma",
        "www-authenticate",
        "set-cookie",
        "location",
        "cseq",
        "etag",
        "last-modified",
        "accept-ranges",
        "transfer-encoding",
        "x-frame-options",
        "expires",
        "public",
        "allow",
        "session",
        "content-base",
        "ext",
        "st",
        "usn",
        "nt",
        "nts",
        "x-xss-protection",
        "x-content-type-options",
        "strict-transport-security",
        "content-security-policy",
        "p3p",
        "vary",
        "access-control-allow-origin",
    ];
    colon > 0
        && line
            .get(colon + 1)
            .is_some_and(|&b| b == b' ' || b == b'\t')
        && std::str::from_utf8(&line[..colon])
            .is_ok_and(|name| KNOWN.iter().any(|k| k.eq_ignore_ascii_case(name)))
}

fn push_header(f: &mut Fields, name: String, value: String) {
    if name == "www-authenticate" || name == "proxy-authenticate" {
        for realm in realms(&value) {
            f.push("realm", realm);
        }
    }
    f.push_prefixed("header", &name, value);
}

/// Every `realm="..."` (or unquoted `realm=x`) in a WWW-Authenticate value, at most
/// `MAX_REALMS`. Linear: each search starts after the realm before it.
fn realms(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = value.to_ascii_lowercase();
    let mut from = 0;
    while out.len() < MAX_REALMS
        && let Some(i) = lower[from..].find("realm=")
    {
        let start = from + i + "realm=".len();
        let rest = &value[start..];
        let (realm, used) = if let Some(q) = rest.strip_prefix('"') {
            match q.find('"') {
                Some(j) => (&q[..j], j + 2),
                // No closing quote: the realm runs to the end and nothing follows it.
                None => (q, rest.len()),
            }
        } else {
            let r = rest.split([',', ' ']).next().unwrap_or("");
            (r, r.len())
        };
        out.push(realm.to_string());
        from = start + used;
    }
    out
}

fn split_head(resp: &[u8]) -> (&[u8], &[u8]) {
    // The head ends at the first blank line; some devices (and trimmed captures) start the
    // body without one, so a line opening with `<` also ends the head.
    let cut = [
        find(resp, b"\r\n\r\n").map(|i| (i, 4)),
        find(resp, b"\n\n").map(|i| (i, 2)),
        find(resp, b"\n<").map(|i| (i, 1)),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|&(i, _)| i);
    match cut {
        Some((i, n)) => (&resp[..i], &resp[i + n..]),
        None => (resp, &[]),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn body_fields(f: &mut Fields, kind: Kind, body: &[u8]) {
    if body.len() > MAX_BODY {
        f.limit("body-size", || {
            format!(
                "a body of {} bytes: only the first {} KiB were read",
                body.len(),
                MAX_BODY / 1024
            )
        });
    }
    let body = &body[..body.len().min(MAX_BODY)];
    let is_image = looks_binary(body)
        || f.get("header.content-type")
            .iter()
            .any(|c| c.to_ascii_lowercase().starts_with("image/"));
    if kind == Kind::Http && is_image {
        // An image holds no text; an icon's hashes come from `favicon` (see `extract_into`).
        return;
    }
    let text = String::from_utf8_lossy(body);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    f.push("body", text.as_ref());
    let lower_start: String = t.chars().take(64).collect::<String>().to_ascii_lowercase();
    if t.starts_with('{') || t.starts_with('[') {
        json_fields(f, t);
    } else if t.starts_with('<') {
        if !lower_start.starts_with("<!doctype html") && !lower_start.starts_with("<html") {
            xml_fields(f, t);
        }
        html_fields(f, &text);
    } else if find_nocase(&text, "<title").is_some() {
        html_fields(f, &text);
    } else {
        kv_fields(f, &text);
        copyright_fields(f, &text);
    }
}

fn looks_binary(body: &[u8]) -> bool {
    let head = &body[..body.len().min(512)];
    head.iter().filter(|&&b| b == 0 || (b < 0x09)).count() > 2
}

/// Byte offset of `needle` (ASCII, lower case) in `hay`, ignoring ASCII case. One pass:
/// O(hay x needle), and needles are a few bytes.
fn find_nocase(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Copyright notices of a page or script (`Copyright © 2019 Hangzhou Hikvision ...`): the
/// holder of a device web UI's copyright is its maker or the platform it came from.
fn copyright_fields(f: &mut Fields, text: &str) {
    static MARK: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    if !f.wants("copyright") {
        return;
    }
    let re = MARK
        .get_or_init(|| regex::Regex::new(r"(?i)copyright|©|&copy;|\(c\) ").expect("valid regex"));
    for m in re.find_iter(text).take(4) {
        let after = &text[m.end()..];
        let mut end = after.len().min(120);
        while !after.is_char_boundary(end) {
            end -= 1;
        }
        let snippet = after[..end]
            .split(['<', '\n', '"'])
            .next()
            .unwrap_or("")
            .trim();
        if !snippet.is_empty() {
            f.push("copyright", snippet);
        }
    }
}

fn html_fields(f: &mut Fields, text: &str) {
    copyright_fields(f, text);
    if !f.wants("title") {
        return;
    }
    if let Some(i) = find_nocase(text, "<title")
        && let Some(j) = text[i..].find('>')
    {
        let start = i + j + 1;
        let end = find_nocase(&text[start..], "</title")
            .map(|k| start + k)
            .unwrap_or(text.len().min(start + 512));
        if let Some(title) = text.get(start..end) {
            // Cut before decoding: the title is an identifying field, bounded like the others.
            let title = &title[..floor_boundary(title, MAX_VALUE_LEN)];
            let title = decode_entities(&title.split_whitespace().collect::<Vec<_>>().join(" "));
            f.push("title", title);
        }
    }
}

/// Numeric and the common named character references. Linear in `s`.
fn decode_entities(s: &str) -> String {
    // Numeric references first (`&#90;&#88;` spells ZX on some ZTE login pages).
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        // Only the next few bytes can close a reference: searching the whole rest for `;` made
        // `&#&#&#...` quadratic.
        let window = &tail.as_bytes()[..tail.len().min(9)];
        let end = window.iter().position(|&b| b == b';');
        let decoded = end.and_then(|e| {
            let num = &tail[..e];
            let code = match num.strip_prefix(['x', 'X']) {
                Some(h) => u32::from_str_radix(h, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            code.and_then(char::from_u32).map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push_str("&#");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
}

/// A document type declaration (`<!DOCTYPE x>` or `<!DOCTYPE x [ internal subset ]>`) before
/// the root element, as (start, end, internal subset length). Linear; quotes, comments and
/// the subset's brackets are honoured so that a `>` inside them does not end it early. An
/// unterminated declaration runs to the end of the text.
fn find_doctype(text: &str) -> Option<(usize, usize, usize)> {
    let b = text.as_bytes();
    let start = find(b, b"<!DOCTYPE")?;
    // Only in the prolog: after the first element a DOCTYPE is malformed, and the parser
    // (which refuses DTDs) rejects it.
    if b[..start]
        .windows(2)
        .any(|w| w[0] == b'<' && w[1].is_ascii_alphabetic())
    {
        return None;
    }
    let mut i = start + "<!DOCTYPE".len();
    // Where the internal subset opened, and whether it closed.
    let mut subset: Option<(usize, bool)> = None;
    let mut subset_len = 0;
    let mut quote = None;
    while i < b.len() {
        let c = b[i];
        let inside = matches!(subset, Some((_, false)));
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if inside && b[i..].starts_with(b"<!--") => match find(&b[i + 4..], b"-->") {
                Some(j) => i += 4 + j + 2,
                None => i = b.len(),
            },
            None if c == b'[' && subset.is_none() => subset = Some((i, false)),
            None if c == b']' && inside => {
                subset_len = i - subset.map_or(i, |(s, _)| s) - 1;
                subset = subset.map(|(s, _)| (s, true));
            }
            None if c == b'>' && !inside => return Some((start, i + 1, subset_len)),
            None => {}
        }
        i += 1;
    }
    if let Some((s, false)) = subset {
        subset_len = b.len() - s - 1;
    }
    Some((start, b.len(), subset_len))
}

/// The text with its document type declaration cut out, and the length of the internal subset
/// it had (0 when none), or `None` when it has no declaration. For XML readers that must never
/// process a DTD (entity expansion): read the returned text with DTDs refused.
pub fn without_doctype(text: &str) -> Option<(String, usize)> {
    let (start, end, subset) = find_doctype(text)?;
    Some((format!("{}{}", &text[..start], &text[end..]), subset))
}

fn xml_fields(f: &mut Fields, text: &str) -> bool {
    // Document type declarations are never processed: entities they declare could expand a
    // 20 KB answer into gigabytes. The declaration is cut out, so references to its entities
    // no longer parse and the fallbacks below read the document as text, unexpanded.
    let stripped;
    let text = match without_doctype(text) {
        Some((without, subset)) => {
            f.limit("dtd-ignored", || {
                if subset > 0 {
                    format!("a document type declaration with a {subset}-byte internal subset was ignored: its entities were not expanded")
                } else {
                    "a document type declaration was ignored".to_string()
                }
            });
            stripped = without;
            stripped.as_str()
        }
        None => text,
    };
    let opts = || roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 50_000,
        ..Default::default()
    };
    // Trimmed captures often hold several top-level elements (a fragment of a document):
    // read them under a synthetic root, which is not reported as `xml.root`.
    let wrapped;
    let (doc, fragment) = match roxmltree::Document::parse_with_options(text, opts()) {
        Ok(doc) => (doc, false),
        Err(_) => {
            let body = match text.find("?>") {
                Some(i) if text.starts_with("<?xml") => &text[i + 2..],
                _ => text,
            };
            wrapped = format!("<sightline-fragment>{body}</sightline-fragment>");
            match roxmltree::Document::parse_with_options(&wrapped, opts()) {
                Ok(doc) => (doc, true),
                Err(_) => return xml_leaves(f, text),
            }
        }
    };
    let root = doc.root_element();
    if !fragment {
        f.push("xml.root", root.tag_name().name());
    }
    let mut seen_ns: HashSet<&str> = HashSet::new();
    for ns in root.namespaces() {
        if seen_ns.insert(ns.uri()) {
            f.push("xml.namespace", ns.uri());
        }
    }
    let mut count = 0;
    let mut name = String::new();
    let mut lists = ListCache::default();
    for node in root.descendants() {
        if !node.is_element() {
            continue;
        }
        count += 1;
        if count > MAX_ITEMS {
            f.limit("items", || {
                format!("only the first {MAX_ITEMS} elements were read")
            });
            break;
        }
        // The element's own namespace (declarations are inherited by every descendant, so
        // walking `namespaces()` per node would be quadratic on hostile documents).
        if let Some(uri) = node.tag_name().namespace()
            && seen_ns.insert(uri)
        {
            f.push("xml.namespace", uri);
        }
        let tag = node.tag_name().name();
        let has_child_elements = node.children().any(|c| c.is_element());
        if !has_child_elements {
            let mut value = String::new();
            for t in node.children().filter_map(|c| c.text()) {
                if value.len() > MAX_VALUE_LEN {
                    break;
                }
                value.push_str(t);
            }
            let listed = f.wants_key(tag) && lists.in_list(node);
            f.push_prefixed_in("xml", tag, value.trim(), listed);
        }
        for (i, attr) in node.attributes().enumerate() {
            if i == MAX_ATTRS {
                f.limit("attributes", || {
                    format!("only the first {MAX_ATTRS} attributes of an element were read")
                });
                break;
            }
            if tag.len() + attr.name().len() + 5 > MAX_NAME_LEN {
                f.limit("field-name-length", || {
                    format!("field names longer than {MAX_NAME_LEN} bytes were not read")
                });
                continue;
            }
            name.clear();
            name.push_str(tag);
            name.push('@');
            name.push_str(attr.name());
            let listed = f.wants_key(&name) && lists.in_list(node);
            f.push_prefixed_in("xml", &name, attr.value(), listed);
        }
    }
    true
}

/// Whether XML elements sit in a list: an element, or one of its nearest ancestors, has a
/// sibling of the same name, or is named for other devices (`ClientList`, `DhcpLease`).
/// Memoised per element, and each parent's children are counted once, so that asking for every
/// MAC-named leaf and attribute of a document costs time linear in the document (asked naively,
/// a document of many MAC attributes under wide, deep ancestors took seconds).
#[derive(Default)]
struct ListCache<'a> {
    /// Element -> whether it is repeated or named for other devices (its own answer, not its
    /// ancestors').
    repeated: HashMap<roxmltree::NodeId, bool>,
    /// Parent -> the tag names that occur more than once among its element children.
    doubled: HashMap<roxmltree::NodeId, HashSet<&'a str>>,
}

impl<'a> ListCache<'a> {
    fn in_list(&mut self, node: roxmltree::Node<'a, 'a>) -> bool {
        node.ancestors()
            .filter(|n| n.is_element())
            .take(MAX_ANCESTORS)
            .any(|n| self.repeated(n))
    }

    fn repeated(&mut self, n: roxmltree::Node<'a, 'a>) -> bool {
        if let Some(&known) = self.repeated.get(&n.id()) {
            return known;
        }
        let tag = n.tag_name().name();
        let answer = names_other_device(tag)
            || n.parent().is_some_and(|p| {
                self.doubled
                    .entry(p.id())
                    .or_insert_with(|| {
                        let mut seen = HashSet::new();
                        let mut doubled = HashSet::new();
                        for c in p.children().filter(|c| c.is_element()).take(MAX_ITEMS) {
                            let name = c.tag_name().name();
                            if !seen.insert(name) {
                                doubled.insert(name);
                            }
                        }
                        doubled
                    })
                    .contains(tag)
            });
        self.repeated.insert(n.id(), answer);
        answer
    }
}

/// Last resort for broken or cut-off XML (a capture that lost its first or last lines): every
/// namespace declared (`xmlns="..."`, `xmlns:p="..."`) and every simple `<name ...>text</name>`
/// leaf, namespace prefix dropped. Returns whether anything was found. Linear: each byte is
/// looked at a bounded number of times.
fn xml_leaves(f: &mut Fields, text: &str) -> bool {
    let mut found = false;
    let mut seen_ns: HashSet<&str> = HashSet::new();
    // Without the document's structure, a leaf counts as one of a list when an element named
    // for other devices (`ClientList`, `Lease`) came before it or its name came before: a
    // router page the parser refused must not turn a client's MAC into the router's own.
    let mut other_devices = false;
    let mut leaf_names: HashSet<&str> = HashSet::new();
    let mut rest = text;
    let mut count = 0;
    let mut closing = String::new();
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        count += 1;
        if count > MAX_ITEMS {
            f.limit("items", || {
                format!("only the first {MAX_ITEMS} elements were read")
            });
            break;
        }
        // The tag ends at the next `>`; a `<` first means this one was not a tag.
        let Some(end) = rest.find(['<', '>']) else {
            break;
        };
        if rest.as_bytes()[end] == b'<' {
            rest = &rest[end..];
            continue;
        }
        let tag = &rest[..end];
        // The name starts right after `<` (XML allows no blank there): `< x` is not a tag, and
        // the attributes below are sliced from the name's length, which must count from 0.
        let name = tag.split(char::is_whitespace).next().unwrap_or("");
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '.'))
        {
            continue;
        }
        // Namespace declarations among the attributes.
        let mut attrs = &tag[name.len()..];
        while let Some(j) = attrs.find("xmlns") {
            attrs = &attrs[j + 5..];
            let Some(q) = attrs.find('"') else { break };
            let Some(close) = attrs[q + 1..].find('"') else {
                break;
            };
            let uri = &attrs[q + 1..q + 1 + close];
            if !uri.is_empty() && seen_ns.insert(uri) {
                f.push("xml.namespace", uri);
                found = true;
            }
            attrs = &attrs[q + 1 + close..];
        }
        let after = &rest[end + 1..];
        let Some(close) = after.find('<') else { break };
        closing.clear();
        closing.push_str("</");
        closing.push_str(name);
        closing.push('>');
        let local = name.rsplit(':').next().unwrap_or(name);
        if !tag.ends_with('/') && after[close..].starts_with(closing.as_str()) {
            let listed = other_devices || !leaf_names.insert(local);
            f.push_prefixed_in("xml", local, after[..close].trim(), listed);
            found = true;
        } else if names_other_device(local) {
            other_devices = true;
        }
    }
    found
}

fn json_fields(f: &mut Fields, text: &str) {
    // Devices sometimes send several JSON objects back to back, or trailing garbage: take the
    // first complete value.
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    let value = match stream.next() {
        Some(Ok(value)) => value,
        Some(Err(e)) => {
            // serde_json refuses nesting deeper than 128 (its own recursion limit).
            if e.to_string().contains("recursion limit") {
                f.limit("json-depth", || {
                    "JSON nested deeper than 128 levels was not read".to_string()
                });
            }
            return;
        }
        None => return,
    };
    let mut count = 0;
    let mut path = String::from("json");
    walk_json(f, &mut path, &value, &mut count, 0, false);
}

/// Depth-first over a JSON value; `path` is the dotted name so far, extended and cut back in
/// place so that no name is allocated for fields nobody wants. `listed`: inside an array.
fn walk_json(
    f: &mut Fields,
    path: &mut String,
    v: &serde_json::Value,
    count: &mut usize,
    depth: usize,
    listed: bool,
) {
    if *count >= MAX_ITEMS {
        f.limit("items", || {
            format!("only the first {MAX_ITEMS} JSON values were read")
        });
        return;
    }
    if depth > MAX_JSON_DEPTH {
        f.limit("json-depth", || {
            format!("JSON nested deeper than {MAX_JSON_DEPTH} levels was not read")
        });
        return;
    }
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if path.len() + 1 + k.len() > MAX_NAME_LEN {
                    f.limit("field-name-length", || {
                        format!("field names longer than {MAX_NAME_LEN} bytes were not read")
                    });
                    continue;
                }
                let len = path.len();
                path.push('.');
                path.push_str(k);
                walk_json(f, path, v, count, depth + 1, listed);
                path.truncate(len);
                if *count >= MAX_ITEMS {
                    return;
                }
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                walk_json(f, path, v, count, depth + 1, true);
                if *count >= MAX_ITEMS {
                    return;
                }
            }
        }
        serde_json::Value::String(s) => {
            *count += 1;
            f.push_in(path, s.as_str(), listed);
        }
        serde_json::Value::Null => {}
        other => {
            *count += 1;
            if f.wants(path) {
                f.push_in(path, other.to_string(), listed);
            }
        }
    }
}

/// `key=value` lines (Dahua CGI answers, Axis param.cgi, banners).
fn kv_fields(f: &mut Fields, text: &str) {
    for (n, line) in text.lines().enumerate() {
        if n == MAX_ITEMS {
            f.limit("items", || {
                format!("only the first {MAX_ITEMS} lines were read")
            });
            break;
        }
        let line = line.trim();
        if let Some((k, v)) = line.split_once('=') {
            let k = k.trim();
            if !k.is_empty()
                && k.len() <= 80
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-[]".contains(c))
            {
                // `table.Clients[2].MAC`: an indexed key is one of a list.
                let listed = k.contains('[');
                f.push_prefixed_in("kv", k, v.trim(), listed);
            }
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hexval(bytes[i + 1]), hexval(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hexval(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzzer (fuzz/regressions/xml/tag-leading-whitespace-multibyte): a blank
    /// after `<` then a multi-byte letter made the attribute slice cut a character in two.
    #[test]
    fn a_blank_after_the_angle_bracket_is_not_a_tag() {
        for kind in [Kind::Http, Kind::WsDiscovery, Kind::Dhip, Kind::Banner] {
            let f = extract(kind, None, "<\tČ>x</\tČ><a>b</a>".as_bytes());
            assert!(f.get("raw").len() == 1, "{kind:?}");
        }
        let mut f = Fields::default();
        xml_leaves(&mut f, "<\tČ>");
        assert!(f.get("xml.Č").is_empty());
    }

    #[test]
    fn doctype_declarations_are_cut_out_whole() {
        for (text, rest, subset) in [
            (
                "<?xml version=\"1.0\"?><!DOCTYPE a><a/>",
                Some("<?xml version=\"1.0\"?><a/>"),
                0,
            ),
            (
                "<!DOCTYPE a [<!ENTITY x \"]>\">]><a>&x;</a>",
                Some("<a>&x;</a>"),
                16,
            ),
            ("<!DOCTYPE a [<!-- ]> -->]><a/>", Some("<a/>"), 11),
            ("<!DOCTYPE a SYSTEM \"x>y.dtd\"><a/>", Some("<a/>"), 0),
            ("<!DOCTYPE a [<!ENTITY x \"y\">", Some(""), 15),
            ("<a><!DOCTYPE b></a>", None, 0),
            ("<a/>", None, 0),
        ] {
            let got = without_doctype(text);
            assert_eq!(got.as_ref().map(|(t, _)| t.as_str()), rest, "{text}");
            assert_eq!(got.map_or(0, |(_, n)| n), subset, "{text}");
        }
    }

    #[test]
    fn http_head_is_lenient() {
        let f = extract(
            Kind::Http,
            Some("GET / HTTP/1.1"),
            b"HTTP/1.1 401 Unauthorized\nServer : App-webs/\nWWW-Authenticate: Digest realm=\"DS-2CD2042WD\", nonce=\"x\"\n continued\n\n<html><title> Login </title></html>",
        );
        assert_eq!(f.get("header.server"), ["App-webs/"]);
        assert_eq!(f.get("realm"), ["DS-2CD2042WD"]);
        assert_eq!(f.get("title"), ["Login"]);
        assert_eq!(f.get("path"), ["/"]);
    }
}
