//! Waivers: an active waiver suppresses (marks `waived`) exactly the findings it names; expired
//! waivers, waivers with unreadable expiry dates, waivers of other rules, waivers naming a
//! device by serial or MAC alone and waivers of another identity do not.

use crate::fixture::Fixture;
use model::Finding;

fn findings(today: &str) -> Vec<Finding> {
    let mut fixture = Fixture::load("waivers.toml");
    fixture.today = today.to_string();
    let profile = policy::profile("uk-gov-2022").unwrap();
    policy::evaluate(&fixture.inventory(), &profile, &fixture.cx())
}

#[track_caller]
fn check(findings: &[Finding], device: &str, rule: &str, waived_by: Option<&str>) {
    let f = findings
        .iter()
        .find(|f| f.device == device && f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} finding for {device}"));
    assert_eq!(
        f.waived.as_ref().map(|w| w.device.as_str()),
        waived_by,
        "{device} {rule}"
    );
}

#[test]
fn waivers_apply_until_they_expire() {
    let all = findings("2025-06-01");
    check(
        &all,
        "cam-1",
        "uk-gov-2022/sensitive-site",
        Some("10.1.2.1"),
    );
    check(&all, "cam-2", "uk-gov-2022/sensitive-site", None);
    check(
        &all,
        "cam-3",
        "uk-gov-2022/sensitive-site",
        Some("10.1.2.3"),
    );
    check(&all, "cam-4", "uk-gov-2022/sensitive-site", Some("cam-4"));
    check(
        &all,
        "cam-4",
        "cve-2021-36260/hikvision-command-injection",
        None,
    );
    check(&all, "cam-5", "uk-gov-2022/sensitive-site", None);
    check(&all, "cam-6", "uk-gov-2022/sensitive-site", None);
    check(
        &all,
        "cam-7",
        "uk-gov-2022/sensitive-site",
        Some("10.1.2.7"),
    );
    // The clone reports cam-7's serial: it is not cam-7, and not waived.
    check(&all, "cam-8", "uk-gov-2022/sensitive-site", None);
    check(&all, "cam-9", "uk-gov-2022/sensitive-site", None);
}

#[test]
fn the_day_after_expiry_the_waiver_is_gone() {
    let later = findings("2025-06-02");
    check(&later, "cam-3", "uk-gov-2022/sensitive-site", None);
    check(
        &later,
        "cam-1",
        "uk-gov-2022/sensitive-site",
        Some("10.1.2.1"),
    );
}

#[test]
fn an_unreadable_audit_date_applies_no_waiver() {
    let all = findings("June 2025");
    assert!(!all.is_empty());
    assert!(all.iter().all(|f| f.waived.is_none()));
}

#[test]
fn waived_findings_stay_in_the_list_but_out_of_the_plan() {
    let fixture = Fixture::load("waivers.toml");
    let all = findings("2025-06-01");
    let plan = policy::plan(&all, &fixture.inventory(), &fixture.estate, &[], false);
    let planned: Vec<&str> = plan.items.iter().map(|i| i.device.as_str()).collect();
    // cam-1, cam-3 and cam-7 have no unwaived finding left; cam-4's firmware finding remains.
    assert_eq!(
        planned,
        ["cam-2", "cam-4", "cam-5", "cam-6", "cam-8", "cam-9"]
    );
}
