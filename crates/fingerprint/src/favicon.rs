//! Favicon hashes: from an HTTP answer to an icon request, the MD5 (hex) and the MurmurHash3
//! that Shodan and Censys index (`http.favicon.hash`), so that fingerprints can match a web UI's
//! icon (`field = "favicon.mmh3"`, `pattern = "^-?1234$"`; `favicon.md5` for recog's lists).
//!
//! Shodan's hash is mmh3 x86_32, seed 0, read as a signed integer, over the icon's base64 text
//! with a newline after every 76 characters and at the end (Python's `base64.encodebytes`).
//! Only an answer to an icon path with status 200 is an icon: a 404 page or a login page served
//! for every path is not, and hashing it would hide its text from the other fields.

use base64::Engine;
use md5::{Digest, Md5};

/// Most bytes of an icon hashed. Real favicons are a few KiB; an "icon" larger than this is a
/// page or a stream, not an icon.
pub const MAX_ICON_BYTES: usize = 1024 * 1024;

/// Icon file names and extensions a request may ask for.
const ICON_EXTENSIONS: &[&str] = &[".ico", ".png", ".gif", ".svg", ".jpg", ".jpeg", ".bmp"];

/// The two hashes of one icon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Favicon {
    /// Lower-case hex MD5 of the icon's bytes.
    pub md5: String,
    /// Shodan-style mmh3, signed.
    pub mmh3: i32,
}

impl Favicon {
    /// The hashes of `bytes`, whatever they are.
    pub fn of_bytes(bytes: &[u8]) -> Favicon {
        Favicon {
            md5: Md5::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            mmh3: shodan_mmh3(bytes),
        }
    }

    /// The hashes of an answer when it is an icon: the request asked for an icon path and the
    /// answer is a 200 with a body that is not an HTML page. A capture of the body alone (no
    /// status line) counts, as captures of icons often are. `request` is the request line
    /// (`GET /favicon.ico HTTP/1.1`) or the path.
    pub fn of_answer(request: Option<&str>, response: &[u8]) -> Option<Favicon> {
        if !request.and_then(request_path).is_some_and(is_icon_path) {
            return None;
        }
        let body = icon_body(response)?;
        if body.is_empty() || body.len() > MAX_ICON_BYTES || looks_like_page(&body) {
            return None;
        }
        Some(Favicon::of_bytes(&body))
    }
}

/// Whether a request path names an icon: its file name ends in an image extension or contains
/// `favicon` (`/favicon.ico`, `/images/favicon.png?v=2`, `/apple-touch-icon.png`).
pub fn is_icon_path(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let name = path.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    name.contains("favicon") || ICON_EXTENSIONS.iter().any(|e| name.ends_with(e))
}

/// Shodan's favicon hash of `bytes` (see the module comment).
pub fn shodan_mmh3(bytes: &[u8]) -> i32 {
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut text = Vec::with_capacity(b64.len() + b64.len() / 76 + 1);
    for line in b64.as_bytes().chunks(76) {
        text.extend_from_slice(line);
        text.push(b'\n');
    }
    // Reading from a slice cannot fail.
    murmur3::murmur3_32(&mut std::io::Cursor::new(&text), 0).unwrap_or(0) as i32
}

/// The path of a request line (`GET /x HTTP/1.1`) or of a bare path.
fn request_path(request: &str) -> Option<&str> {
    let first = request.lines().next()?.trim();
    if first.starts_with('/') {
        return first.split_whitespace().next();
    }
    first.split_whitespace().nth(1)
}

/// The body of a 200 answer (de-chunked when the answer says so), or the whole answer when it
/// has no status line. None for any other status or a head without its end.
fn icon_body(response: &[u8]) -> Option<Vec<u8>> {
    let start = response
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(response.len());
    let resp = &response[start..];
    if !resp.starts_with(b"HTTP/") {
        return Some(response.to_vec());
    }
    let (head_len, sep) = [&b"\r\n\r\n"[..], b"\n\n"]
        .iter()
        .filter_map(|sep| find(resp, sep).map(|i| (i, sep.len())))
        .min()?;
    let head = String::from_utf8_lossy(&resp[..head_len]).to_ascii_lowercase();
    let code = head.lines().next()?.split_whitespace().nth(1)?;
    if code != "200" {
        return None;
    }
    let body = &resp[head_len + sep..];
    let chunked = head
        .lines()
        .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
    Some(if chunked {
        dechunk(body)
    } else {
        body.to_vec()
    })
}

/// A chunked body's data. A malformed or cut-off chunk ends the data where it stands.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = find(body, b"\r\n") {
        let size_text = String::from_utf8_lossy(&body[..eol]);
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_hex, 16) else {
            break;
        };
        let data = &body[eol + 2..];
        if size == 0 || out.len().saturating_add(size) > MAX_ICON_BYTES {
            break;
        }
        out.extend_from_slice(&data[..size.min(data.len())]);
        if data.len() < size + 2 {
            break;
        }
        body = &data[size + 2..];
    }
    out
}

/// Whether a body is an HTML page (what many devices serve for any path).
fn looks_like_page(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let lead = &body[start..body.len().min(start + 16)];
    let lead = String::from_utf8_lossy(lead).to_ascii_lowercase();
    ["<!doctype html", "<html", "<head", "<script", "<body"]
        .iter()
        .any(|p| lead.starts_with(p))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A made-up 1x1 icon (one blue-grey pixel), not any vendor's: 70 bytes of ICO.
    const ICON_HEX: &str = "00000100010001010000010020003000000016000000280000000100000002000000010020000000000008000000000000000000000000000000000000004080c0ff00000000";

    fn icon() -> Vec<u8> {
        (0..ICON_HEX.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&ICON_HEX[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// Expected values computed independently with Python 3.11 and mmh3 5 (pip install mmh3):
    /// `hashlib.md5(data).hexdigest()` and `mmh3.hash(base64.encodebytes(data))`. The 57- and
    /// 58-byte inputs put the base64 text exactly at, and one group past, a 76-character line.
    #[test]
    fn hashes_match_python() {
        let cases: [(Vec<u8>, &str, i32); 5] = [
            (
                b"hello".to_vec(),
                "5d41402abc4b2a76b9719d911017c592",
                1_155_597_304,
            ),
            (
                (0..57u8).collect(),
                "5320ef4c17ef34a0cf2db763338d25eb",
                459_585_070,
            ),
            (
                (0..58u8).collect(),
                "9f4f41b5cde885f94cfc0e06e78f929d",
                -280_317_500,
            ),
            (
                (0..200u32).map(|i| (i * 7 % 256) as u8).collect(),
                "d96c89b9da43f6903ceaa14a7166a22e",
                -678_414_896,
            ),
            (icon(), "9a5e8a39f6b8fc28b87af764c6c669ba", 1_017_253_087),
        ];
        for (data, md5, mmh3) in cases {
            let got = Favicon::of_bytes(&data);
            assert_eq!(got.md5, md5, "{} bytes", data.len());
            assert_eq!(got.mmh3, mmh3, "{} bytes", data.len());
        }
    }

    fn answer(head: &str, body: &[u8]) -> Vec<u8> {
        let mut v = head.as_bytes().to_vec();
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn only_a_200_to_an_icon_path_is_an_icon() {
        let ok = answer(
            "HTTP/1.1 200 OK\r\nContent-Type: image/x-icon\r\nContent-Length: 70\r\n\r\n",
            &icon(),
        );
        let want = Some(Favicon::of_bytes(&icon()));
        assert_eq!(
            Favicon::of_answer(Some("GET /favicon.ico HTTP/1.1"), &ok),
            want
        );
        assert_eq!(
            Favicon::of_answer(Some("GET /img/favicon.png?v=3 HTTP/1.1"), &ok),
            want
        );
        // The body alone, as captures often keep it.
        assert_eq!(Favicon::of_answer(Some("/favicon.ico"), &icon()), want);
        // Not an icon path, no request, another status, an HTML page, an empty body.
        assert_eq!(Favicon::of_answer(Some("GET / HTTP/1.1"), &ok), None);
        assert_eq!(Favicon::of_answer(None, &ok), None);
        for status in ["404 Not Found", "401 Unauthorized", "302 Found"] {
            let a = answer(&format!("HTTP/1.1 {status}\r\n\r\n"), &icon());
            assert_eq!(
                Favicon::of_answer(Some("GET /favicon.ico HTTP/1.1"), &a),
                None,
                "{status}"
            );
        }
        let page = answer(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
            b"\n<!DOCTYPE html><html><title>Login</title></html>",
        );
        assert_eq!(
            Favicon::of_answer(Some("GET /favicon.ico HTTP/1.1"), &page),
            None
        );
        let empty = answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", b"");
        assert_eq!(
            Favicon::of_answer(Some("GET /favicon.ico HTTP/1.1"), &empty),
            None
        );
    }

    #[test]
    fn a_chunked_icon_is_hashed_whole() {
        let bytes = icon();
        let (a, b) = bytes.split_at(30);
        let mut body = format!("{:x}\r\n", a.len()).into_bytes();
        body.extend_from_slice(a);
        body.extend_from_slice(format!("\r\n{:X};ext=1\r\n", b.len()).as_bytes());
        body.extend_from_slice(b);
        body.extend_from_slice(b"\r\n0\r\n\r\n");
        let resp = answer(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            &body,
        );
        assert_eq!(
            Favicon::of_answer(Some("GET /favicon.ico HTTP/1.1"), &resp),
            Some(Favicon::of_bytes(&bytes))
        );
        // A lying chunk size neither panics nor reads past the answer.
        let lie = answer(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"ffffffff\r\nabc",
        );
        assert!(Favicon::of_answer(Some("GET /favicon.ico HTTP/1.1"), &lie).is_none());
    }

    /// What a fingerprint reads: the fields of an extracted answer.
    #[test]
    fn extraction_exposes_the_hashes_as_fields() {
        let ok = answer(
            "HTTP/1.1 200 OK\r\nServer: made-up\r\nContent-Type: image/x-icon\r\n\r\n",
            &icon(),
        );
        let f = crate::extract(model::Kind::Http, Some("GET /favicon.ico HTTP/1.1"), &ok);
        assert_eq!(f.get("favicon.md5"), ["9a5e8a39f6b8fc28b87af764c6c669ba"]);
        assert_eq!(f.get("favicon.mmh3"), ["1017253087"]);
        assert_eq!(f.get("header.server"), ["made-up"]);
        // A 404 page for the icon keeps its text and has no hashes.
        let missing = b"HTTP/1.1 404 Not Found\r\n\r\n<html><title>Not Found</title></html>";
        let f = crate::extract(
            model::Kind::Http,
            Some("GET /favicon.ico HTTP/1.1"),
            missing,
        );
        assert!(f.get("favicon.md5").is_empty());
        assert_eq!(f.get("title"), ["Not Found"]);
    }

    #[test]
    fn icon_paths() {
        for p in [
            "/favicon.ico",
            "/FAVICON.ICO",
            "/doc/images/favicon.png?v=1",
            "/apple-touch-icon.png",
            "/logo.svg#x",
        ] {
            assert!(is_icon_path(p), "{p}");
        }
        for p in [
            "/",
            "/index.html",
            "/ico",
            "/favicon.ico/../login.asp?x",
            "/a.icon.html",
        ] {
            assert!(!is_icon_path(p), "{p}");
        }
    }
}
