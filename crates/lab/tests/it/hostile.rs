//! Hostile personas: each kind is in the catalog with the answers its attack needs, is laid
//! out beside the good devices without moving them, and misbehaves on the wire as described.

use lab::hostile::{self, Hostile};
use lab::{EstateConfig, Persona, catalog, plan};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn persona(c: &[Persona], kind: Hostile) -> &Persona {
    c.iter()
        .find(|p| p.hostile == Some(kind))
        .unwrap_or_else(|| panic!("no {} persona", kind.name()))
}

/// The body of a persona's answer to `request` (e.g. "GET /") on `port`.
fn body<'a>(p: &'a Persona, port: u16, request: &str) -> &'a str {
    let service = p
        .services
        .iter()
        .find(|s| s.port == port)
        .unwrap_or_else(|| panic!("{} has no port {port}", p.id));
    let (_, answer) = service
        .answers
        .iter()
        .find(|(k, _)| k.starts_with(&format!("{request} ")))
        .unwrap_or_else(|| panic!("{} has no answer to {request} on {port}", p.id));
    let text = std::str::from_utf8(answer).expect("hostile answers are text");
    let (_, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    body
}

/// One kind's answer: its size range and a property of its body.
#[track_caller]
fn check(kind: Hostile, port: u16, request: &str, size: (usize, usize), has: fn(&str) -> bool) {
    let c = catalog();
    let b = body(persona(&c, kind), port, request);
    assert!(
        (size.0..=size.1).contains(&b.len()),
        "{} {request} on {port}: {} bytes, want {size:?}",
        kind.name(),
        b.len()
    );
    assert!(has(b), "{} {request} on {port}", kind.name());
}

#[test]
fn every_kind_is_in_the_catalog_with_its_attack() {
    let c = catalog();
    let kinds: Vec<Hostile> = c.iter().filter_map(|p| p.hostile).collect();
    assert_eq!(kinds, Hostile::ALL, "one persona per kind, in order, last");
    assert!(
        c[c.len() - kinds.len()..]
            .iter()
            .all(|p| p.hostile.is_some())
    );
    for p in c.iter().filter(|p| p.hostile.is_some()) {
        let kind = p.hostile.expect("hostile");
        assert_eq!(p.id, format!("hostile-{}", kind.name()));
        assert_eq!(p.truth.covered, kind == Hostile::SerialClone, "{}", p.id);
        assert!(!p.services.is_empty(), "{}", p.id);
    }
    // Every answer fits the scanner's answer cap, so identification sees all of it.
    let cap = scan::probe::Cx::default().max_bytes;
    for p in c.iter().filter(|p| p.hostile.is_some()) {
        for s in &p.services {
            for (k, a) in &s.answers {
                assert!(a.len() <= cap, "{} {k}: {} bytes", p.id, a.len());
            }
        }
    }

    const KIB: usize = 1024;
    check(
        Hostile::EntityBomb,
        80,
        "GET /",
        (19 * KIB, 20 * KIB),
        |b| {
            // Expanded, the references make gigabytes.
            let refs = b.matches("&e1;").count();
            let expanded = refs * hostile::BOMB_FANOUT * hostile::BOMB_LITERAL_BYTES;
            b.contains("<!ENTITY e1 ") && expanded > 4 << 30
        },
    );
    check(
        Hostile::EntityBomb,
        80,
        "GET /ISAPI/System/deviceInfo",
        (19 * KIB, 20 * KIB),
        |b| b.contains("<!DOCTYPE"),
    );
    check(
        Hostile::AttributeFlood,
        80,
        "GET /",
        (200 * KIB, 240 * KIB),
        |b| b.matches("<setting ").count() > 1_000 && b.matches("=\"").count() > 3_000,
    );
    check(
        Hostile::DeepJson,
        80,
        "GET /",
        (195 * KIB, 240 * KIB),
        |b| b.contains(&"[".repeat(hostile::JSON_DEPTH)) && serde_json_depth_rejected(b),
    );
    check(
        Hostile::DeepJson,
        8080,
        "GET /",
        (200 * KIB, 240 * KIB),
        |b| {
            let v: serde_json::Value = serde_json::from_str(b).expect("well-formed");
            let mut depth = 0;
            let mut node = &v;
            while let Some(next) = node
                .as_object()
                .and_then(|o| o.values().find(|v| v.is_object()))
            {
                node = next;
                depth += 1;
            }
            depth == hostile::WIDE_JSON_DEPTH
        },
    );
    check(
        Hostile::HugeManufacturer,
        80,
        "GET /",
        (200 * KIB, 240 * KIB),
        |b| manufacturer_len(b, "<manufacturer>") >= 80 * KIB,
    );
    check(
        Hostile::HugeManufacturer,
        80,
        "POST /onvif/device_service",
        (160 * KIB, 240 * KIB),
        |b| manufacturer_len(b, "<tds:Manufacturer>") >= 80 * KIB,
    );
    check(
        Hostile::ManyBigAnswers,
        8112,
        "POST /onvif/device_service",
        (53 * KIB, 54 * KIB),
        |b| b.matches("<tds:Model>").count() > 500,
    );
    check(Hostile::MacListRouter, 80, "GET /", (500, 2 * KIB), |b| {
        b.contains("04:03:12:") && b.contains("08:ED:ED:") && b.contains("<DHCPClients>")
    });
    check(
        Hostile::SerialClone,
        80,
        "GET /ISAPI/System/deviceInfo",
        (500, 4 * KIB),
        |b| {
            b.contains("<serialNumber>DS-2CD2146G2-ISU00000000AAWRG00000000</serialNumber>")
                && !b.contains("cb:6e:4f:d0:7b:1f")
        },
    );
    let many = persona(&c, Hostile::ManyBigAnswers);
    assert_eq!(many.services.len(), hostile::MANY_PORTS.len());
}

fn serde_json_depth_rejected(b: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(b).is_err()
}

fn manufacturer_len(b: &str, open: &str) -> usize {
    let start = b.find(open).map(|i| i + open.len()).unwrap_or(0);
    b[start..].find('<').unwrap_or(0)
}

#[test]
fn hostile_devices_leave_the_others_where_they_were() {
    let c = catalog();
    let good = EstateConfig {
        devices: 200,
        net: "127.75.0.0/20".parse().unwrap(),
        seed: 7,
        misbehaving: 0.03,
        hostile: 0,
        each: false,
    };
    let mixed = EstateConfig {
        hostile: 50,
        ..good.clone()
    };
    let a = plan(&good, &c).expect("plan");
    let b = plan(&mixed, &c).expect("plan");
    assert!(a.iter().all(|p| c[p.persona].hostile.is_none()));
    let others: Vec<_> = b
        .iter()
        .filter(|p| c[p.persona].hostile.is_none())
        .map(|p| (p.address, p.persona))
        .collect();
    assert_eq!(
        others,
        a.iter().map(|p| (p.address, p.persona)).collect::<Vec<_>>()
    );
    let kinds: Vec<Hostile> = b.iter().filter_map(|p| c[p.persona].hostile).collect();
    assert_eq!(kinds.len(), 50);
    assert_eq!(
        kinds.iter().collect::<BTreeSet<_>>().len(),
        Hostile::ALL.len()
    );
    for k in Hostile::ALL {
        assert_eq!(kinds.iter().filter(|&&x| x == k).count(), 5, "{}", k.name());
    }
    let addrs: BTreeSet<_> = b.iter().map(|p| p.address).collect();
    assert_eq!(addrs.len(), 250, "distinct addresses");
    let truth = lab::estate::truth_jsonl(&b, &c);
    let lines: Vec<serde_json::Value> = truth
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let hostile: Vec<_> = lines
        .iter()
        .filter(|l| l.get("hostile").is_some())
        .collect();
    assert_eq!(hostile.len(), 50);
    assert!(hostile.iter().all(|l| {
        l["covered"].as_bool() == Some(l["hostile"] == "serial-clone")
            && l["persona"].as_str() == Some(&format!("hostile-{}", l["hostile"].as_str().unwrap()))
    }));
    assert!(
        plan(
            &EstateConfig {
                devices: 10,
                hostile: 10,
                net: "127.75.0.0/28".parse().unwrap(),
                ..good
            },
            &c
        )
        .is_err(),
        "hostile devices need room too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_devices_misbehave_on_the_wire() {
    let c = catalog();
    let placements = plan(
        &EstateConfig {
            devices: 0,
            net: "127.76.0.0/24".parse().unwrap(),
            seed: 3,
            misbehaving: 0.0,
            hostile: 10,
            each: false,
        },
        &c,
    )
    .expect("plan");
    let lab = lab::Lab::start(&placements, &c)
        .await
        .expect("lab starts (run as root for ports below 1024)");
    let at = |kind: Hostile| {
        placements
            .iter()
            .find(|p| c[p.persona].hostile == Some(kind))
            .expect("placed")
            .address
    };
    let port = hostile::MANY_PORTS[3];
    let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    // The tarpit says nothing while the connection is held.
    let mut s = tokio::net::TcpStream::connect((at(Hostile::Tarpit), port))
        .await
        .expect("connect");
    s.write_all(request).await.expect("write");
    let mut buf = [0u8; 64];
    let silent = tokio::time::timeout(Duration::from_millis(600), s.read(&mut buf)).await;
    assert!(silent.is_err(), "the tarpit answered: {silent:?}");

    // The drip sends a plausible head, one byte per interval.
    let mut s = tokio::net::TcpStream::connect((at(Hostile::ByteDrip), port))
        .await
        .expect("connect");
    s.write_all(request).await.expect("write");
    let started = Instant::now();
    let mut got = Vec::new();
    while got.len() < 4 {
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .expect("a byte within the upper bound")
            .expect("read");
        assert!(n > 0, "the drip closed");
        got.extend_from_slice(&buf[..n]);
    }
    assert!(got.starts_with(b"HTTP"), "{got:?}");
    assert!(
        started.elapsed() >= hostile::DRIP_INTERVAL * 3,
        "4 bytes in {:?}",
        started.elapsed()
    );

    // The flooder answers one datagram with more distinct, valid replies than the released
    // scanner kept for a whole protocol.
    for (port, valid) in [
        (
            3702u16,
            (|b: &[u8]| scan::discover::wsd::parse(b).is_ok()) as fn(&[u8]) -> bool,
        ),
        (1900, |b: &[u8]| scan::discover::ssdp::parse(b).is_ok()),
    ] {
        let sock = socket2::Socket::new(
            socket2::Domain::IPV4,
            socket2::Type::DGRAM,
            Some(socket2::Protocol::UDP),
        )
        .expect("socket");
        // Large enough for the whole flood, so that this counts what the lab sent.
        let _ = sock.set_recv_buffer_size(8 << 20);
        sock.set_nonblocking(true).expect("nonblocking");
        sock.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
            .expect("bind");
        let sock = tokio::net::UdpSocket::from_std(sock.into()).expect("tokio socket");
        sock.send_to(b"probe", (at(Hostile::UdpFlood), port))
            .await
            .expect("send");
        let mut seen = BTreeSet::new();
        let mut buf = vec![0u8; 65536];
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while seen.len() < hostile::FLOOD_REPLIES {
            match tokio::time::timeout_at(deadline, sock.recv_from(&mut buf)).await {
                Ok(Ok((n, _))) => {
                    assert!(valid(&buf[..n]), "port {port}: invalid reply");
                    seen.insert(buf[..n].to_vec());
                }
                _ => break,
            }
        }
        assert!(
            seen.len() > 1_024,
            "port {port}: {} distinct replies",
            seen.len()
        );
    }
    lab.stop().await;
}
