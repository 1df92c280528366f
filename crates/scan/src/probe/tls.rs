//! TLS probe. Port: 443, 8443 and other TLS ports. Transport: TCP + TLS 1.0-1.3 via OpenSSL
//! at security level 0, certificate verification off, no SNI for IP targets: old cameras and
//! NVRs speak only TLS 1.0 with CBC suites, which rustls cannot (crates.md, section 2).
//! Sends: a ClientHello; then `GET /` over the session and the same follow-ups as the HTTP
//! probe (`http::follow`: redirect target on the same https host and port, favicon, vendor
//! paths, ONVIF), each on a new session.
//! Reads: the peer certificate (kept as PEM, whatever its validity) and the HTTP answers.
//! Spec: RFC 8446 / 5246 / 2246; X.509 per RFC 5280.

use super::http::{self, request};
use super::{Answer, Cx, ProbeKind, ProbeOutcome, Status, io};
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode, SslVersion};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::OnceLock;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_openssl::SslStream;

/// One connector for the whole process, configured for the oldest devices.
fn connector() -> Option<&'static SslConnector> {
    static C: OnceLock<Option<SslConnector>> = OnceLock::new();
    C.get_or_init(|| {
        let mut b = SslConnector::builder(SslMethod::tls_client()).ok()?;
        b.set_verify(SslVerifyMode::NONE);
        b.set_security_level(0);
        b.set_min_proto_version(Some(SslVersion::TLS1)).ok()?;
        b.set_cipher_list("ALL:@SECLEVEL=0").ok()?;
        Some(b.build())
    })
    .as_ref()
}

/// Connect and complete a handshake.
pub async fn handshake(cx: &Cx, addr: SocketAddr) -> Result<SslStream<TcpStream>, Status> {
    let tcp = io::connect(cx, addr).await?;
    let Some(conn) = connector() else {
        return Err(Status::TlsError);
    };
    let mut config = conn.configure().map_err(|_| Status::TlsError)?;
    config.set_use_server_name_indication(false);
    config.set_verify_hostname(false);
    let ssl = config.into_ssl("device").map_err(|_| Status::TlsError)?;
    let mut stream = SslStream::new(ssl, tcp).map_err(|_| Status::TlsError)?;
    match timeout_at(cx.until(cx.read_timeout), Pin::new(&mut stream).connect()).await {
        Ok(Ok(())) => Ok(stream),
        Ok(Err(_)) => Err(Status::TlsError),
        Err(_) => Err(Status::ReadTimeout),
    }
}

/// Probe a TLS port.
pub async fn run(cx: &Cx, addr: SocketAddr) -> ProbeOutcome {
    let started = Instant::now();
    let port = addr.port();
    let mut stream = match handshake(cx, addr).await {
        Ok(s) => s,
        Err(status) => {
            return ProbeOutcome {
                probe: ProbeKind::Tls,
                port,
                status,
                answers: vec![],
                elapsed: started.elapsed(),
            };
        }
    };
    let mut answers = Vec::new();
    if let Some(cert) = stream.ssl().peer_certificate()
        && let Ok(pem) = cert.to_pem()
    {
        answers.push(Answer {
            kind: model::Kind::TlsCert,
            port,
            request: "TLS ClientHello".into(),
            response: pem,
        });
    }
    let host = addr.to_string();
    let (status, bytes) =
        http::exchange_on(cx, &mut stream, &request(&host, "GET", "/", None)).await;
    if http::parse(&bytes).is_ok() {
        answers.push(Answer {
            kind: model::Kind::Http,
            port,
            request: "GET / HTTP/1.1".into(),
            response: bytes.clone(),
        });
        // As over plain HTTP: a front page cut off by the deadline is asked nothing more.
        if cx.follow_ups && status != Status::ReadTimeout {
            let more = http::follow(
                cx,
                addr,
                true,
                &bytes,
                async |req: Vec<u8>| match handshake(cx, addr).await {
                    Ok(mut s) => http::exchange_on(cx, &mut s, &req).await.1,
                    Err(_) => Vec::new(),
                },
            )
            .await;
            answers.extend(more);
        }
    }
    let status = if answers.is_empty() {
        status
    } else {
        Status::Success
    };
    ProbeOutcome {
        probe: ProbeKind::Tls,
        port,
        status,
        answers,
        elapsed: started.elapsed(),
    }
}
