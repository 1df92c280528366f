//! The shipped data is sound: it loads without problems, the self-test passes, and the
//! registry holds what the issue requires.

use super::db;
use fingerprint::{Database, Named};

#[test]
fn data_loads_and_self_test_passes() {
    let (db, mut problems) = Database::embedded();
    problems.extend(fingerprint::check::check(&db));
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        text.join("\n")
    );
}

#[test]
fn every_fingerprint_has_a_sourced_example() {
    let db = db();
    assert!(
        db.fingerprints.len() >= 300,
        "only {} fingerprints",
        db.fingerprints.len()
    );
    for fp in &db.fingerprints {
        assert!(!fp.examples.is_empty(), "{} has no example", fp.id);
        for ex in &fp.examples {
            assert!(
                !ex.source.trim().is_empty(),
                "{} has an example without a source",
                fp.id
            );
        }
    }
}

#[track_caller]
fn check_covered(name: &str, covered: bool) {
    let reg = &db().registry;
    let company = match reg.resolve(name) {
        Some(Named::Company(i)) => i,
        Some(Named::Brand(b)) => reg.maker_of_brand(b).expect("brand has a maker").0,
        None => panic!("{name} is not in the registry"),
    };
    let (regimes, is_covered) = reg.regimes_for(company);
    assert_eq!(is_covered, covered, "{name}: regimes {regimes:?}");
}

#[test]
fn covered_families_and_their_brands() {
    for name in [
        "Hikvision",
        "Dahua",
        "Huawei",
        "ZTE",
        "Hytera",
        "EZVIZ",
        "HiLook",
        "HiWatch",
        "Hikmicro",
        "Imou",
        "Lechange",
        "DJI",
    ] {
        check_covered(name, true);
    }
}

#[test]
fn chinese_makers_not_on_the_lists_are_not_covered() {
    for name in [
        "Uniview",
        "Reolink",
        "TP-Link",
        "Tiandy",
        "Milesight",
        "Xiongmai",
        "Honor",
        "Axis",
        "Hanwha Vision",
        "Uniarch",
    ] {
        check_covered(name, false);
    }
}

#[test]
fn registry_is_large_enough() {
    let reg = &db().registry;
    assert!(reg.oems.len() >= 40, "{} OEM relations", reg.oems.len());
    let not_covered = (0..reg.companies.len())
        .filter(|&i| !reg.regimes_for(i).1)
        .count();
    assert!(not_covered >= 60, "{not_covered} non-covered companies");
    for id in [
        "uk-gov-2022",
        "us-ndaa-889",
        "us-fcc-covered",
        "uk-huawei-dvd",
        "us-entity-list",
    ] {
        assert!(reg.regime(id).is_some(), "regime {id} missing");
    }
    let hik = reg.company_index("hikvision").expect("hikvision");
    let listed: Vec<&str> = reg.companies[hik]
        .listing
        .iter()
        .map(|l| l.regime.as_str())
        .collect();
    for id in ["uk-gov-2022", "us-ndaa-889", "us-fcc-covered"] {
        assert!(listed.contains(&id), "hikvision not listed under {id}");
    }
    for c in &reg.companies {
        for l in &c.listing {
            assert!(
                !l.source.is_empty(),
                "{}: listing {} has no source",
                c.id,
                l.regime
            );
        }
    }
}

#[test]
fn oui_table_maps_onto_registry_companies() {
    let db = db();
    assert!(db.oui.len() > 40_000);
    let a = db
        .oui
        .lookup("bc:ad:28:01:02:03")
        .expect("hikvision prefix");
    assert_eq!(
        db.registry
            .company_for_ieee(&a.organization)
            .map(|i| db.registry.companies[i].id.as_str()),
        Some("hikvision")
    );
    let a = db.oui.lookup("EC-71-DB-00-00-01").expect("reolink prefix");
    assert_eq!(
        db.registry
            .company_for_ieee(&a.organization)
            .map(|i| db.registry.companies[i].id.as_str()),
        Some("reolink")
    );
}
