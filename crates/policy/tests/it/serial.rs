//! Production dates decoded from serial numbers.

use policy::serial_production_date;
use proptest::prelude::*;

#[track_caller]
fn check(manufacturer: &str, serial: &str, expect: Option<&str>) {
    assert_eq!(
        serial_production_date(manufacturer, serial).as_deref(),
        expect,
        "{manufacturer} {serial}"
    );
}

#[test]
fn hikvision_serials() {
    check(
        "Hikvision",
        "DS-2CD2143G0-I20180829AAWRC46851082",
        Some("2018-08-29"),
    );
    check(
        "HIKVISION",
        "ds-2cd2143g0-i20180829aawrc46851082",
        Some("2018-08-29"),
    );
    // A channel count sits between a recorder's model and date.
    check(
        "Hikvision",
        "DS-7216HGHI-SH1620160608CCWRD12345678",
        Some("2016-06-08"),
    );
    check(
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "DS-2CD2386G2-IU20240101AAWRJ12345678",
        Some("2024-01-01"),
    );
    check(
        "Hikvision",
        "DS-2CD2143G0-I20200229AAWRC46851082",
        Some("2020-02-29"),
    );
    // Impossible days and months, years out of range, wrong shapes.
    check("Hikvision", "DS-2CD2143G0-I20190229AAWRC46851082", None);
    check("Hikvision", "DS-2CD2143G0-I20181329AAWRC46851082", None);
    check("Hikvision", "DS-2CD2143G0-I20180800AAWRC46851082", None);
    check("Hikvision", "DS-2CD2143G0-I19990101AAWRC46851082", None);
    check("Hikvision", "C46851082", None);
    check("Hikvision", "", None);
    // Other makers' serials carry no date this way.
    check("Dahua", "DS-2CD2143G0-I20180829AAWRC46851082", None);
    check("", "DS-2CD2143G0-I20180829AAWRC46851082", None);
}

proptest! {
    #[test]
    fn never_panics(manufacturer in ".{0,20}", serial in "\\PC{0,80}") {
        let _ = serial_production_date(&manufacturer, &serial);
    }

    #[test]
    fn valid_dates_round_trip(year in 2001i32..2100, month in 1u8..=12, day in 1u8..=28, unit in "[A-Z][0-9]{8}") {
        let serial = format!("DS-2CD2143G0-I{year:04}{month:02}{day:02}AAWR{unit}");
        prop_assert_eq!(
            serial_production_date("Hikvision", &serial),
            Some(format!("{year:04}-{month:02}-{day:02}"))
        );
    }

    #[test]
    fn decoded_dates_are_real(serial in "DS-[0-9A-Z]{6}[0-9]{8}[A-Z]{4}[0-9]{6}") {
        if let Some(d) = serial_production_date("Hikvision", &serial) {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            prop_assert!(time::Date::parse(&d, format).is_ok(), "{} is not a real day", d);
            prop_assert!(serial.contains(&d.replace('-', "")));
        }
    }
}
