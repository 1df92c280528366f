//! Text helpers shared by the formats: escaping for HTML, Markdown and CSV, cutting long hostile
//! strings, and the display of money, confidence and dates.

use std::fmt::Write;

/// Characters that change how the text around them is shown without being seen themselves:
/// bidirectional overrides and isolates (which can make `gpj.exe` read as `exe.jpg`, or reorder a
/// table row), zero-width spaces and joiners, the byte-order mark, invisible operators, tag
/// characters, soft hyphens and the Unicode line and paragraph separators. A device can put any
/// of them in its answers to make a report say something other than what the device sent, so
/// every human-facing output shows them as U+FFFD instead.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{115F}'..='\u{1160}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFFB}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// Device text made safe for a terminal: control characters (escape sequences that could move
/// the cursor, rewrite earlier lines or set the window title) and hidden characters
/// ([`is_hidden`]) are shown as U+FFFD, never sent.
pub fn terminal(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || is_hidden(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// Escapes text for HTML element content and quoted attribute values. Control characters (other
/// than tab and newline) are replaced by U+FFFD: a device answer may contain anything.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() || is_hidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Cuts `s` to at most `max` characters, ending with an ellipsis when cut.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Escapes text for one Markdown table cell: no line breaks, no pipes, no raw HTML (Markdown
/// renderers pass HTML through, and device answers are hostile), no emphasis or link syntax, no
/// hidden characters, and no bare URL or e-mail address: renderers (GitHub's among them) turn
/// `https://...`, `www.` and `name@host` into links by themselves, so a device could plant a
/// clickable link in an auditor's summary. They are defanged the way security reports write
/// indicators (`https[:]//host`, `www[.]host`, `name[@]host`) and stay readable.
pub fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let lower = s.to_ascii_lowercase();
    for (i, c) in s.char_indices() {
        match c {
            ':' if lower[i..].starts_with("://") => out.push_str("\\[:\\]"),
            '.' if i >= 3 && lower[..i].ends_with("www") && word_start(&lower, i - 3) => {
                out.push_str("\\[.\\]")
            }
            '@' => out.push_str("\\[@\\]"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() || is_hidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether byte `i` of `s` starts a word (what an autolinker needs before `www.`).
fn word_start(s: &str, i: usize) -> bool {
    s[..i]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

/// Neutralises spreadsheet formulas: a cell that starts with `=`, `+`, `-`, `@`, tab or carriage
/// return gets a leading apostrophe, so that a hostile device name cannot run as a formula when
/// the CSV is opened in a spreadsheet (OWASP "CSV injection").
/// Hidden characters ([`is_hidden`]) are shown as U+FFFD, as in every other human-facing format.
pub fn csv_cell(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if is_hidden(c) { '\u{FFFD}' } else { c })
        .collect();
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s,
    }
}

/// `1234567.5` -> `1,234,567.50`. Non-finite amounts show as `n/a`.
pub fn money(amount: f64) -> String {
    if !amount.is_finite() {
        return "n/a".to_string();
    }
    let fixed = format!("{:.2}", amount.abs());
    let (whole, cents) = fixed.split_once('.').unwrap_or((&fixed, "00"));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0.0 && fixed != "0.00" {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{cents}")
}

/// Money with its currency, e.g. `GBP 1,200.00`.
pub fn money_in(amount: f64, currency: &str) -> String {
    if currency.is_empty() {
        money(amount)
    } else {
        format!("{currency} {}", money(amount))
    }
}

/// Confidence 0..1 as a whole percentage.
pub fn percent(confidence: f64) -> String {
    if !confidence.is_finite() {
        return "n/a".to_string();
    }
    format!("{:.0}%", (confidence.clamp(0.0, 1.0) * 100.0).round())
}

/// The `YYYY-MM-DD` at the start of `s`, when there is one.
pub fn date_prefix(s: &str) -> Option<&str> {
    let day = s.trim().get(..10)?;
    let b = day.as_bytes();
    let shape = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    shape.then_some(day)
}

/// Joins with a separator, skipping nothing: a small helper so call sites stay short.
pub fn join<I, S>(items: I, sep: &str) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        let _ = write!(out, "{}", s.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_formats() {
        assert_eq!(
            html("<script>alert('x')</script>&\u{0}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;\u{FFFD}"
        );
        assert_eq!(markdown_cell("a|b\n<i>"), "a\\|b &lt;i&gt;");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("10.0.0.1"), "10.0.0.1");
        assert_eq!(money(1234567.5), "1,234,567.50");
        assert_eq!(money(999.999), "1,000.00");
        assert_eq!(money(-12.0), "-12.00");
        assert_eq!(money(0.0), "0.00");
        assert_eq!(money(f64::NAN), "n/a");
        assert_eq!(percent(0.974), "97%");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
        assert_eq!(date_prefix("2025-03-01T10:00:00Z"), Some("2025-03-01"));
        assert_eq!(date_prefix("soon"), None);
    }

    #[test]
    fn hidden_characters_are_shown_not_obeyed() {
        // A right-to-left override makes "Axis gpj.exe" display as "Axis exe.jpg".
        let spoof = "Axis \u{202E}gpj.exe\u{202C} \u{200B}cam\u{FEFF}";
        for out in [
            html(spoof),
            markdown_cell(spoof),
            csv_cell(spoof),
            terminal(spoof),
        ] {
            assert!(!out.chars().any(is_hidden), "{out:?}");
            assert_eq!(out.matches('\u{FFFD}').count(), 4, "{out:?}");
        }
        assert_eq!(
            terminal("a\u{1b}]0;pwned\u{7}b"),
            "a\u{FFFD}]0;pwned\u{FFFD}b"
        );
        assert_eq!(terminal("Hikvision 海康威视"), "Hikvision 海康威视");
    }

    #[test]
    fn markdown_cells_carry_no_bare_links() {
        assert_eq!(
            markdown_cell("see https://evil.example/x or www.evil.example, mail a@b.example"),
            "see https\\[:\\]//evil.example/x or www\\[.\\]evil.example, mail a\\[@\\]b.example"
        );
        // Not a link: left alone.
        assert_eq!(markdown_cell("awww.x 10.0.0.1:80"), "awww.x 10.0.0.1:80");
        assert_eq!(markdown_cell("WWW.EVIL"), "WWW\\[.\\]EVIL");
    }
}
