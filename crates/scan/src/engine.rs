//! The scan engine: owns concurrency, timeouts, the global rate limit and cancellation.
//! Hosts are scanned with bounded concurrency; within a host, ports are swept with a small
//! per-host limit (politeness: one fragile camera never sees more than `per_host` connections
//! at once) and open ports are probed one after another. Every task is awaited by its owner
//! and the event channel is bounded.
//!
//! Each host has a wall-clock budget for probing its open ports, follow-ups included, starting
//! when its sweep ends (the sweep waits for the scan-wide rate limit and is bounded by its own
//! connect timeout): every wait inside a probe ends at the budget's deadline and nothing new
//! starts after it, so a tarpit costs one budget, not a read timeout per port and request. Answers complete before the
//! deadline are kept; the host is marked `budget_exhausted`.

use crate::probe::{self, Cx, ProbeOutcome, Status};
use crate::targets::Targets;
use futures::StreamExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use model::Observation;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout_at};
use tokio_util::sync::CancellationToken;

/// Default wall-clock budget of one host (probes of all its open ports and their follow-ups). A healthy
/// device answers the default ports and their follow-ups in a few seconds (the engine logs
/// hosts over 3 s as slow); 30 s leaves ten times that for slow embedded servers on far links,
/// while a tarpit answering on every port costs 30 s instead of a read timeout per port and
/// request (minutes per host).
pub const DEFAULT_HOST_BUDGET: Duration = Duration::from_secs(30);

/// How long after the budget's deadline the engine waits for a probe to hand back what it has.
/// Every wait inside a probe already ends at the deadline, so this only bounds what does not
/// wait on the network (parsing, a TLS library's own work); the probe is then dropped.
const BUDGET_GRACE: Duration = Duration::from_millis(500);

/// Everything the engine needs; built from validated CLI arguments.
#[derive(Clone, Debug)]
pub struct ScanConfig {
    pub ports: Vec<u16>,
    /// Connect timeout of the sweep (open/closed test).
    pub sweep_timeout: Duration,
    /// Limits of the probes on open ports.
    pub cx: Cx,
    /// Hosts scanned at once.
    pub host_concurrency: usize,
    /// Connections to one host at once.
    pub per_host: usize,
    /// Most connection attempts per second, all hosts together.
    pub rate: Option<NonZeroU32>,
    /// Wall-clock budget of one host: probes of all its open ports and their follow-ups,
    /// counted from the end of its sweep.
    pub host_budget: Duration,
}

impl Default for ScanConfig {
    fn default() -> ScanConfig {
        ScanConfig {
            ports: crate::ports::default_ports(),
            sweep_timeout: Duration::from_millis(1000),
            cx: Cx::default(),
            host_concurrency: 512,
            per_host: 6,
            rate: NonZeroU32::new(20_000),
            host_budget: DEFAULT_HOST_BUDGET,
        }
    }
}

impl ScanConfig {
    /// Raise the soft open-files limit as far as the hard limit allows and keep total
    /// concurrency under it. Returns the limit in force.
    pub fn fit_to_open_files(&mut self) -> u64 {
        let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
        // Room for the process's own files, and the probes' second connection per host.
        let budget = limit.saturating_sub(256).max(16) as usize;
        let per_host = self.per_host.max(1);
        if self.host_concurrency * per_host > budget {
            self.host_concurrency = (budget / per_host).max(1);
        }
        limit
    }
}

/// What was found on one host.
#[derive(Clone, Debug)]
pub struct HostResult {
    pub address: IpAddr,
    pub open_ports: Vec<u16>,
    pub outcomes: Vec<ProbeOutcome>,
    /// The answers, as observations (device = the address).
    pub observations: Vec<Observation>,
    pub elapsed: Duration,
    /// The host's time budget ran out before every open port was probed to its end: answers
    /// complete by then are kept, cut probes and skipped ports have status `BudgetExhausted`.
    pub budget_exhausted: bool,
}

/// Progress and results, in the order they happen.
#[derive(Debug)]
pub enum Event {
    /// A host's sweep and probes are done (also sent for hosts with no open port).
    HostDone(HostResult),
}

/// Totals at the end of a scan.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub hosts_scanned: usize,
    pub hosts_up: usize,
    pub open_ports: usize,
    /// Hosts whose time budget ran out.
    pub hosts_budget_exhausted: usize,
    pub cancelled: bool,
    pub elapsed: Duration,
}

/// Scan every target; results go to `events` as hosts finish. Stops early (keeping what was
/// found) when `cancel` fires.
pub async fn scan(
    targets: &Targets,
    cfg: &ScanConfig,
    events: mpsc::Sender<Event>,
    cancel: CancellationToken,
) -> Summary {
    let started = Instant::now();
    let limiter: Option<Arc<DefaultDirectRateLimiter>> = cfg
        .rate
        .map(|r| Arc::new(RateLimiter::direct(Quota::per_second(r))));
    let scanned = AtomicUsize::new(0);
    let up = AtomicUsize::new(0);
    let open = AtomicUsize::new(0);
    let exhausted = AtomicUsize::new(0);
    let hosts = futures::stream::iter(targets.iter())
        .take_until(cancel.clone().cancelled_owned())
        .map(|ip| {
            let limiter = limiter.clone();
            let cancel = cancel.clone();
            async move { scan_host(ip, cfg, limiter.as_deref(), &cancel).await }
        })
        .buffer_unordered(cfg.host_concurrency.max(1));
    futures::pin_mut!(hosts);
    while let Some(result) = hosts.next().await {
        scanned.fetch_add(1, Ordering::Relaxed);
        if !result.open_ports.is_empty() {
            up.fetch_add(1, Ordering::Relaxed);
            open.fetch_add(result.open_ports.len(), Ordering::Relaxed);
        }
        if result.budget_exhausted {
            exhausted.fetch_add(1, Ordering::Relaxed);
        }
        if events.send(Event::HostDone(result)).await.is_err() {
            break;
        }
    }
    Summary {
        hosts_scanned: scanned.into_inner(),
        hosts_up: up.into_inner(),
        open_ports: open.into_inner(),
        hosts_budget_exhausted: exhausted.into_inner(),
        cancelled: cancel.is_cancelled(),
        elapsed: started.elapsed(),
    }
}

async fn scan_host(
    ip: IpAddr,
    cfg: &ScanConfig,
    limiter: Option<&DefaultDirectRateLimiter>,
    cancel: &CancellationToken,
) -> HostResult {
    let started = Instant::now();
    // The sweep is not charged to the host's budget: its connects wait for the scan-wide rate
    // limit (at a low `--rate`, most of a host's sweep is waiting its turn), and each connect is
    // already bounded by the sweep timeout. A budget charged from the start starved every host
    // of a slow, polite scan before its first probe. The budget bounds what the host itself can
    // stretch: probing its open ports and the follow-ups.
    let no_deadline = started + Duration::from_secs(365 * 24 * 3600);
    let sweep = futures::stream::iter(cfg.ports.iter().copied())
        .map(|port| async move {
            if let Some(l) = limiter {
                l.until_ready().await;
            }
            is_open(SocketAddr::new(ip, port), cfg.sweep_timeout, no_deadline)
                .await
                .map(|rtt| (port, rtt))
        })
        .buffer_unordered(cfg.per_host.max(1));
    let found: Vec<(u16, Duration)> = sweep.filter_map(|p| async move { p }).collect().await;
    let probing = Instant::now();
    // A budget too large to add is no budget: a year stands for "never".
    let deadline = probing
        .checked_add(cfg.host_budget)
        .unwrap_or_else(|| probing + Duration::from_secs(365 * 24 * 3600));
    let mut budget_exhausted = false;
    let mut open_ports: Vec<u16> = found.iter().map(|(p, _)| *p).collect();
    open_ports.sort_unstable();
    let cx = Cx {
        deadline: Some(deadline),
        ..adapt(&cfg.cx, found.iter().map(|(_, rtt)| *rtt).min())
    };
    let mut outcomes = Vec::new();
    for &port in &open_ports {
        if cancel.is_cancelled() {
            break;
        }
        let first = crate::ports::first_probe(port);
        if Instant::now() >= deadline {
            // Recorded, not silent: the port is open but was never asked.
            budget_exhausted = true;
            outcomes.push(ProbeOutcome {
                probe: first,
                port,
                status: Status::BudgetExhausted,
                answers: Vec::new(),
                elapsed: Duration::ZERO,
            });
            continue;
        }
        let probe_started = Instant::now();
        match timeout_at(
            deadline + BUDGET_GRACE,
            probe::run(&cx, SocketAddr::new(ip, port), first),
        )
        .await
        {
            Ok(outs) => {
                let cut = Instant::now() >= deadline;
                budget_exhausted |= cut;
                outcomes.extend(outs.into_iter().map(|mut o| {
                    // A wait that ended at the budget's deadline is the budget's doing.
                    if cut && matches!(o.status, Status::ReadTimeout | Status::ConnectTimeout) {
                        o.status = Status::BudgetExhausted;
                    }
                    o
                }));
            }
            Err(_) => {
                budget_exhausted = true;
                outcomes.push(ProbeOutcome {
                    probe: first,
                    port,
                    status: Status::BudgetExhausted,
                    answers: Vec::new(),
                    elapsed: probe_started.elapsed(),
                });
            }
        }
    }
    if budget_exhausted {
        tracing::info!(
            %ip,
            budget_ms = cfg.host_budget.as_millis() as u64,
            open_ports = open_ports.len(),
            "Host budget exhausted"
        );
    }
    let observations = to_observations(ip, &outcomes);
    if started.elapsed() > Duration::from_secs(3) {
        let slow: Vec<String> = outcomes
            .iter()
            .map(|o| {
                format!(
                    "{}/{}:{}:{}ms",
                    o.port,
                    o.probe.as_str(),
                    o.status.as_str(),
                    o.elapsed.as_millis()
                )
            })
            .collect();
        tracing::info!(%ip, elapsed_ms = started.elapsed().as_millis() as u64, probes = %slow.join(" "), "Slow host");
    }
    HostResult {
        address: ip,
        open_ports,
        outcomes,
        observations,
        elapsed: started.elapsed(),
        budget_exhausted,
    }
}

/// Probe limits fitted to a host's round-trip time (its fastest connect): a far or slow link
/// gets the configured deadlines, a near one answers within a few RTTs, so waiting for silent
/// services costs less. Never longer than configured, never below a floor that slow embedded
/// web servers need to build a page.
pub fn adapt(base: &Cx, rtt: Option<Duration>) -> Cx {
    let Some(rtt) = rtt else { return base.clone() };
    let fit = |floor: Duration, factor: u32, max: Duration| (rtt * factor).max(floor).min(max);
    Cx {
        connect_timeout: fit(Duration::from_millis(300), 10, base.connect_timeout),
        read_timeout: fit(Duration::from_millis(1500), 40, base.read_timeout),
        idle_timeout: fit(Duration::from_millis(250), 8, base.idle_timeout),
        ..base.clone()
    }
}

/// TCP connect test, returning the connect time when open; it waits `t` and never past
/// `deadline`. The socket is closed with a reset (linger 0) so that thousands of sweeps leave
/// no TIME_WAIT sockets behind to exhaust ephemeral ports.
async fn is_open(addr: SocketAddr, t: Duration, deadline: Instant) -> Option<Duration> {
    let started = Instant::now();
    match timeout_at((started + t).min(deadline), TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => {
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            Some(started.elapsed())
        }
        _ => None,
    }
}

/// Number the answers of one host as observations in the identify input shape.
pub fn to_observations(ip: IpAddr, outcomes: &[ProbeOutcome]) -> Vec<Observation> {
    let device = ip.to_string();
    let mut out = Vec::new();
    for o in outcomes {
        for a in &o.answers {
            out.push(Observation {
                id: format!("{device}:{}/{}#{}", a.port, a.kind, out.len() + 1),
                device: device.clone(),
                kind: a.kind,
                address: Some(device.clone()),
                port: Some(a.port),
                request: (!a.request.is_empty()).then(|| a.request.clone()),
                response: a.response.clone(),
                time: None,
            });
        }
    }
    out
}
