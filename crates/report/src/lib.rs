//! Reports: one finished audit (`Report`) rendered as a self-contained HTML file, `report.json`
//! (schema in SCHEMA.md), `devices.csv`, `findings.csv` or a short Markdown summary.
//!
//! Pure and deterministic: no IO, no clock (the generation time is part of the `Report`), no
//! async. The same `Report` always renders to the same bytes: everything shown is sorted here,
//! and no hash-ordered collection reaches the output. Every string that came from a device is
//! treated as hostile and escaped for the format it lands in.

mod chart;
mod csv_files;
mod html;
mod json;
mod markdown;
pub mod text;
mod view;

use serde::{Deserialize, Serialize};

/// Version of the `report.json` layout (SCHEMA.md). Bump it when a field changes meaning or
/// disappears; adding a field does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one audit produced, ready to render.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub organisation: String,
    /// When the report was generated (RFC 3339). Its date decides whether waivers have expired.
    pub generated: String,
    /// Profile id, e.g. `uk-gov-2022`.
    pub profile: String,
    pub profile_name: String,
    pub estate: model::Estate,
    pub inventory: model::Inventory,
    pub findings: Vec<model::Finding>,
    pub plan: model::Plan,
    /// The rules the profile applied, with their documentation.
    pub rules: Vec<RuleInfo>,
    pub method: Method,
    /// Differences between scans (new, gone, firmware changed, moved segment).
    pub history: Vec<Change>,
}

/// A policy rule and its user-facing documentation, rendered verbatim in the report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    /// What it checks.
    pub what: String,
    /// Why it matters (with the regime's citation).
    pub why: String,
    pub example: String,
    /// How to fix.
    pub fix: String,
}

/// How the data was gathered.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// One line per scan: when, targets, hosts.
    pub scans: Vec<String>,
    /// One line per imported file.
    pub imports: Vec<String>,
    /// Number of fingerprints in the database used.
    pub fingerprints: usize,
    /// Number of companies in the vendor registry used.
    pub registry_companies: usize,
    pub tool_version: String,
    /// Limitations and remarks specific to this audit.
    pub notes: Vec<String>,
}

/// One difference between two scans.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Inventory id of the device.
    pub device: String,
    pub address: Option<String>,
    /// `new`, `gone`, `firmware changed` or `moved segment`.
    pub what: String,
    pub detail: String,
    /// The scan that noticed it.
    pub scan: String,
}

/// What to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// One self-contained HTML file (`report.html`).
    Html,
    /// `report.json`, described in SCHEMA.md.
    Json,
    /// `devices.csv`.
    Csv,
    /// `findings.csv`.
    FindingsCsv,
    /// A short summary and the findings table.
    Markdown,
}

impl Format {
    /// The conventional file name for this format.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Html => "report.html",
            Format::Json => "report.json",
            Format::Csv => "devices.csv",
            Format::FindingsCsv => "findings.csv",
            Format::Markdown => "report.md",
        }
    }

    pub const ALL: [Format; 5] = [
        Format::Html,
        Format::Json,
        Format::Csv,
        Format::FindingsCsv,
        Format::Markdown,
    ];
}

/// Renders `report` in `format`. Never fails: every input, however odd, renders.
pub fn render(report: &Report, format: Format) -> Vec<u8> {
    let view = view::View::new(report);
    match format {
        Format::Html => html::render(&view).into_bytes(),
        Format::Json => json::render(&view),
        Format::Csv => csv_files::devices(&view),
        Format::FindingsCsv => csv_files::findings(&view),
        Format::Markdown => markdown::render(&view).into_bytes(),
    }
}
