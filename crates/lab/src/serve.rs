//! Serving an estate: one listener per device service, each connection answered from the
//! persona's captured answers (or misbehaving as the persona says). Every task is tracked and
//! stops when the lab is stopped.

use crate::estate::Placement;
use crate::hostile;
use crate::persona::{Behaviour, CertNames, Persona, Proto, Service};
use openssl::ssl::{Ssl, SslAcceptor, SslMethod};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(
        "cannot listen on {addr}: {source} (ports below 1024 need root; is another lab running?)"
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot make the TLS certificate: {0}")]
    Tls(String),
}

/// A running estate.
pub struct Lab {
    cancel: CancellationToken,
    tasks: TaskTracker,
    pub listeners: usize,
}

impl Lab {
    /// Bind every service of every placed device, then serve in the background.
    pub async fn start(placements: &[Placement], catalog: &[Persona]) -> Result<Lab, LabError> {
        let cancel = CancellationToken::new();
        let tasks = TaskTracker::new();
        match Lab::bind_all(placements, catalog, &cancel, &tasks).await {
            Ok(listeners) => Ok(Lab {
                cancel,
                tasks,
                listeners,
            }),
            Err(e) => {
                // Whatever was already listening stops before the error is returned.
                cancel.cancel();
                tasks.close();
                tasks.wait().await;
                Err(e)
            }
        }
    }

    async fn bind_all(
        placements: &[Placement],
        catalog: &[Persona],
        cancel: &CancellationToken,
        tasks: &TaskTracker,
    ) -> Result<usize, LabError> {
        let mut acceptors: HashMap<CertNames, Arc<SslAcceptor>> = HashMap::new();
        let mut listeners = 0;
        for p in placements {
            let persona = Arc::new(catalog[p.persona].clone());
            for (si, service) in persona.services.iter().enumerate() {
                let addr = SocketAddr::new(IpAddr::V4(p.address), service.port);
                if service.proto == Proto::Udp {
                    let sock = UdpSocket::bind(addr)
                        .await
                        .map_err(|source| LabError::Bind { addr, source })?;
                    tasks.spawn(udp_loop(
                        sock,
                        service
                            .answers
                            .first()
                            .map(|a| a.1.clone())
                            .unwrap_or_default(),
                        persona.behaviour == Behaviour::Flood,
                        cancel.clone(),
                    ));
                    listeners += 1;
                    continue;
                }
                let tls = match &service.tls {
                    Some(names) => Some(match acceptors.get(names) {
                        Some(a) => a.clone(),
                        None => {
                            let a = Arc::new(acceptor(names)?);
                            acceptors.insert(names.clone(), a.clone());
                            a
                        }
                    }),
                    None => None,
                };
                let listener = TcpListener::bind(addr)
                    .await
                    .map_err(|source| LabError::Bind { addr, source })?;
                tasks.spawn(accept_loop(
                    listener,
                    persona.clone(),
                    si,
                    tls,
                    cancel.clone(),
                    tasks.clone(),
                ));
                listeners += 1;
            }
        }
        Ok(listeners)
    }

    /// Stop serving and wait for every task to end.
    pub async fn stop(self) {
        self.cancel.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }

    /// A token that stops the lab when cancelled (for Ctrl-C handling).
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }
}

async fn udp_loop(sock: UdpSocket, answer: Vec<u8>, flood: bool, cancel: CancellationToken) {
    let mut buf = vec![0u8; 65536];
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            r = sock.recv_from(&mut buf) => {
                let Ok((_, from)) = r else { continue };
                if flood {
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = flood_replies(&sock, &answer, from) => {}
                    }
                } else {
                    let _ = sock.send_to(&answer, from).await;
                }
            }
        }
    }
}

/// `hostile::FLOOD_REPLIES` distinct replies made from `template`, in paced bursts.
async fn flood_replies(sock: &UdpSocket, template: &[u8], to: SocketAddr) {
    let template = String::from_utf8_lossy(template);
    for n in 0..hostile::FLOOD_REPLIES {
        let reply = template.replace(hostile::FLOOD_MARK, &format!("{n:06}"));
        // A full send buffer drops this reply; the flood goes on, as a real flooder's would.
        let _ = sock.send_to(reply.as_bytes(), to).await;
        if (n + 1) % hostile::FLOOD_BURST == 0 {
            tokio::time::sleep(hostile::FLOOD_PAUSE).await;
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    persona: Arc<Persona>,
    service: usize,
    tls: Option<Arc<SslAcceptor>>,
    cancel: CancellationToken,
    tasks: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            _ = cancel.cancelled() => return,
            a = listener.accept() => a,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors or similar: back off instead of spinning on the error.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let persona = persona.clone();
        let tls = tls.clone();
        let cancel = cancel.clone();
        tasks.spawn(async move {
            // A connection never outlives the lab, nor a minute.
            let work = async {
                if persona.behaviour == Behaviour::Reset {
                    let _ = socket_reset(&stream);
                    return;
                }
                match tls {
                    Some(acc) => {
                        let Ok(ssl) = Ssl::new(acc.context()) else {
                            return;
                        };
                        let Ok(mut s) = tokio_openssl::SslStream::new(ssl, stream) else {
                            return;
                        };
                        if Pin::new(&mut s).accept().await.is_ok() {
                            serve_conn(&mut s, &persona, &persona.services[service]).await;
                        }
                    }
                    None => {
                        let mut s = stream;
                        serve_conn(&mut s, &persona, &persona.services[service]).await;
                    }
                }
            };
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = timeout(Duration::from_secs(60), work) => {}
            }
        });
    }
}

fn socket_reset(stream: &tokio::net::TcpStream) -> std::io::Result<()> {
    // Linger 0 turns the close into a reset (the close does not block: nothing is unsent).
    socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO))
}

async fn serve_conn<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    persona: &Persona,
    service: &Service,
) {
    match persona.behaviour {
        Behaviour::Slow => tokio::time::sleep(Duration::from_millis(700)).await,
        Behaviour::Tarpit => {
            let _ = read_request(s).await;
            for _ in 0..300 {
                if s.write_all(b"H").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            return;
        }
        Behaviour::Garbage => {
            let _ = read_request(s).await;
            let mut rng = crate::Rng::new(service.port as u64);
            let junk: Vec<u8> = (0..512).map(|_| rng.next_u64() as u8).collect();
            let _ = s.write_all(&junk).await;
            return;
        }
        Behaviour::HugeHeaders => {
            let _ = read_request(s).await;
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\n").await;
            for i in 0..200_000u32 {
                if s.write_all(format!("X-Header-{i}: {}\r\n", "a".repeat(64)).as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
            }
            return;
        }
        Behaviour::Silent => {
            // Hold the connection, saying nothing, for as long as the peer keeps it open.
            let _ = read_request(s).await;
            let mut buf = [0u8; 1024];
            while matches!(s.read(&mut buf).await, Ok(n) if n > 0) {}
            return;
        }
        Behaviour::Drip => {
            let _ = read_request(s).await;
            // A plausible head that never ends: every byte resets an idle timer.
            let head = b"HTTP/1.1 200 OK\r\nServer: ";
            for i in 0usize.. {
                let byte = head.get(i).copied().unwrap_or(b'x');
                if s.write_all(&[byte]).await.is_err() || s.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep(hostile::DRIP_INTERVAL).await;
            }
            return;
        }
        Behaviour::Normal | Behaviour::Reset | Behaviour::Flood => {}
    }
    match service.proto {
        Proto::Http => {
            let Some(req) = read_request(s).await else {
                return;
            };
            let _ = s.write_all(http_answer(service, &req)).await;
            let _ = s.shutdown().await;
        }
        Proto::Rtsp => {
            for _ in 0..4 {
                let Some(req) = read_request(s).await else {
                    return;
                };
                let method = req.split(|&b| b == b' ').next().unwrap_or(&[]);
                let answer = service
                    .answers
                    .iter()
                    .find(|(k, _)| k.as_bytes().starts_with(method))
                    .or(service.answers.first())
                    .map(|(_, a)| a.as_slice())
                    .unwrap_or(b"RTSP/1.0 400 Bad Request\r\n\r\n");
                if s.write_all(answer).await.is_err() {
                    return;
                }
            }
        }
        Proto::Banner => {
            let Some((key, answer)) = service.answers.first() else {
                return;
            };
            if !key.is_empty() {
                // Answers only after being asked.
                if read_request(s).await.is_none() {
                    return;
                }
            }
            let _ = s.write_all(answer).await;
            let mut buf = [0u8; 1024];
            let _ = timeout(Duration::from_secs(2), s.read(&mut buf)).await;
        }
        Proto::Udp => {}
    }
}

/// Read one request head (and a small body), bounded in size and time.
async fn read_request<S: AsyncRead + Unpin>(s: &mut S) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let read = async {
        loop {
            let n = s.read(&mut chunk).await.ok()?;
            if n == 0 {
                return if buf.is_empty() { None } else { Some(()) };
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("content-length:")
                            .and_then(|v| v.trim().parse::<usize>().ok())
                    })
                    .unwrap_or(0);
                if buf.len() >= (end + 4).saturating_add(len) {
                    return Some(());
                }
            }
            if buf.len() > 64 * 1024 {
                return Some(());
            }
        }
    };
    timeout(Duration::from_secs(5), read).await.ok()??;
    Some(buf)
}

fn http_answer<'a>(service: &'a Service, req: &[u8]) -> &'a [u8] {
    const NOT_FOUND: &[u8] =
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    let text = String::from_utf8_lossy(req);
    let line = text.lines().next().unwrap_or("");
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path_of = |k: &str| -> String { k.split_whitespace().nth(1).unwrap_or(k).to_string() };
    let candidates: Vec<&(String, Vec<u8>)> = service
        .answers
        .iter()
        .filter(|(k, _)| path_of(k) == target)
        .collect();
    let candidates = if candidates.is_empty() {
        let bare = target.split('?').next().unwrap_or(target);
        service
            .answers
            .iter()
            .filter(|(k, _)| path_of(k).split('?').next() == Some(bare) && !k.is_empty())
            .collect()
    } else {
        candidates
    };
    if method == "POST" {
        // SOAP: answer the call that was asked, when we have its answer.
        for action in [
            "GetDeviceInformation",
            "GetSystemDateAndTime",
            "GetCapabilities",
            "GetScopes",
        ] {
            if text.contains(action)
                && let Some((_, a)) = service.answers.iter().find(|(_, a)| {
                    a.windows(action.len() + 8).any(|w| {
                        w.starts_with(action.as_bytes())
                            && w[action.len()..].starts_with(b"Response")
                    })
                })
            {
                return a;
            }
        }
    }
    if let Some((_, a)) = candidates.first() {
        return a;
    }
    if target == "/" {
        // The device's front page is not in the capture: its first captured answer stands in.
        return service
            .answers
            .first()
            .map(|(_, a)| a.as_slice())
            .unwrap_or(NOT_FOUND);
    }
    NOT_FOUND
}

/// A TLS acceptor with a fresh EC key and a certificate carrying the captured names.
fn acceptor(names: &CertNames) -> Result<SslAcceptor, LabError> {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::pkey::PKey;
    use openssl::x509::{X509Builder, X509NameBuilder};
    let e = |e: openssl::error::ErrorStack| LabError::Tls(e.to_string());
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(e)?;
    let key = PKey::from_ec_key(EcKey::generate(&group).map_err(e)?).map_err(e)?;
    let build_name = |attrs: &[(String, String)]| -> Result<openssl::x509::X509Name, LabError> {
        let mut b = X509NameBuilder::new().map_err(e)?;
        for (k, v) in attrs {
            let field = match k.to_ascii_uppercase().as_str() {
                "EMAIL" | "EMAILADDRESS" | "E" => "emailAddress".to_string(),
                "S" => "ST".to_string(),
                other => other.to_string(),
            };
            // Unknown attribute names are skipped rather than failing the lab.
            let _ = b.append_entry_by_text(&field, v);
        }
        Ok(b.build())
    };
    let mut x = X509Builder::new().map_err(e)?;
    x.set_version(2).map_err(e)?;
    let serial = BigNum::from_u32(1)
        .and_then(|b| b.to_asn1_integer())
        .map_err(e)?;
    x.set_serial_number(&serial).map_err(e)?;
    let subject = build_name(&names.subject)?;
    let issuer = build_name(&names.issuer)?;
    x.set_subject_name(&subject).map_err(e)?;
    x.set_issuer_name(&issuer).map_err(e)?;
    x.set_pubkey(&key).map_err(e)?;
    let not_before = Asn1Time::days_from_now(0).map_err(e)?;
    let not_after = Asn1Time::days_from_now(3650).map_err(e)?;
    x.set_not_before(&not_before).map_err(e)?;
    x.set_not_after(&not_after).map_err(e)?;
    x.sign(&key, MessageDigest::sha256()).map_err(e)?;
    let cert = x.build();
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).map_err(e)?;
    b.set_private_key(&key).map_err(e)?;
    b.set_certificate(&cert).map_err(e)?;
    Ok(b.build())
}
