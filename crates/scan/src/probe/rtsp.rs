//! RTSP probe. Port: 554, 8554 and other RTSP ports. Transport: TCP, RTSP/1.0.
//! Sends: `OPTIONS rtsp://host:port/ RTSP/1.0` (CSeq 1), then `DESCRIBE` of the same URL with
//! `Accept: application/sdp` (CSeq 2) on the same connection. No credentials: a 401 answer's
//! realm is itself the evidence.
//! Reads: status, Server, Public, WWW-Authenticate and the SDP body when one comes back.
//! Spec: RFC 2326 (RTSP 1.0), RFC 4566 (SDP).

use super::http::{USER_AGENT, parse};
use super::io::{self, HttpFraming};
use super::{Answer, Cx, ProbeKind, ProbeOutcome, Status};
use std::net::SocketAddr;
use tokio::time::Instant;

pub fn request(method: &str, url: &str, cseq: u32) -> Vec<u8> {
    let accept = if method == "DESCRIBE" {
        "Accept: application/sdp\r\n"
    } else {
        ""
    };
    format!("{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\nUser-Agent: {USER_AGENT}\r\n{accept}\r\n")
        .into_bytes()
}

pub async fn run(cx: &Cx, addr: SocketAddr) -> ProbeOutcome {
    let started = Instant::now();
    let port = addr.port();
    let url = format!("rtsp://{addr}/");
    let mut stream = match io::connect(cx, addr).await {
        Ok(s) => s,
        Err(status) => {
            return ProbeOutcome {
                probe: ProbeKind::Rtsp,
                port,
                status,
                answers: vec![],
                elapsed: started.elapsed(),
            };
        }
    };
    let mut answers = Vec::new();
    let mut status = Status::Closed;
    for (cseq, method) in [(1, "OPTIONS"), (2, "DESCRIBE")] {
        if io::send(cx, &mut stream, &request(method, &url, cseq))
            .await
            .is_err()
        {
            break;
        }
        let mut framing = HttpFraming::default();
        let read = io::read_answer(cx, &mut stream, |b| framing.update(b)).await;
        if read.bytes.is_empty() {
            if answers.is_empty() {
                status = read.status;
            }
            break;
        }
        let head = parse(&read.bytes);
        let is_rtsp = head.as_ref().is_ok_and(|h| h.version.starts_with("RTSP/"))
            || super::http::speaks(&read.bytes, b"RTSP/");
        status = match (&head, is_rtsp) {
            (Err(_), true) => read.status,
            (Ok(h), true) if h.code == 401 => Status::AuthRequired,
            (Ok(_), true) => Status::Success,
            _ => Status::NotThisProtocol,
        };
        answers.push(Answer {
            kind: if is_rtsp {
                model::Kind::Rtsp
            } else {
                model::Kind::Banner
            },
            port,
            request: format!("{method} {url} RTSP/1.0"),
            response: read.bytes,
        });
        if !is_rtsp {
            break;
        }
    }
    ProbeOutcome {
        probe: ProbeKind::Rtsp,
        port,
        status,
        answers,
        elapsed: started.elapsed(),
    }
}
