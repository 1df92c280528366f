//! `sightline scan`: targets in, one identified host per line out, progress on stderr.

use crate::args::{Format, ScanArgs};
use crate::identify::{IdentityJson, identity_json, load_db};
use crate::{ExitCode, table};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use model::{Identity, LimitHit, Observation, ObservationRecord};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// One scanned host as written by `--format jsonl`.
#[derive(serde::Serialize)]
struct HostJson<'a> {
    address: String,
    ports: &'a [u16],
    /// `complete`, or `budget-exhausted` when the host's time budget ended its scan (what it
    /// sent by then is below).
    status: &'static str,
    #[serde(flatten)]
    identity: IdentityJson<'a>,
    /// The answers, in `identify`'s input format, so `identify` can re-run on them.
    observations: Vec<ObservationRecord>,
}

fn record(o: &Observation) -> ObservationRecord {
    use base64::Engine as _;
    let (response, response_base64) = match std::str::from_utf8(&o.response) {
        Ok(t) if !t.contains('\0') => (Some(t.to_string()), None),
        _ => (
            None,
            Some(base64::engine::general_purpose::STANDARD.encode(&o.response)),
        ),
    };
    ObservationRecord {
        id: Some(o.id.clone()),
        device: Some(o.device.clone()),
        kind: o.kind.to_string(),
        address: o.address.clone(),
        port: o.port,
        request: o.request.clone(),
        response,
        response_base64,
        time: o.time.clone(),
        truth: None,
        source: None,
    }
}

pub fn run(a: ScanArgs) -> Result<ExitCode> {
    let targets = scan::Targets::parse(&a.targets, &a.exclude)?;
    let mut cfg = a.options.to_config()?;
    let nofile = cfg.fit_to_open_files();
    tracing::info!(
        nofile,
        concurrency = cfg.host_concurrency,
        "Open-files limit"
    );
    let format = a.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Jsonl
    });
    let db = load_db(a.data.data.as_deref())?;
    let total = targets.len() as u64;
    let show_progress = !a.no_progress && std::io::stderr().is_terminal();
    let bar = if show_progress {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} hosts  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut rows = Vec::new();
    let mut stats = Stats::default();
    let summary = rt.block_on(async {
        let cancel = CancellationToken::new();
        crate::stop_on_ctrl_c(cancel.clone());
        // Discovery first, so its answers join the TCP answers of the same host.
        let mut discovered: BTreeMap<IpAddr, Vec<Observation>> = BTreeMap::new();
        // Discovery caps a host hit, recorded on its identity.
        let mut discovery_limits: BTreeMap<IpAddr, Vec<LimitHit>> = BTreeMap::new();
        if !a.no_discover {
            let unicast: Vec<IpAddr> = if targets.len() <= 65_536 {
                targets.iter().collect()
            } else {
                Vec::new()
            };
            let dcfg = scan::discover::DiscoverConfig {
                protocols: scan::discover::Protocol::ALL.to_vec(),
                multicast_interface: a.interface,
                unicast,
                window: Duration::from_millis(a.discover_window),
                rate: cfg.rate,
            };
            bar.set_message("UDP discovery");
            let found = scan::discover::run(&dcfg).await;
            for c in found.capped {
                if targets.contains(c.sender) {
                    discovery_limits.entry(c.sender).or_default().push(LimitHit {
                        observation: String::new(),
                        limit: "discovery-replies".into(),
                        detail: format!(
                            "{} more {} replies dropped (at most {} distinct replies per sender)",
                            c.dropped,
                            c.protocol.kind(),
                            c.cap
                        ),
                    });
                }
            }
            for o in found.observations {
                // Multicast replies come from the whole segment: keep only the targets.
                if let Some(ip) = o
                    .address
                    .as_deref()
                    .or(Some(o.device.as_str()))
                    .and_then(|s| s.parse::<IpAddr>().ok())
                    && targets.contains(ip)
                {
                    discovered.entry(ip).or_default().push(o);
                }
            }
        }
        let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
        let scan_cancel = cancel.clone();
        let cfg2 = cfg.clone();
        let engine =
            tokio::spawn(async move { scan::scan(&targets, &cfg2, tx, scan_cancel).await });
        while let Some(scan::Event::HostDone(mut host)) = rx.recv().await {
            bar.inc(1);
            stats.open_ports += host.open_ports.len();
            if let Some(extra) = discovered.remove(&host.address) {
                host.observations.extend(extra);
            }
            if host.observations.is_empty() && host.open_ports.is_empty() {
                continue;
            }
            let mut id = db.identify(&host.address.to_string(), &host.observations);
            if host.budget_exhausted {
                stats.budget_exhausted += 1;
                id.limits.push(budget_limit(&host, cfg.host_budget));
            }
            id.limits
                .extend(discovery_limits.remove(&host.address).unwrap_or_default());
            stats.count(&id);
            emit(
                &mut out,
                &mut rows,
                format,
                Shown {
                    address: &host.address.to_string(),
                    ports: &host.open_ports,
                    budget_exhausted: host.budget_exhausted,
                    id: &id,
                    obs: &host.observations,
                },
            )?;
            bar.set_message(stats.message());
        }
        // Hosts that answered discovery but had no open TCP port.
        for (ip, obs) in discovered {
            let mut id = db.identify(&ip.to_string(), &obs);
            id.limits
                .extend(discovery_limits.remove(&ip).unwrap_or_default());
            stats.count(&id);
            emit(
                &mut out,
                &mut rows,
                format,
                Shown {
                    address: &ip.to_string(),
                    ports: &[],
                    budget_exhausted: false,
                    id: &id,
                    obs: &obs,
                },
            )?;
        }
        let summary = engine.await.context("the scan engine failed")?;
        Ok::<_, anyhow::Error>(summary)
    })?;
    bar.finish_and_clear();
    if format == Format::Table {
        let headers = [
            "ADDRESS",
            "PORTS",
            "STATUS",
            "MANUFACTURER",
            "BRAND",
            "MODEL",
            "CLASS",
            "FIRMWARE",
            "COVERED",
            "CONF",
            "EVIDENCE",
        ];
        out.write_all(table::render(&headers, &rows, 36).as_bytes())?;
    }
    out.flush().context("cannot write results")?;
    eprintln!(
        "{} hosts scanned in {:.1} s: {} responsive, {} open ports, {} identified, {} covered{}{}",
        summary.hosts_scanned,
        summary.elapsed.as_secs_f64(),
        stats.responsive,
        stats.open_ports,
        stats.identified,
        stats.covered,
        if stats.budget_exhausted > 0 {
            format!(
                ", {} budget-exhausted (stopped at --host-budget {} s)",
                stats.budget_exhausted,
                cfg.host_budget.as_secs_f64()
            )
        } else {
            String::new()
        },
        if summary.cancelled {
            " (stopped early by Ctrl-C: results above are what was found)"
        } else {
            ""
        }
    );
    Ok(ExitCode::Clean)
}

#[derive(Default)]
struct Stats {
    responsive: usize,
    budget_exhausted: usize,
    open_ports: usize,
    identified: usize,
    covered: usize,
}

impl Stats {
    fn count(&mut self, id: &Identity) {
        self.responsive += 1;
        self.identified += usize::from(id.manufacturer.is_some());
        self.covered += usize::from(id.covered);
    }

    fn message(&self) -> String {
        format!(
            "{} open ports, {} identified, {} covered",
            self.open_ports, self.identified, self.covered
        )
    }
}

/// The host status shown in the output.
fn status(budget_exhausted: bool) -> &'static str {
    if budget_exhausted {
        scan::Status::BudgetExhausted.as_str()
    } else {
        "complete"
    }
}

/// The host budget as a limit on the host's identity: which ports it cut or skipped.
fn budget_limit(host: &scan::HostResult, budget: Duration) -> LimitHit {
    let cut: Vec<String> = host
        .outcomes
        .iter()
        .filter(|o| o.status == scan::Status::BudgetExhausted)
        .map(|o| o.port.to_string())
        .collect();
    LimitHit {
        observation: host
            .observations
            .last()
            .map(|o| o.id.clone())
            .unwrap_or_default(),
        limit: "host-budget".into(),
        detail: format!(
            "scan of the host stopped at its {} s budget; ports cut or not probed: {}",
            budget.as_secs_f64(),
            if cut.is_empty() {
                "none (the sweep was cut)".to_string()
            } else {
                cut.join(",")
            }
        ),
    }
}

/// One identified host, ready to print.
struct Shown<'a> {
    address: &'a str,
    ports: &'a [u16],
    budget_exhausted: bool,
    id: &'a Identity,
    obs: &'a [Observation],
}

fn emit(
    out: &mut impl Write,
    rows: &mut Vec<Vec<String>>,
    format: Format,
    shown: Shown<'_>,
) -> Result<()> {
    let Shown {
        address,
        ports,
        budget_exhausted,
        id,
        obs,
    } = shown;
    match format {
        Format::Jsonl => {
            let host = HostJson {
                address: address.to_string(),
                ports,
                status: status(budget_exhausted),
                identity: identity_json(id),
                observations: obs.iter().map(record).collect(),
            };
            serde_json::to_writer(&mut *out, &host)?;
            out.write_all(b"\n")?;
        }
        Format::Table => {
            let mut row = crate::identify::table_row(id);
            row[0] = address.to_string();
            let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
            row.insert(1, ports.join(","));
            row.insert(2, status(budget_exhausted).to_string());
            rows.push(row);
        }
    }
    Ok(())
}
