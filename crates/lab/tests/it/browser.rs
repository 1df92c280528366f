//! End to end on loopback: a Hikvision persona serves what a browser sees first (a redirecting
//! front page, a favicon, a 401 on its API path), and the scanner's HTTP probe follows it.

use lab::persona::{LOGIN_PATH, MADE_UP_ICON, Proto};
use lab::{Placement, catalog};
use std::net::{Ipv4Addr, SocketAddr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_follows_a_hikvision_persona_like_a_browser() {
    let c = catalog();
    // A Hikvision persona with a plain web service, whose captures carry a Digest challenge.
    let (index, port) = c
        .iter()
        .enumerate()
        .find_map(|(i, p)| {
            let web = p
                .services
                .iter()
                .find(|s| s.proto == Proto::Http && s.tls.is_none())?;
            let has = |path: &str| web.answers.iter().any(|(k, _)| k.contains(path));
            (p.truth.manufacturer.as_deref() == Some("Hikvision")
                && p.hostile.is_none()
                && p.behaviour == lab::Behaviour::Normal
                && has(LOGIN_PATH)
                && has("/ISAPI/System/deviceInfo"))
            .then_some((i, web.port))
        })
        .expect("a Hikvision persona with a browser view");
    let address = Ipv4Addr::new(127, 74, 0, 9);
    let lab = lab::Lab::start(
        &[Placement {
            address,
            persona: index,
        }],
        &c,
    )
    .await
    .expect("lab starts (needs root for ports below 1024)");
    let out = scan::probe::http::run(
        &scan::probe::Cx::default(),
        SocketAddr::from((address, port)),
    )
    .await;
    let web = c[index]
        .services
        .iter()
        .find(|s| s.port == port && s.proto == Proto::Http)
        .expect("service");
    let served = |path: &str| {
        web.answers
            .iter()
            .find(|(k, _)| k.split_whitespace().nth(1) == Some(path))
            .map(|(_, a)| a.clone())
            .expect("served")
    };
    let asked = |req: &str| {
        out.answers
            .iter()
            .find(|a| a.request == req)
            .unwrap_or_else(|| {
                panic!(
                    "{req} not asked: {:?}",
                    out.answers.iter().map(|a| &a.request).collect::<Vec<_>>()
                )
            })
    };
    // The redirect was followed to the login page, which serves the captured front page.
    let login = asked(&format!("GET {LOGIN_PATH} HTTP/1.1"));
    assert_eq!(login.response, served(LOGIN_PATH));
    // The favicon was fetched and hashes as the made-up icon does (no vendor's real icon).
    let icon = asked("GET /favicon.ico HTTP/1.1");
    let f = fingerprint::extract(model::Kind::Http, Some(&icon.request), &icon.response);
    let want = fingerprint::favicon::Favicon::of_bytes(MADE_UP_ICON);
    assert_eq!(f.get("favicon.mmh3"), [want.mmh3.to_string()]);
    assert_eq!(f.get("favicon.md5"), [want.md5]);
    // The vendor path's answer (a 401 with the device's own challenge unless the capture has
    // that path) was asked and kept.
    let isapi = asked("GET /ISAPI/System/deviceInfo HTTP/1.1");
    assert_eq!(
        isapi.response,
        served("/ISAPI/System/deviceInfo"),
        "{}",
        String::from_utf8_lossy(&isapi.response)
    );
    lab.stop().await;
}
