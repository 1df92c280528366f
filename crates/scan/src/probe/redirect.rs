//! Where a device's front page sends a browser, and which icon it names: read from the answer
//! to `GET /` so that the HTTP probe can ask what a person's browser would see first (the login
//! page, the favicon). Pure and total: any bytes give a path or nothing.
//!
//! A redirect is followed only to the same host and port and scheme (a relative URL, or an
//! absolute one whose host is the scanned address), to a bounded, printable path, never one that
//! names a state change (logout, reboot ...). Everything else is refused: another host,
//! `//evil/`, `/\evil`, user-info tricks (`http://ip@evil/`), `javascript:` and other schemes.

use super::http;
use std::net::{IpAddr, SocketAddr};

/// Longest target followed, in bytes. Login pages live at short paths; a long one is a trick or
/// a token that the scan has no business replaying.
pub const MAX_TARGET_LEN: usize = 256;

/// Script redirects are read only from pages this small: a redirect page is a few hundred bytes,
/// while in a full web application `location = ...` is code that runs on a click, not on load.
pub const MAX_SCRIPT_PAGE: usize = 4096;

/// Bytes of a page read for a meta refresh or an icon link.
const MAX_PAGE_SCAN: usize = 64 * 1024;

/// Words in a path that suggest a request changes the device's state: never followed, whatever
/// the page says.
const STATE_WORDS: &[&str] = &[
    "logout", "logoff", "signout", "reboot", "restart", "shutdown", "reset", "factory", "delete",
    "remove", "upgrade", "firmware", "format", "set_", "setcmd", "apply",
];

/// The path to ask after `answer` (the reply to `GET /`), if it redirects a browser within the
/// same host, port and scheme (`tls`: the scheme is https).
pub fn follow_path(answer: &[u8], addr: SocketAddr, tls: bool) -> Option<String> {
    same_origin_path(&redirect_target(answer)?, addr, tls)
}

/// The icon a page names in `<link rel="icon" href=...>` (or `shortcut icon`, `apple-touch-icon`),
/// as a path on the same host, port and scheme.
pub fn icon_path(answer: &[u8], addr: SocketAddr, tls: bool) -> Option<String> {
    let (_, body) = split(answer);
    let lower = body.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<link") {
        let start = from + i;
        let end = lower[start..]
            .find('>')
            .map_or(lower.len(), |e| start + e + 1);
        let tag = &body[start..end];
        if attr(tag, "rel").is_some_and(|r| r.to_ascii_lowercase().contains("icon"))
            && let Some(href) = attr(tag, "href")
        {
            return same_origin_path(href, addr, tls);
        }
        from = end;
    }
    None
}

/// The raw target a page redirects to: a 3xx `Location`, a `<meta http-equiv="refresh">`, or (in
/// a small page) a one-line script assignment to `location`.
pub fn redirect_target(answer: &[u8]) -> Option<String> {
    let (head, body) = split(answer);
    if let Some(h) = head
        && matches!(h.code, 301 | 302 | 303 | 307 | 308)
        && let Some(loc) = h.header("location")
    {
        return Some(loc.to_string());
    }
    meta_refresh(&body).or_else(|| {
        (body.len() <= MAX_SCRIPT_PAGE)
            .then(|| script_redirect(&body))
            .flatten()
    })
}

/// Resolve `target` against `/` and return its path (with query) when it stays on `addr` over
/// the same scheme; None for anything else (see the module comment).
pub fn same_origin_path(target: &str, addr: SocketAddr, tls: bool) -> Option<String> {
    let t = target.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if t.is_empty()
        || t.len() > MAX_TARGET_LEN
        || !t.bytes().all(|b| (0x21..=0x7e).contains(&b))
        || t.contains('\\')
    {
        return None;
    }
    let t = t.split('#').next().unwrap_or("");
    let lower = t.to_ascii_lowercase();
    let offset = if lower.starts_with("http://") {
        if tls {
            return None;
        }
        "http://".len()
    } else if lower.starts_with("https://") {
        if !tls {
            return None;
        }
        "https://".len()
    } else if lower.starts_with("//") {
        2
    } else {
        // Any other scheme (`javascript:`, `data:`, `ftp:`) is refused; a colon after the first
        // slash or question mark is part of a path or query.
        let first_colon = t.find(':');
        let first_sep = t.find(['/', '?']);
        if first_colon.is_some_and(|c| first_sep.is_none_or(|s| c < s)) {
            return None;
        }
        return normalise(t);
    };
    let after = &t[offset..];
    let auth_end = after.find(['/', '?']).unwrap_or(after.len());
    let authority = &after[..auth_end];
    if authority.contains('@') || !same_host(authority, addr, tls) {
        return None;
    }
    let path = &after[auth_end..];
    if path.is_empty() {
        return None;
    }
    normalise(path)
}

/// Whether `host[:port]` is the scanned address on its port (default ports by scheme).
fn same_host(authority: &str, addr: SocketAddr, tls: bool) -> bool {
    let default = if tls { 443 } else { 80 };
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let Some((h, after)) = rest.split_once(']') else {
            return false;
        };
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse::<u16>().ok(),
            None if after.is_empty() => Some(default),
            None => None,
        };
        (h, port)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().ok()),
            None => (authority, Some(default)),
        }
    };
    port == Some(addr.port()) && host.parse::<IpAddr>().is_ok_and(|ip| ip == addr.ip())
}

/// A path resolved against `/`, dot segments removed, query kept; None when it is the front
/// page itself or names a state change.
fn normalise(target: &str) -> Option<String> {
    let (path, query) = match target.find('?') {
        Some(i) => (&target[..i], &target[i..]),
        None => (target, ""),
    };
    let mut segments: Vec<&str> = Vec::new();
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    if trailing && !segments.is_empty() {
        out.push('/');
    }
    out.push_str(query);
    let lower = out.to_ascii_lowercase();
    if out == "/" || STATE_WORDS.iter().any(|w| lower.contains(w)) {
        return None;
    }
    Some(out)
}

/// The parsed head (if any) and the body text, bounded.
fn split(answer: &[u8]) -> (Option<http::Head>, String) {
    let head = http::parse(answer).ok();
    let start = head.as_ref().map_or(0, |h| h.body_start.min(answer.len()));
    let body = &answer[start..answer.len().min(start + MAX_PAGE_SCAN)];
    (head, String::from_utf8_lossy(body).into_owned())
}

/// `<meta http-equiv="refresh" content="0; url=/x">`, any case, any attribute order.
fn meta_refresh(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<meta") {
        let start = from + i;
        let end = lower[start..]
            .find('>')
            .map_or(lower.len(), |e| start + e + 1);
        let tag = &body[start..end];
        if attr(tag, "http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
            && let Some(content) = attr(tag, "content")
            && let Some((_, url)) = content.split_once([';', ','])
        {
            let url = url.trim();
            let url = match url.get(..3) {
                Some(p) if p.eq_ignore_ascii_case("url") => {
                    url[3..].trim_start().strip_prefix('=').unwrap_or("").trim()
                }
                _ => url,
            };
            if !url.is_empty() {
                return Some(url.to_string());
            }
        }
        from = end;
    }
    None
}

/// The first string literal assigned to `location`, `location.href`, or passed to
/// `location.replace(...)` / `location.assign(...)`, on `window`, `top`, `self`, `parent`,
/// `document` or alone. Concatenations keep their first literal (Hikvision's
/// `"/doc/page/login.asp?_" + (new Date()).getTime()`).
fn script_redirect(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut from = 0;
    while let Some(i) = lower[from..].find("location") {
        let at = from + i;
        from = at + "location".len();
        // Not part of a longer name (`mylocation`, `locationbar`).
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let mut j = from;
        let skip_ws = |j: &mut usize| {
            while *j < b.len() && b[*j].is_ascii_whitespace() {
                *j += 1;
            }
        };
        if lower[j..].starts_with(".href") {
            j += ".href".len();
        }
        skip_ws(&mut j);
        let call = [".replace", ".assign"]
            .iter()
            .find(|c| lower[j..].starts_with(**c))
            .map(|c| c.len());
        if let Some(n) = call {
            j += n;
            skip_ws(&mut j);
            if b.get(j) != Some(&b'(') {
                continue;
            }
        } else if b.get(j) != Some(&b'=') || b.get(j + 1) == Some(&b'=') {
            continue;
        }
        j += 1;
        skip_ws(&mut j);
        let Some(&quote) = b.get(j).filter(|&&q| q == b'"' || q == b'\'') else {
            continue;
        };
        let start = j + 1;
        let end = b[start..]
            .iter()
            .take(MAX_TARGET_LEN + 1)
            .position(|&c| c == quote || c == b'\n')
            .map(|e| start + e);
        match end {
            Some(end) if b[end] == quote => return Some(body[start..end].to_string()),
            _ => continue,
        }
    }
    None
}

/// An attribute's value in a tag (quoted or not), by name, any case.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let lower = tag.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        if at == 0 || !(b[at - 1].is_ascii_whitespace() || b[at - 1] == b'"' || b[at - 1] == b'\'')
        {
            continue;
        }
        let mut j = from;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if b.get(j) != Some(&b'=') {
            continue;
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        return Some(match b.get(j) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let rest = &tag[j + 1..];
                &rest[..rest.find(q as char).unwrap_or(rest.len())]
            }
            _ => {
                let rest = &tag[j..];
                let end = rest
                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                    .unwrap_or(rest.len());
                rest[..end].trim_end_matches('/')
            }
        });
    }
    None
}
