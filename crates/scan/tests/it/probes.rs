//! Probes against fake devices on loopback, including misbehaving ones: every case ends in a
//! status within its deadline, never a hang or a panic.

use scan::probe::{self, Cx, ProbeKind, Status};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What a fake device does with each connection.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Reply with these bytes after reading the request, then close.
    Reply(&'static [u8]),
    /// Say these bytes on connect, before any request.
    Greet(&'static [u8]),
    /// Accept and never answer.
    Silent,
    /// One byte every 100 ms, forever.
    Tarpit,
    /// Close at once.
    Close,
    /// Endless headers.
    HugeHeaders,
    /// Reply with the first bytes, pause longer than the idle timeout, then the rest.
    Paused(&'static [u8], &'static [u8]),
}

async fn device(addr: &str, b: Behaviour) -> SocketAddr {
    let listener = TcpListener::bind(addr).await.expect("bind loopback");
    let local = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                match b {
                    Behaviour::Reply(r) => {
                        let _ = s.read(&mut buf).await;
                        let _ = s.write_all(r).await;
                    }
                    Behaviour::Greet(g) => {
                        let _ = s.write_all(g).await;
                        let _ = s.read(&mut buf).await;
                    }
                    Behaviour::Silent => {
                        let _ = s.read(&mut buf).await;
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                    Behaviour::Tarpit => {
                        let _ = s.read(&mut buf).await;
                        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n").await;
                        loop {
                            if s.write_all(b"X").await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                    Behaviour::Paused(a, b) => {
                        let _ = s.read(&mut buf).await;
                        let _ = s.write_all(a).await;
                        tokio::time::sleep(Duration::from_millis(450)).await;
                        let _ = s.write_all(b).await;
                    }
                    Behaviour::Close => {}
                    Behaviour::HugeHeaders => {
                        let _ = s.read(&mut buf).await;
                        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n").await;
                        let line = b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
                        for _ in 0..100_000 {
                            if s.write_all(line).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    local
}

fn cx() -> Cx {
    Cx {
        connect_timeout: Duration::from_millis(500),
        read_timeout: Duration::from_millis(800),
        idle_timeout: Duration::from_millis(200),
        max_bytes: 64 * 1024,
        follow_ups: true,
        deadline: None,
    }
}

#[track_caller]
fn assert_quick(elapsed: Duration) {
    assert!(elapsed < Duration::from_secs(5), "probe took {elapsed:?}");
}

const HIK_401: &[u8] = b"HTTP/1.1 401 Unauthorized\r\nServer: DNVRS-Webs\r\nContent-Length: 0\r\nWWW-Authenticate: Digest realm=\"DS-7608NI-K2\", nonce=\"4e6a\"\r\n\r\n";

#[tokio::test]
async fn http_answer_with_follow_ups() {
    let addr = device("127.66.0.1:0", Behaviour::Reply(HIK_401)).await;
    let out = probe::http::run(&cx(), addr).await;
    assert_eq!(out.status, Status::AuthRequired);
    assert_eq!(out.answers[0].response, HIK_401);
    // The Hikvision hint asks ISAPI deviceInfo; the ONVIF calls are asked on web ports only.
    assert!(
        out.answers
            .iter()
            .any(|a| a.request.starts_with("GET /ISAPI/System/deviceInfo")),
        "{:?}",
        out.answers.iter().map(|a| &a.request).collect::<Vec<_>>()
    );
    assert_quick(out.elapsed);
}

#[tokio::test]
async fn rtsp_options_and_describe() {
    let r: &[u8] = b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nServer: Dahua Rtsp Server\r\nWWW-Authenticate: Digest realm=\"Login to 4L0123PAZ00000\", nonce=\"x\"\r\n\r\n";
    let addr = device("127.66.0.2:0", Behaviour::Reply(r)).await;
    let out = probe::rtsp::run(&cx(), addr).await;
    assert_eq!(out.status, Status::AuthRequired);
    assert_eq!(out.answers[0].kind, model::Kind::Rtsp);
    assert_quick(out.elapsed);
}

#[tokio::test]
async fn banner_services_speak_first() {
    let addr = device("127.66.0.3:0", Behaviour::Greet(b"SSH-2.0-HUAWEI-1.5\r\n")).await;
    let out = probe::banner::run(&cx(), addr).await;
    assert_eq!(out.status, Status::Success);
    assert_eq!(out.answers[0].response, b"SSH-2.0-HUAWEI-1.5\r\n");
}

#[tokio::test]
async fn misbehaving_devices_get_a_status_not_a_hang() {
    for (ip, b, want) in [
        ("127.66.0.4:0", Behaviour::Silent, Status::ReadTimeout),
        ("127.66.0.5:0", Behaviour::Close, Status::Closed),
        (
            "127.66.0.6:0",
            Behaviour::Reply(b"\x00\x01garbage\xff\xfe"),
            Status::NotThisProtocol,
        ),
    ] {
        let addr = device(ip, b).await;
        let out = probe::http::run(&cx(), addr).await;
        assert_eq!(out.status, want, "{ip}");
        assert_quick(out.elapsed);
    }
    let addr = device("127.66.0.7:0", Behaviour::Tarpit).await;
    let out = probe::http::run(&cx(), addr).await;
    assert_eq!(
        out.status,
        Status::ReadTimeout,
        "a tarpit is cut at the read deadline"
    );
    assert!(!out.answers.is_empty(), "what arrived is kept");
    assert_eq!(
        out.answers.len(),
        1,
        "a front page cut off by the deadline is asked nothing more"
    );
    assert_quick(out.elapsed);
    let addr = device("127.66.0.8:0", Behaviour::HugeHeaders).await;
    let out = probe::http::run(&cx(), addr).await;
    assert_eq!(out.status, Status::TooLarge);
    assert!(out.answers[0].response.len() <= 64 * 1024);
    assert_quick(out.elapsed);
}

#[tokio::test]
async fn a_pause_inside_a_declared_body_is_not_its_end() {
    let addr = device(
        "127.66.0.10:0",
        Behaviour::Paused(
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
            b"world",
        ),
    )
    .await;
    let out = probe::http::run(
        &Cx {
            follow_ups: false,
            ..cx()
        },
        addr,
    )
    .await;
    assert_eq!(out.status, Status::Success);
    assert!(
        out.answers[0].response.ends_with(b"helloworld"),
        "{:?}",
        String::from_utf8_lossy(&out.answers[0].response)
    );
    // A head cut off by the deadline is still recorded as HTTP, with a timeout status.
    let addr = device(
        "127.66.0.11:0",
        Behaviour::Paused(b"HTTP/1.1 401 Unauthorized\r\nServer: Webs\r\n", b""),
    )
    .await;
    let out = probe::http::run(
        &Cx {
            follow_ups: false,
            read_timeout: Duration::from_millis(300),
            ..cx()
        },
        addr,
    )
    .await;
    assert_eq!(out.status, Status::ReadTimeout);
    assert_eq!(out.answers[0].kind, model::Kind::Http);
}

#[tokio::test]
async fn closed_port_is_refused() {
    // Bind then drop: the port is now closed on this loopback address.
    let addr = TcpListener::bind("127.66.0.9:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr");
    let out = probe::http::run(&cx(), addr).await;
    assert_eq!(out.status, Status::Refused);
    let outs = probe::run(&cx(), addr, ProbeKind::Banner).await;
    assert_eq!(outs[0].status, Status::Refused);
}

proptest::proptest! {
    #[test]
    fn http_parse_is_total(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
        let _ = probe::http::parse(&bytes);
        let _ = probe::http::hints(&bytes, 80);
    }
}

/// A fake device that answers by request path (404 otherwise) and logs every request line.
async fn router(
    addr: &str,
    routes: &'static [(&'static str, &'static [u8])],
) -> (SocketAddr, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind(addr).await.expect("bind loopback");
    let local = listener.local_addr().expect("addr");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = log.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                let line = text.lines().next().unwrap_or("").to_string();
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                seen.lock().expect("log").push(line);
                let answer: &[u8] = routes
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map(|(_, a)| *a)
                    .unwrap_or(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                let _ = s.write_all(answer).await;
            });
        }
    });
    (local, log)
}

/// A made-up 1x1 icon, not any vendor's.
const ICON_200: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: image/x-icon\r\nContent-Length: 70\r\n\r\n\x00\x00\x01\x00\x01\x00\x01\x01\x00\x00\x01\x00\x20\x00\x30\x00\x00\x00\x16\x00\x00\x00\x28\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x01\x00\x20\x00\x00\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x80\xc0\xff\x00\x00\x00\x00";

#[tokio::test]
async fn the_probe_follows_the_front_page_like_a_browser() {
    const ROUTES: &[(&str, &[u8])] = &[
        (
            "/",
            b"HTTP/1.1 200 OK\r\nServer: webserver\r\nContent-Length: 119\r\n\r\n<html><head></head><script>window.location.href = \"/doc/page/login.asp?_\" + (new Date()).getTime();</script></html>\n\n\n\n",
        ),
        (
            "/doc/page/login.asp?_",
            b"HTTP/1.1 200 OK\r\nContent-Length: 63\r\n\r\n<html><link rel=\"icon\" href=\"/doc/favicon.png\"><title>x</title>",
        ),
        ("/favicon.ico", ICON_200),
        (
            "/ISAPI/System/deviceInfo",
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"made-up\", nonce=\"1\"\r\nContent-Length: 0\r\n\r\n",
        ),
    ];
    let (addr, log) = router("127.66.0.12:0", ROUTES).await;
    let out = probe::http::run(&cx(), addr).await;
    let requests: Vec<&str> = out.answers.iter().map(|a| a.request.as_str()).collect();
    // The front page, then its redirect target, the favicon, the icon the login page names,
    // then the vendor paths (the server looks embedded), each recorded with its request line.
    assert_eq!(requests[0], "GET / HTTP/1.1");
    assert_eq!(requests[1], "GET /doc/page/login.asp?_ HTTP/1.1");
    assert_eq!(requests[2], "GET /favicon.ico HTTP/1.1");
    assert_eq!(requests[3], "GET /doc/favicon.png HTTP/1.1");
    assert!(requests.contains(&"GET /ISAPI/System/deviceInfo HTTP/1.1"));
    let isapi = out
        .answers
        .iter()
        .find(|a| a.request.starts_with("GET /ISAPI/"))
        .expect("ISAPI answer");
    assert!(
        isapi.response.starts_with(b"HTTP/1.1 401"),
        "the 401 is kept"
    );
    let icon = &out.answers[2];
    assert_eq!(icon.kind, model::Kind::Http);
    assert_eq!(icon.response, ICON_200);
    // Every vendor path is a GET, and nothing was asked twice.
    let sent = log.lock().expect("log").clone();
    let mut unique = sent.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), sent.len(), "{sent:?}");
    for (path, _) in scan::probe::http::VENDOR_PATHS {
        assert!(
            sent.contains(&format!("GET {path} HTTP/1.1")),
            "{path} in {sent:?}"
        );
    }
    assert!(
        sent.iter()
            .all(|l| l.starts_with("GET ") || l.starts_with("POST /onvif/device_service ")),
        "{sent:?}"
    );
    assert_quick(out.elapsed);
}

#[tokio::test]
async fn a_redirect_elsewhere_is_not_followed() {
    const ROUTES: &[(&str, &[u8])] = &[(
        "/",
        b"HTTP/1.1 302 Found\r\nLocation: http://evil.example/steal?x=1\r\nContent-Length: 0\r\n\r\n",
    )];
    let (addr, log) = router("127.66.0.13:0", ROUTES).await;
    let out = probe::http::run(
        &Cx {
            follow_ups: true,
            ..cx()
        },
        addr,
    )
    .await;
    let sent = log.lock().expect("log").clone();
    assert!(
        sent.iter()
            .all(|l| !l.contains("steal") && !l.contains("evil")),
        "{sent:?}"
    );
    assert!(out.answers.iter().all(|a| !a.request.contains("steal")));
    // With follow-ups off, only the front page is asked.
    let (addr, log) = router("127.66.0.14:0", ROUTES).await;
    let out = probe::http::run(
        &Cx {
            follow_ups: false,
            ..cx()
        },
        addr,
    )
    .await;
    assert_eq!(out.answers.len(), 1);
    assert_eq!(log.lock().expect("log").len(), 1);
}
