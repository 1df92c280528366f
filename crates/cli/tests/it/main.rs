//! The binary as a user runs it: arguments in, stdout/stderr/exit code out.

mod audit;
mod hostile;
mod hygiene;
mod scan;

use assert_cmd::Command;
use std::path::PathBuf;

pub fn sightline() -> Command {
    Command::cargo_bin("sightline").expect("binary built")
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/observations.jsonl")
}

fn stdout_of(cmd: &mut Command) -> (String, String, i32) {
    let out = cmd.output().expect("runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn identify_sample_as_jsonl() {
    let (out, err, code) = stdout_of(
        sightline()
            .args(["identify", "--format", "jsonl"])
            .arg(sample()),
    );
    assert_eq!(code, 0, "{err}");
    let devices: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert!(devices.len() >= 10);
    for d in &devices {
        for key in [
            "device",
            "manufacturer",
            "brand",
            "model",
            "device_class",
            "firmware",
            "covered",
            "regimes",
            "confidence",
            "evidence",
        ] {
            assert!(d.get(key).is_some(), "missing {key} in {d}");
        }
    }
    let by = |name: &str| {
        devices
            .iter()
            .find(|d| d["device"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(by("hik-cam")["manufacturer"], "Hikvision");
    assert_eq!(by("hik-cam")["covered"], true);
    assert_eq!(by("amcrest-cam")["manufacturer"], "Dahua");
    assert_eq!(by("uniview-cam")["covered"], false);
    assert_eq!(by("unknown-mac")["manufacturer"], serde_json::Value::Null);
    let ev = &by("dahua-nvr")["evidence"][0];
    for key in ["observation", "fingerprint", "matched"] {
        assert!(ev.get(key).is_some(), "evidence lacks {key}: {ev}");
    }
}

#[test]
fn identify_table_snapshot() {
    let (out, err, code) = stdout_of(
        sightline()
            .args(["identify", "--format", "table"])
            .arg(sample()),
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn malformed_lines_are_reported_and_skipped() {
    let input = "{\"kind\": \"mac\", \"response\": \"bc:ad:28:00:00:01\"}\nnot json\n{\"kind\": \"smtp\", \"response\": \"x\"}\n{\"kind\": \"banner\"}\n";
    let (out, err, code) = stdout_of(
        sightline()
            .args(["identify", "--format", "jsonl", "-"])
            .write_stdin(input),
    );
    assert_eq!(code, 3, "exit code says some lines were bad");
    assert_eq!(
        out.lines().count(),
        1,
        "the good line is still identified: {out}"
    );
    assert!(err.contains(":2: skipped"), "{err}");
    assert!(
        err.contains(":3: skipped") && err.contains("unknown kind"),
        "{err}"
    );
    assert!(
        err.contains(":4: skipped") && err.contains("response"),
        "{err}"
    );
}

#[test]
fn missing_file_is_a_clear_error() {
    let (_, err, code) = stdout_of(sightline().args(["identify", "/nonexistent/obs.jsonl"]));
    assert_eq!(code, 2);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn fingerprint_check_passes() {
    let (out, err, code) = stdout_of(sightline().args(["fingerprint", "check"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 problem(s)"), "{out}");
}

#[test]
fn fingerprint_eval_prints_the_three_scores() {
    let eval = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../eval/dev/devices.jsonl");
    let (out, err, code) = stdout_of(sightline().args(["fingerprint", "eval"]).arg(eval));
    assert_eq!(code, 0, "{err}");
    for what in [
        "covered recall",
        "false covered rate",
        "manufacturer accuracy",
    ] {
        assert!(out.contains(what), "{out}");
    }
}

#[test]
fn vendors_shows_a_company_with_sources() {
    let (out, err, code) = stdout_of(sightline().args(["vendors", "hikvision"]));
    assert_eq!(code, 0, "{err}");
    for what in [
        "Hangzhou Hikvision Digital Technology",
        "covered: YES",
        "FCC",
        "source:",
        "EZVIZ",
    ] {
        assert!(out.contains(what), "missing {what:?} in\n{out}");
    }
    let (out, _, code) = stdout_of(sightline().args(["vendors", "Uniview"]));
    assert_eq!(code, 0);
    assert!(out.contains("covered: no"), "{out}");
    let (_, err, code) = stdout_of(sightline().args(["vendors", "no-such-maker-xyz"]));
    assert_eq!(code, 2);
    assert!(err.contains("sightline vendors"), "{err}");
}
