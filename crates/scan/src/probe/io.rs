//! Bounded network reads shared by the probes: connect with a timeout, write, read until the
//! answer is complete, the peer goes quiet or closes, the byte limit, or the deadline.

use super::{Cx, Status};
use std::net::SocketAddr;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

/// Connect, mapping failures to a status. Nothing new starts once the host's budget is spent.
pub async fn connect(cx: &Cx, addr: SocketAddr) -> Result<TcpStream, Status> {
    if cx.expired() {
        return Err(Status::BudgetExhausted);
    }
    match timeout_at(cx.until(cx.connect_timeout), TcpStream::connect(addr)).await {
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

/// Read an answer. `framing` says whether the bytes so far form a whole answer; it is called
/// after every read with the whole buffer, which only grows, so it can resume where it
/// stopped (see [`HttpFraming`]). The read ends at the host's budget deadline at the latest.
pub async fn read_answer<S: AsyncRead + Unpin>(
    cx: &Cx,
    stream: &mut S,
    mut framing: impl FnMut(&[u8]) -> Framing,
) -> Read {
    let deadline = cx.until(cx.read_timeout);
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

/// Write a request within the read deadline. No request starts once the host's budget is
/// spent.
pub async fn send<S: AsyncWrite + Unpin>(
    cx: &Cx,
    stream: &mut S,
    bytes: &[u8],
) -> Result<(), Status> {
    if cx.expired() {
        return Err(Status::BudgetExhausted);
    }
    match timeout_at(cx.until(cx.read_timeout), stream.write_all(bytes)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(Status::Closed),
        Err(_) => Err(Status::ReadTimeout),
    }
}

/// Framing of an HTTP/RTSP-style answer: complete when the head has ended and Content-Length
/// bytes of body arrived (chunked: the final chunk seen); a head still arriving, or a declared
/// length not yet reached, is incomplete; a head without a length ends when the peer closes or
/// goes quiet. One-shot form of [`HttpFraming`], with the same results.
pub fn http_framing(buf: &[u8]) -> Framing {
    HttpFraming::default().update(buf)
}

/// What a parsed head says about where the answer ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum BodyRule {
    /// No head yet.
    #[default]
    NoHead,
    /// `Content-Length: n`.
    Length(usize),
    /// `Transfer-Encoding: chunked`: ends at the final (zero) chunk.
    Chunked,
    /// The head is the whole answer (RTSP, 204, 304).
    HeadOnly,
    /// No length: the peer closing or going quiet ends it.
    Open,
}

/// Incremental [`http_framing`] for a buffer that only grows: each call examines only the bytes
/// added since the last one (plus a few bytes of overlap for patterns split across reads), and
/// the head is lowercased and read once when its end is found, so an answer dripped one byte
/// per read costs linear work, not quadratic.
///
/// The head ends at the first `\r\n\r\n`, or failing that the first `\n\n` (the same
/// preference as `http::parse`); if a `\r\n\r\n` turns up after a bare `\n\n` was taken, the
/// head is read again once, so the results equal [`http_framing`] on every prefix.
#[derive(Clone, Debug, Default)]
pub struct HttpFraming {
    /// Length of the buffer at the last call.
    seen: usize,
    crlf_end: Option<usize>,
    lf_end: Option<usize>,
    /// The head end `rule` was read from.
    head_end: Option<usize>,
    rule: BodyRule,
    /// Where the search for the final chunk resumes.
    chunk_scan: usize,
    chunk_done: bool,
    /// Bytes looked at so far, all calls together (for tests of the work done).
    examined: usize,
}

impl HttpFraming {
    /// Framing of `buf`, which must extend the buffer of the previous call (a shorter one
    /// starts over).
    pub fn update(&mut self, buf: &[u8]) -> Framing {
        if buf.len() < self.seen {
            *self = HttpFraming::default();
        }
        let len = buf.len();
        if self.crlf_end.is_none() {
            let from = self.seen.saturating_sub(3);
            self.crlf_end = find(&buf[from..], b"\r\n\r\n").map(|i| from + i + 4);
            self.examined += len - from;
        }
        if self.crlf_end.is_none() && self.lf_end.is_none() {
            let from = self.seen.saturating_sub(1);
            self.lf_end = find(&buf[from..], b"\n\n").map(|i| from + i + 2);
            self.examined += len - from;
        }
        self.seen = len;
        let Some(head_end) = self.crlf_end.or(self.lf_end) else {
            return Framing::Unknown;
        };
        if self.head_end != Some(head_end) {
            self.head_end = Some(head_end);
            self.rule = body_rule(&buf[..head_end]);
            self.chunk_scan = head_end;
            self.chunk_done = false;
            self.examined += head_end;
        }
        match self.rule {
            BodyRule::NoHead | BodyRule::Open => Framing::Unknown,
            BodyRule::HeadOnly => Framing::Complete,
            BodyRule::Length(n) => {
                if len - head_end >= n {
                    Framing::Complete
                } else {
                    Framing::Incomplete
                }
            }
            BodyRule::Chunked => {
                if !self.chunk_done {
                    let from = self.chunk_scan.saturating_sub(4).max(head_end);
                    self.chunk_done = find(&buf[from..], b"0\r\n\r\n").is_some();
                    self.examined += len - from;
                    self.chunk_scan = len;
                }
                if self.chunk_done {
                    Framing::Complete
                } else {
                    Framing::Incomplete
                }
            }
        }
    }

    /// Bytes examined by all calls so far: linear in the answer's length.
    pub fn bytes_examined(&self) -> usize {
        self.examined
    }
}

/// Read a head (up to and including its blank line) once.
fn body_rule(head: &[u8]) -> BodyRule {
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    for line in head.lines() {
        if let Some(v) = line.strip_prefix("content-length:")
            && let Ok(n) = v.trim().parse::<usize>()
        {
            return BodyRule::Length(n);
        }
        if line.starts_with("transfer-encoding:") && line.contains("chunked") {
            return BodyRule::Chunked;
        }
    }
    // RTSP answers and bodiless statuses carry no length: the head is the whole answer.
    if head.trim_start().starts_with("rtsp/") || head.contains(" 204 ") || head.contains(" 304 ") {
        BodyRule::HeadOnly
    } else {
        BodyRule::Open
    }
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}
