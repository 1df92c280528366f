//! Estate files: the shipped sample loads; broken files get errors naming file, line and field.

use audit::{parse_catalogue, parse_estate};
use std::path::Path;

const SAMPLE: &str = include_str!("../../../../examples/estate/estate.toml");

#[test]
fn sample_estate_loads_and_places_addresses() {
    let e = parse_estate(SAMPLE, Path::new("estate.toml")).expect("sample loads");
    assert_eq!(e.estate.sites.len(), 3);
    assert_eq!(
        e.place("127.90.1.7"),
        Some((
            "hq".into(),
            "127.90.1.0/24".into(),
            model::SegmentRole::Core
        ))
    );
    assert_eq!(e.place("127.90.20.9").map(|p| p.0), Some("depot".into()));
    assert_eq!(e.place("127.91.0.1"), None);
    assert!(e.site_is_sensitive("hq"));
    assert!(!e.site_is_sensitive("depot"));
    assert_eq!(e.networks().len(), 4);
    let cat = parse_catalogue(
        include_str!("../../../../examples/estate/catalogue.toml"),
        Path::new("catalogue.toml"),
    )
    .expect("catalogue");
    assert!(cat.2, "the shipped catalogue says it is a sample");
    assert!(cat.0.len() >= 5);
}

#[track_caller]
fn check(text: &str, line: usize, field: &str, words: &str) {
    let e = parse_estate(text, Path::new("bad.toml")).expect_err("must fail");
    assert_eq!((e.line, e.field.as_str()), (line, field), "{e}");
    assert!(
        e.to_string().starts_with(&format!("bad.toml:{line}: ")),
        "{e}"
    );
    assert!(e.message.contains(words), "{e}");
}

#[test]
fn bad_estate_files_name_file_line_and_field() {
    check(
        "[organisation]\nname = \"X\"\n[[site]]\nid = \"hq\"\nname = \"HQ\"\nsensitive = \"yes\"\n",
        6,
        "site.sensitive",
        "bool",
    );
    check(
        "[organisation]\nname = \"X\"\n[[site]]\nid = \"hq\"\nname = \"HQ\"\n[[segment]]\ncidr = \"10.1.0.0/33\"\nsite = \"hq\"\n",
        7,
        "segment.cidr",
        "not a CIDR",
    );
    check(
        "[organisation]\nname = \"X\"\n[[site]]\nid = \"hq\"\nname = \"HQ\"\n[[segment]]\ncidr = \"10.1.0.0/24\"\nsite = \"hx\"\n",
        8,
        "segment.site",
        "no [[site]]",
    );
    check(
        "[organisation]\nname = \"X\"\n[[site]]\nid = \"hq\"\nname = \"HQ\"\n[[segment]]\ncidr = \"10.1.0.0/24\"\nsite = \"hq\"\nrole = \"kitchen\"\n",
        9,
        "segment.role",
        "unknown variant",
    );
    check(
        "[organisation]\nname = \"X\"\n[[waiver]]\ndevice = \"192.0.2.1\"\nrule = \"*\"\nreason = \"r\"\napprover = \"a\"\nexpires = \"soon\"\n",
        8,
        "waiver.expires",
        "not a date",
    );
    check(
        "[[site]]\nid = \"hq\"\nname = \"HQ\"\n",
        1,
        "organisation",
        "missing field",
    );
}

/// Waivers naming a device by what it reports (serial, MAC) apply to nothing and are warned
/// about with the rewrite; waivers by address or inventory id that do not say which device
/// was waived are warned about too; the sample estate has no warnings.
#[test]
fn waivers_naming_a_device_by_what_it_reports_are_warned_about() {
    let sample = parse_estate(SAMPLE, Path::new("estate.toml")).expect("sample loads");
    assert_eq!(sample.warnings, Vec::<String>::new());
    let waiver = |device: &str, extra: &str| {
        format!(
            "[organisation]\nname = \"X\"\n[[waiver]]\ndevice = \"{device}\"\n{extra}rule = \"*\"\nreason = \"r\"\napprover = \"a\"\nexpires = \"2030-01-01\"\n"
        )
    };
    let warnings = |text: String| {
        parse_estate(&text, Path::new("e.toml"))
            .expect("loads")
            .warnings
    };
    let by_serial = warnings(waiver("DS-2CD2143G0-I20180829AAWRC46851082", ""));
    assert_eq!(by_serial.len(), 1, "{by_serial:?}");
    assert!(
        by_serial[0].starts_with("e.toml:4: waiver.device: ")
            && by_serial[0].contains("applies to nothing")
            && by_serial[0].contains("serial = \"DS-2CD2143G0-I20180829AAWRC46851082\""),
        "{}",
        by_serial[0]
    );
    let by_mac = warnings(waiver(
        "bc:ad:28:00:00:03",
        "manufacturer = \"Hikvision\"\n",
    ));
    assert!(by_mac[0].contains("applies to nothing"), "{by_mac:?}");
    let bare = warnings(waiver("192.0.2.7", ""));
    assert!(bare[0].contains("add manufacturer"), "{bare:?}");
    for (device, extra) in [
        ("192.0.2.7", "manufacturer = \"Hikvision\"\n"),
        ("dev-12", "model = \"DS-2CD2143G0-I\"\n"),
    ] {
        assert_eq!(
            warnings(waiver(device, extra)),
            Vec::<String>::new(),
            "{device}"
        );
    }
}
