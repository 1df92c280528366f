//! UDP discovery: ONVIF WS-Discovery (3702), SSDP (1900), Hikvision SADP (37020) and Dahua
//! DHIP (37810). Each protocol module has a pure `request` and a total `parse`; `discover`
//! sends the probes (multicast on one interface when asked, and unicast to given addresses)
//! and collects replies for a fixed window. Off unless `--discover` is given.

pub mod dhip;
pub mod sadp;
pub mod ssdp;
pub mod wsd;

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use model::{Kind, Observation};
use tokio::net::UdpSocket;
use tracing::{debug, warn};

/// Largest UDP payload we read; anything longer is truncated by the kernel.
const MAX_DATAGRAM: usize = 64 * 1024;
/// Replies kept per protocol and socket, so a flood cannot grow memory without bound
/// (at most this many datagrams of at most `MAX_DATAGRAM` bytes).
const MAX_REPLIES: usize = 1024;
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
    /// How long to collect replies.
    pub window: Duration,
}

/// Send the probes and collect replies; one Observation per reply (device = the reply's source IP
/// as a string, id = "<ip>:<port>/<kind>#n", kind = protocol kind, port = protocol port,
/// request = short text naming the probe, response = the reply bytes verbatim). Replies that
/// `parse` rejects are dropped (not device answers). Never panics; socket errors are logged
/// with tracing::warn and that protocol is skipped.
pub async fn discover(cfg: &DiscoverConfig) -> Vec<Observation> {
    let mut protocols: Vec<Protocol> = Vec::new();
    for p in &cfg.protocols {
        if !protocols.contains(p) {
            protocols.push(*p);
        }
    }
    // All protocols share the one window, so they run side by side, not one after another.
    let runs = protocols.iter().map(|p| run_protocol(*p, cfg));
    let results = futures::future::join_all(runs).await;

    let mut out = Vec::new();
    for (protocol, replies) in protocols.iter().zip(results) {
        let mut seen_per_device: HashMap<IpAddr, usize> = HashMap::new();
        for (src, bytes) in replies {
            let n = seen_per_device.entry(src.ip()).or_default();
            *n += 1;
            let device = src.ip().to_string();
            out.push(Observation {
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
    }
    out
}

/// One protocol: open its sockets, send the probes, collect accepted replies in arrival order.
async fn run_protocol(protocol: Protocol, cfg: &DiscoverConfig) -> Vec<(SocketAddr, Vec<u8>)> {
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

    let deadline = tokio::time::Instant::now() + cfg.window;
    let v4 = async {
        if v4_targets.is_empty() {
            return Vec::new();
        }
        match open_v4(cfg.multicast_interface) {
            Ok(socket) => exchange(protocol, &socket, &v4_targets, deadline).await,
            Err(error) => {
                warn!(protocol = ?protocol, %error, "Discovery socket (IPv4) could not be opened");
                Vec::new()
            }
        }
    };
    let v6 = async {
        if v6_targets.is_empty() {
            return Vec::new();
        }
        match open_v6() {
            Ok(socket) => exchange(protocol, &socket, &v6_targets, deadline).await,
            Err(error) => {
                warn!(protocol = ?protocol, %error, "Discovery socket (IPv6) could not be opened");
                Vec::new()
            }
        }
    };
    let (mut a, b) = tokio::join!(v4, v6);
    a.extend(b);
    a
}

/// Send one probe to every target, then read until the deadline. Keeps replies `parse` accepts,
/// once per identical (source, bytes).
async fn exchange(
    protocol: Protocol,
    socket: &UdpSocket,
    targets: &[SocketAddr],
    deadline: tokio::time::Instant,
) -> Vec<(SocketAddr, Vec<u8>)> {
    let probe = protocol.request();
    let mut sent = 0usize;
    for target in targets {
        match socket.send_to(&probe, target).await {
            Ok(_) => sent += 1,
            Err(error) => {
                warn!(protocol = ?protocol, %target, %error, "Discovery probe could not be sent")
            }
        }
    }
    if sent == 0 {
        return Vec::new();
    }

    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut replies = Vec::new();
    let mut errors = 0usize;
    while replies.len() < MAX_REPLIES {
        let (len, src) = match tokio::time::timeout_at(deadline, socket.recv_from(&mut buf)).await {
            Err(_elapsed) => break,
            Ok(Ok(got)) => got,
            Ok(Err(error)) => {
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
        if !protocol.accepts(bytes) {
            debug!(protocol = ?protocol, %src, len, "Discovery reply ignored (not a device answer)");
            continue;
        }
        // Linear search: replies are few and capped, and this keeps one copy of each.
        if replies
            .iter()
            .any(|(s, b): &(SocketAddr, Vec<u8>)| *s == src && b == bytes)
        {
            continue;
        }
        replies.push((src, bytes.to_vec()));
    }
    replies
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
