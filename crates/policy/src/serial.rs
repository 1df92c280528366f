//! Production dates encoded in serial numbers. Hikvision's full serial number is the model,
//! then the production date as YYYYMMDD, then a four-letter code and the unit number:
//! `DS-2CD2143G0-I20180829AAWRC46851082` was made on 2018-08-29. Recorders put a channel count
//! between model and date (`DS-7216HGHI-SH1620160608CCWR...`), so the date is the eight digits
//! immediately before the letter code, not the first digits after the model.

use crate::date;
use regex::Regex;
use std::sync::LazyLock;

static HIKVISION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})(\d{2})(\d{2})[A-Z]{4}[A-Z0-9]{3,}$").expect("serial pattern compiles")
});

/// The production date (YYYY-MM-DD) a serial number encodes, for makers whose serials carry one
/// (Hikvision and the companies of its group, whose names contain "Hikvision"). `None` when the
/// maker's serials carry no date, the serial does not have the expected shape, or the encoded
/// date does not exist or is before 2001 (the year Hikvision was founded).
pub fn serial_production_date(manufacturer: &str, serial: &str) -> Option<String> {
    let maker: String = manufacturer
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if !maker.contains("hikvision") {
        return None;
    }
    let serial = serial.trim().to_ascii_uppercase();
    let caps = HIKVISION.captures(&serial)?;
    let year: i32 = caps[1].parse().ok()?;
    let month: u8 = caps[2].parse().ok()?;
    let day: u8 = caps[3].parse().ok()?;
    if !(2001..=2099).contains(&year) {
        return None;
    }
    date::from_parts(year, month, day).map(date::format)
}
