//! Plain-text tables for terminals: columns padded to their widest cell, long cells cut.

pub fn render(headers: &[&str], rows: &[Vec<String>], max_width: usize) -> String {
    let cut = |s: &str| -> String {
        // Device text is hostile: control characters (terminal escapes) and hidden characters
        // (bidi overrides, zero-width) are shown, not obeyed.
        let s = report::text::terminal(s);
        let s = s.as_str();
        if s.chars().count() <= max_width {
            s.to_string()
        } else {
            let mut t: String = s.chars().take(max_width.saturating_sub(1)).collect();
            t.push('…');
            t
        }
    };
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cut(c)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}
