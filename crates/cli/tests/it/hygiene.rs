//! What reaches a person is safe: device text cannot drive the terminal, and the demo never
//! deletes or overwrites a file it did not make.

use crate::{sightline, stdout_of};

/// A device id carrying a terminal title escape, a right-to-left override and a zero-width
/// space, as `fingerprint eval --misses` and `identify` print it.
const HOSTILE_ID: &str = "cam\u{1b}]0;owned\u{7}\u{202E}gpj.exe\u{200B}";

#[track_caller]
fn check_clean(text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| (c.is_control() && c != '\n') || report::text::is_hidden(c)),
        "raw control or hidden character in {text:?}"
    );
}

#[test]
fn eval_misses_and_tables_escape_device_text() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("obs.jsonl");
    let line = serde_json::json!({
        "device": HOSTILE_ID, "kind": "http", "response": "HTTP/1.1 200 OK\r\n\r\nhello",
        "truth": {"manufacturer": "Hikvision", "covered": true}
    });
    std::fs::write(&input, format!("{line}\n")).unwrap();
    let (out, err, code) = stdout_of(
        sightline()
            .args(["fingerprint", "eval", "--misses"])
            .arg(&input),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("cam\u{FFFD}]0;owned"), "{out}");
    check_clean(&out);
    check_clean(&err);
    let (out, err, code) = stdout_of(
        sightline()
            .args(["identify", "--format", "table"])
            .arg(&input),
    );
    assert_eq!(code, 0, "{err}");
    check_clean(&out);
}

#[test]
fn bad_input_lines_are_reported_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("obs.jsonl");
    let line = serde_json::json!({"device": "x", "kind": "\u{1b}[2Jclear", "response": "x"});
    std::fs::write(&input, format!("{line}\n")).unwrap();
    let (_, err, code) = stdout_of(sightline().args(["identify"]).arg(&input));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("skipped"), "{err}");
    check_clean(&err);
}

#[test]
fn demo_refuses_a_folder_with_files_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["demo.db", "report.html"] {
        let path = dir.path().join(name);
        std::fs::write(&path, "the user's own file").unwrap();
        let (_, err, code) = stdout_of(sightline().args(["demo", "--out"]).arg(dir.path()));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("did not make"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "the user's own file"
        );
        std::fs::remove_file(&path).unwrap();
    }
}
