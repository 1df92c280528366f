//! Turns one observation into named fields (`header.server`, `title`, `xml.model`, `scope`,
//! `cert.subject.cn` ...) that fingerprints match on. Total on arbitrary bytes: a malformed
//! answer yields fewer fields, never a panic.

use base64::Engine as _;
use md5::{Digest, Md5};
use model::Kind;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Largest body we look inside; devices can send megabytes and fingerprints need the start.
const MAX_BODY: usize = 256 * 1024;
/// Most elements / JSON leaves / key-value lines taken from one answer.
const MAX_ITEMS: usize = 2000;

/// Field name -> values, in the order found.
#[derive(Debug, Default, Clone)]
pub struct Fields {
    map: HashMap<String, Vec<String>>,
    order: Vec<String>,
    /// When set, only these fields are kept (the ones some fingerprint looks at): extraction
    /// then skips copying what nobody reads.
    wanted: Option<Arc<HashSet<String>>>,
    scratch: String,
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
        self.wanted.as_ref().is_none_or(|w| w.contains(name)) || is_mac_field(name)
    }

    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        if !self.wants(name) {
            return;
        }
        let value = value.into();
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
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        key.push_str(prefix);
        key.push('.');
        key.push_str(name);
        self.push(&key, value);
        self.scratch = key;
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
    let text = String::from_utf8_lossy(&response[..response.len().min(MAX_BODY * 2)]);
    f.push("raw", text.as_ref());
    if let Some(path) = request.and_then(request_path) {
        f.push("path", path);
    }
    match kind {
        Kind::Http | Kind::Rtsp | Kind::Onvif | Kind::Ssdp => {
            let body = http_like(&mut f, response);
            body_fields(&mut f, kind, request, body);
        }
        Kind::WsDiscovery | Kind::Sadp => {
            let body = http_like(&mut f, response);
            body_fields(&mut f, kind, request, body);
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
            body_fields(&mut f, kind, request, &response[start..]);
        }
        Kind::TlsCert => crate::cert::fields(&mut f, response),
        Kind::Mac => {
            if let Some(mac) = crate::oui::normalize_mac(&text) {
                f.push("mac", mac);
            }
        }
        Kind::Banner => {
            f.push("banner", text.as_ref());
            kv_fields(&mut f, &text);
        }
    }
    f
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
            if let Some((_, v)) = current.as_mut() {
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

/// Every `realm="..."` (or unquoted `realm=x`) in a WWW-Authenticate value.
fn realms(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = value.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("realm=") {
        let start = from + i + "realm=".len();
        let rest = &value[start..];
        let realm = if let Some(q) = rest.strip_prefix('"') {
            q.find('"').map(|j| &q[..j]).unwrap_or(q)
        } else {
            rest.split([',', ' ']).next().unwrap_or("")
        };
        out.push(realm.to_string());
        from = start;
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

fn body_fields(f: &mut Fields, kind: Kind, request: Option<&str>, body: &[u8]) {
    let body = &body[..body.len().min(MAX_BODY)];
    let is_image = looks_binary(body)
        || f.get("header.content-type")
            .iter()
            .any(|c| c.to_ascii_lowercase().starts_with("image/"))
        || request
            .and_then(request_path)
            .is_some_and(|p| p.to_ascii_lowercase().ends_with(".ico"));
    if kind == Kind::Http && is_image && !body.is_empty() {
        let md5 = Md5::digest(body);
        f.push("favicon.md5", hex(&md5));
        f.push("favicon.mmh3", shodan_mmh3(body).to_string());
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

/// Byte offset of `needle` (ASCII, lower case) in `hay`, ignoring ASCII case.
fn find_nocase(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len())
        .find(|&i| h[i] == n[0] || h[i].to_ascii_lowercase() == n[0])
        .and_then(|first| {
            (first..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
        })
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
            let title = decode_entities(&title.split_whitespace().collect::<Vec<_>>().join(" "));
            f.push("title", title);
        }
    }
}

fn decode_entities(s: &str) -> String {
    // Numeric references first (`&#90;&#88;` spells ZX on some ZTE login pages).
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let end = tail.find(';').filter(|&e| e <= 8);
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

fn xml_fields(f: &mut Fields, text: &str) -> bool {
    let opts = || roxmltree::ParsingOptions {
        allow_dtd: true,
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
    let mut seen_ns: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for ns in root.namespaces() {
        if seen_ns.insert(ns.uri()) {
            f.push("xml.namespace", ns.uri());
        }
    }
    let mut count = 0;
    for node in root.descendants() {
        if !node.is_element() {
            continue;
        }
        count += 1;
        if count > MAX_ITEMS {
            break;
        }
        // The element's own namespace (declarations are inherited by every descendant, so
        // walking `namespaces()` per node would be quadratic on hostile documents).
        if let Some(uri) = node.tag_name().namespace()
            && seen_ns.insert(uri)
        {
            f.push("xml.namespace", uri);
        }
        let has_child_elements = node.children().any(|c| c.is_element());
        if !has_child_elements {
            let value: String = node.children().filter_map(|c| c.text()).collect();
            f.push_prefixed("xml", node.tag_name().name(), value.trim());
        }
        for attr in node.attributes() {
            let name = format!("{}@{}", node.tag_name().name(), attr.name());
            f.push_prefixed("xml", &name, attr.value());
        }
    }
    true
}

/// Last resort for broken or cut-off XML (a capture that lost its first or last lines): every
/// namespace declared (`xmlns="..."`, `xmlns:p="..."`) and every simple `<name ...>text</name>`
/// leaf, namespace prefix dropped. Returns whether anything was found.
fn xml_leaves(f: &mut Fields, text: &str) -> bool {
    let mut found = false;
    let mut rest = text;
    let mut count = 0;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        count += 1;
        if count > MAX_ITEMS {
            break;
        }
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        let name = tag.split_whitespace().next().unwrap_or("");
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
            if !uri.is_empty() && !f.get("xml.namespace").iter().any(|v| v == uri) {
                f.push("xml.namespace", uri);
                found = true;
            }
            attrs = &attrs[q + 1 + close..];
        }
        let after = &rest[end + 1..];
        let Some(close) = after.find('<') else { break };
        let closing = format!("</{name}>");
        if !tag.ends_with('/') && after[close..].starts_with(&closing) {
            let local = name.rsplit(':').next().unwrap_or(name);
            f.push_prefixed("xml", local, after[..close].trim());
            found = true;
        }
    }
    found
}

fn json_fields(f: &mut Fields, text: &str) {
    // Devices sometimes send several JSON objects back to back, or trailing garbage: take the
    // first complete value.
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    let Some(Ok(value)) = stream.next() else {
        return;
    };
    let mut count = 0;
    let mut path = String::from("json");
    walk_json(f, &mut path, &value, &mut count, 0);
}

/// Depth-first over a JSON value; `path` is the dotted name so far, extended and cut back in
/// place so that no name is allocated for fields nobody wants.
fn walk_json(
    f: &mut Fields,
    path: &mut String,
    v: &serde_json::Value,
    count: &mut usize,
    depth: usize,
) {
    if *count > MAX_ITEMS || depth > 32 {
        return;
    }
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                walk_json(f, path, v, count, depth + 1);
                path.truncate(len);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                walk_json(f, path, v, count, depth + 1);
            }
        }
        serde_json::Value::String(s) => {
            *count += 1;
            f.push(path, s.as_str());
        }
        serde_json::Value::Null => {}
        other => {
            *count += 1;
            if f.wants(path) {
                f.push(path, other.to_string());
            }
        }
    }
}

/// `key=value` lines (Dahua CGI answers, Axis param.cgi, banners).
fn kv_fields(f: &mut Fields, text: &str) {
    for line in text.lines().take(MAX_ITEMS) {
        let line = line.trim();
        if let Some((k, v)) = line.split_once('=') {
            let k = k.trim();
            if !k.is_empty()
                && k.len() <= 80
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-[]".contains(c))
            {
                f.push_prefixed("kv", k, v.trim());
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Shodan's favicon hash: MurmurHash3 (x86, 32-bit, seed 0) of the base64 text with a newline
/// every 76 characters and at the end (Python's `base64.encodebytes`), as a signed integer.
pub fn shodan_mmh3(body: &[u8]) -> i32 {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let mut text = Vec::with_capacity(b64.len() + b64.len() / 76 + 1);
    for chunk in b64.as_bytes().chunks(76) {
        text.extend_from_slice(chunk);
        text.push(b'\n');
    }
    murmur3_32(&text, 0) as i32
}

/// MurmurHash3 x86_32. Written here because it is twenty lines and no maintained crate
/// exposes exactly this variant with Shodan's conventions.
fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let mut k = 0u32;
    for (i, &b) in tail.iter().enumerate() {
        k ^= (b as u32) << (8 * i);
    }
    if !tail.is_empty() {
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur_matches_reference_vectors() {
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"hello", 0), 0x248b_fa47);
        assert_eq!(
            murmur3_32(b"The quick brown fox jumps over the lazy dog", 0),
            0x2e4f_f723
        );
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
