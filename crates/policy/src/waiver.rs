//! Waivers: an accepted exception suppresses the findings of one rule (or all, `*`) on one
//! device until its expiry day has passed.

use crate::date;
use model::{InventoryDevice, Waiver};
use time::Date;

/// The first waiver that applies to this finding today. A waiver names the device by its
/// inventory id, address, serial number or MAC (any separators, any case), and the rule by its
/// id, by `*`, or by a profile prefix (`uk-gov-2022` or `uk-gov-2022/*`). It holds up to and
/// including its `expires` day; a waiver whose expiry is not a valid date never applies, and
/// none applies when today is unknown.
pub(crate) fn find<'a>(
    waivers: &'a [Waiver],
    device: &InventoryDevice,
    rule: &str,
    today: Option<Date>,
) -> Option<&'a Waiver> {
    let today = today?;
    waivers.iter().find(|w| {
        names_device(&w.device, device)
            && names_rule(&w.rule, rule)
            && date::parse(&w.expires).is_some_and(|expires| today <= expires)
    })
}

fn names_device(wanted: &str, device: &InventoryDevice) -> bool {
    let wanted = wanted.trim();
    if wanted.is_empty() {
        return false;
    }
    let same = |v: &Option<String>| {
        v.as_deref()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
    };
    if device.id.trim().eq_ignore_ascii_case(wanted)
        || same(&device.address)
        || same(&device.serial)
    {
        return true;
    }
    match (mac(wanted), device.mac.as_deref().and_then(mac)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// Twelve lower-case hex digits, whatever the separators.
fn mac(text: &str) -> Option<String> {
    let hex: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    (hex.len() == 12 && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(hex)
}

fn names_rule(wanted: &str, rule: &str) -> bool {
    let wanted = wanted.trim();
    if wanted == "*" || wanted == rule {
        return true;
    }
    let prefix = wanted.strip_suffix("/*").unwrap_or(wanted);
    !prefix.is_empty()
        && !prefix.contains('/')
        && rule
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with('/'))
}
