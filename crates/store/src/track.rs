//! Backend-neutral rules of device tracking and time: how host keys are normalised, which key
//! matches a host to a known device, when a match must be refused, and how scan times become
//! "seen" dates. Pure; every backend uses these so that they track devices the same way.
//!
//! Trust: a serial number, a MAC and a certificate are what the device *says*; anyone who
//! controls a device can make it say another device's. So they are claims, and a match needs
//! corroboration: the same address, or two claims agreeing, or one claim on the same segment.
//! A claim alone elsewhere makes a new device and a recorded conflict, never a silent merge
//! (which would hand a new device an old one's first-seen date).

use crate::{HostRecord, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// The keys a device is recognised by, normalised for comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Keys {
    pub serial: Option<String>,
    pub mac: Option<String>,
    pub cert: Option<String>,
    pub address: Option<String>,
    /// The segment (CIDR) it is on: not a key on its own, it corroborates one.
    pub segment: Option<String>,
    /// Whether this host's MAC came from the network or the owner (see
    /// `HostRecord::mac_observed`), which makes it independent of the device's own claims.
    pub mac_observed: bool,
}

/// The keys in matching order, strongest first. A host is matched to a known device by the
/// first key that finds one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Serial,
    Mac,
    Cert,
    Address,
}

impl Key {
    pub const ORDER: [Key; 4] = [Key::Serial, Key::Mac, Key::Cert, Key::Address];

    /// The name of the key in conflicts and change details.
    pub fn name(self) -> &'static str {
        match self {
            Key::Serial => "serial",
            Key::Mac => "mac",
            Key::Cert => "cert",
            Key::Address => "address",
        }
    }

    /// The column of the devices table holding this key.
    pub fn column(self) -> &'static str {
        match self {
            Key::Serial => "serial_key",
            Key::Mac => "mac_key",
            Key::Cert => "cert_key",
            Key::Address => "address_key",
        }
    }
}

impl Keys {
    pub fn of(host: &HostRecord) -> Keys {
        Keys {
            serial: host.serial.as_deref().and_then(serial),
            mac: host.mac.as_deref().and_then(mac),
            cert: host.cert_fingerprint.as_deref().and_then(cert),
            address: host.address.as_deref().and_then(address),
            segment: host
                .segment
                .as_deref()
                .and_then(non_empty)
                .map(str::to_owned),
            mac_observed: host.mac_observed,
        }
    }

    pub fn get(&self, key: Key) -> Option<&str> {
        match key {
            Key::Serial => self.serial.as_deref(),
            Key::Mac => self.mac.as_deref(),
            Key::Cert => self.cert.as_deref(),
            Key::Address => self.address.as_deref(),
        }
    }

    /// Whether a device with keys `known`, found through `by`, cannot be this host: a stronger
    /// key is known on both sides and differs (the same address now answers with another
    /// serial number or MAC: the device was replaced).
    pub fn contradicts(&self, known: &Keys, by: Key) -> bool {
        Key::ORDER
            .iter()
            .take_while(|k| **k != by)
            .any(|k| matches!((self.get(*k), known.get(*k)), (Some(a), Some(b)) if a != b))
    }

    /// Whether the keys of a known device found through one of this host's keys corroborate
    /// the match: the address agrees, or two *independent* sources agree, or one does and the
    /// host is on the device's segment. The device's own answers are one source however many
    /// keys they hold: a clone replaying another unit's device-information answer repeats its
    /// serial and MAC together, and a certificate is public. A MAC seen by the network or
    /// recorded by the owner is a second source. A host without an address (a row of an asset
    /// register, the owner's own record) is matched by any agreeing key.
    pub fn corroborated_by(&self, known: &Keys) -> bool {
        let agree = |k: Key| matches!((self.get(k), known.get(k)), (Some(a), Some(b)) if a == b);
        if agree(Key::Address) {
            return true;
        }
        let device_says =
            agree(Key::Serial) || agree(Key::Cert) || (agree(Key::Mac) && !self.mac_observed);
        let network_says = agree(Key::Mac) && self.mac_observed;
        let sources = usize::from(device_says) + usize::from(network_says);
        let same_segment = self.segment.is_some() && self.segment == known.segment;
        sources >= 2 || (sources == 1 && (same_segment || self.address.is_none()))
    }

    /// The keys to keep for a device after this sighting: the newest value of each key, the
    /// older one where this host did not report it.
    pub fn merged_over(&self, known: &Keys) -> Keys {
        Keys {
            serial: self.serial.clone().or_else(|| known.serial.clone()),
            mac: self.mac.clone().or_else(|| known.mac.clone()),
            cert: self.cert.clone().or_else(|| known.cert.clone()),
            address: self.address.clone().or_else(|| known.address.clone()),
            segment: self.segment.clone().or_else(|| known.segment.clone()),
            mac_observed: self.mac_observed,
        }
    }
}

fn non_empty(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// Serial numbers compare without case or surrounding blanks. A placeholder made of one
/// repeated character (`0000000000`, `FFFFFFFF`) names no device and is no key.
fn serial(s: &str) -> Option<String> {
    let s = non_empty(s)?.to_ascii_uppercase();
    let mut chars = s.chars();
    let first = chars.next()?;
    (!chars.all(|c| c == first)).then_some(s)
}

/// MACs compare as 12 lowercase hex digits whatever the separators (`AA-BB-..`, `aabb.cc..`);
/// anything else is kept as written, lowercased.
pub(crate) fn mac(s: &str) -> Option<String> {
    let s = non_empty(s)?;
    let hex: String = s.chars().filter(char::is_ascii_hexdigit).collect();
    let only_hex_and_separators = s
        .chars()
        .all(|c| c.is_ascii_hexdigit() || ":-. ".contains(c));
    if hex.len() == 12 && only_hex_and_separators {
        let hex = hex.to_ascii_lowercase();
        let pairs: Vec<&str> = (0..6).map(|i| &hex[2 * i..2 * i + 2]).collect();
        Some(pairs.join(":"))
    } else {
        Some(s.to_ascii_lowercase())
    }
}

/// Certificate fingerprints compare as lowercase hex without separators.
fn cert(s: &str) -> Option<String> {
    let s = non_empty(s)?;
    let hex: String = s
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect();
    Some(hex.to_ascii_lowercase())
}

fn address(s: &str) -> Option<String> {
    non_empty(s).map(str::to_ascii_lowercase)
}

/// A scan time: when it was (for ordering) and the day it names (the "seen" date).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct When {
    pub unix: i64,
    pub day: String,
}

pub(crate) fn when(what: &'static str, value: &str) -> Result<When, StoreError> {
    let t = OffsetDateTime::parse(value.trim(), &Rfc3339).map_err(|e| StoreError::BadTime {
        what,
        value: value.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(When {
        unix: t.unix_timestamp(),
        day: day(t.date()),
    })
}

fn day(d: time::Date) -> String {
    // A formatting failure is impossible for a valid date with this description.
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_else(|_| d.to_string())
}

/// The day an inventory is asked for: `YYYY-MM-DD`, or an RFC 3339 time.
pub(crate) fn as_of_day(value: &str) -> Result<String, StoreError> {
    let v = value.trim();
    if let Ok(d) = time::Date::parse(v, format_description!("[year]-[month]-[day]")) {
        return Ok(day(d));
    }
    when("as-of time", v)
        .map(|w| w.day)
        .map_err(|_| StoreError::BadDate {
            value: value.to_owned(),
        })
}

/// `dev-<n>` from a device row id, and back.
pub(crate) fn device_name(id: i64) -> String {
    format!("dev-{id}")
}

pub(crate) fn device_row(name: &str) -> Option<i64> {
    name.trim()
        .strip_prefix("dev-")?
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_compare_whatever_the_separators() {
        for input in [
            "AA:BB:CC:00:11:22",
            "aa-bb-cc-00-11-22",
            "aabb.cc00.1122",
            "AABBCC001122",
        ] {
            assert_eq!(mac(input).as_deref(), Some("aa:bb:cc:00:11:22"), "{input}");
        }
        assert_eq!(mac("  "), None);
        assert_eq!(mac("not-a-mac").as_deref(), Some("not-a-mac"));
    }

    #[test]
    fn a_stronger_differing_key_refuses_a_match() {
        let host = Keys {
            serial: Some("B".into()),
            address: Some("10.0.0.1".into()),
            ..Keys::default()
        };
        let known = Keys {
            serial: Some("A".into()),
            address: Some("10.0.0.1".into()),
            ..Keys::default()
        };
        assert!(host.contradicts(&known, Key::Address));
        assert!(!host.contradicts(&known, Key::Serial));
        let unknown_serial = Keys {
            serial: None,
            ..known
        };
        assert!(!host.contradicts(&unknown_serial, Key::Address));
    }

    #[test]
    fn a_claimed_key_needs_corroboration() {
        let keys = |serial: &str, mac: &str, address: &str, segment: &str| Keys {
            serial: (!serial.is_empty()).then(|| serial.to_owned()),
            mac: (!mac.is_empty()).then(|| mac.to_owned()),
            cert: None,
            address: (!address.is_empty()).then(|| address.to_owned()),
            segment: (!segment.is_empty()).then(|| segment.to_owned()),
            mac_observed: false,
        };
        let observed = |k: Keys| Keys {
            mac_observed: true,
            ..k
        };
        let known = keys("S1", "aa:bb:cc:00:11:22", "10.0.0.5", "10.0.0.0/24");
        for (host, expect) in [
            (keys("S1", "", "10.0.0.5", "10.0.0.0/24"), true),
            (keys("S1", "", "10.0.0.9", "10.0.0.0/24"), true),
            // Serial and MAC from the device's own answers: one source (a clone replays both).
            (
                keys("S1", "aa:bb:cc:00:11:22", "10.9.0.9", "10.9.0.0/24"),
                false,
            ),
            // A MAC the network saw is a second, independent source.
            (
                observed(keys("S1", "aa:bb:cc:00:11:22", "10.9.0.9", "10.9.0.0/24")),
                true,
            ),
            (
                observed(keys("", "aa:bb:cc:00:11:22", "10.9.0.9", "10.9.0.0/24")),
                false,
            ),
            (keys("S1", "", "10.9.0.9", "10.9.0.0/24"), false),
            (keys("S1", "", "10.9.0.9", ""), false),
            (keys("S1", "", "", ""), true),
            (keys("", "", "10.0.0.5", ""), true),
        ] {
            assert_eq!(host.corroborated_by(&known), expect, "{host:?}");
        }
        assert_eq!(serial("0000000000"), None);
        assert_eq!(serial(" ab12 ").as_deref(), Some("AB12"));
    }

    #[test]
    fn scan_times_name_their_own_day() {
        let w = when("start", "2024-03-01T23:30:00-05:00").unwrap();
        assert_eq!(w.day, "2024-03-01");
        assert_eq!(as_of_day("2024-03-02").unwrap(), "2024-03-02");
        assert_eq!(as_of_day("2024-03-02T10:00:00Z").unwrap(), "2024-03-02");
        assert!(as_of_day("yesterday").is_err());
        assert_eq!(device_row(&device_name(7)), Some(7));
        assert_eq!(device_row("dev-x"), None);
    }
}
