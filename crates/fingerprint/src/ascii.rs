//! Patterns cut to ASCII. Most device answers are ASCII, and on ASCII text a pattern matches
//! exactly where its copy with every class cut to ASCII (and Unicode word boundaries made
//! ASCII) matches: no path through the pattern can consume a character the text does not
//! have. The cut copies compile several times faster (Unicode classes such as `\w` or `[^/]`
//! become large UTF-8 automata) and make smaller, faster DFAs; text that is not ASCII is
//! matched with the whole pattern.

use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::{MatchKind, meta};
use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange};
use regex_syntax::hir::{Hir, HirKind, Look};
use std::sync::OnceLock;

/// Parse a pattern with the settings `Regex::new` uses: every syntax error, without the cost
/// of compiling it.
pub(crate) fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// The pattern as it matches on ASCII text.
pub(crate) fn cut(h: &Hir) -> Hir {
    match h.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => {
            if lit.0.is_ascii() {
                h.clone()
            } else {
                Hir::fail()
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassBytes::new([ClassBytesRange::new(0, 0x7f)]));
            Hir::class(Class::Bytes(c))
        }
        HirKind::Look(look) => Hir::look(match look {
            // A word character that is ASCII is exactly an ASCII word character.
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            other => *other,
        }),
        HirKind::Repetition(r) => {
            let mut r = r.clone();
            r.sub = Box::new(cut(&r.sub));
            Hir::repetition(r)
        }
        HirKind::Capture(c) => {
            let mut c = c.clone();
            c.sub = Box::new(cut(&c.sub));
            Hir::capture(c)
        }
        HirKind::Concat(v) => Hir::concat(v.iter().map(cut).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(cut).collect()),
    }
}

/// One pattern as `Regex::new` compiles it (leftmost-first, same limits), `cut` or whole.
pub(crate) fn single(pattern: &str, ascii: bool) -> Option<meta::Regex> {
    let hir = parse(pattern).ok()?;
    let hir = if ascii { cut(&hir) } else { hir };
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(10 << 20))
                .hybrid_cache_capacity(2 << 20),
        )
        .build_from_hir(&hir)
        .ok()
}

/// Several patterns as `RegexSet` compiles them (every match, no captures; limits raised),
/// `cut` or whole.
pub(crate) fn set(patterns: &[String], ascii: bool) -> Option<meta::Regex> {
    let mut hirs = Vec::with_capacity(patterns.len());
    for p in patterns {
        let hir = parse(p).ok()?;
        hirs.push(if ascii { cut(&hir) } else { hir });
    }
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .match_kind(MatchKind::All)
                .utf8_empty(true)
                .which_captures(WhichCaptures::None)
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(32 << 20),
        )
        .build_many_from_hir(&hirs)
        .ok()
}

/// A pattern compiled when first needed, once cut to ASCII and once whole.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    ascii: OnceLock<Option<meta::Regex>>,
    full: OnceLock<Option<meta::Regex>>,
}

impl Compiled {
    /// The compiled pattern for matching `text`.
    pub fn for_text(&self, pattern: &str, text: &str) -> Option<&meta::Regex> {
        if text.is_ascii()
            && let Some(re) = self.ascii.get_or_init(|| single(pattern, true)).as_ref()
        {
            return Some(re);
        }
        self.full.get_or_init(|| single(pattern, false)).as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On ASCII text, the cut pattern finds the same match and captures as the whole one.
    #[test]
    fn cut_patterns_match_ascii_text_like_the_whole_ones() {
        let cases = [
            (r"(?i)^(?P<m>\w+)-k\d+$", "Cam-K12"),
            (r"(?i)kelvin", "KELVIN"),
            (r"\bDS-\w+\b", "model DS-2CD2042 here"),
            (r"é|x", "x"),
            (r"[^/]+/(?P<p>.*)", "host/path/x"),
            (r"(?m)^s=(?P<s>\S+)\s*$", "v=0\ns=HIK \n"),
            (r"ſ", "s"),
            (r"(?i)ſ", "s"),
        ];
        for (pattern, text) in cases {
            let whole = regex::Regex::new(pattern).expect("valid");
            let cut = single(pattern, true).expect("compiles");
            let want = whole
                .captures(text)
                .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>());
            let mut caps = cut.create_captures();
            cut.captures(text, &mut caps);
            let got = caps.is_match().then(|| {
                (0..caps.group_len())
                    .map(|i| caps.get_group(i).map(|s| s.range()))
                    .collect::<Vec<_>>()
            });
            assert_eq!(got, want, "{pattern} on {text:?}");
        }
    }
}
