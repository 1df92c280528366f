//! Horizontal bar charts as inline SVG, drawn here so the HTML report needs nothing external.
//! Each chart is an accessible image: `role="img"`, a `<title>` and a `<desc>` that reads out
//! every value, and a text label plus the count beside every bar.

use crate::text;
use std::fmt::Write;

/// One bar: a label and one or more stacked parts (value, fill colour, what the colour means).
pub struct Bar {
    pub label: String,
    pub parts: Vec<Part>,
}

pub struct Part {
    pub value: usize,
    pub fill: &'static str,
    pub meaning: &'static str,
}

/// A chart to draw.
pub struct Chart<'a> {
    /// Unique id prefix for the element ids.
    pub id: &'a str,
    pub title: &'a str,
    pub bars: Vec<Bar>,
    /// Legend entries (colour, meaning); empty for none.
    pub legend: Vec<(&'static str, &'static str)>,
}

const WIDTH: usize = 560;
const LABEL_WIDTH: usize = 190;
const VALUE_WIDTH: usize = 50;
const ROW: usize = 26;
const BAR: usize = 18;
const TOP: usize = 8;
/// Labels longer than this are cut on the chart; the full text is in the bar's tooltip and the
/// chart description.
const LABEL_CHARS: usize = 28;

pub fn svg(chart: &Chart) -> String {
    let Chart {
        id,
        title,
        bars,
        legend,
    } = chart;
    let max = bars
        .iter()
        .map(|b| b.parts.iter().map(|p| p.value).sum::<usize>())
        .max()
        .unwrap_or(0);
    let legend_height = if legend.is_empty() { 0 } else { ROW };
    let rows = bars.len().max(1);
    let height = TOP + rows * ROW + legend_height + 4;
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;

    let mut desc = String::new();
    for (i, b) in bars.iter().enumerate() {
        if i > 0 {
            desc.push_str("; ");
        }
        let total: usize = b.parts.iter().map(|p| p.value).sum();
        let _ = write!(desc, "{}: {total}", b.label);
        let detail: Vec<String> = b
            .parts
            .iter()
            .filter(|p| p.value > 0 && !p.meaning.is_empty())
            .map(|p| format!("{} {}", p.value, p.meaning))
            .collect();
        if b.parts.len() > 1 && !detail.is_empty() {
            let _ = write!(desc, " ({})", detail.join(", "));
        } else if let [p] = b.parts.as_slice()
            && !p.meaning.is_empty()
        {
            let _ = write!(desc, " ({})", p.meaning);
        }
    }
    if bars.is_empty() {
        desc.push_str("No data.");
    }

    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" aria-labelledby="{id}-title {id}-desc" font-family="system-ui, sans-serif" font-size="12"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        text::html(title),
        text::html(&desc),
    );
    if bars.is_empty() {
        let _ = write!(
            out,
            r##"<text x="{LABEL_WIDTH}" y="{}" fill="#555">No data</text>"##,
            TOP + ROW / 2 + 4
        );
    }
    // A light axis line where the bars start.
    let _ = write!(
        out,
        r##"<line x1="{x}" y1="{TOP}" x2="{x}" y2="{y2}" stroke="#999" stroke-width="1"/>"##,
        x = LABEL_WIDTH,
        y2 = TOP + rows * ROW,
    );
    for (row, bar) in bars.iter().enumerate() {
        let y = TOP + row * ROW;
        let total: usize = bar.parts.iter().map(|p| p.value).sum();
        let label = text::cut(&bar.label, LABEL_CHARS);
        let _ = write!(
            out,
            r##"<g><title>{}: {total}</title><text x="{lx}" y="{ty}" text-anchor="end" fill="#222">{}</text>"##,
            text::html(&bar.label),
            text::html(&label),
            lx = LABEL_WIDTH - 6,
            ty = y + BAR / 2 + 5,
        );
        let mut x = LABEL_WIDTH as f64;
        for part in &bar.parts {
            if part.value == 0 || max == 0 {
                continue;
            }
            let w = part.value as f64 / max as f64 * span as f64;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{ry}" width="{w:.1}" height="{BAR}" fill="{}"/>"#,
                part.fill,
                ry = y + 3,
            );
            x += w;
        }
        let _ = write!(
            out,
            r##"<text x="{vx:.1}" y="{ty}" fill="#222">{total}</text></g>"##,
            vx = x + 5.0,
            ty = y + BAR / 2 + 5,
        );
    }
    let mut lx = LABEL_WIDTH;
    let ly = TOP + rows * ROW + 8;
    for (fill, meaning) in legend {
        let _ = write!(
            out,
            r##"<rect x="{lx}" y="{ly}" width="12" height="12" fill="{fill}"/><text x="{tx}" y="{ty}" fill="#222">{}</text>"##,
            text::html(meaning),
            tx = lx + 16,
            ty = ly + 10,
        );
        lx += 28 + meaning.chars().count() * 7;
    }
    out.push_str("</svg>");
    out
}
