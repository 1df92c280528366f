//! Calendar dates as the estate, inventory and rules write them (YYYY-MM-DD), and the dated
//! milestones of the regimes.

use time::Date;
use time::macros::{date, format_description};

/// The UK Written Ministerial Statement on surveillance equipment (deployment must cease).
pub(crate) const UK_STATEMENT: Date = date!(2022 - 11 - 24);

/// The Huawei Designated Vendor Directions' deadline for removing Huawei from the network core.
pub(crate) const HUAWEI_CORE_DEADLINE: Date = date!(2023 - 12 - 31);

/// A strict YYYY-MM-DD date; anything else (including impossible days) is `None`.
pub(crate) fn parse(text: &str) -> Option<Date> {
    let text = text.trim();
    if text.len() != 10 {
        return None;
    }
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// A date from its parts, `None` when the day does not exist.
pub(crate) fn from_parts(year: i32, month: u8, day: u8) -> Option<Date> {
    let month = time::Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// YYYY-MM-DD.
pub(crate) fn format(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// "24 November 2022", for sentences.
pub(crate) fn long(d: Date) -> String {
    format!("{} {} {}", d.day(), d.month(), d.year())
}
