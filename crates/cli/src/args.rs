//! Command-line arguments (clap) and their validation into configs. Nothing after the
//! `*Config::from_args` functions sees raw arguments.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

const AFTER_HELP: &str = "\
Exit codes: 0 clean; 1 findings at or above --fail-on, or data problems (fingerprint check);
2 sightline failed (bad arguments, unreadable file); 3 the run finished but some input lines
were rejected (each is reported on stderr with its line number).

Examples:
  sightline identify examples/observations.jsonl
  sightline identify --format jsonl - < observations.jsonl
  sightline fingerprint check
  sightline fingerprint eval eval/dev/*.jsonl
  sightline vendors hikvision";

/// Find surveillance and network equipment made by vendors your rules forbid, with evidence.
#[derive(Debug, Parser)]
#[command(name = "sightline", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). SIGHTLINE_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Identify devices from recorded observations (JSON Lines), offline.
    ///
    /// Each input line is one observation: {"id", "device", "kind", "port", "request",
    /// "response"} where kind is one of http, rtsp, onvif, ws-discovery, ssdp, sadp, dhip,
    /// tls-cert, mac, banner. Lines with the same "device" are identified together; a line
    /// without "device" is a device of its own. Binary answers may use "response_base64".
    Identify(IdentifyArgs),
    /// Work with the fingerprint database: self-test, evaluation, statistics.
    Fingerprint {
        #[command(subcommand)]
        command: FingerprintCommand,
    },
    /// Show the vendor registry: companies, legal entities, brands, OEM relations, regimes.
    Vendors(VendorsArgs),
    /// Scan explicit targets: TCP sweep, read-only protocol probes, identification.
    ///
    /// Targets are required: addresses, CIDRs (10.1.0.0/24), ranges (10.1.0.1-10.1.0.50 or
    /// 10.1.0.1-50), hostnames or @file (one spec per line). sightline never scans by default.
    /// What each probe sends is documented in ARCHITECTURE.md: no passwords are tried, no
    /// exploits sent, nothing written.
    Scan(ScanArgs),
    /// Audit an estate: scan and/or import, store with history, evaluate a policy profile,
    /// plan the remediation, write reports (HTML, JSON, CSV, Markdown).
    Audit(AuditArgs),
    /// Run the whole audit on a simulated estate on loopback and write ./sightline-demo/.
    Demo(DemoArgs),
    /// Recompute every stored device's identity from its stored observations (after a
    /// fingerprint or registry update).
    Reidentify(ReidentifyArgs),
    /// The simulated estate: fake devices on loopback addresses replaying real answers.
    Lab {
        #[command(subcommand)]
        command: LabCommand,
    },
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The estate description (TOML: organisation, sites, segments, waivers, catalogue).
    #[arg(long, value_name = "FILE")]
    pub estate: PathBuf,
    /// Scan the estate's own segment CIDRs now.
    #[arg(long)]
    pub scan: bool,
    /// Import existing data: a CSV asset register (.csv), nmap XML (.xml) or `sightline scan`
    /// JSON Lines (.jsonl). Repeat for several files.
    #[arg(long, value_name = "FILE")]
    pub import: Vec<PathBuf>,
    /// Column mapping for CSV registers, e.g. address=IP,mac=MAC Address,install_date=Installed
    /// (default: guessed from the header).
    #[arg(long, value_name = "MAPPING")]
    pub map: Option<String>,
    /// Policy profile: uk-gov-2022, us-ndaa-889, us-fcc-covered or uk-huawei-dvd.
    #[arg(long, default_value = "uk-gov-2022")]
    pub profile: String,
    /// Directory for report.html, report.json, devices.csv, findings.csv, report.md.
    #[arg(long, value_name = "DIR", default_value = "sightline-report")]
    pub out: PathBuf,
    /// The inventory database (SQLite); history accumulates across audits.
    #[arg(long, value_name = "FILE", default_value = "sightline.db")]
    pub db: PathBuf,
    /// Exit with code 1 when an unwaived finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Procurement catalogue (TOML); default: the one the estate file names.
    #[arg(long, value_name = "FILE")]
    pub catalogue: Option<PathBuf>,
    /// How --scan scans (ports, rate, concurrency, timeouts, host budget).
    #[command(flatten)]
    pub scan_options: ScanOptions,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct ReidentifyArgs {
    /// The inventory database.
    #[arg(long, value_name = "FILE", default_value = "sightline.db")]
    pub db: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the demo's reports and database.
    #[arg(long, value_name = "DIR", default_value = "sightline-demo")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Serve an estate until Ctrl-C, writing the truth (address -> maker) to a file.
    Serve(LabServeArgs),
}

#[derive(Debug, Args)]
pub struct LabServeArgs {
    /// Number of fake devices.
    #[arg(long, default_value_t = 50)]
    pub devices: usize,
    /// Where they live: a network inside 127.0.0.0/8.
    #[arg(long, default_value = "127.70.0.0/16")]
    pub net: ipnet::Ipv4Net,
    /// Seed: the same seed lays out the same estate.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the truth (one JSON line per device: address, manufacturer, brand, covered) here.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Share of devices that misbehave (slow, tarpit, garbage, reset, huge headers, TLS only).
    #[arg(long, default_value_t = 0.03)]
    pub misbehaving: f64,
    /// Hostile devices to add beside the others, round-robin over the kinds (entity bomb,
    /// attribute flood, deep JSON, huge manufacturer, many big answers, tarpit, byte drip, UDP
    /// flood, serial clone, MAC-list router); the truth file marks them `hostile`. The other
    /// devices keep the addresses and personas they have without them.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub hostile: usize,
    /// Start, write the truth, then stop after this many seconds (default: until Ctrl-C).
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
    /// Build the personas from these labelled sets (JSON Lines in the eval/ format, such as
    /// eval/blind/*.jsonl) instead of the built-in ones: answers the built-in estate was not
    /// made from, replayed on loopback.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub personas: Vec<PathBuf>,
    /// Place each persona exactly once (one device per labelled unit) instead of drawing
    /// --devices at random; --devices and --misbehaving are then ignored.
    #[arg(long)]
    pub each: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// What to scan (required): 10.1.0.0/24, 10.1.0.1-50, host.example, @targets.txt ...
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Addresses or ranges to leave out (same forms as targets).
    #[arg(long, value_name = "TARGET")]
    pub exclude: Vec<String>,
    #[command(flatten)]
    pub options: ScanOptions,
    /// Skip UDP discovery. By default the scan also asks WS-Discovery, SSDP, SADP and DHIP,
    /// unicast to the named targets only (up to 65,536 of them); multicast to a whole segment
    /// happens only with --interface.
    #[arg(long)]
    pub no_discover: bool,
    /// Kept for old scripts: discovery is on by default, so this does nothing.
    #[arg(long, hide = true, conflicts_with = "no_discover")]
    pub discover: bool,
    /// Also multicast the discovery probes on this interface's segment (its local IPv4
    /// address); replies from addresses that are not targets are dropped. Off by default.
    #[arg(long, value_name = "ADDRESS")]
    pub interface: Option<std::net::Ipv4Addr>,
    /// How long to wait for discovery replies after the last probe, in milliseconds.
    #[arg(long, default_value_t = 1500)]
    pub discover_window: u64,
    /// Output format; defaults to `table` on a terminal and `jsonl` otherwise.
    #[arg(long, short)]
    pub format: Option<Format>,
    /// Hide the progress bar.
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

/// How the scan engine scans: shared by `scan` and `audit --scan`, turned into a
/// [`scan::ScanConfig`] by [`ScanOptions::to_config`] in one place.
#[derive(Debug, Args)]
pub struct ScanOptions {
    /// Ports to sweep, e.g. 80,443,554,8000-8010 (default: the surveillance/network set).
    #[arg(long, short)]
    pub ports: Option<String>,
    /// Most connection attempts (and discovery probes) per second, all hosts together.
    #[arg(long, default_value_t = 20_000)]
    pub rate: u32,
    /// Hosts scanned at once (lowered to fit the open-files limit).
    #[arg(long, default_value_t = 512)]
    pub concurrency: usize,
    /// Connections to one host at once (politeness towards fragile devices).
    #[arg(long, default_value_t = 6)]
    pub per_host: usize,
    /// Connect timeout of the sweep, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub timeout: u64,
    /// Read deadline of each probe exchange, in milliseconds.
    #[arg(long, default_value_t = 2500)]
    pub read_timeout: u64,
    /// Only GET / (and the first answer on other protocols): no redirect, favicon, vendor API
    /// or ONVIF follow-ups.
    #[arg(long)]
    pub no_follow_ups: bool,
    /// Most time spent probing one host's open ports, follow-ups included, in seconds
    /// (decimals allowed, e.g. 2.5), counted once its ports are swept. A host still talking
    /// then is reported as budget-exhausted, with what it sent so far.
    #[arg(long, value_name = "SECONDS", default_value_t = scan::DEFAULT_HOST_BUDGET.as_secs_f64())]
    pub host_budget: f64,
}

/// Longest `--host-budget` accepted: a day. Longer is a typo, and would overflow nothing but
/// help no one.
const MAX_HOST_BUDGET_SECS: f64 = 24.0 * 3600.0;

impl ScanOptions {
    /// Validate the options into the engine's configuration (before fitting it to the
    /// open-files limit, which the caller does).
    pub fn to_config(&self) -> Result<scan::ScanConfig> {
        if self.concurrency == 0 || self.per_host == 0 || self.rate == 0 {
            bail!("--concurrency, --per-host and --rate must be at least 1");
        }
        if !(self.host_budget > 0.0 && self.host_budget <= MAX_HOST_BUDGET_SECS) {
            bail!(
                "--host-budget must be a number of seconds above 0 and at most {MAX_HOST_BUDGET_SECS} (e.g. 30 or 2.5), not {}",
                self.host_budget
            );
        }
        let ports = match &self.ports {
            Some(p) => scan::ports::parse(p).map_err(anyhow::Error::msg)?,
            None => scan::ports::default_ports(),
        };
        Ok(scan::ScanConfig {
            ports,
            sweep_timeout: Duration::from_millis(self.timeout.max(10)),
            cx: scan::probe::Cx {
                connect_timeout: Duration::from_millis(self.timeout.max(10)),
                read_timeout: Duration::from_millis(self.read_timeout.max(50)),
                follow_ups: !self.no_follow_ups,
                ..scan::probe::Cx::default()
            },
            host_concurrency: self.concurrency,
            per_host: self.per_host,
            rate: NonZeroU32::new(self.rate),
            host_budget: Duration::from_secs_f64(self.host_budget),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per device per line.
    Jsonl,
    /// A readable table (default on a terminal).
    Table,
}

#[derive(Debug, Args)]
pub struct DataArgs {
    /// Load fingerprints and registry from this directory instead of the built-in copy
    /// (for trying data changes without rebuilding).
    #[arg(long, value_name = "DIR", global = true)]
    pub data: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IdentifyArgs {
    /// Observations file (JSON Lines); `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
    /// Input format. Only JSON Lines is supported today.
    #[arg(long = "input-format", default_value = "jsonl", value_parser = ["jsonl"])]
    pub input_format: String,
    /// Output format; defaults to `table` on a terminal and `jsonl` otherwise.
    #[arg(long, short)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub data: DataArgs,
}

pub struct IdentifyConfig {
    pub input: Option<PathBuf>,
    pub format: Format,
    pub data: Option<PathBuf>,
}

impl IdentifyConfig {
    pub fn from_args(a: IdentifyArgs) -> Result<IdentifyConfig> {
        let input = match a.file {
            Some(p) if p.as_os_str() == "-" => None,
            Some(p) => {
                if !p.exists() {
                    bail!(
                        "input file {} does not exist: give a JSON Lines file of observations, or - for standard input",
                        p.display()
                    );
                }
                Some(p)
            }
            None => {
                if std::io::stdin().is_terminal() {
                    bail!(
                        "no input: give a JSON Lines file (sightline identify FILE) or pipe observations into standard input"
                    );
                }
                None
            }
        };
        let format = a.format.unwrap_or(if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Jsonl
        });
        if let Some(d) = &a.data.data {
            std::fs::metadata(d).with_context(|| format!("cannot use --data {}", d.display()))?;
        }
        Ok(IdentifyConfig {
            input,
            format,
            data: a.data.data,
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum FingerprintCommand {
    /// Self-test: every example matches its entry, extracts what it declares, is not
    /// contradicted by an earlier entry; registry names resolve. Exit 1 on problems.
    Check(CheckArgs),
    /// Score identification on a labelled JSON Lines set (lines carry a "truth" object):
    /// covered recall, false covered rate, manufacturer accuracy, OEM label -> true maker.
    Eval(EvalArgs),
    /// Count fingerprints per kind, field and file, and registry entries.
    Stats(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled observations (JSON Lines with "truth": {"manufacturer", "covered"}); several
    /// files are scored together.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Also list every device that was scored wrong.
    #[arg(long)]
    pub misses: bool,
    /// Print the scores as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct VendorsArgs {
    /// A company, brand or alias (case-insensitive); without it, list all companies.
    pub name: Option<String>,
    /// Only companies named by a covered-equipment regime.
    #[arg(long)]
    pub covered: bool,
    #[command(flatten)]
    pub data: DataArgs,
}
