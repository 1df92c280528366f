//! report.html in headless Chromium: it renders, the three charts are in the DOM, a screenshot
//! is a real PNG, and the console stays clean. Chromium is required (the project's CI installs
//! it); without it this test fails and says how to install it.

use crate::html::{SCRIPT, hostile_report};
use report::{Format, render};
use std::path::Path;
use std::process::{Command, Output};

const CHROMIUM: &str = "chromium";
/// An upper bound on one Chromium run, so a wedged browser fails the test instead of hanging it.
const TIMEOUT_SECONDS: &str = "120";

fn chromium(profile: &Path, args: &[&str]) -> Output {
    let version = Command::new(CHROMIUM).arg("--version").output();
    if !version.is_ok_and(|o| o.status.success()) {
        panic!(
            "headless Chromium is needed to check report.html; install it with `apt-get install -y chromium chromium-driver`"
        );
    }
    let output = Command::new("timeout")
        .arg(TIMEOUT_SECONDS)
        .arg(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, render(&hostile_report(), Format::Html)).unwrap();
    let url = format!("file://{}", page.display());

    // The DOM, with the console logged to stderr.
    let run = chromium(
        &dir.path().join("profile-dom"),
        &["--enable-logging=stderr", "--v=0", "--dump-dom", &url],
    );
    let dom = String::from_utf8_lossy(&run.stdout);
    for id in ["chart-manufacturer", "chart-site", "chart-severity"] {
        assert!(
            dom.contains(&format!("<svg class=\"chart\" id=\"{id}\"")),
            "chart {id} not in the DOM"
        );
    }
    assert_eq!(dom.matches("<svg").count(), 3, "expected three charts");
    assert!(
        dom.contains("<h1>Equipment audit: Example Department</h1>"),
        "page did not render:\n{dom}"
    );
    assert!(!dom.contains("<script"), "a script element reached the DOM");
    assert!(
        dom.contains(&SCRIPT.replace('<', "&lt;").replace('>', "&gt;")),
        "hostile name is not text in the DOM"
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        // The page has no script, so any console message is a fault: Chromium logs errors
        // (uncaught exceptions, Content-Security-Policy violations) as `INFO:CONSOLE` or
        // `ERROR:CONSOLE` lines.
        .filter(|l| {
            l.contains("Uncaught")
                || l.contains(":CONSOLE")
                || l.contains("Content Security Policy")
        })
        .collect();
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));

    // A screenshot: a non-empty PNG of the requested size.
    let png = dir.path().join("report.png");
    chromium(
        &dir.path().join("profile-shot"),
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2000",
            "--hide-scrollbars",
            &url,
        ],
    );
    let bytes = std::fs::read(&png).expect("chromium wrote no screenshot");
    assert!(
        bytes.len() > 10_000,
        "screenshot is only {} bytes",
        bytes.len()
    );
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000), "unexpected screenshot size");
    // To look at the result: REPORT_KEEP=<dir> keeps report.html and report.png there.
    if let Ok(keep) = std::env::var("REPORT_KEEP") {
        let keep = Path::new(&keep);
        std::fs::copy(&page, keep.join("report.html")).unwrap();
        std::fs::copy(&png, keep.join("report.png")).unwrap();
    }
}
