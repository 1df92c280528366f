//! Bounded network reads shared by the probes: connect with a timeout, write, read until the
//! answer is complete, the peer goes quiet or closes, the byte limit, or the deadline.

use super::{Cx, Status};
use std::net::SocketAddr;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};

/// Connect, mapping failures to a status.
pub async fn connect(cx: &Cx, addr: SocketAddr) -> Result<TcpStream, Status> {
    match timeout(cx.connect_timeout, TcpStream::connect(addr)).await {
        Ok(Ok(s)) => {
            let _ = s.set_nodelay(true);
            Ok(s)
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Err(Status::Refused),
        Ok(Err(_)) => Err(Status::Closed),
        Err(_) => Err(Status::ConnectTimeout),
    }
}

/// Outcome of one bounded read.
pub struct Read {
    pub bytes: Vec<u8>,
    /// Why reading stopped: Success (complete or peer closed after data), ReadTimeout,
    /// TooLarge, Closed (closed with nothing).
    pub status: Status,
}

/// What the bytes so far say about the answer's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// A whole answer has arrived.
    Complete,
    /// The answer declared a length that has not arrived yet: wait for it (until the deadline),
    /// a pause is not the end.
    Incomplete,
    /// No length is known: the peer closing or going quiet ends the answer.
    Unknown,
}

/// Read an answer. `framing` says whether the bytes so far form a whole answer.
pub async fn read_answer<S: AsyncRead + Unpin>(
    cx: &Cx,
    stream: &mut S,
    framing: impl Fn(&[u8]) -> Framing,
) -> Read {
    let deadline = Instant::now() + cx.read_timeout;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let mut state = Framing::Unknown;
    loop {
        // Once something has arrived, a short silence ends answers that carry no length.
        // A declared length not yet reached tolerates a longer pause (devices that lie about
        // Content-Length still end at a few pauses, not at the deadline).
        let wait = if buf.is_empty() {
            deadline
        } else if state == Framing::Incomplete {
            deadline.min(Instant::now() + cx.idle_timeout * 4)
        } else {
            deadline.min(Instant::now() + cx.idle_timeout)
        };
        match timeout_at(wait, stream.read(&mut chunk)).await {
            Ok(Ok(0)) => {
                let status = if buf.is_empty() {
                    Status::Closed
                } else {
                    Status::Success
                };
                return Read { bytes: buf, status };
            }
            Ok(Ok(n)) => {
                let room = cx.max_bytes.saturating_sub(buf.len());
                buf.extend_from_slice(&chunk[..n.min(room)]);
                if buf.len() >= cx.max_bytes {
                    return Read {
                        bytes: buf,
                        status: Status::TooLarge,
                    };
                }
                state = framing(&buf);
                if state == Framing::Complete {
                    return Read {
                        bytes: buf,
                        status: Status::Success,
                    };
                }
            }
            Ok(Err(_)) => {
                let status = if buf.is_empty() {
                    Status::Closed
                } else {
                    Status::Success
                };
                return Read { bytes: buf, status };
            }
            Err(_) => {
                let status = if Instant::now() >= deadline {
                    Status::ReadTimeout
                } else {
                    Status::Success
                };
                return Read { bytes: buf, status };
            }
        }
    }
}

/// Write a request within the read deadline.
pub async fn send<S: AsyncWrite + Unpin>(
    cx: &Cx,
    stream: &mut S,
    bytes: &[u8],
) -> Result<(), Status> {
    match timeout(cx.read_timeout, stream.write_all(bytes)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(Status::Closed),
        Err(_) => Err(Status::ReadTimeout),
    }
}

/// Framing of an HTTP/RTSP-style answer: complete when the head has ended and Content-Length
/// bytes of body arrived (chunked: the final chunk seen); a head still arriving, or a declared
/// length not yet reached, is incomplete; a head without a length ends when the peer closes or
/// goes quiet.
pub fn http_framing(buf: &[u8]) -> Framing {
    // A head still arriving has no length yet: a pause ends it (heads come in one piece, and
    // some devices never send the blank line that closes them).
    let Some(head_end) = find(buf, b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| find(buf, b"\n\n").map(|i| i + 2))
    else {
        return Framing::Unknown;
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let body = buf.len() - head_end;
    for line in head.lines() {
        if let Some(v) = line.strip_prefix("content-length:")
            && let Ok(n) = v.trim().parse::<usize>()
        {
            return if body >= n {
                Framing::Complete
            } else {
                Framing::Incomplete
            };
        }
        if line.starts_with("transfer-encoding:") && line.contains("chunked") {
            return if find(&buf[head_end..], b"0\r\n\r\n").is_some() {
                Framing::Complete
            } else {
                Framing::Incomplete
            };
        }
    }
    // RTSP answers and bodiless statuses carry no length: the head is the whole answer.
    if head.trim_start().starts_with("rtsp/") || head.contains(" 204 ") || head.contains(" 304 ") {
        Framing::Complete
    } else {
        Framing::Unknown
    }
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}
