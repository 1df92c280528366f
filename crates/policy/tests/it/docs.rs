//! Every rule documents What it checks, Why it matters (citing its regime or advisory), an
//! Example and How to fix; the reports render this text.

/// The words a rule's "why" must contain to cite its regime (or, for firmware rules, its CVE).
fn citation(profile: &str, rule: &str) -> String {
    if let Some(cve) = rule.split('/').next().filter(|p| p.starts_with("cve-")) {
        return cve.to_ascii_uppercase();
    }
    match profile {
        "uk-gov-2022" => "24 November 2022",
        "us-ndaa-889" => "section 889",
        "us-fcc-covered" => "FCC Covered List",
        "uk-huawei-dvd" => "Designated Vendor Directions",
        other => panic!("profile {other} has no citation to check"),
    }
    .to_string()
}

#[test]
fn every_rule_of_every_profile_is_documented() {
    let profiles = policy::profiles();
    assert_eq!(
        profiles.iter().map(|p| p.id).collect::<Vec<_>>(),
        [
            "uk-gov-2022",
            "us-ndaa-889",
            "us-fcc-covered",
            "uk-huawei-dvd"
        ]
    );
    for profile in &profiles {
        assert!(!profile.name.is_empty());
        assert!(!profile.rules.is_empty(), "{} has no rules", profile.id);
        for rule in &profile.rules {
            let doc = rule.doc();
            for (part, text) in [
                ("title", doc.title),
                ("what", doc.what),
                ("why", doc.why),
                ("example", doc.example),
                ("fix", doc.fix),
            ] {
                assert!(!text.trim().is_empty(), "{}: empty {part}", rule.id());
                assert!(
                    !text.contains("  "),
                    "{}: {part} has a double space",
                    rule.id()
                );
            }
            let cite = citation(profile.id, rule.id());
            assert!(
                doc.why.to_lowercase().contains(&cite.to_lowercase()),
                "{}: why does not cite {cite:?}",
                rule.id()
            );
        }
    }
}

#[test]
fn profiles_are_found_by_id() {
    for p in policy::profiles() {
        assert_eq!(policy::profile(p.id).map(|q| q.id), Some(p.id));
    }
    assert!(policy::profile("uk-gov-2021").is_none());
    // Every profile carries the four firmware rules.
    for p in policy::profiles() {
        let cves = p
            .rules
            .iter()
            .filter(|r| r.id().starts_with("cve-"))
            .count();
        assert_eq!(cves, 4, "{}", p.id);
    }
}
