//! Acceptance: an estate file with covered devices on a sensitive core segment yields critical
//! findings for exactly those devices, and compliant devices yield none.

use crate::fixture::{Fixture, render};
use model::{Estate, Severity};
use serde::Deserialize;
use std::collections::BTreeSet;

#[derive(Deserialize)]
struct Devices {
    today: String,
    device: Vec<crate::fixture::Device>,
}

fn load() -> Fixture {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/acceptance");
    let estate: Estate = toml::from_str(&std::fs::read_to_string(dir.join("estate.toml")).unwrap())
        .expect("estate file parses");
    let devices: Devices =
        toml::from_str(&std::fs::read_to_string(dir.join("devices.toml")).unwrap()).unwrap();
    Fixture {
        rule: None,
        today: devices.today,
        as_of: None,
        estate,
        catalogue: Vec::new(),
        devices: devices.device,
    }
}

#[test]
fn covered_devices_on_a_sensitive_core_are_critical_and_compliant_devices_clean() {
    let fixture = load();
    let profile = policy::profile("uk-gov-2022").unwrap();
    let findings = policy::evaluate(&fixture.inventory(), &profile, &fixture.cx());

    let critical: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.severity == Some(Severity::Critical))
        .map(|f| f.device.as_str())
        .collect();
    assert_eq!(
        critical,
        BTreeSet::from(["hik-core-cam", "lts-core-nvr", "dahua-core-cam"])
    );
    let reported: BTreeSet<&str> = findings.iter().map(|f| f.device.as_str()).collect();
    assert_eq!(
        reported, critical,
        "compliant devices must yield no findings at all"
    );
    assert!(findings.iter().all(|f| f.waived.is_none()));
    insta::assert_snapshot!(render(&findings));
}

#[test]
fn every_profile_leaves_compliant_devices_alone() {
    let fixture = load();
    let compliant = [
        "axis-core-cam",
        "bosch-cctv-cam",
        "cisco-core-switch",
        "hanwha-regional-cam",
    ];
    for profile in policy::profiles() {
        let findings = policy::evaluate(&fixture.inventory(), &profile, &fixture.cx());
        for f in &findings {
            assert!(
                !compliant.contains(&f.device.as_str()),
                "{} on {}",
                f.rule,
                f.device
            );
        }
    }
}
