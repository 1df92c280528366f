//! Banner probe. Ports: services that speak first (FTP 21, SSH 22, Telnet 23, Hikvision SDK
//! 8000 ...) and silent vendor ports. Transport: TCP.
//! Sends: nothing at first; on Dahua's private port 37777 (and 5000), if silent, one DHIP
//! `DHDiscover.search` frame: the same read-only discovery query Dahua's tools send on UDP
//! 37810, which the firmware also accepts over TCP.
//! Reads: whatever the service says within the read deadline (bounded).
//! Spec: RFC 4253 section 4.2 (SSH identification), RFC 959 (FTP greeting); DHIP framing from
//! public reverse engineering (../shared/reference/vendors-protocols.md, B3).

use super::io;
use super::{Answer, Cx, ProbeKind, ProbeOutcome, Status};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::time::Instant;

/// A DHIP frame: 32-byte header (`20 00 00 00` `DHIP`, session 0, id, lengths) + JSON body.
pub fn dhip_search() -> Vec<u8> {
    let body = br#"{"method":"DHDiscover.search","params":{"mac":"","uni":1},"id":2,"session":0}"#;
    let mut frame = Vec::with_capacity(32 + body.len());
    frame.extend_from_slice(&0x20u32.to_le_bytes());
    frame.extend_from_slice(b"DHIP");
    frame.extend_from_slice(&0u32.to_le_bytes());
    frame.extend_from_slice(&2u32.to_le_bytes());
    frame.extend_from_slice(&(body.len() as u32).to_le_bytes());
    frame.extend_from_slice(&0u32.to_le_bytes());
    frame.extend_from_slice(&(body.len() as u32).to_le_bytes());
    frame.extend_from_slice(&0u32.to_le_bytes());
    frame.extend_from_slice(body);
    frame
}

pub async fn run(cx: &Cx, addr: SocketAddr) -> ProbeOutcome {
    let started = Instant::now();
    let port = addr.port();
    let mut stream = match io::connect(cx, addr).await {
        Ok(s) => s,
        Err(status) => {
            return ProbeOutcome {
                probe: ProbeKind::Banner,
                port,
                status,
                answers: vec![],
                elapsed: started.elapsed(),
            };
        }
    };
    // Services that speak first do so at once; wait a little, not the full read deadline.
    let greeting = Cx {
        read_timeout: cx.read_timeout.min(Duration::from_millis(1200)),
        ..cx.clone()
    };
    let read = io::read_answer(&greeting, &mut stream, |b| {
        if b.ends_with(b"\n") || b.len() >= 16 {
            io::Framing::Complete
        } else {
            io::Framing::Unknown
        }
    })
    .await;
    let mut answers = Vec::new();
    let mut status = read.status;
    if !read.bytes.is_empty() {
        answers.push(Answer {
            kind: model::Kind::Banner,
            port,
            request: String::new(),
            response: read.bytes,
        });
        status = Status::Success;
    } else if matches!(port, 37777 | 5000)
        && read.status == Status::ReadTimeout
        && io::send(cx, &mut stream, &dhip_search()).await.is_ok()
    {
        let r = io::read_answer(cx, &mut stream, dhip_complete).await;
        {
            if !r.bytes.is_empty() {
                let kind = if r.bytes.len() >= 8 && &r.bytes[4..8] == b"DHIP" {
                    model::Kind::Dhip
                } else {
                    model::Kind::Banner
                };
                answers.push(Answer {
                    kind,
                    port,
                    request: "DHIP DHDiscover.search".into(),
                    response: r.bytes,
                });
                status = Status::Success;
            } else {
                status = r.status;
            }
        }
    }
    ProbeOutcome {
        probe: ProbeKind::Banner,
        port,
        status,
        answers,
        elapsed: started.elapsed(),
    }
}

/// A DHIP answer is complete when its header's body length has arrived.
fn dhip_complete(b: &[u8]) -> io::Framing {
    if b.len() < 32 || &b[4..8] != b"DHIP" {
        return io::Framing::Unknown;
    }
    let len = u32::from_le_bytes([b[16], b[17], b[18], b[19]]) as usize;
    if b.len() >= 32usize.saturating_add(len) {
        io::Framing::Complete
    } else {
        io::Framing::Incomplete
    }
}
