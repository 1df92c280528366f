//! The Markdown summary: headline numbers and the findings table, for a pull request, a ticket
//! or a chat message. Cells are escaped (no raw HTML, no pipes): device answers are hostile.

use crate::text::{self, markdown_cell as md};
use crate::view::View;
use model::Severity;
use std::fmt::Write;

pub fn render(view: &View) -> String {
    let r = view.report;
    let s = &view.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# Equipment audit: {}\n", md(&r.organisation));
    let profile = if r.profile_name.trim().is_empty() {
        &r.profile
    } else {
        &r.profile_name
    };
    let _ = writeln!(
        out,
        "Generated {} against profile **{}** (`{}`).\n",
        md(&r.generated),
        md(profile),
        md(&r.profile)
    );
    let _ = writeln!(
        out,
        "- Devices: {} ({} identified, {} covered)",
        s.devices, s.identified_devices, s.covered_devices
    );
    let counts = &s.findings_by_severity;
    let mut by_severity: Vec<String> = Severity::ALL
        .into_iter()
        .map(|sev| format!("{} {}", counts.get(Some(sev)), sev))
        .collect();
    if counts.unrated > 0 {
        by_severity.push(format!("{} unrated", counts.unrated));
    }
    let _ = writeln!(
        out,
        "- Findings: {} ({}); {} waived",
        s.findings,
        by_severity.join(", "),
        s.waived_findings
    );
    let sites: Vec<String> = s
        .sites_affected
        .iter()
        .map(|id| md(&view.site_name(id)))
        .collect();
    let _ = writeln!(
        out,
        "- Sites affected: {} of {}{}",
        s.sites_affected.len(),
        r.estate.sites.len(),
        if sites.is_empty() {
            String::new()
        } else {
            format!(" ({})", sites.join(", "))
        }
    );
    let _ = writeln!(
        out,
        "- Remediation: {} item(s), {}{}",
        r.plan.items.len(),
        md(&text::money_in(s.total_cost, &s.currency)),
        if s.sample_catalogue {
            " (SAMPLE catalogue prices, illustrative only)"
        } else {
            ""
        }
    );
    if s.active_waivers + s.expired_waivers > 0 {
        let _ = writeln!(
            out,
            "- Waivers: {} active, {} expired",
            s.active_waivers, s.expired_waivers
        );
    }
    out.push_str("\n## Findings\n\n");
    if view.findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str("| Severity | Rule | Device | Address | Site | Segment | First seen | Title |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for f in &view.findings {
        let severity = f.severity.map_or("unrated", Severity::as_str);
        let severity = match &f.waived {
            Some(w) => format!("{severity} (waived until {})", md(&w.expires)),
            None => severity.to_string(),
        };
        let dash = || "-".to_string();
        let _ = writeln!(
            out,
            "| {severity} | {} | {} | {} | {} | {} | {} | {} |",
            md(&f.rule),
            md(&view.device_label(&f.device)),
            f.address.as_deref().map_or_else(dash, md),
            view.finding_site(f)
                .map_or_else(dash, |s| md(&view.site_name(s))),
            f.segment.as_deref().map_or_else(dash, md),
            f.first_seen.as_deref().map_or_else(dash, md),
            md(&f.title),
        );
    }
    out
}
