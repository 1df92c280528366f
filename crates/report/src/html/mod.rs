//! The HTML report: one self-contained file (inline CSS, inline SVG charts, no script, no
//! external resource of any kind, enforced by a Content-Security-Policy), readable on screen and
//! printable (each section starts a new page). This file owns the page frame, the summary and
//! the charts; `sections` owns the tables and the documentation sections.

mod sections;

use crate::chart::{self, Bar, Chart, Part};
use crate::text::{self, html as esc};
use crate::view::View;
use model::Severity;
use std::collections::BTreeMap;
use std::fmt::Write;

const STYLE: &str = include_str!("style.css");

/// Section ids and headings, in page order (also the table of contents).
const SECTIONS: [(&str, &str); 9] = [
    ("summary", "Summary"),
    ("charts", "Charts"),
    ("findings", "Findings"),
    ("devices", "Devices"),
    ("plan", "Remediation plan"),
    ("waivers", "Waivers"),
    ("history", "History of changes"),
    ("rules", "Rules applied"),
    ("method", "Method"),
];

pub const COVERED: &str = "#b3261e";
const OTHER_MAKER: &str = "#4f6d8a";
const UNIDENTIFIED: &str = "#9aa0a6";

pub fn severity_fill(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Critical) => "#7a0b0b",
        Some(Severity::High) => "#c62828",
        Some(Severity::Medium) => "#d98a00",
        Some(Severity::Low) => "#1f6fb2",
        Some(Severity::Info) => "#5f6670",
        None => "#8a8f96",
    }
}

pub fn severity_name(severity: Option<Severity>) -> &'static str {
    severity.map_or("unrated", Severity::as_str)
}

/// A severity badge.
pub fn badge(severity: Option<Severity>) -> String {
    let name = severity_name(severity);
    format!(r#"<span class="sev sev-{name}">{name}</span>"#)
}

pub fn render(view: &View) -> String {
    let r = view.report;
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("Equipment audit: {}", r.organisation);
    let _ = write!(
        out,
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            // Nothing may load from anywhere: the report is one file, and device answers in it
            // are hostile. Inline styles are the only thing allowed.
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n",
            "<meta name=\"generator\" content=\"sightline {version}\">\n",
            "<title>{title}</title>\n<style>\n{style}</style>\n</head>\n<body>\n",
        ),
        version = esc(&r.method.tool_version),
        title = esc(&title),
        style = STYLE,
    );
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p>Generated {} · profile <strong>{}</strong> (<code>{}</code>) · inventory as of {}</p>\n</header>\n",
        esc(&title),
        esc(&r.generated),
        esc(display_or(&r.profile_name, &r.profile)),
        esc(&r.profile),
        esc(display_or(&r.inventory.as_of, "unknown")),
    );
    out.push_str("<nav aria-label=\"Contents\">\n<ol>\n");
    for (id, heading) in SECTIONS {
        let _ = writeln!(out, "<li><a href=\"#{id}\">{heading}</a></li>");
    }
    out.push_str("</ol>\n</nav>\n<main>\n");
    for (id, heading) in SECTIONS {
        let _ = write!(
            out,
            "<section id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{heading}</h2>\n"
        );
        match id {
            "summary" => summary(view, &mut out),
            "charts" => charts(view, &mut out),
            "findings" => sections::findings(view, &mut out),
            "devices" => sections::devices(view, &mut out),
            "plan" => sections::plan(view, &mut out),
            "waivers" => sections::waivers(view, &mut out),
            "history" => sections::history(view, &mut out),
            "rules" => sections::rules(view, &mut out),
            _ => sections::method(view, &mut out),
        }
        out.push_str("</section>\n");
    }
    let _ = write!(
        out,
        "</main>\n<footer>\n<p>Produced by sightline {} from the inventory as of {}. Identities are derived from what the devices said about themselves; the evidence for each is listed with the device.</p>\n</footer>\n</body>\n</html>\n",
        esc(display_or(&r.method.tool_version, "(version unknown)")),
        esc(display_or(&r.inventory.as_of, "unknown")),
    );
    out
}

/// `s`, or `fallback` when `s` is empty.
pub fn display_or<'s>(s: &'s str, fallback: &'s str) -> &'s str {
    if s.trim().is_empty() { fallback } else { s }
}

fn card(out: &mut String, number: &str, label: &str, sub: &str) {
    let _ = write!(
        out,
        "<div class=\"card\"><span class=\"n\">{}</span>{}",
        esc(number),
        esc(label)
    );
    if !sub.is_empty() {
        let _ = write!(out, "<span class=\"sub\">{}</span>", esc(sub));
    }
    out.push_str("</div>\n");
}

fn summary(view: &View, out: &mut String) {
    let r = view.report;
    let s = &view.summary;
    let verdict = match s.worst_severity {
        _ if s.findings == 0 => format!(
            "No finding under profile {} across {} device(s).",
            display_or(&r.profile_name, &r.profile),
            s.devices
        ),
        worst => format!(
            "{} finding(s) on {} device(s) at {} of {} site(s); the worst is {}.",
            s.findings,
            s.devices_with_findings,
            s.sites_affected.len(),
            r.estate.sites.len(),
            severity_name(worst),
        ),
    };
    let _ = writeln!(out, "<p class=\"verdict\">{}</p>", esc(&verdict));
    let _ = writeln!(
        out,
        "<p>Organisation: <strong>{}</strong>. Profile: <strong>{}</strong> (<code>{}</code>).</p>",
        esc(&r.organisation),
        esc(display_or(&r.profile_name, &r.profile)),
        esc(&r.profile)
    );
    out.push_str("<div class=\"cards\">\n");
    card(
        out,
        &s.devices.to_string(),
        "devices",
        &format!("{} identified", s.identified_devices),
    );
    card(
        out,
        &s.covered_devices.to_string(),
        "covered devices",
        "made by a company a regime names",
    );
    card(
        out,
        &s.findings.to_string(),
        "findings",
        &format!("{} more waived", s.waived_findings),
    );
    let affected: Vec<String> = s
        .sites_affected
        .iter()
        .map(|id| view.site_name(id))
        .collect();
    card(
        out,
        &format!("{} of {}", s.sites_affected.len(), r.estate.sites.len()),
        "sites affected",
        &affected.join(", "),
    );
    card(
        out,
        &text::money_in(s.total_cost, &s.currency),
        "remediation cost",
        if s.sample_catalogue {
            "SAMPLE catalogue prices"
        } else {
            "from the procurement catalogue"
        },
    );
    out.push_str("</div>\n");

    out.push_str("<table class=\"severity-counts\">\n<caption class=\"muted\">Findings by severity (waived findings are listed but not counted)</caption>\n<thead><tr>");
    let mut columns: Vec<Option<Severity>> = Severity::ALL.into_iter().map(Some).collect();
    if s.findings_by_severity.unrated > 0 {
        columns.push(None);
    }
    for sev in &columns {
        let _ = write!(out, "<th>{}</th>", badge(*sev));
    }
    out.push_str("<th>waived</th></tr></thead>\n<tbody><tr>");
    for sev in &columns {
        let _ = write!(
            out,
            "<td class=\"num\">{}</td>",
            s.findings_by_severity.get(*sev)
        );
    }
    let _ = write!(
        out,
        "<td class=\"num\">{}</td></tr></tbody>\n</table>\n",
        s.waived_findings
    );

    if s.sample_catalogue {
        out.push_str("<p class=\"notice\"><strong>SAMPLE catalogue.</strong> Replacement options and costs come from the sample procurement catalogue shipped with sightline: they are illustrative only. Use your own catalogue for real budgets.</p>\n");
    }
    if s.expired_waivers > 0 {
        let _ = writeln!(
            out,
            "<p class=\"notice\">{} waiver(s) have expired; the findings they covered are counted again (see <a href=\"#waivers\">Waivers</a>).</p>",
            s.expired_waivers
        );
    }
}

fn charts(view: &View, out: &mut String) {
    out.push_str("<div class=\"charts\">\n");
    figure(out, "Devices by manufacturer", &manufacturer_chart(view));
    figure(out, "Devices by site", &site_chart(view));
    figure(out, "Findings by severity", &severity_chart(view));
    out.push_str("</div>\n");
}

fn figure(out: &mut String, caption: &str, svg: &str) {
    let _ = write!(
        out,
        "<figure>\n<figcaption>{}</figcaption>\n{svg}\n</figure>\n",
        esc(caption)
    );
}

/// At most this many makers get their own bar; the rest share one.
const TOP_MAKERS: usize = 12;

fn manufacturer_chart(view: &View) -> String {
    // (count, covered) per maker; a maker is covered when any of its devices is.
    let mut makers: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
    let mut unidentified = 0;
    for d in &view.devices {
        match d.identity.manufacturer.as_deref() {
            Some(m) => {
                let e = makers.entry(m).or_default();
                e.0 += 1;
                e.1 |= d.identity.covered;
            }
            None => unidentified += 1,
        }
    }
    let mut ranked: Vec<(&str, usize, bool)> =
        makers.into_iter().map(|(m, (n, c))| (m, n, c)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut bars: Vec<Bar> = Vec::new();
    let rest: Vec<(&str, usize, bool)> = if ranked.len() > TOP_MAKERS {
        ranked.split_off(TOP_MAKERS - 1)
    } else {
        Vec::new()
    };
    for (maker, n, covered) in ranked {
        bars.push(Bar {
            label: maker.to_string(),
            parts: vec![maker_part(n, covered)],
        });
    }
    if !rest.is_empty() {
        let covered: usize = rest.iter().filter(|r| r.2).map(|r| r.1).sum();
        let other: usize = rest.iter().filter(|r| !r.2).map(|r| r.1).sum();
        bars.push(Bar {
            label: format!("{} other makers", rest.len()),
            parts: vec![maker_part(covered, true), maker_part(other, false)],
        });
    }
    if unidentified > 0 {
        bars.push(Bar {
            label: "Unidentified".to_string(),
            parts: vec![Part {
                value: unidentified,
                fill: UNIDENTIFIED,
                meaning: "manufacturer unknown",
            }],
        });
    }
    chart::svg(&Chart {
        id: "chart-manufacturer",
        title: "Devices by manufacturer (covered makers highlighted)",
        bars,
        legend: vec![
            (COVERED, "covered maker"),
            (OTHER_MAKER, "other maker"),
            (UNIDENTIFIED, "unidentified"),
        ],
    })
}

fn maker_part(value: usize, covered: bool) -> Part {
    if covered {
        Part {
            value,
            fill: COVERED,
            meaning: "covered",
        }
    } else {
        Part {
            value,
            fill: OTHER_MAKER,
            meaning: "not covered",
        }
    }
}

fn site_chart(view: &View) -> String {
    // Estate sites in estate order, then sites only devices mention, then devices without a site.
    let mut order: Vec<Option<&str>> = view
        .report
        .estate
        .sites
        .iter()
        .map(|s| Some(s.id.as_str()))
        .collect();
    let mut extra: Vec<Option<&str>> = view
        .devices
        .iter()
        .map(|d| d.site.as_deref())
        .filter(|s| !order.contains(s))
        .collect();
    extra.sort();
    extra.dedup();
    order.extend(extra);
    let bars = order
        .into_iter()
        .map(|site| {
            let here = view.devices.iter().filter(|d| d.site.as_deref() == site);
            let covered = here.clone().filter(|d| d.identity.covered).count();
            let other = here.count() - covered;
            Bar {
                label: match site {
                    Some(id) => view.site_name(id),
                    None => "No site".to_string(),
                },
                parts: vec![
                    Part {
                        value: covered,
                        fill: COVERED,
                        meaning: "covered",
                    },
                    Part {
                        value: other,
                        fill: OTHER_MAKER,
                        meaning: "not covered",
                    },
                ],
            }
        })
        .collect();
    chart::svg(&Chart {
        id: "chart-site",
        title: "Devices by site (covered devices highlighted)",
        bars,
        legend: vec![(COVERED, "covered"), (OTHER_MAKER, "not covered")],
    })
}

fn severity_chart(view: &View) -> String {
    let counts = &view.summary.findings_by_severity;
    let mut severities: Vec<Option<Severity>> = Severity::ALL.into_iter().map(Some).collect();
    if counts.unrated > 0 {
        severities.push(None);
    }
    let bars = severities
        .into_iter()
        .map(|sev| Bar {
            label: severity_name(sev).to_string(),
            parts: vec![Part {
                value: counts.get(sev),
                fill: severity_fill(sev),
                meaning: "",
            }],
        })
        .collect();
    chart::svg(&Chart {
        id: "chart-severity",
        title: "Findings by severity (waived findings not counted)",
        bars,
        legend: Vec::new(),
    })
}
