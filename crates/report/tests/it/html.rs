//! Structural checks of report.html: tags nest and close, the three charts are there with titles
//! and labels, hostile device text appears only as text, and nothing is loaded from elsewhere.

use crate::fixture;
use model::{DeviceClass, Evidence, Finding, Identity, InventoryDevice, LimitHit, Severity};
use report::{Format, Report, render};

pub const SCRIPT: &str = "<script>alert(1)</script>";

/// The fixture plus a device whose every answer is an attack on the report.
pub fn hostile_report() -> Report {
    let mut report = fixture::report();
    let identity = Identity {
        device: "dev-hostile".to_string(),
        manufacturer: Some(SCRIPT.to_string()),
        brand: Some("=cmd|' /C calc'!A0".to_string()),
        model: Some("\"><img src=x onerror=alert(2)>".to_string()),
        device_class: Some(DeviceClass::Camera),
        firmware: Some("</td></tr></table><h1>owned</h1>\u{0}\u{1b}[31m".to_string()),
        covered: false,
        regimes: vec![],
        confidence: 0.6,
        evidence: vec![Evidence {
            observation: "obs-x".to_string(),
            fingerprint: "generic-title".to_string(),
            matched: format!(
                "<title>{SCRIPT}</title><link rel=stylesheet href=https://evil.example/x.css>"
            ),
            field: "title".to_string(),
            asserts: "manufacturer=<b>".to_string(),
        }],
        notes: vec!["<style>body{display:none}</style>".to_string()],
        limits: vec![LimitHit {
            observation: "obs-x\u{202E}".to_string(),
            limit: "dtd-ignored".to_string(),
            detail: format!("entities not expanded: {SCRIPT}"),
        }],
        ..Identity::default()
    };
    report.inventory.devices.push(InventoryDevice {
        id: "dev-hostile".to_string(),
        address: Some("10.3.0.66".to_string()),
        identity,
        site: Some("depot".to_string()),
        segment: Some("10.3.0.0/24".to_string()),
        first_seen: Some("2025-05-01".to_string()),
        ..InventoryDevice::default()
    });
    report.findings.push(Finding {
        rule: "uk-gov-2022/unknown-provenance".to_string(),
        severity: Some(Severity::Info),
        device: "dev-hostile".to_string(),
        address: Some("10.3.0.66".to_string()),
        site: Some("depot".to_string()),
        segment: Some("10.3.0.0/24".to_string()),
        first_seen: Some("2025-05-01".to_string()),
        title: "=HYPERLINK(\"https://evil.example\",\"click\") | <i>pipe</i>\nnewline \u{202E}gpj.exe www.evil.example".to_string(),
        evidence: vec![format!("observation said {SCRIPT}")],
        remediation: "<iframe src=https://evil.example></iframe>".to_string(),
        waived: None,
    });
    report
}

fn html(report: &Report) -> String {
    String::from_utf8(render(report, Format::Html)).expect("HTML is UTF-8")
}

/// HTML elements that never have a closing tag.
const VOID: [&str; 4] = ["meta", "br", "hr", "img"];

/// The tags of a page, without their angle brackets. The report escapes every `<` in text and
/// its style sheet has none, so every `<` starts a tag.
fn tags(html: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("an unterminated tag") + start;
        tags.push(&rest[start + 1..end]);
        rest = &rest[end + 1..];
    }
    tags
}

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Checks that every opened element is closed, in order.
#[track_caller]
fn check_nesting(html: &str) {
    let mut stack: Vec<String> = Vec::new();
    for tag in tags(html) {
        if tag.starts_with('!') {
            continue;
        }
        let name = tag_name(tag);
        if tag.starts_with('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "<{open}> closed by </{name}>");
        } else if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "never closed: {stack:?}");
}

#[test]
fn tags_nest_and_close() {
    check_nesting(&html(&fixture::report()));
    check_nesting(&html(&hostile_report()));
    check_nesting(&html(&Report::default()));
}

#[test]
fn every_section_is_there() {
    let page = html(&fixture::report());
    for id in [
        "summary", "charts", "findings", "devices", "plan", "waivers", "history", "rules", "method",
    ] {
        assert!(
            page.contains(&format!("<section id=\"{id}\"")),
            "no section {id}"
        );
    }
    assert_eq!(
        page.matches("<section").count(),
        page.matches("</section>").count()
    );
    assert!(page.contains("@media print"));
    assert!(page.contains("break-before: page"));
    assert!(page.contains("SAMPLE catalogue"));
    // The rules' full documentation.
    for heading in ["What it checks", "Why it matters", "Example", "How to fix"] {
        assert_eq!(
            page.matches(&format!("<dt>{heading}</dt>")).count(),
            6,
            "{heading}"
        );
    }
    assert!(page.contains("HCWS386"));
    // Waivers, both states, with what they did.
    assert!(page.contains("<strong>active</strong>"));
    assert!(page.contains(">expired</span>"));
    assert!(page.contains("no longer suppressed"));
    // Costs and per-site totals.
    assert!(page.contains("GBP 2,990.00"));
    assert!(page.contains("GBP 2,570.00"));
}

#[test]
fn three_accessible_charts() {
    let page = html(&fixture::report());
    assert_eq!(page.matches("<svg").count(), 3);
    for (id, title, labels) in [
        (
            "chart-manufacturer",
            "Devices by manufacturer",
            &["Hikvision", "Dahua", "Axis Communications", "Unidentified"][..],
        ),
        (
            "chart-site",
            "Devices by site",
            &["Headquarters", "Regional office", "Depot"][..],
        ),
        (
            "chart-severity",
            "Findings by severity",
            &["critical", "high", "medium", "low", "info"][..],
        ),
    ] {
        let start = page
            .find(&format!("<svg class=\"chart\" id=\"{id}\""))
            .unwrap_or_else(|| panic!("no {id}"));
        let svg = &page[start..start + page[start..].find("</svg>").unwrap()];
        assert!(svg.contains("role=\"img\""), "{id} has no role");
        assert!(
            svg.contains(&format!("<title id=\"{id}-title\">{title}")),
            "{id} has no title"
        );
        assert!(svg.contains("<desc"), "{id} has no description");
        assert!(svg.contains("<rect"), "{id} has no bars");
        for label in labels {
            assert!(
                svg.contains(&format!(">{label}</text>")),
                "{id} lacks label {label}"
            );
        }
    }
    // Covered makers are drawn in the covered colour, others not.
    let covered = report_colour(&page, "Hikvision");
    assert_eq!(covered, report_colour(&page, "Dahua"));
    assert_ne!(covered, report_colour(&page, "Axis Communications"));
}

/// The fill of the first bar drawn after a label on the manufacturer chart.
fn report_colour(page: &str, label: &str) -> String {
    let chart = &page[page.find("id=\"chart-manufacturer\"").unwrap()..];
    let at = chart.find(&format!(">{label}</text>")).unwrap();
    let fill = &chart[at..][chart[at..].find("fill=\"").unwrap() + 6..];
    fill[..fill.find('"').unwrap()].to_string()
}

#[test]
fn hostile_device_text_stays_text() {
    let page = html(&hostile_report());
    assert!(!page.contains("<script"), "a script element got through");
    assert!(!page.contains("<img"), "an img element got through");
    assert!(!page.contains("<iframe"), "an iframe got through");
    assert!(
        !page.contains("<h1>owned"),
        "markup from firmware got through"
    );
    assert!(!page.contains("<style>body"), "a style element got through");
    assert!(
        !page.contains('\u{0}') && !page.contains('\u{1b}'),
        "control characters got through"
    );
    assert!(
        !page.chars().any(report::text::is_hidden),
        "a bidi or zero-width character got through"
    );
    assert!(page.contains("limit reached: <code>dtd-ignored</code>"));
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the hostile name is not shown as text"
    );
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    check_nesting(&page);
}

#[test]
fn nothing_is_loaded_from_anywhere() {
    let page = html(&hostile_report());
    for tag in tags(&page) {
        let name = tag_name(tag);
        let lower = tag.to_ascii_lowercase();
        assert!(
            ![
                "script", "link", "img", "iframe", "object", "embed", "image", "use", "base"
            ]
            .contains(&name.as_str()),
            "report.html has a <{tag}> element"
        );
        assert!(!lower.contains("src="), "a tag loads something: <{tag}>");
        assert!(!lower.contains("xlink:href"), "a tag links out: <{tag}>");
        // Links go only to the page's own sections.
        if let Some(at) = lower.find("href=") {
            assert!(
                lower[at + 5..].starts_with("\"#"),
                "a tag links out: <{tag}>"
            );
        }
    }
    let style = &page[page.find("<style>").unwrap()..page.find("</style>").unwrap()];
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "the style sheet loads something"
    );
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}
