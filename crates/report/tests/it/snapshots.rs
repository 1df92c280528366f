//! Snapshots of the Markdown summary, report.json and both CSV files for the fixture report,
//! plus determinism and the escaping of hostile text in the text formats.

use crate::fixture;
use report::{Format, Report, render};

fn text(report: &Report, format: Format) -> String {
    String::from_utf8(render(report, format)).expect("reports are UTF-8")
}

#[test]
fn markdown() {
    insta::assert_snapshot!("report.md", text(&fixture::report(), Format::Markdown));
}

#[test]
fn json() {
    insta::assert_snapshot!("report.json", text(&fixture::report(), Format::Json));
}

#[test]
fn devices_csv() {
    insta::assert_snapshot!("devices.csv", text(&fixture::report(), Format::Csv));
}

#[test]
fn findings_csv() {
    insta::assert_snapshot!(
        "findings.csv",
        text(&fixture::report(), Format::FindingsCsv)
    );
}

/// The same report renders to the same bytes, whatever order its parts arrive in.
#[test]
fn deterministic_whatever_the_input_order() {
    let report = fixture::report();
    let mut shuffled = report.clone();
    shuffled.inventory.devices.reverse();
    shuffled.findings.reverse();
    shuffled.rules.reverse();
    shuffled.estate.waivers.reverse();
    shuffled.plan.items.reverse();
    shuffled.plan.sites.reverse();
    for format in Format::ALL {
        let first = render(&report, format);
        assert_eq!(
            first,
            render(&report, format),
            "{format:?} differs between two renders"
        );
        assert_eq!(
            first,
            render(&shuffled, format),
            "{format:?} depends on input order"
        );
    }
}

#[test]
fn json_has_the_documented_top_level_fields() {
    let json: serde_json::Value =
        serde_json::from_slice(&render(&fixture::report(), Format::Json)).unwrap();
    for key in [
        "schema_version",
        "devices",
        "findings",
        "plan",
        "waivers",
        "summary",
        "rules",
        "method",
        "history",
    ] {
        assert!(json.get(key).is_some(), "report.json lacks {key}");
    }
    let device = &json["devices"][0];
    for key in [
        "address",
        "manufacturer",
        "brand",
        "model",
        "device_class",
        "firmware",
        "covered",
        "regimes",
        "confidence",
        "site",
        "segment",
        "segment_role",
        "first_seen",
        "last_seen",
        "evidence",
    ] {
        assert!(device.get(key).is_some(), "a device lacks {key}");
    }
    let finding = &json["findings"][0];
    for key in [
        "rule",
        "severity",
        "address",
        "device",
        "site",
        "segment",
        "first_seen",
        "title",
        "evidence",
        "remediation",
        "waived",
    ] {
        assert!(finding.get(key).is_some(), "a finding lacks {key}");
    }
}

/// Waivers are judged against the generation date: the active one suppresses its finding, the
/// expired one no longer does, and the summary counts accordingly.
#[test]
fn waivers_expire_on_the_generation_date() {
    let json: serde_json::Value =
        serde_json::from_slice(&render(&fixture::report(), Format::Json)).unwrap();
    let waivers = json["waivers"].as_array().unwrap();
    let by_device = |d: &str| waivers.iter().find(|w| w["device"] == d).unwrap();
    let active = by_device("10.3.0.12");
    assert_eq!(active["status"], "active");
    assert_eq!(active["suppressed"][0]["device"], "dev-depot-dvr");
    let expired = by_device("10.2.0.15");
    assert_eq!(expired["status"], "expired");
    assert_eq!(expired["suppressed"].as_array().unwrap().len(), 0);
    assert_eq!(expired["not_suppressed"][0]["device"], "dev-annke");
    assert_eq!(json["summary"]["findings"], 7);
    assert_eq!(json["summary"]["waived_findings"], 1);
    assert_eq!(json["summary"]["findings_by_severity"]["critical"], 2);
    assert_eq!(
        json["summary"]["sites_affected"],
        serde_json::json!(["hq", "regional"])
    );

    // The day after the active waiver's last day, it has expired too.
    let mut later = fixture::report();
    later.generated = "2025-10-01T00:00:00Z".to_string();
    let json: serde_json::Value = serde_json::from_slice(&render(&later, Format::Json)).unwrap();
    let statuses: Vec<&str> = json["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["expired", "expired"]);
}

/// A device may call itself anything: Markdown gets no raw HTML and no broken table, CSV no
/// spreadsheet formula.
#[test]
fn hostile_text_is_escaped_in_text_formats() {
    let report = crate::html::hostile_report();
    let md = text(&report, Format::Markdown);
    assert!(!md.contains("<script"), "raw HTML in Markdown:\n{md}");
    assert!(md.contains("&lt;script&gt;"));
    // Renderers turn bare URLs into links: a device must not plant one in the summary.
    assert!(!md.contains("https://") && !md.contains("www.evil"), "{md}");
    assert!(md.contains("https\\[:\\]//evil.example"), "{md}");
    assert!(!md.chars().any(report::text::is_hidden), "{md}");
    for line in md.lines().filter(|l| l.starts_with("| ")) {
        assert_eq!(
            line.matches(" | ").count(),
            7,
            "a cell broke the table: {line}"
        );
    }

    let csv = render(&report, Format::FindingsCsv);
    let mut rows = csv::Reader::from_reader(csv.as_slice());
    let titles: Vec<String> = rows.records().map(|r| r.unwrap()[7].to_string()).collect();
    assert!(
        titles.iter().any(|t| t.starts_with("'=HYPERLINK")),
        "{titles:?}"
    );

    let devices = render(&report, Format::Csv);
    let mut rows = csv::Reader::from_reader(devices.as_slice());
    let brands: Vec<String> = rows.records().map(|r| r.unwrap()[5].to_string()).collect();
    assert!(
        brands.iter().any(|b| b == "'=cmd|' /C calc'!A0"),
        "{brands:?}"
    );
}

/// An empty report (no devices, no findings, no plan) still renders every format.
#[test]
fn empty_report_renders() {
    let empty = Report::default();
    let md = text(&empty, Format::Markdown);
    assert!(md.contains("No findings."), "{md}");
    let json: serde_json::Value = serde_json::from_slice(&render(&empty, Format::Json)).unwrap();
    assert_eq!(json["devices"], serde_json::json!([]));
    assert_eq!(json["summary"]["findings"], 0);
    assert_eq!(
        text(&empty, Format::Csv).lines().count(),
        1,
        "devices.csv is only its header"
    );
    assert_eq!(
        text(&empty, Format::FindingsCsv).lines().count(),
        1,
        "findings.csv is only its header"
    );
    let html = text(&empty, Format::Html);
    assert!(html.contains("No findings.") && html.contains("No devices in the inventory."));
    assert_eq!(
        html.matches("<svg").count(),
        3,
        "the charts are drawn even when empty"
    );
}
