//! Target parsing and expansion arithmetic.

use proptest::prelude::*;
use scan::{TargetError, Targets};
use std::net::IpAddr;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[track_caller]
fn check(specs: &[&str], excludes: &[&str], expect: &[&str]) {
    let t = Targets::parse(&s(specs), &s(excludes)).expect("parses");
    let got: Vec<String> = t.iter().map(|ip| ip.to_string()).collect();
    assert_eq!(got, expect);
}

#[test]
fn forms() {
    check(&["127.0.0.1"], &[], &["127.0.0.1"]);
    check(
        &["127.0.0.0/30"],
        &[],
        &["127.0.0.0", "127.0.0.1", "127.0.0.2", "127.0.0.3"],
    );
    check(
        &["127.0.0.1-3"],
        &[],
        &["127.0.0.1", "127.0.0.2", "127.0.0.3"],
    );
    check(
        &["127.0.0.254-127.0.1.1"],
        &[],
        &["127.0.0.254", "127.0.0.255", "127.0.1.0", "127.0.1.1"],
    );
    check(&["127.0.0.1,127.0.0.5"], &[], &["127.0.0.1", "127.0.0.5"]);
    check(&["::1"], &[], &["::1"]);
    check(&["::1-3"], &[], &["::1", "::2", "::3"]);
    check(
        &["127.0.0.0/30", "127.0.0.2/31"],
        &["127.0.0.1"],
        &["127.0.0.0", "127.0.0.2", "127.0.0.3"],
    );
    check(&["localhost"], &["::1"], &["127.0.0.1"]);
}

#[test]
fn membership() {
    let t = Targets::parse(&s(&["127.0.0.0/30", "::1"]), &s(&["127.0.0.2"])).expect("parses");
    for (ip, want) in [
        ("127.0.0.1", true),
        ("127.0.0.2", false),
        ("127.0.0.4", false),
        ("::1", true),
        ("::2", false),
    ] {
        assert_eq!(t.contains(ip.parse().expect("ip")), want, "{ip}");
    }
}

#[test]
fn file_lists() {
    let dir = std::env::temp_dir().join(format!("sightline-targets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let f = dir.join("t.txt");
    std::fs::write(&f, "# cameras\n127.0.0.1\n127.0.0.2-3 127.0.0.9\n").expect("write");
    check(
        &[&format!("@{}", f.display())],
        &[],
        &["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.9"],
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn errors_say_what_to_do() {
    assert_eq!(Targets::parse(&[], &[]).unwrap_err(), TargetError::Empty);
    assert!(matches!(
        Targets::parse(&s(&["10.0.0.9-10.0.0.1"]), &[]),
        Err(TargetError::BadRange(_))
    ));
    assert!(matches!(
        Targets::parse(&s(&["not a target!"]), &[]),
        Err(TargetError::Invalid(_))
    ));
    assert!(matches!(
        Targets::parse(&s(&["0.0.0.0/0"]), &[]),
        Err(TargetError::TooMany(_))
    ));
    assert!(matches!(
        Targets::parse(&s(&["::/0"]), &[]),
        Err(TargetError::TooMany(_))
    ));
    assert!(matches!(
        Targets::parse(&s(&["@/nonexistent/file"]), &[]),
        Err(TargetError::File { .. })
    ));
    assert!(
        TargetError::Empty
            .to_string()
            .contains("never scans by default")
    );
}

proptest! {
    #[test]
    fn cidr_expansion_counts(a in any::<u8>(), b in any::<u8>(), prefix in 20u8..=32) {
        let spec = format!("127.{a}.{b}.0/{prefix}");
        let t = Targets::parse(&[spec], &[]).expect("valid cidr");
        let n = t.iter().count() as u128;
        prop_assert_eq!(n, 1u128 << (32 - prefix));
        prop_assert_eq!(t.len(), n);
        let all: Vec<IpAddr> = t.iter().collect();
        prop_assert!(all.windows(2).all(|w| w[0] < w[1]), "ascending and distinct");
    }

    #[test]
    fn exclusions_remove_exactly(start in 0u8..200, len in 1u8..50, ex in 0u8..255) {
        let end = start.saturating_add(len);
        let t = Targets::parse(&[format!("127.1.1.{start}-127.1.1.{end}")], &[format!("127.1.1.{ex}")]).expect("valid");
        let set = t.to_set();
        let expected = (end - start) as usize + 1 - usize::from((start..=end).contains(&ex));
        prop_assert_eq!(set.len(), expected);
        let excluded: IpAddr = format!("127.1.1.{ex}").parse().expect("valid address");
        prop_assert!(!set.contains(&excluded));
    }

    #[test]
    fn parse_never_panics(spec in "[0-9a-f:./@, -]{0,40}") {
        let _ = Targets::parse(&[spec], &[]);
    }
}
