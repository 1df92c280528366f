//! `sightline identify` and `sightline fingerprint check|eval|stats`.

use crate::args::{CheckArgs, EvalArgs, Format, IdentifyConfig};
use crate::{ExitCode, input, table};
use anyhow::{Context, Result};
use fingerprint::Database;
use fingerprint::eval::Truth;
use model::Identity;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

pub fn load_db(data: Option<&Path>) -> Result<Database> {
    let (db, problems) = match data {
        Some(dir) => Database::from_dir(dir)?,
        None => Database::embedded(),
    };
    if !problems.is_empty() {
        tracing::warn!(
            count = problems.len(),
            "Fingerprint data has problems; affected entries are left out (run `sightline fingerprint check`)"
        );
    }
    Ok(db)
}

/// The stable JSON shape of one identified device (borrowed, so writing it copies nothing).
#[derive(serde::Serialize)]
pub struct IdentityJson<'a> {
    device: &'a str,
    manufacturer: &'a Option<String>,
    brand: &'a Option<String>,
    model: &'a Option<String>,
    device_class: Option<&'static str>,
    firmware: &'a Option<String>,
    covered: bool,
    regimes: &'a [String],
    confidence: f64,
    evidence: &'a [model::Evidence],
    notes: &'a [String],
    /// Identifiers the device reported (absent when none).
    #[serde(skip_serializing_if = "model::DeviceKeys::is_empty")]
    keys: &'a model::DeviceKeys,
    /// Safety limits its answers reached (absent when none).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    limits: &'a [model::LimitHit],
    /// The firmware family recognised (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: &'a Option<String>,
    /// Parts made by others: chip, SDK, web server (absent when none).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    components: &'a [model::Component],
    /// The manufacturer is a name the device gave that the registry lacks (absent when false).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unregistered: bool,
}

pub fn identity_json(id: &Identity) -> IdentityJson<'_> {
    IdentityJson {
        device: &id.device,
        manufacturer: &id.manufacturer,
        brand: &id.brand,
        model: &id.model,
        device_class: id.device_class.map(|c| c.as_str()),
        firmware: &id.firmware,
        covered: id.covered,
        regimes: &id.regimes,
        confidence: id.confidence,
        evidence: &id.evidence,
        notes: &id.notes,
        keys: &id.keys,
        limits: &id.limits,
        platform: &id.platform,
        components: &id.components,
        unregistered: id.unregistered,
    }
}

pub fn run(cfg: &IdentifyConfig) -> Result<ExitCode> {
    let db = load_db(cfg.data.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut rows = Vec::new();
    // Devices are identified as the window hands them on: in order of first appearance, as
    // soon as their observations have ended (or the window is full), never the whole input.
    let mut grouper = input::Grouper::window();
    let mut written: Result<()> = Ok(());
    let mut emit = |device: String, obs: Vec<model::Observation>| {
        if written.is_err() {
            return;
        }
        let id = db.identify(&device, &obs);
        match cfg.format {
            Format::Jsonl => {
                written = serde_json::to_writer(&mut out, &identity_json(&id))
                    .map_err(anyhow::Error::from)
                    .and_then(|()| out.write_all(b"\n").map_err(anyhow::Error::from));
            }
            Format::Table => rows.push(table_row(&id)),
        }
    };
    let bad_lines = input::read(cfg.input.as_deref(), |obs, _truth| {
        grouper.push(obs, &mut emit);
        Ok(())
    })?;
    grouper.finish(&mut emit);
    written?;
    if !grouper.split.is_empty() {
        eprintln!(
            "the input is not grouped by device: {} device(s) (first: {}) had observations more than {} observations apart and were identified in parts; sort the input by device to identify each once",
            grouper.split.len(),
            report::text::terminal(&grouper.split[0]),
            input::WINDOW_OBSERVATIONS
        );
    }
    if cfg.format == Format::Table {
        let headers = [
            "DEVICE",
            "MANUFACTURER",
            "BRAND",
            "MODEL",
            "CLASS",
            "FIRMWARE",
            "COVERED",
            "CONF",
            "EVIDENCE",
        ];
        out.write_all(table::render(&headers, &rows, 40).as_bytes())?;
    }
    out.flush().context("cannot write results")?;
    if bad_lines > 0 {
        eprintln!(
            "{bad_lines} input line(s) were skipped; fix them and run again to identify those devices"
        );
        return Ok(ExitCode::BadInput);
    }
    Ok(ExitCode::Clean)
}

pub fn table_row(id: &Identity) -> Vec<String> {
    let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let covered = if id.covered {
        format!("YES ({})", id.regimes.join(","))
    } else {
        "no".into()
    };
    let evidence = id
        .evidence
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    vec![
        id.device.clone(),
        dash(&id.manufacturer),
        dash(&id.brand),
        dash(&id.model),
        id.device_class
            .map(|c| c.to_string())
            .unwrap_or_else(|| "-".into()),
        dash(&id.firmware),
        covered,
        format!("{:.2}", id.confidence),
        if evidence.is_empty() {
            "-".into()
        } else {
            evidence
        },
    ]
}

pub fn check(a: &CheckArgs) -> Result<ExitCode> {
    let (db, mut problems) = match &a.data.data {
        Some(dir) => Database::from_dir(dir)?,
        None => Database::embedded(),
    };
    problems.extend(fingerprint::check::check(&db));
    problems.sort();
    let examples: usize = db.fingerprints.iter().map(|f| f.examples.len()).sum();
    for p in &problems {
        println!("{p}");
    }
    println!(
        "{} fingerprints, {} examples, {} companies, {} brands, {} OEM relations, {} OUI prefixes: {} problem(s)",
        db.fingerprints.len(),
        examples,
        db.registry.companies.len(),
        db.registry.brands.len(),
        db.registry.oems.len(),
        db.oui.len(),
        problems.len()
    );
    Ok(if problems.is_empty() {
        ExitCode::Clean
    } else {
        ExitCode::Findings
    })
}

pub fn stats(a: &CheckArgs) -> Result<ExitCode> {
    let db = load_db(a.data.data.as_deref())?;
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_file: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_maker: BTreeMap<String, usize> = BTreeMap::new();
    for f in &db.fingerprints {
        for k in &f.kinds {
            *by_kind.entry(k.to_string()).or_default() += 1;
        }
        *by_file.entry(f.file.clone()).or_default() += 1;
        *by_maker
            .entry(
                f.manufacturer
                    .clone()
                    .unwrap_or_else(|| "(brand/class only)".into()),
            )
            .or_default() += 1;
    }
    let print = |title: &str, m: &BTreeMap<String, usize>| {
        let rows: Vec<Vec<String>> = m
            .iter()
            .map(|(k, v)| vec![k.clone(), v.to_string()])
            .collect();
        println!("{}", table::render(&[title, "FINGERPRINTS"], &rows, 60));
    };
    print("KIND", &by_kind);
    print("FILE", &by_file);
    print("MANUFACTURER", &by_maker);
    println!("{} fingerprints in all", db.fingerprints.len());
    Ok(ExitCode::Clean)
}

pub fn eval(a: &EvalArgs) -> Result<ExitCode> {
    let db = load_db(a.data.data.as_deref())?;
    let mut observations = Vec::new();
    let mut truths: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let mut bad_lines = 0;
    for file in &a.files {
        let loaded = input::load(Some(file))?;
        bad_lines += loaded.bad_lines;
        observations.extend(loaded.observations);
        for (d, t) in loaded.truths {
            truths.entry(d).or_insert(t);
        }
    }
    let mut results = Vec::new();
    let mut unlabelled = 0;
    for (device, obs) in input::by_device(observations) {
        let Some(t) = truths.get(&device) else {
            unlabelled += 1;
            continue;
        };
        let truth: Truth = serde_json::from_value(t.clone()).with_context(|| {
            format!("device {device}: `truth` needs at least \"covered\": true|false")
        })?;
        results.push((truth, db.identify(&device, &obs)));
    }
    let s = fingerprint::eval::score(&db, &results);
    if a.json {
        let v = serde_json::json!({
            "devices": s.devices,
            "covered_recall": s.covered_recall(),
            "false_covered_rate": s.false_covered_rate(),
            "manufacturer_accuracy": s.manufacturer_accuracy(),
            "score": s,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "devices scored:         {} ({} covered, {} not covered; {} without a label skipped)",
            s.devices, s.covered_devices, s.not_covered_devices, unlabelled
        );
        println!(
            "covered recall:         {:.1}% ({}/{})",
            100.0 * s.covered_recall(),
            s.covered_found,
            s.covered_devices
        );
        println!(
            "false covered rate:     {:.1}% ({}/{})",
            100.0 * s.false_covered_rate(),
            s.false_covered,
            s.not_covered_devices
        );
        println!(
            "manufacturer accuracy:  {:.1}% ({}/{}; {} left unknown)",
            100.0 * s.manufacturer_accuracy(),
            s.manufacturer_right,
            s.with_manufacturer,
            s.manufacturer_unknown
        );
        println!(
            "OEM label -> true maker: {:.1}% ({}/{})",
            100.0 * s.oem_accuracy(),
            s.oem_right,
            s.oem_devices
        );
        if a.misses {
            for m in &s.misses {
                println!(
                    "  {}: {}",
                    report::text::terminal(&m.device),
                    report::text::terminal(&m.what)
                );
            }
        }
    }
    Ok(if bad_lines > 0 {
        ExitCode::BadInput
    } else {
        ExitCode::Clean
    })
}
