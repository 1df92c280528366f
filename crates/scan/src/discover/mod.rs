//! UDP discovery: ONVIF WS-Discovery (3702), SSDP (1900), Hikvision SADP (37020) and Dahua
//! DHIP (37810). Each protocol module has a pure `request` and a total `parse`; `discover`
//! sends the probes (multicast on one interface when asked, and unicast to given addresses),
//! paced at the scan's rate, and collects replies until a fixed window after the last probe.
//! The CLI runs it by default, unicast to the named targets; `--no-discover` turns it off and
//! multicast needs `--interface`.
//!
//! Replies are capped per sender and protocol, and in total (count and bytes), so one flooding
//! host can neither crowd out the others' replies nor grow memory; a sender that hits its cap
//! is logged once and reported in [`Discovery::capped`].

pub mod dhip;
pub mod sadp;
pub mod ssdp;
pub mod wsd;

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use model::{Kind, Observation};
use tokio::net::UdpSocket;
use tokio::time::Instant;
use tracing::{debug, warn};

/// Largest UDP payload we read; anything longer is truncated by the kernel.
const MAX_DATAGRAM: usize = 64 * 1024;
/// Distinct replies kept per sender and protocol. A device answers a discovery probe once (a
/// few twice, once per interface or service); eight covers every real device seen, and more
/// from one address is a flood that must not crowd out the replies of others.
pub const MAX_REPLIES_PER_SENDER: usize = 8;
/// Distinct SSDP replies kept per sender. A UPnP device answers `ssdp:all` once per root
/// device, device type and service type: 10 to 20 replies from a home router are normal.
pub const MAX_SSDP_REPLIES_PER_SENDER: usize = 32;
/// Replies kept in one discovery run, all protocols and senders together: a bound on the
/// number of observations a run (or many spoofed senders) can create.
pub const MAX_REPLIES_TOTAL: usize = 16 * 1024;
/// Reply bytes kept in one discovery run, all protocols and senders together: a bound on
/// memory (about 16,000 typical 2 KB replies) whatever the senders do.
pub const MAX_REPLY_BYTES_TOTAL: usize = 32 * 1024 * 1024;
/// Receive errors tolerated per socket before giving up on it (avoids a busy loop).
const MAX_RECV_ERRORS: usize = 16;

/// The discovery protocols. A new protocol is one module and one variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    WsDiscovery,
    Ssdp,
    Sadp,
    Dhip,
}

impl Protocol {
    pub const ALL: [Protocol; 4] = [
        Protocol::WsDiscovery,
        Protocol::Ssdp,
        Protocol::Sadp,
        Protocol::Dhip,
    ];

    /// The standard UDP port the protocol listens on.
    pub fn port(self) -> u16 {
        match self {
            Protocol::WsDiscovery => wsd::PORT,
            Protocol::Ssdp => ssdp::PORT,
            Protocol::Sadp => sadp::PORT,
            Protocol::Dhip => dhip::PORT,
        }
    }

    /// The observation kind its replies are stored as.
    pub fn kind(self) -> Kind {
        match self {
            Protocol::WsDiscovery => Kind::WsDiscovery,
            Protocol::Ssdp => Kind::Ssdp,
            Protocol::Sadp => Kind::Sadp,
            Protocol::Dhip => Kind::Dhip,
        }
    }

    /// The IPv4 multicast group the probe goes to.
    pub fn group(self) -> Ipv4Addr {
        match self {
            Protocol::WsDiscovery => wsd::MULTICAST,
            Protocol::Ssdp => ssdp::MULTICAST,
            Protocol::Sadp => sadp::MULTICAST,
            Protocol::Dhip => dhip::MULTICAST,
        }
    }

    /// A fresh probe (new message id where the protocol has one).
    pub fn request(self) -> Vec<u8> {
        match self {
            Protocol::WsDiscovery => wsd::request(&fresh_uuid()),
            Protocol::Ssdp => ssdp::request(),
            Protocol::Sadp => sadp::request(&fresh_uuid()),
            Protocol::Dhip => dhip::request(),
        }
    }

    /// Short text naming the probe, stored as the observation's `request`.
    pub fn request_name(self) -> &'static str {
        match self {
            Protocol::WsDiscovery => "WS-Discovery Probe dn:NetworkVideoTransmitter",
            Protocol::Ssdp => "SSDP M-SEARCH ssdp:all",
            Protocol::Sadp => "SADP Probe inquiry",
            Protocol::Dhip => "DHIP DHDiscover.search",
        }
    }

    /// Distinct replies kept from one sender (see [`MAX_REPLIES_PER_SENDER`]).
    pub fn max_replies_per_sender(self) -> usize {
        match self {
            Protocol::Ssdp => MAX_SSDP_REPLIES_PER_SENDER,
            _ => MAX_REPLIES_PER_SENDER,
        }
    }

    /// Whether `bytes` is a device's answer in this protocol (its `parse` accepts it).
    pub fn accepts(self, bytes: &[u8]) -> bool {
        match self {
            Protocol::WsDiscovery => wsd::parse(bytes).is_ok(),
            Protocol::Ssdp => ssdp::parse(bytes).is_ok(),
            Protocol::Sadp => sadp::parse(bytes).is_ok(),
            Protocol::Dhip => dhip::parse(bytes).is_ok(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct DiscoverConfig {
    pub protocols: Vec<Protocol>,
    /// Multicast on this local IPv4 address's interface (None = no multicast).
    pub multicast_interface: Option<Ipv4Addr>,
    /// Also send each probe unicast to these addresses (their standard ports).
    pub unicast: Vec<IpAddr>,
    /// How long to collect replies after the last probe is sent.
    pub window: Duration,
    /// Most probe datagrams per second, all protocols together (None = no pacing).
    pub rate: Option<NonZeroU32>,
}

/// What a discovery run found, and the caps it hit.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    /// One per kept reply (see [`discover`]).
    pub observations: Vec<Observation>,
    /// Senders that sent more distinct replies than their per-protocol cap.
    pub capped: Vec<CappedSender>,
    /// Replies dropped because the run's total caps ([`MAX_REPLIES_TOTAL`],
    /// [`MAX_REPLY_BYTES_TOTAL`]) were reached.
    pub dropped_over_total: usize,
}

/// A sender whose replies hit the per-sender cap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CappedSender {
    pub protocol: Protocol,
    pub sender: IpAddr,
    /// The cap in force ([`Protocol::max_replies_per_sender`]).
    pub cap: usize,
    /// Distinct datagrams from it dropped after the cap (not parsed).
    pub dropped: usize,
}

/// Spaces probe sends `1/rate` apart, shared by all protocols of one run. Runs on tokio's
/// clock, so tests can check it with a paused clock.
#[derive(Debug)]
pub struct Pacer {
    interval: Option<Duration>,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    pub fn new(rate: Option<NonZeroU32>) -> Pacer {
        Pacer {
            interval: rate.map(|r| Duration::from_secs(1) / r.get()),
            next: Mutex::new(None),
        }
    }

    /// Wait for the next send slot: the first at once, then one every `1/rate`.
    pub async fn ready(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let at = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + interval);
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// The run's total caps, shared by every protocol and socket.
#[derive(Debug, Default)]
struct Totals {
    /// (replies, bytes) kept so far.
    kept: Mutex<(usize, usize)>,
}

impl Totals {
    /// Reserve room for one reply of `len` bytes; false when a total cap is reached.
    fn take(&self, len: usize) -> bool {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.0 >= MAX_REPLIES_TOTAL || kept.1.saturating_add(len) > MAX_REPLY_BYTES_TOTAL {
            return false;
        }
        kept.0 += 1;
        kept.1 += len;
        true
    }
}

/// Replies of one protocol on one socket, and what its caps dropped.
#[derive(Default)]
struct Collected {
    replies: Vec<(SocketAddr, Vec<u8>)>,
    capped: Vec<CappedSender>,
    dropped_over_total: usize,
}

/// Send the probes and collect replies; one Observation per reply (device = the reply's source IP
/// as a string, id = "<ip>:<port>/<kind>#n", kind = protocol kind, port = protocol port,
/// request = short text naming the probe, response = the reply bytes verbatim). Replies that
/// `parse` rejects are dropped (not device answers). Never panics; socket errors are logged
/// with tracing::warn and that protocol is skipped. [`run`] also reports the caps hit.
pub async fn discover(cfg: &DiscoverConfig) -> Vec<Observation> {
    run(cfg).await.observations
}

/// [`discover`], with the senders that hit their reply cap and the replies the run's total
/// caps dropped.
pub async fn run(cfg: &DiscoverConfig) -> Discovery {
    let mut protocols: Vec<Protocol> = Vec::new();
    for p in &cfg.protocols {
        if !protocols.contains(p) {
            protocols.push(*p);
        }
    }
    let pacer = Pacer::new(cfg.rate);
    let totals = Totals::default();
    // All protocols share the one window, so they run side by side, not one after another.
    let runs = protocols
        .iter()
        .map(|p| run_protocol(*p, cfg, &pacer, &totals));
    let results = futures::future::join_all(runs).await;

    let mut found = Discovery::default();
    for (protocol, collected) in protocols.iter().zip(results) {
        let mut seen_per_device: HashMap<IpAddr, usize> = HashMap::new();
        for (src, bytes) in collected.replies {
            let n = seen_per_device.entry(src.ip()).or_default();
            *n += 1;
            let device = src.ip().to_string();
            found.observations.push(Observation {
                id: format!("{device}:{}/{}#{n}", protocol.port(), protocol.kind()),
                device: device.clone(),
                kind: protocol.kind(),
                address: Some(device),
                port: Some(protocol.port()),
                request: Some(protocol.request_name().to_string()),
                response: bytes,
                time: None,
            });
        }
        found.capped.extend(collected.capped);
        found.dropped_over_total += collected.dropped_over_total;
    }
    if found.dropped_over_total > 0 {
        warn!(
            dropped = found.dropped_over_total,
            max_replies = MAX_REPLIES_TOTAL,
            max_bytes = MAX_REPLY_BYTES_TOTAL,
            "Discovery reply totals reached; further replies dropped"
        );
    }
    found
}

/// One protocol: open its sockets, send the probes, collect accepted replies in arrival order.
async fn run_protocol(
    protocol: Protocol,
    cfg: &DiscoverConfig,
    pacer: &Pacer,
    totals: &Totals,
) -> Collected {
    let port = protocol.port();
    let mut v4_targets: Vec<SocketAddr> = Vec::new();
    let mut v6_targets: Vec<SocketAddr> = Vec::new();
    if cfg.multicast_interface.is_some() {
        v4_targets.push(SocketAddr::new(protocol.group().into(), port));
    }
    for addr in &cfg.unicast {
        let target = SocketAddr::new(*addr, port);
        match addr {
            IpAddr::V4(_) => v4_targets.push(target),
            IpAddr::V6(_) => v6_targets.push(target),
        }
    }
    v4_targets.dedup();
    v6_targets.dedup();

    let v4 = async {
        if v4_targets.is_empty() {
            return Collected::default();
        }
        match open_v4(cfg.multicast_interface) {
            Ok(socket) => exchange(protocol, &socket, &v4_targets, cfg.window, pacer, totals).await,
            Err(error) => {
                warn!(protocol = ?protocol, %error, "Discovery socket (IPv4) could not be opened");
                Collected::default()
            }
        }
    };
    let v6 = async {
        if v6_targets.is_empty() {
            return Collected::default();
        }
        match open_v6() {
            Ok(socket) => exchange(protocol, &socket, &v6_targets, cfg.window, pacer, totals).await,
            Err(error) => {
                warn!(protocol = ?protocol, %error, "Discovery socket (IPv6) could not be opened");
                Collected::default()
            }
        }
    };
    let (mut a, b) = tokio::join!(v4, v6);
    a.replies.extend(b.replies);
    a.capped.extend(b.capped);
    a.dropped_over_total += b.dropped_over_total;
    a
}

/// Send one probe to every target (paced), reading replies meanwhile, and keep reading until
/// `window` after the last send. Keeps replies `parse` accepts, once per identical (source,
/// bytes), at most the protocol's per-sender cap from each source address, within the run's
/// totals. All checks are constant time per reply, so a flood costs linear work.
async fn exchange(
    protocol: Protocol,
    socket: &UdpSocket,
    targets: &[SocketAddr],
    window: Duration,
    pacer: &Pacer,
    totals: &Totals,
) -> Collected {
    let probe = protocol.request();
    let (done_tx, mut done_rx) = tokio::sync::oneshot::channel::<bool>();
    let sending = async move {
        let mut sent = 0usize;
        for target in targets {
            pacer.ready().await;
            match socket.send_to(&probe, target).await {
                Ok(_) => sent += 1,
                Err(error) => {
                    warn!(protocol = ?protocol, %target, %error, "Discovery probe could not be sent")
                }
            }
        }
        let _ = done_tx.send(sent > 0);
    };
    let receiving = async {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let mut out = Collected::default();
        let mut errors = 0usize;
        let cap = protocol.max_replies_per_sender();
        let hasher = RandomState::new();
        // (source, hash of bytes) of every kept reply: duplicates are found in constant time.
        let mut seen: HashSet<(SocketAddr, u64)> = HashSet::new();
        // Kept replies per source address; an entry exists only for senders with a kept reply.
        let mut per_sender: HashMap<IpAddr, usize> = HashMap::new();
        // Dropped replies per capped sender, and where that sender is in `out.capped`.
        let mut capped_at: HashMap<IpAddr, usize> = HashMap::new();
        let mut deadline: Option<Instant> = None;
        loop {
            let got = match deadline {
                None => tokio::select! {
                    got = socket.recv_from(&mut buf) => got,
                    sent = &mut done_rx => {
                        // Nothing sent: nothing to wait for.
                        let wait = if sent.unwrap_or(false) { window } else { Duration::ZERO };
                        deadline = Some(Instant::now() + wait);
                        continue;
                    }
                },
                Some(end) => {
                    // Checked before reading: a sender that never pauses keeps the socket
                    // readable, and must not hold the window open.
                    if Instant::now() >= end {
                        break;
                    }
                    match tokio::time::timeout_at(end, socket.recv_from(&mut buf)).await {
                        Err(_elapsed) => break,
                        Ok(got) => got,
                    }
                }
            };
            let (len, src) = match got {
                Ok(got) => got,
                Err(error) => {
                    errors += 1;
                    debug!(protocol = ?protocol, %error, "Discovery receive error");
                    if errors >= MAX_RECV_ERRORS {
                        warn!(protocol = ?protocol, %error, "Discovery socket keeps failing; stopping early");
                        break;
                    }
                    continue;
                }
            };
            let bytes = &buf[..len];
            let kept = per_sender.get(&src.ip()).copied().unwrap_or(0);
            let key = (src, hasher.hash_one(bytes));
            if seen.contains(&key) {
                continue;
            }
            if kept >= cap {
                // Checked before parsing, so a flood costs no parsing. Recorded once per
                // sender; later drops only count.
                match capped_at.get(&src.ip()) {
                    Some(&i) => out.capped[i].dropped += 1,
                    None => {
                        warn!(protocol = ?protocol, sender = %src.ip(), cap, "Discovery sender hit its reply cap; further replies from it dropped");
                        capped_at.insert(src.ip(), out.capped.len());
                        out.capped.push(CappedSender {
                            protocol,
                            sender: src.ip(),
                            cap,
                            dropped: 1,
                        });
                    }
                }
                continue;
            }
            if !protocol.accepts(bytes) {
                debug!(protocol = ?protocol, %src, len, "Discovery reply ignored (not a device answer)");
                continue;
            }
            if !totals.take(len) {
                out.dropped_over_total += 1;
                continue;
            }
            seen.insert(key);
            per_sender.insert(src.ip(), kept + 1);
            out.replies.push((src, bytes.to_vec()));
        }
        out
    };
    let ((), out) = tokio::join!(sending, receiving);
    out
}

/// An IPv4 UDP socket on an ephemeral port. With `interface`, multicast leaves through that
/// address's interface with TTL 1 (discovery never crosses a router). The socket is bound to
/// 0.0.0.0 rather than the interface address so that unicast probes to other interfaces
/// (loopback included) still get a usable source address.
fn open_v4(interface: Option<Ipv4Addr>) -> io::Result<UdpSocket> {
    let socket = socket2::Socket::new(
        socket2::Domain::IPV4,
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )?;
    socket.set_nonblocking(true)?;
    if let Some(addr) = interface {
        socket.set_multicast_if_v4(&addr)?;
        socket.set_multicast_ttl_v4(1)?;
    }
    socket.bind(&SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0).into())?;
    UdpSocket::from_std(socket.into())
}

/// An IPv6 UDP socket on an ephemeral port, for unicast probes only.
fn open_v6() -> io::Result<UdpSocket> {
    let socket = socket2::Socket::new(
        socket2::Domain::IPV6,
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )?;
    socket.set_nonblocking(true)?;
    socket.set_only_v6(true)?;
    socket.bind(&SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), 0).into())?;
    UdpSocket::from_std(socket.into())
}

/// A random (version 4) UUID in lower-case hex with hyphens. Message ids only need to be
/// unique, not secret: std's randomly keyed hasher over time, process id and a counter is
/// enough and needs no extra crate.
pub fn fresh_uuid() -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let keys = std::collections::hash_map::RandomState::new();
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        let mut h = keys.build_hasher();
        h.write_u64(count);
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.write_usize(i);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Text of the first child element of `node` with this local name, trimmed.
fn child_text(node: roxmltree::Node<'_, '_>, local: &str) -> Option<String> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == local)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
}

/// Bytes as text for the XML parsers: invalid UTF-8 replaced, a BOM and surrounding
/// whitespace/NUL padding (some firmware pads datagrams) removed.
fn xml_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.trim_start_matches('\u{feff}')
        .trim_matches(|c: char| c.is_whitespace() || c == '\0')
        .to_string()
}
