//! The HTML report's tables and documentation sections: findings, devices with evidence, the
//! remediation plan, waivers, history, the rules applied and the method.

use super::{badge, display_or};
use crate::text::{self, html as esc};
use crate::view::{View, WaiverStatus, describe};
use model::{Action, Finding};
use std::fmt::Write;

/// Matched text longer than this is cut in the HTML (report.json keeps it whole).
const MATCHED_CHARS: usize = 200;

/// Escaped text, or a muted dash when there is none.
fn opt(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.trim().is_empty() => esc(s),
        _ => "<span class=\"muted\">—</span>".to_string(),
    }
}

fn open_table(out: &mut String, class: &str, headings: &[&str]) {
    let _ = write!(
        out,
        "<div class=\"scroll\">\n<table class=\"{class}\">\n<thead><tr>"
    );
    for h in headings {
        let _ = write!(out, "<th scope=\"col\">{h}</th>");
    }
    out.push_str("</tr></thead>\n");
}

/// Opens a table whose rows all sit in one body.
fn open_simple_table(out: &mut String, class: &str, headings: &[&str]) {
    open_table(out, class, headings);
    out.push_str("<tbody>\n");
}

fn close_simple_table(out: &mut String) {
    out.push_str("</tbody>\n");
    close_table(out);
}

fn close_table(out: &mut String) {
    out.push_str("</table>\n</div>\n");
}

fn list(out: &mut String, class: &str, ordered: bool, items: &[String]) {
    let tag = if ordered { "ol" } else { "ul" };
    let _ = write!(out, "<{tag} class=\"{class}\">");
    for item in items {
        let _ = write!(out, "<li>{item}</li>");
    }
    let _ = write!(out, "</{tag}>");
}

fn site_cell(view: &View, site: Option<&str>) -> String {
    match site {
        Some(id) => {
            let sensitive = view.site(id).is_some_and(|s| s.sensitive);
            format!(
                "{}{}",
                esc(&view.site_name(id)),
                if sensitive {
                    " <span class=\"muted\">(sensitive)</span>"
                } else {
                    ""
                }
            )
        }
        None => opt(None),
    }
}

fn device_cell(view: &View, id: &str) -> String {
    format!(
        "{}<br><code>{}</code>",
        esc(&view.device_label(id)),
        esc(id)
    )
}

pub fn findings(view: &View, out: &mut String) {
    let s = &view.summary;
    if view.findings.is_empty() {
        out.push_str("<p>No findings.</p>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p>{} finding(s) counted, {} waived. Worst first; each finding's evidence chain runs from what the device said, through the fingerprints and the vendor registry, to the regime that names the maker.</p>",
        s.findings, s.waived_findings
    );
    open_table(
        out,
        "findings",
        &[
            "Severity",
            "Rule",
            "Device",
            "Address",
            "Site",
            "Segment",
            "First seen",
            "Title",
            "Remediation",
        ],
    );
    for f in &view.findings {
        finding_row(view, f, out);
    }
    close_table(out);
}

/// One finding: a row of facts, then a full-width row with its evidence chain. Both sit in one
/// body so that they stay together on a printed page.
fn finding_row(view: &View, f: &Finding, out: &mut String) {
    let class = if f.waived.is_some() {
        "item waived"
    } else {
        "item"
    };
    let mut title = esc(&f.title);
    if let Some(w) = &f.waived {
        let _ = write!(
            title,
            "<br><strong>Waived</strong> until {} by {}: {}",
            esc(&w.expires),
            esc(&w.approver),
            esc(&w.reason)
        );
    }
    let chain: Vec<String> = f.evidence.iter().map(|e| esc(e)).collect();
    let mut evidence = String::new();
    if chain.is_empty() {
        evidence.push_str(&opt(None));
    } else {
        list(&mut evidence, "chain", true, &chain);
    }
    let evidence = format!("<span class=\"label\">Evidence chain:</span> {evidence}");
    let segment = f.segment.as_deref().map(|c| {
        let role = view.device(&f.device).and_then(|d| view.segment_role(d));
        view.segment_label(c, role)
    });
    let _ = writeln!(
        out,
        "<tbody class=\"{class}\"><tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td class=\"nw\">{}</td><td class=\"free\">{title}</td><td class=\"free\">{}</td></tr>\n<tr class=\"evidence\"><td class=\"free\" colspan=\"9\">{evidence}</td></tr></tbody>",
        badge(f.severity),
        esc(&f.rule),
        device_cell(view, &f.device),
        opt(f.address.as_deref()),
        site_cell(view, view.finding_site(f)),
        opt(segment.as_deref()),
        opt(f.first_seen.as_deref()),
        esc(&f.remediation),
    );
}

pub fn devices(view: &View, out: &mut String) {
    if view.devices.is_empty() {
        out.push_str("<p>No devices in the inventory.</p>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p>{} device(s), in address order. Every identity lists the evidence it rests on: which fingerprint matched which text of which observation.</p>",
        view.devices.len()
    );
    open_table(
        out,
        "devices",
        &[
            "Address",
            "Manufacturer",
            "Brand",
            "Model",
            "Class",
            "Firmware",
            "Covered",
            "Confidence",
            "Site",
            "Segment",
            "First seen",
        ],
    );
    for d in &view.devices {
        let i = &d.identity;
        let covered = if i.covered {
            format!(
                "<span class=\"covered\">yes</span><br>{}",
                text::join(
                    i.regimes
                        .iter()
                        .map(|r| format!("<code class=\"nw\">{}</code>", esc(r))),
                    "<br>"
                )
            )
        } else if i.regimes.is_empty() {
            "no".to_string()
        } else {
            // Named by a list that does not by itself make equipment covered (BIS Entity List).
            format!(
                "no<br><span class=\"muted\">listed: {}</span>",
                esc(&i.regimes.join(", "))
            )
        };
        let mut evidence: Vec<String> = i
            .evidence
            .iter()
            .map(|e| {
                let mut item = format!("<code>{}</code>", esc(&e.fingerprint));
                if !e.field.is_empty() {
                    let _ = write!(item, " on {}", esc(&e.field));
                }
                let _ = write!(item, ": “{}”", esc(&text::cut(&e.matched, MATCHED_CHARS)));
                if !e.asserts.is_empty() {
                    let _ = write!(item, " <span class=\"muted\">⇒ {}</span>", esc(&e.asserts));
                }
                item
            })
            .collect();
        if let Some(p) = &i.platform {
            evidence.push(format!("platform: {}", esc(p)));
        }
        evidence.extend(i.components.iter().map(|c| {
            let mut item = format!("component: {}", esc(&c.name));
            if let Some(company) = c.company.as_deref().filter(|m| *m != c.name) {
                let _ = write!(item, " (made by {})", esc(company));
            }
            if c.covered {
                item.push_str(" <span class=\"muted\">(a covered company's part; the device is not covered for it)</span>");
            }
            item
        }));
        evidence.extend(
            i.notes
                .iter()
                .map(|n| format!("<span class=\"muted\">note: {}</span>", esc(n))),
        );
        // A safety limit means part of an answer was not looked at: the auditor must know.
        evidence.extend(i.limits.iter().map(|l| {
            let mut item = format!(
                "<span class=\"limit\">limit reached: <code>{}</code> on {}",
                esc(&l.limit),
                esc(&l.observation)
            );
            if !l.detail.is_empty() {
                let _ = write!(item, " ({})", esc(&l.detail));
            }
            item.push_str("</span>");
            item
        }));
        let mut evidence_html = String::new();
        if evidence.is_empty() {
            evidence_html.push_str("<span class=\"label\">Evidence:</span> <span class=\"muted\">no fingerprint matched</span>");
        } else {
            evidence_html.push_str("<span class=\"label\">Evidence:</span>");
            list(&mut evidence_html, "evidence", false, &evidence);
        }
        let segment = d
            .segment
            .as_deref()
            .map(|c| view.segment_label(c, view.segment_role(d)));
        let first_seen = match (d.first_seen.as_deref(), d.deployed()) {
            (first, Some((date, basis))) if first != Some(date) => format!(
                "{}<br><span class=\"muted\">deployed {} ({})</span>",
                opt(first),
                esc(date),
                basis_name(basis)
            ),
            (first, _) => opt(first),
        };
        let address = match (d.address.as_deref(), d.mac.as_deref()) {
            (a, Some(mac)) => format!("{}<br><code>{}</code>", opt(a), esc(mac)),
            (a, None) => opt(a),
        };
        let _ = writeln!(
            out,
            "<tbody class=\"item\"><tr><td class=\"nw\">{address}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{covered}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{first_seen}</td></tr>\n<tr class=\"evidence\"><td class=\"free\" colspan=\"11\">{evidence_html}</td></tr></tbody>",
            opt(i.manufacturer.as_deref()),
            opt(i.brand.as_deref()),
            opt(i.model.as_deref()),
            opt(i.device_class.map(|c| c.as_str())),
            opt(i.firmware.as_deref()),
            if i.manufacturer.is_some() {
                text::percent(i.confidence)
            } else {
                "—".to_string()
            },
            site_cell(view, d.site.as_deref()),
            opt(segment.as_deref()),
        );
    }
    close_table(out);
}

pub fn basis_name(basis: model::DateBasis) -> &'static str {
    match basis {
        model::DateBasis::FirstSeen => "first seen by a scan",
        model::DateBasis::Register => "asset register install date",
        model::DateBasis::Serial => "production date in the serial number",
    }
}

pub fn action_name(action: Action) -> &'static str {
    match action {
        Action::DisconnectFromCore => "Disconnect from the core network now",
        Action::Isolate => "Isolate onto a dedicated segment",
        Action::Replace => "Replace",
        Action::Monitor => "Monitor",
    }
}

pub fn plan(view: &View, out: &mut String) {
    let p = &view.report.plan;
    let money = |amount: f64| text::money_in(amount, &p.currency);
    if p.sample_catalogue {
        out.push_str("<p class=\"notice\"><strong>SAMPLE catalogue:</strong> the replacement options and costs below come from the sample procurement catalogue shipped with sightline. They are illustrative, not quotes.</p>\n");
    }
    if view.plan_items.is_empty() {
        out.push_str("<p>Nothing to remediate.</p>\n");
    } else {
        out.push_str("<p>Ordered by risk: core-connected devices on sensitive sites first.</p>\n");
        open_simple_table(
            out,
            "plan",
            &[
                "#",
                "Device",
                "Address",
                "Site",
                "Actions",
                "Why this order",
                "Replacement options",
                "Cost",
            ],
        );
        for item in &view.plan_items {
            let actions: Vec<String> = item.actions.iter().map(|a| esc(action_name(*a))).collect();
            let mut actions_html = String::new();
            list(&mut actions_html, "plain", true, &actions);
            let options: Vec<String> = item
                .replacements
                .iter()
                .map(|(name, cost)| format!("{} — {}", esc(name), esc(&money(*cost))))
                .collect();
            let mut options_html = String::new();
            if options.is_empty() {
                options_html.push_str(&opt(None));
            } else {
                list(&mut options_html, "plain", false, &options);
            }
            let _ = writeln!(
                out,
                "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"nw\">{}</td><td>{}</td><td>{actions_html}</td><td>{}</td><td>{options_html}</td><td class=\"num\">{}</td></tr>",
                item.priority,
                device_cell(view, &item.device),
                opt(item.address.as_deref()),
                site_cell(view, item.site.as_deref()),
                esc(&item.reason),
                esc(&money(item.cost)),
            );
        }
        close_simple_table(out);
    }
    out.push_str("<h3>Per-site totals</h3>\n");
    open_simple_table(
        out,
        "site-totals",
        &["Site", "Devices", "Replacements", "Cost"],
    );
    for t in &view.site_totals {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            site_cell(view, Some(&t.site)),
            t.devices,
            t.replacements,
            esc(&money(t.cost))
        );
    }
    out.push_str("</tbody>\n");
    let devices: usize = view.site_totals.iter().map(|t| t.devices).sum();
    let replacements: usize = view.site_totals.iter().map(|t| t.replacements).sum();
    let _ = writeln!(
        out,
        "<tfoot><tr><td>Total{}</td><td class=\"num\">{devices}</td><td class=\"num\">{replacements}</td><td class=\"num\">{}</td></tr></tfoot>",
        if p.sample_catalogue {
            " (SAMPLE prices)"
        } else {
            ""
        },
        esc(&money(p.total_cost))
    );
    out.push_str("</table>\n</div>\n");
}

pub fn waivers(view: &View, out: &mut String) {
    if view.waivers.is_empty() {
        out.push_str("<p>No waivers.</p>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p>A waiver suppresses the findings of one rule on one device until it expires (judged on {}). Suppressed findings stay listed, marked as waived, and are not counted.</p>",
        esc(view
            .today
            .unwrap_or("the generation date, which is not a date here"))
    );
    open_simple_table(
        out,
        "waivers",
        &[
            "Status", "Device", "Rule", "Reason", "Approver", "Expires", "Findings",
        ],
    );
    let mut ordered: Vec<_> = view.waivers.iter().collect();
    ordered.sort_by_key(|w| match w.status {
        WaiverStatus::Active => 0,
        WaiverStatus::Unknown => 1,
        WaiverStatus::Expired => 2,
    });
    for w in ordered {
        let describe_finding = |f: &&Finding| {
            format!(
                "<code>{}</code> on {}",
                esc(&f.rule),
                esc(f.address.as_deref().unwrap_or(&f.device))
            )
        };
        let mut findings = String::new();
        if !w.suppressed.is_empty() {
            findings.push_str("suppressed: ");
            let items: Vec<String> = w.suppressed.iter().map(describe_finding).collect();
            list(&mut findings, "plain", false, &items);
        }
        if !w.uncovered.is_empty() {
            findings.push_str(match w.status {
                WaiverStatus::Expired => "no longer suppressed: ",
                _ => "matching but not suppressed: ",
            });
            let items: Vec<String> = w.uncovered.iter().map(describe_finding).collect();
            list(&mut findings, "plain", false, &items);
        }
        if findings.is_empty() {
            findings.push_str("<span class=\"muted\">none in this report</span>");
        }
        let status = match w.status {
            WaiverStatus::Active => "<strong>active</strong>",
            WaiverStatus::Expired => "<span class=\"covered\">expired</span>",
            WaiverStatus::Unknown => "unknown (expiry is not a date)",
        };
        let wv = w.waiver;
        // The identity the waiver was granted for: it holds only while the device is that.
        let identity: Vec<String> = [
            wv.manufacturer.as_deref(),
            wv.model.as_deref(),
            wv.serial.as_deref().map(|s| s.trim()),
        ]
        .into_iter()
        .flatten()
        .map(esc)
        .collect();
        let device = if identity.is_empty() {
            format!("<code>{}</code>", esc(&wv.device))
        } else {
            format!(
                "<code>{}</code><br><span class=\"muted\">{}</span>",
                esc(&wv.device),
                identity.join(" ")
            )
        };
        let _ = writeln!(
            out,
            "<tr><td>{status}</td><td>{device}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"nw\">{}</td><td>{findings}</td></tr>",
            esc(&wv.rule),
            esc(&wv.reason),
            esc(&wv.approver),
            esc(&wv.expires),
        );
    }
    close_simple_table(out);
}

pub fn history(view: &View, out: &mut String) {
    if view.history.is_empty() {
        out.push_str("<p>No changes recorded: this is the first scan, or nothing changed between scans.</p>\n");
        return;
    }
    out.push_str("<p>Differences between consecutive scans: new devices, devices gone, firmware changes and moves between segments.</p>\n");
    open_simple_table(
        out,
        "history",
        &["Scan", "Change", "Device", "Address", "Detail"],
    );
    for c in &view.history {
        let device = match view.device(&c.device) {
            Some(d) => format!("{}<br><code>{}</code>", esc(&describe(d)), esc(&c.device)),
            None => format!("<code>{}</code>", esc(&c.device)),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><strong>{}</strong></td><td>{device}</td><td class=\"nw\">{}</td><td>{}</td></tr>",
            esc(&c.scan),
            esc(&c.what),
            opt(c.address.as_deref()),
            esc(&c.detail),
        );
    }
    close_simple_table(out);
}

pub fn rules(view: &View, out: &mut String) {
    let r = view.report;
    if view.rules.is_empty() {
        out.push_str("<p>No rule documentation was supplied.</p>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p>Profile <strong>{}</strong> (<code>{}</code>) applied {} rule(s):</p>",
        esc(display_or(&r.profile_name, &r.profile)),
        esc(&r.profile),
        view.rules.len()
    );
    for rule in &view.rules {
        let _ = write!(
            out,
            "<article class=\"rule\" id=\"rule-{}\">\n<h3>{} <code>{}</code></h3>\n<dl>\n",
            anchor(&rule.id),
            esc(&rule.title),
            esc(&rule.id)
        );
        for (term, body) in [
            ("What it checks", &rule.what),
            ("Why it matters", &rule.why),
            ("Example", &rule.example),
            ("How to fix", &rule.fix),
        ] {
            let _ = write!(out, "<dt>{term}</dt>\n<dd>{}</dd>\n", prose(body));
        }
        out.push_str("</dl>\n</article>\n");
    }
}

/// An id-safe form of a rule id.
fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Renders documentation text: blank lines separate paragraphs, ``` fences make preformatted
/// blocks, lines starting with `- ` make a list, and `code` spans are kept. All text escaped.
pub fn prose(s: &str) -> String {
    let mut out = String::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut fence: Option<Vec<&str>> = None;
    let flush = |paragraph: &mut Vec<&str>, out: &mut String| {
        if paragraph.is_empty() {
            return;
        }
        if paragraph.iter().all(|l| l.trim_start().starts_with("- ")) {
            out.push_str("<ul class=\"plain\">");
            for l in paragraph.iter() {
                let item = l.trim_start().trim_start_matches("- ");
                let _ = write!(out, "<li>{}</li>", inline(item));
            }
            out.push_str("</ul>");
        } else {
            let _ = write!(out, "<p>{}</p>", inline(&paragraph.join("\n")));
        }
        paragraph.clear();
    };
    for line in s.lines() {
        if line.trim_start().starts_with("```") {
            match fence.take() {
                Some(body) => {
                    let _ = write!(out, "<pre>{}</pre>", esc(&body.join("\n")));
                }
                None => {
                    flush(&mut paragraph, &mut out);
                    fence = Some(Vec::new());
                }
            }
        } else if let Some(body) = fence.as_mut() {
            body.push(line);
        } else if line.trim().is_empty() {
            flush(&mut paragraph, &mut out);
        } else {
            paragraph.push(line);
        }
    }
    if let Some(body) = fence {
        let _ = write!(out, "<pre>{}</pre>", esc(&body.join("\n")));
    }
    flush(&mut paragraph, &mut out);
    if out.is_empty() {
        out.push_str("<span class=\"muted\">—</span>");
    }
    out
}

/// Escapes one paragraph, turning `code` spans into <code>.
fn inline(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // An unmatched backtick: show it as typed.
        return esc(s);
    }
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

pub fn method(view: &View, out: &mut String) {
    let m = &view.report.method;
    out.push_str("<h3>How the data was gathered</h3>\n");
    if m.scans.is_empty() && m.imports.is_empty() {
        out.push_str("<p>No scan or import is recorded for this report.</p>\n");
    }
    if !m.scans.is_empty() {
        out.push_str("<p>Scans (sightline sends no credentials and no state-changing request; see ARCHITECTURE.md, “What a scan sends”):</p>\n");
        let items: Vec<String> = m.scans.iter().map(|s| esc(s)).collect();
        list(out, "plain", false, &items);
        out.push('\n');
    }
    if !m.imports.is_empty() {
        out.push_str("<p>Imports:</p>\n");
        let items: Vec<String> = m.imports.iter().map(|s| esc(s)).collect();
        list(out, "plain", false, &items);
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "<p>Identification used {} fingerprint(s) and a vendor registry of {} compan{} (ownership, brands, OEM relations and the regimes that list them), with sightline {}.</p>",
        m.fingerprints,
        m.registry_companies,
        if m.registry_companies == 1 {
            "y"
        } else {
            "ies"
        },
        esc(display_or(&m.tool_version, "(version unknown)")),
    );
    out.push_str("<h3>Limitations</h3>\n");
    let mut limits: Vec<String> = [
        "Only devices that answered on the scanned segments, or that an import lists, are in the inventory; a device that was off, filtered or silent is not.",
        "Identities are derived from what devices say about themselves (banners, discovery answers, certificates, MAC prefixes). A device can be re-badged or lie; the evidence is listed so that each conclusion can be checked.",
        "Unknown stays unknown: a manufacturer is reported only when the combined confidence reaches 50%. Unidentified devices are listed, not guessed.",
        "Whether a maker is covered follows the vendor registry and its citations; it is not legal advice.",
        "Vulnerable firmware is judged from versions already observed, never by exploiting a device.",
    ]
    .iter()
    .map(|s| esc(s))
    .collect();
    limits.extend(m.notes.iter().map(|n| esc(n)));
    list(out, "plain", false, &limits);
    out.push('\n');
}
