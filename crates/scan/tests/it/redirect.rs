//! The front page's redirect and icon link: real redirect pages (sources cited) are followed
//! to the same host and port; hostile ones (other hosts, scheme tricks, huge or unprintable
//! targets, state-changing paths) are refused.

use scan::probe::redirect::{MAX_TARGET_LEN, follow_path, icon_path, same_origin_path};
use std::net::SocketAddr;

fn at(s: &str) -> SocketAddr {
    s.parse().expect("address")
}

fn http(head: &str, body: &str) -> Vec<u8> {
    format!("{head}\r\nContent-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[test]
fn real_redirect_pages_are_followed() {
    let dev = at("192.0.2.10:80");
    for (answer, want, source) in [
        (
            http(
                "HTTP/1.1 200 OK\r\nServer: Webs",
                "<!DOCTYPE html>\n<html><head><title></title></head><body></body>\n<script>\nwindow.location.href = \"/doc/page/login.asp?_\" + (new Date()).getTime();\n</script>\n</html>",
            ),
            "/doc/page/login.asp?_",
            // The script line quoted as the Hikvision root-page signature.
            "https://github.com/urbanadventurer/WhatWeb/pull/425",
        ),
        (
            http(
                "HTTP/1.1 200 OK",
                "<!DOCTYPE html PUBLIC \"-//W3C//Dtd XHTML 1.0 Strict//EN\" \"http://www.w3.org/tr/xhtml1/Dtd/xhtml1-Transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"utf-8\" lang=\"utf-8\" dir=\"ltr\">\n<head>\n<title></title>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\" />\n<meta http-equiv=\"refresh\" content=\"0; url=/login.html\" />\n</head>\n<body>\n</body>\n</html>",
            ),
            "/login.html",
            // A Nokia gateway's front page.
            "https://github.com/Ozark-Connect/NetworkOptimizer/issues/929",
        ),
        (
            b"HTTP/1.0 302 Found\nLocation: /cgi-bin/guestimage.html\nContent-type: text/html; charset=ISO-8859-1\n\n<html><head><title>\nRedirect to guestimage: /cgi-bin/guestimage.html\n</title></head></html>".to_vec(),
            "/cgi-bin/guestimage.html",
            // A Mobotix camera's front page.
            "https://github.com/nmap/nmap/blob/master/nmap-service-probes",
        ),
        (
            http(
                "HTTP/1.0 200 OK",
                "<html><head><META http-equiv=\"refresh\" content=\"0;URL=default-ru-RU.htm\"></head></html>",
            ),
            "/default-ru-RU.htm",
            // A relative meta refresh.
            "https://github.com/nmap/nmap/blob/master/nmap-service-probes",
        ),
    ] {
        assert_eq!(
            follow_path(&answer, dev, false).as_deref(),
            Some(want),
            "{source}"
        );
    }
}

#[test]
fn script_redirect_forms() {
    let dev = at("192.0.2.10:8080");
    for (body, want) in [
        (
            "<script>location.replace(\"/index.htm\")</script>",
            "/index.htm",
        ),
        ("<script>top.location='/login.htm';</script>", "/login.htm"),
        (
            "<script>window.location.replace( './web/index.html' );</script>",
            "/web/index.html",
        ),
        (
            "<script>document.location = \"http://192.0.2.10:8080/x/y.html\"</script>",
            "/x/y.html",
        ),
        (
            "<script>self.location.href=\"../a/b/../c.asp\"</script>",
            "/a/c.asp",
        ),
    ] {
        let answer = http("HTTP/1.1 200 OK", body);
        assert_eq!(
            follow_path(&answer, dev, false).as_deref(),
            Some(want),
            "{body}"
        );
    }
    // Comparisons, other names and code in a large application are not redirects.
    for body in [
        "<script>if (location.href == \"/x\") {}</script>",
        "<script>var mylocation = \"/x\";</script>",
        "<script>location.href.indexOf(\"/x\")</script>",
        "<script>window.location.href = url;</script>",
    ] {
        let answer = http("HTTP/1.1 200 OK", body);
        assert_eq!(follow_path(&answer, dev, false), None, "{body}");
    }
    let app = format!(
        "<html>{}<script>function go(){{ window.location.href = \"/next.html\"; }}</script></html>",
        " ".repeat(5000)
    );
    assert_eq!(
        follow_path(&http("HTTP/1.1 200 OK", &app), dev, false),
        None
    );
}

#[test]
fn hostile_targets_are_refused() {
    let dev = at("192.0.2.10:80");
    let long = format!("/{}", "a".repeat(MAX_TARGET_LEN));
    for target in [
        "http://evil.example/login",
        "//evil/",
        "//evil.example:80/x",
        "/\\evil.example/x",
        "\\\\evil.example\\x",
        "http://192.0.2.10@evil.example/",
        "http://192.0.2.11/login.html",
        "http://192.0.2.10:8080/login.html",
        "https://192.0.2.10/login.html",
        "javascript:alert(1)",
        "JavaScript:location='//evil'",
        "data:text/html,<script>x</script>",
        "ftp://192.0.2.10/x",
        long.as_str(),
        "/login\r\nX-Injected: 1",
        "/log in.html",
        "/caf\u{e9}.html",
        "/cgi-bin/reboot.cgi",
        "/logout.html",
        "/goform/setFactoryDefault",
        "/",
        "./",
        "",
        "https://(null)/",
    ] {
        assert_eq!(same_origin_path(target, dev, false), None, "{target:?}");
    }
    // The real Huawei redirect with no host in it leads nowhere.
    let huawei = b"HTTP/1.1 307 \r\nLOCATION: https://(null)/\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(follow_path(huawei, dev, false), None);
    // A huge Location header is refused, not truncated into something else.
    let huge = format!(
        "HTTP/1.1 302 Found\r\nLocation: /{}\r\n\r\n",
        "x".repeat(100_000)
    );
    assert_eq!(follow_path(huge.as_bytes(), dev, false), None);
}

#[test]
fn absolute_urls_to_the_scanned_address_are_followed() {
    for (target, addr, tls, want) in [
        (
            "http://192.0.2.10/a.html",
            "192.0.2.10:80",
            false,
            "/a.html",
        ),
        (
            "HTTP://192.0.2.10:80/a.html",
            "192.0.2.10:80",
            false,
            "/a.html",
        ),
        (
            "//192.0.2.10:8000/a?b=c#frag",
            "192.0.2.10:8000",
            false,
            "/a?b=c",
        ),
        ("https://192.0.2.10/doc/", "192.0.2.10:443", true, "/doc/"),
        (
            "https://[2001:DB8::1]:8443/x",
            "[2001:db8::1]:8443",
            true,
            "/x",
        ),
        ("?page=login", "192.0.2.10:80", false, "/?page=login"),
    ] {
        assert_eq!(
            same_origin_path(target, at(addr), tls).as_deref(),
            Some(want),
            "{target}"
        );
    }
}

#[test]
fn the_icon_a_page_names() {
    let dev = at("192.0.2.10:80");
    for (body, want) in [
        (
            "<link rel=\"icon\" type=\"image/icon\" href=\"/favicon.ico\"/>",
            Some("/favicon.ico"),
        ),
        (
            "<LINK HREF='images/logo.png' REL='shortcut icon'>",
            Some("/images/logo.png"),
        ),
        (
            "<link rel=stylesheet href=/a.css><link rel=icon href=/i.gif>",
            Some("/i.gif"),
        ),
        (
            "<link rel=\"icon\" href=\"http://evil.example/i.ico\">",
            None,
        ),
        ("<link rel=\"stylesheet\" href=\"/a.css\">", None),
    ] {
        let answer = http("HTTP/1.1 200 OK", body);
        assert_eq!(icon_path(&answer, dev, false).as_deref(), want, "{body}");
    }
}

proptest::proptest! {
    #[test]
    fn redirect_parsing_is_total(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
        let dev = at("192.0.2.10:80");
        if let Some(p) = follow_path(&bytes, dev, false) {
            proptest::prop_assert!(p.starts_with('/') && p.len() <= MAX_TARGET_LEN + 1);
            proptest::prop_assert!(p.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        }
        let _ = icon_path(&bytes, dev, true);
    }
}
