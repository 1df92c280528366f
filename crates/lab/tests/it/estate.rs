//! Estate layout and serving.

use lab::{EstateConfig, catalog, plan};

#[test]
fn catalog_has_covered_and_other_devices_and_misbehavers() {
    let c = catalog();
    assert!(c.len() >= 50, "{} personas", c.len());
    assert!(c.iter().filter(|p| p.truth.covered).count() >= 20);
    assert!(c.iter().filter(|p| !p.truth.covered).count() >= 20);
    for id in [
        "misbehaving-slow",
        "misbehaving-tarpit",
        "misbehaving-garbage",
        "misbehaving-reset",
        "misbehaving-huge-headers",
        "misbehaving-tls-only",
    ] {
        assert!(c.iter().any(|p| p.id == id), "{id}");
    }
    assert!(c.iter().all(|p| !p.services.is_empty()));
}

#[test]
fn layout_is_reproducible_and_stays_on_loopback() {
    let c = catalog();
    let cfg = EstateConfig {
        devices: 300,
        net: "127.71.0.0/20".parse().unwrap(),
        seed: 42,
        misbehaving: 0.05,
        hostile: 0,
        each: false,
    };
    let a = plan(&cfg, &c).expect("plan");
    let b = plan(&cfg, &c).expect("plan");
    assert_eq!(a.len(), 300);
    assert_eq!(
        a.iter().map(|p| (p.address, p.persona)).collect::<Vec<_>>(),
        b.iter().map(|p| (p.address, p.persona)).collect::<Vec<_>>()
    );
    let mut addrs: Vec<_> = a.iter().map(|p| p.address).collect();
    addrs.dedup();
    assert_eq!(addrs.len(), 300, "distinct addresses");
    assert!(a.iter().all(|p| cfg.net.contains(&p.address)));
    let other = plan(
        &EstateConfig {
            seed: 43,
            ..cfg.clone()
        },
        &c,
    )
    .expect("plan");
    assert_ne!(
        a.iter().map(|p| p.address).collect::<Vec<_>>(),
        other.iter().map(|p| p.address).collect::<Vec<_>>()
    );
    assert!(
        plan(
            &EstateConfig {
                net: "10.0.0.0/24".parse().unwrap(),
                ..cfg.clone()
            },
            &c
        )
        .is_err(),
        "never outside loopback"
    );
    assert!(
        plan(
            &EstateConfig {
                devices: 20,
                net: "127.71.0.0/28".parse().unwrap(),
                ..cfg
            },
            &c
        )
        .is_err(),
        "too small a net"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_devices_answer_with_their_captured_bytes() {
    let c = catalog();
    let cfg = EstateConfig {
        devices: 40,
        net: "127.72.0.0/24".parse().unwrap(),
        seed: 5,
        misbehaving: 0.0,
        hostile: 0,
        each: false,
    };
    let placements = plan(&cfg, &c).expect("plan");
    let lab = lab::Lab::start(&placements, &c)
        .await
        .expect("lab starts (run as root for ports below 1024)");
    // Pick a device with a plain HTTP service on port 80 and ask it for its front page.
    let (p, svc) = placements
        .iter()
        .find_map(|p| {
            c[p.persona]
                .services
                .iter()
                .find(|s| s.port == 80 && s.tls.is_none() && s.proto == lab::persona::Proto::Http)
                .map(|s| (p, s))
        })
        .expect("an HTTP device");
    let mut s = tokio::net::TcpStream::connect((p.address, 80))
        .await
        .expect("connect");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let req = format!(
        "GET {} HTTP/1.1\r\nHost: x\r\n\r\n",
        svc.answers[0].0.split_whitespace().nth(1).unwrap_or("/")
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut got = Vec::new();
    s.read_to_end(&mut got).await.expect("read");
    assert_eq!(got, svc.answers[0].1);
    lab.stop().await;
}

#[test]
fn each_places_every_labelled_unit_once() {
    // Two units from a labelled set: each gets one device, whatever `devices` says.
    let set = concat!(
        r#"{"id":"a-1","device":"a","kind":"rtsp","port":554,"request":"OPTIONS * RTSP/1.0","response":"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Rtsp Server/3.0\r\n\r\n","truth":{"manufacturer":"Dahua","covered":true}}"#,
        "\n",
        r#"{"id":"b-1","device":"b","kind":"http","port":80,"request":"GET / HTTP/1.1","response":"HTTP/1.1 200 OK\r\nServer: Boa/0.94.14rc21\r\n\r\n<html></html>","truth":{"manufacturer":null,"covered":false}}"#,
        "\n",
    );
    let c = lab::catalog_from([set]);
    let placed = plan(
        &EstateConfig {
            devices: 50,
            net: "127.71.64.0/28".parse().unwrap(),
            each: true,
            ..EstateConfig::default()
        },
        &c,
    )
    .expect("plan");
    let mut ids: Vec<&str> = placed.iter().map(|p| c[p.persona].id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["a", "b"]);
}
