//! Waivers: an accepted exception suppresses the findings of one rule (or all, `*`) on one
//! device until its expiry day has passed.
//!
//! A waiver names its device by what the owner controls (the inventory id or the address),
//! plus the identity waived (manufacturer, model, optionally serial). What a device reports
//! about itself is a claim: naming a device by its serial or MAC alone would let any device
//! that reports the waived one's serial inherit the waiver, so such a waiver applies to
//! nothing (the estate loader says how to rewrite it).

use crate::date;
use model::{InventoryDevice, Waiver};
use time::Date;

/// The first waiver that applies to this finding today. A waiver names the device by its
/// inventory id or address (any case) and, when it says so, the identity waived: the device's
/// manufacturer (or brand), model and serial must then be those. It names the rule by its id,
/// by `*`, or by a profile prefix (`uk-gov-2022` or `uk-gov-2022/*`). It holds up to and
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
        w.names(device)
            && names_rule(&w.rule, rule)
            && date::parse(&w.expires).is_some_and(|expires| today <= expires)
    })
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
