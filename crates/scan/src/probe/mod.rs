//! Probes: one module per protocol, each with a pure `request`, a total `parse` and a thin
//! async `run`. The list is closed: a new protocol is one file and one `ProbeKind` variant.

pub mod banner;
pub mod http;
pub mod io;
pub mod redirect;
pub mod rtsp;
pub mod tls;

use std::net::SocketAddr;
use std::time::Duration;
use tokio::time::Instant;

/// Which probe ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProbeKind {
    /// HTTP over plain TCP: GET / and vendor follow-ups.
    Http,
    /// TLS handshake (certificate), then HTTP over TLS.
    Tls,
    /// RTSP OPTIONS and DESCRIBE.
    Rtsp,
    /// Read what the service says first; for silent vendor ports, a safe discovery query.
    Banner,
}

impl ProbeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Http => "http",
            ProbeKind::Tls => "tls",
            ProbeKind::Rtsp => "rtsp",
            ProbeKind::Banner => "banner",
        }
    }
}

/// How a probe ended. A device that misbehaves gets one of these, never an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// The device answered in the protocol.
    Success,
    /// It answered, but wants credentials (401): what it said before login is kept.
    AuthRequired,
    /// Connection refused (port closed).
    Refused,
    ConnectTimeout,
    /// Connected, but no (complete) answer before the deadline; partial bytes are kept.
    ReadTimeout,
    /// Closed the connection without answering.
    Closed,
    /// Answered something that is not this protocol (kept as a banner).
    NotThisProtocol,
    /// The answer hit the size limit; the first bytes are kept.
    TooLarge,
    /// The TLS handshake failed.
    TlsError,
    /// The host's time budget ran out: the probe was cut (what arrived is kept) or never
    /// started on this open port.
    BudgetExhausted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::AuthRequired => "auth-required",
            Status::Refused => "refused",
            Status::ConnectTimeout => "connect-timeout",
            Status::ReadTimeout => "read-timeout",
            Status::Closed => "closed",
            Status::NotThisProtocol => "not-this-protocol",
            Status::TooLarge => "too-large",
            Status::TlsError => "tls-error",
            Status::BudgetExhausted => "budget-exhausted",
        }
    }
}

/// One answer worth keeping: becomes an observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub kind: model::Kind,
    pub port: u16,
    pub request: String,
    pub response: Vec<u8>,
}

/// What one probe on one port produced.
#[derive(Clone, Debug)]
pub struct ProbeOutcome {
    pub probe: ProbeKind,
    pub port: u16,
    pub status: Status,
    pub answers: Vec<Answer>,
    pub elapsed: Duration,
}

/// Limits every probe runs under.
#[derive(Clone, Debug)]
pub struct Cx {
    pub connect_timeout: Duration,
    /// Longest a whole exchange (one request, its answer) may take.
    pub read_timeout: Duration,
    /// Silence after some bytes that ends a read (answers without a length).
    pub idle_timeout: Duration,
    /// Most bytes read from one answer.
    pub max_bytes: usize,
    /// Whether follow-up requests (vendor API paths, ONVIF) may be sent.
    pub follow_ups: bool,
    /// End of the host's time budget: no wait goes past it and no request starts after it
    /// (None = only the per-exchange limits apply).
    pub deadline: Option<Instant>,
}

impl Cx {
    /// When a wait of `d` from now must end: `d` from now, or the budget's end if sooner.
    pub fn until(&self, d: Duration) -> Instant {
        let at = Instant::now() + d;
        match self.deadline {
            Some(end) => at.min(end),
            None => at,
        }
    }

    /// Whether the host's budget has run out (nothing new may start).
    pub fn expired(&self) -> bool {
        self.deadline.is_some_and(|end| Instant::now() >= end)
    }
}

impl Default for Cx {
    fn default() -> Cx {
        Cx {
            connect_timeout: Duration::from_millis(1000),
            read_timeout: Duration::from_millis(2500),
            idle_timeout: Duration::from_millis(400),
            max_bytes: 256 * 1024,
            follow_ups: true,
            deadline: None,
        }
    }
}

/// Run the probe that fits the port and what it says.
pub async fn run(cx: &Cx, addr: SocketAddr, first: ProbeKind) -> Vec<ProbeOutcome> {
    match first {
        ProbeKind::Http => vec![http::run(cx, addr).await],
        ProbeKind::Tls => vec![tls::run(cx, addr).await],
        ProbeKind::Rtsp => vec![rtsp::run(cx, addr).await],
        ProbeKind::Banner => {
            let b = banner::run(cx, addr).await;
            // A silent port often speaks HTTP: ask it (unless the host's budget is spent).
            if b.answers.is_empty()
                && matches!(b.status, Status::ReadTimeout | Status::Success)
                && !cx.expired()
            {
                vec![b, http::run(cx, addr).await]
            } else {
                vec![b]
            }
        }
    }
}
