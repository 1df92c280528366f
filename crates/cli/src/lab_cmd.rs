//! `sightline lab serve`: run the simulated estate in the foreground.

use crate::ExitCode;
use crate::args::LabServeArgs;
use anyhow::{Context, Result, bail};

pub fn serve(a: LabServeArgs) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&a.misbehaving) {
        bail!(
            "--misbehaving must be between 0 and 1, not {}",
            a.misbehaving
        );
    }
    let catalog = if a.personas.is_empty() {
        lab::catalog()
    } else {
        let mut sets = Vec::new();
        for path in &a.personas {
            sets.push(
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the labelled set {}", path.display()))?,
            );
        }
        lab::catalog_from(sets.iter().map(String::as_str))
    };
    let cfg = lab::EstateConfig {
        devices: a.devices,
        net: a.net,
        seed: a.seed,
        misbehaving: a.misbehaving,
        hostile: a.hostile,
        each: a.each,
    };
    let placements = lab::plan(&cfg, &catalog).context("cannot lay out the estate")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let lab = lab::Lab::start(&placements, &catalog).await?;
        if let Some(path) = &a.truth {
            std::fs::write(path, lab::estate::truth_jsonl(&placements, &catalog))
                .with_context(|| format!("cannot write the truth file {}", path.display()))?;
        }
        eprintln!(
            "lab: {} devices ({} hostile) from {} personas on {} listeners in {} (seed {}){}",
            placements.len(),
            a.hostile,
            catalog.len(),
            lab.listeners,
            a.net,
            a.seed,
            a.truth
                .as_ref()
                .map(|p| format!("; truth in {}", p.display()))
                .unwrap_or_default()
        );
        // Tell scripts waiting for the lab that it is up.
        println!("ready");
        match a.duration {
            Some(secs) => tokio::time::sleep(std::time::Duration::from_secs(secs)).await,
            None => {
                eprintln!("lab: serving; Ctrl-C to stop");
                tokio::signal::ctrl_c()
                    .await
                    .context("cannot wait for Ctrl-C")?;
            }
        }
        lab.stop().await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::Clean)
}
