//! One fixture per rule (`fixtures/rules/<rule id>.toml`): devices marked `expect = true` must be
//! reported by the rule and no others; the findings are snapshotted.

use crate::fixture::{Fixture, render};
use policy::{Profile, Rule};
use std::collections::BTreeSet;
use std::path::PathBuf;

#[track_caller]
fn check(rule_id: &str) {
    let fixture = Fixture::load(&format!("rules/{rule_id}.toml"));
    assert_eq!(
        fixture.rule.as_deref(),
        Some(rule_id),
        "fixture names another rule"
    );
    let rule: &'static dyn Rule = policy::rule(rule_id).expect("rule exists");
    let profile = Profile {
        id: "fixture",
        name: "one rule",
        rules: vec![rule],
    };
    let findings = policy::evaluate(&fixture.inventory(), &profile, &fixture.cx());
    let expected: BTreeSet<&str> = fixture
        .devices
        .iter()
        .filter(|d| d.expect == Some(true))
        .map(|d| d.id.as_str())
        .collect();
    assert!(
        !expected.is_empty(),
        "the fixture must have a device that triggers the rule"
    );
    assert!(
        fixture.devices.iter().any(|d| d.expect == Some(false)),
        "the fixture must have a device that does not trigger the rule"
    );
    let reported: BTreeSet<&str> = findings.iter().map(|f| f.device.as_str()).collect();
    assert_eq!(reported, expected, "devices reported by {rule_id}");
    assert!(findings.iter().all(|f| f.rule == rule_id));
    insta::assert_snapshot!(rule_id.replace('/', "__"), render(&findings));
}

#[test]
fn uk_gov_2022_sensitive_site() {
    check("uk-gov-2022/sensitive-site");
}

#[test]
fn uk_gov_2022_core_network() {
    check("uk-gov-2022/core-network");
}

#[test]
fn uk_gov_2022_new_deployment() {
    check("uk-gov-2022/new-deployment");
}

#[test]
fn uk_gov_2022_non_sensitive_site() {
    check("uk-gov-2022/non-sensitive-site");
}

#[test]
fn uk_gov_2022_unknown_provenance() {
    check("uk-gov-2022/unknown-provenance");
}

#[test]
fn us_ndaa_889_covered_equipment() {
    check("us-ndaa-889/covered-equipment");
}

#[test]
fn us_fcc_covered_covered_equipment() {
    check("us-fcc-covered/covered-equipment");
}

#[test]
fn uk_huawei_dvd_core_network() {
    check("uk-huawei-dvd/core-network");
}

#[test]
fn identity_key_conflict() {
    check("identity/key-conflict");
}

#[test]
fn supply_chain_covered_component() {
    check("supply-chain/covered-component");
}

#[test]
fn cve_2017_7921() {
    check("cve-2017-7921/hikvision-auth-bypass");
}

#[test]
fn cve_2021_36260() {
    check("cve-2021-36260/hikvision-command-injection");
}

#[test]
fn cve_2021_33044() {
    check("cve-2021-33044/dahua-netkeyboard-login");
}

#[test]
fn cve_2021_33045() {
    check("cve-2021-33045/dahua-loopback-login");
}

/// Tidy: every rule has a fixture (and so, through the tests above, a snapshot).
#[test]
fn every_rule_has_a_fixture_and_a_test() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/rules");
    let this = include_str!("rules.rs");
    for rule in policy::all_rules() {
        let path = dir.join(format!("{}.toml", rule.id()));
        assert!(
            path.is_file(),
            "rule {} has no fixture {}",
            rule.id(),
            path.display()
        );
        assert!(
            this.contains(&format!("check(\"{}\")", rule.id())),
            "rule {} has no fixture test",
            rule.id()
        );
    }
}

/// A finding's rule id is always the id of the rule that made it, and every id is unique;
/// its prefix is its profile's id, a CVE, `identity` or `supply-chain`.
#[test]
fn rule_ids_are_unique_and_prefixed() {
    let mut seen = BTreeSet::new();
    for profile in policy::profiles() {
        for rule in &profile.rules {
            let id = rule.id();
            let (prefix, name) = id.split_once('/').expect("id is <profile-or-cve>/<name>");
            // Firmware (`cve-*`), identity and supply-chain rules apply under every profile.
            assert!(
                prefix == profile.id
                    || prefix.starts_with("cve-")
                    || prefix == "identity"
                    || prefix == "supply-chain",
                "{id} in profile {}",
                profile.id
            );
            assert!(!name.is_empty() && !name.contains('/'), "{id}");
            seen.insert(id);
        }
    }
    assert_eq!(seen.len(), policy::all_rules().len());
}

/// Before the DVD core deadline Huawei in the core is high, after it critical.
#[test]
fn huawei_core_severity_follows_the_deadline() {
    let mut fixture = Fixture::load("rules/uk-huawei-dvd/core-network.toml");
    let profile = policy::profile("uk-huawei-dvd").unwrap();
    let severities = |fixture: &Fixture| -> BTreeSet<Option<model::Severity>> {
        policy::evaluate(&fixture.inventory(), &profile, &fixture.cx())
            .iter()
            .filter(|f| f.rule == "uk-huawei-dvd/core-network")
            .map(|f| f.severity)
            .collect()
    };
    fixture.today = "2023-12-31".into();
    assert_eq!(
        severities(&fixture),
        BTreeSet::from([Some(model::Severity::High)])
    );
    fixture.today = "2024-01-01".into();
    assert_eq!(
        severities(&fixture),
        BTreeSet::from([Some(model::Severity::Critical)])
    );
}

/// When history begins before the statement, being in the first scan proves an older
/// deployment: the serial date is not consulted, the register still wins.
#[test]
fn first_scan_before_the_statement_dates_deployments() {
    let mut fixture = Fixture::load("rules/uk-gov-2022/new-deployment.toml");
    for d in &mut fixture.devices {
        if d.first_seen.as_deref() == Some("2024-01-10") {
            d.first_seen = Some("2022-06-01".into());
        }
    }
    let profile = policy::profile("uk-gov-2022").unwrap();
    let reported: BTreeSet<String> =
        policy::evaluate(&fixture.inventory(), &profile, &fixture.cx())
            .into_iter()
            .filter(|f| f.rule == "uk-gov-2022/new-deployment")
            .map(|f| f.device)
            .collect();
    assert_eq!(
        reported,
        BTreeSet::from(["dahua-register".to_string(), "hik-first-seen".to_string()])
    );
}
