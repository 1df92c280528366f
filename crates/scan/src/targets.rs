//! Target specifications: addresses, CIDRs, ranges (`a-b`, `10.0.0.1-20`), hostnames and
//! `@file` lists, minus `--exclude`. Expansion is lazy, so a /8 costs nothing until scanned.

use ipnet::IpNet;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

/// Largest number of addresses one scan may cover; a typo such as `/8` instead of `/28`
/// should be an error, not a week-long scan.
pub const MAX_ADDRESSES: u128 = 1 << 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error(
        "no targets: give addresses, CIDRs (10.1.0.0/24), ranges (10.1.0.1-10.1.0.50) or @file; sightline never scans by default"
    )]
    Empty,
    #[error(
        "cannot understand target {0:?}: expected an address, CIDR, range a-b, hostname or @file"
    )]
    Invalid(String),
    #[error("range {0:?} runs backwards or mixes IPv4 and IPv6")]
    BadRange(String),
    #[error("cannot read target file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("cannot resolve hostname {0:?}")]
    Resolve(String),
    #[error(
        "targets cover {0} addresses, more than the {MAX_ADDRESSES} one scan allows: split the scan"
    )]
    TooMany(u128),
}

/// An inclusive range of addresses of one family, as integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Span {
    V4(u32, u32),
    V6(u128, u128),
}

impl Span {
    fn len(&self) -> u128 {
        match *self {
            Span::V4(a, b) => (b - a) as u128 + 1,
            Span::V6(a, b) => (b - a).saturating_add(1),
        }
    }
}

/// The set of addresses to scan.
#[derive(Clone, Debug, Default)]
pub struct Targets {
    include: Vec<Span>,
    exclude: Vec<Span>,
}

impl Targets {
    /// Parse target specs and exclusions. Hostnames are resolved here (the only lookup).
    pub fn parse(specs: &[String], excludes: &[String]) -> Result<Targets, TargetError> {
        let mut t = Targets::default();
        for s in specs {
            t.include.extend(parse_spec(s, 0)?);
        }
        for s in excludes {
            t.exclude.extend(parse_spec(s, 0)?);
        }
        t.include.sort();
        t = t.merge_overlaps();
        if t.include.is_empty() {
            return Err(TargetError::Empty);
        }
        let n = t.len();
        if n > MAX_ADDRESSES {
            return Err(TargetError::TooMany(n));
        }
        Ok(t)
    }

    /// Number of addresses before exclusions (an upper bound on what will be scanned).
    pub fn len(&self) -> u128 {
        self.include
            .iter()
            .fold(0u128, |n, s| n.saturating_add(s.len()))
    }

    pub fn is_empty(&self) -> bool {
        self.include.is_empty()
    }

    /// Whether an address is one of the targets (inside a spec, not excluded).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let inside = self.include.iter().any(|s| match (*s, ip) {
            (Span::V4(a, b), IpAddr::V4(v)) => (a..=b).contains(&u32::from(v)),
            (Span::V6(a, b), IpAddr::V6(v)) => (a..=b).contains(&u128::from(v)),
            _ => false,
        });
        inside && !self.excluded(ip)
    }

    fn excluded(&self, ip: IpAddr) -> bool {
        self.exclude.iter().any(|s| match (*s, ip) {
            (Span::V4(a, b), IpAddr::V4(v)) => (a..=b).contains(&u32::from(v)),
            (Span::V6(a, b), IpAddr::V6(v)) => (a..=b).contains(&u128::from(v)),
            _ => false,
        })
    }

    /// Every address once, in order, exclusions removed.
    pub fn iter(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.include
            .iter()
            .flat_map(|s| -> Box<dyn Iterator<Item = IpAddr> + Send> {
                match *s {
                    Span::V4(a, b) => Box::new((a..=b).map(|n| IpAddr::V4(Ipv4Addr::from(n)))),
                    Span::V6(a, b) => Box::new((a..=b).map(|n| IpAddr::V6(Ipv6Addr::from(n)))),
                }
            })
            .filter(move |ip| !self.excluded(*ip))
    }

    /// Collapse overlapping or adjacent spans (input sorted) so each address appears once.
    fn merge_overlaps(mut self) -> Targets {
        let mut out: Vec<Span> = Vec::new();
        for s in self.include.drain(..) {
            match (out.last_mut(), s) {
                (Some(Span::V4(_, e)), Span::V4(a, b)) if a <= e.saturating_add(1) => {
                    *e = (*e).max(b)
                }
                (Some(Span::V6(_, e)), Span::V6(a, b)) if a <= e.saturating_add(1) => {
                    *e = (*e).max(b)
                }
                _ => out.push(s),
            }
        }
        self.include = out;
        self
    }

    /// The distinct addresses, for small target sets (tests, summaries).
    pub fn to_set(&self) -> BTreeSet<IpAddr> {
        self.iter().collect()
    }
}

/// How deep `@file` lists may include other `@file` lists.
const MAX_FILE_DEPTH: usize = 4;

fn parse_spec(spec: &str, depth: usize) -> Result<Vec<Span>, TargetError> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Ok(vec![]);
    }
    if let Some(path) = spec.strip_prefix('@') {
        if depth >= MAX_FILE_DEPTH {
            return Err(TargetError::File {
                path: path.to_string(),
                reason: format!(
                    "@file lists nest more than {MAX_FILE_DEPTH} deep (does a file include itself?)"
                ),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| TargetError::File {
            path: path.to_string(),
            reason: e.to_string(),
        })?;
        let mut out = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            for part in line.split([',', ' ', '\t']).filter(|p| !p.is_empty()) {
                out.extend(parse_spec(part, depth + 1)?);
            }
        }
        return Ok(out);
    }
    if spec.contains(',') {
        let mut out = Vec::new();
        for part in spec.split(',') {
            out.extend(parse_spec(part, depth)?);
        }
        return Ok(out);
    }
    if let Ok(ip) = spec.parse::<IpAddr>() {
        return Ok(vec![span(ip, ip)]);
    }
    if spec.contains('/') {
        let net: IpNet = spec
            .parse()
            .map_err(|_| TargetError::Invalid(spec.to_string()))?;
        return Ok(vec![span(net.network(), net.broadcast())]);
    }
    if let Some((a, b)) = spec.split_once('-')
        && let Ok(start) = a.trim().parse::<IpAddr>()
    {
        let end: IpAddr = match b.trim().parse::<IpAddr>() {
            Ok(ip) => ip,
            // Short form: 10.0.0.1-20 (last octet) or 2001:db8::1-ff (last group).
            Err(_) => {
                short_end(start, b.trim()).ok_or_else(|| TargetError::Invalid(spec.to_string()))?
            }
        };
        let s = span(start, end);
        return match s {
            Span::V4(a, b) if a <= b && start.is_ipv4() && end.is_ipv4() => Ok(vec![s]),
            Span::V6(a, b) if a <= b && start.is_ipv6() && end.is_ipv6() => Ok(vec![s]),
            _ => Err(TargetError::BadRange(spec.to_string())),
        };
    }
    if spec
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && spec.chars().any(|c| c.is_ascii_alphabetic())
    {
        let addrs: Vec<IpAddr> = (spec, 0)
            .to_socket_addrs()
            .map_err(|_| TargetError::Resolve(spec.to_string()))?
            .map(|a| a.ip())
            .collect();
        if addrs.is_empty() {
            return Err(TargetError::Resolve(spec.to_string()));
        }
        return Ok(addrs.into_iter().map(|ip| span(ip, ip)).collect());
    }
    Err(TargetError::Invalid(spec.to_string()))
}

fn short_end(start: IpAddr, tail: &str) -> Option<IpAddr> {
    match start {
        IpAddr::V4(v) => {
            let last: u8 = tail.parse().ok()?;
            let o = v.octets();
            Some(IpAddr::V4(Ipv4Addr::new(o[0], o[1], o[2], last)))
        }
        IpAddr::V6(v) => {
            let last = u16::from_str_radix(tail, 16).ok()?;
            let mut s = v.segments();
            s[7] = last;
            Some(IpAddr::V6(Ipv6Addr::from(s)))
        }
    }
}

fn span(a: IpAddr, b: IpAddr) -> Span {
    match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => Span::V4(u32::from(a), u32::from(b)),
        (IpAddr::V6(a), IpAddr::V6(b)) => Span::V6(u128::from(a), u128::from(b)),
        // Mixed families: an empty, backwards span that parse_spec reports as BadRange.
        (IpAddr::V4(a), IpAddr::V6(_)) => Span::V4(u32::from(a), 0),
        (IpAddr::V6(a), IpAddr::V4(_)) => Span::V6(u128::from(a), 0),
    }
}
