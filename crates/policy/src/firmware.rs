//! Firmware version strings of covered makers, read as observed (SADP, ISAPI, ONVIF, DHIP,
//! banners) so that the known-vulnerable-firmware rules can compare them. Reading a string is
//! all that happens: no device is ever asked anything to judge a vulnerability.

use crate::date;
use regex::Regex;
use std::fmt;
use std::sync::LazyLock;
use time::Date;

/// A Hikvision firmware: `V5.4.5 build 160530`, `V5.5.82`, `V5.4.5build 260429`, `build 210628`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hikvision {
    /// (major, minor, patch), compared numerically: V5.5.82 < V5.5.800.
    pub version: Option<(u32, u32, u32)>,
    /// The build date (YYMMDD in the string).
    pub build: Option<Date>,
}

static HIK_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^0-9.])v?(\d{1,3})\.(\d{1,3})\.(\d{1,4})(?:[^0-9.]|$)")
        .expect("version pattern compiles")
});
static HIK_BUILD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)build\s*(\d{2})(\d{2})(\d{2})(?:\D|$)").expect("build pattern compiles")
});

impl Hikvision {
    pub(crate) fn parse(text: &str) -> Option<Hikvision> {
        let version = HIK_VERSION
            .captures(text)
            .and_then(|c| Some((c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)));
        let build = HIK_BUILD.captures(text).and_then(|c| {
            let year = 2000 + c[1].parse::<i32>().ok()?;
            date::from_parts(year, c[2].parse().ok()?, c[3].parse().ok()?)
        });
        (version.is_some() || build.is_some()).then_some(Hikvision { version, build })
    }
}

impl fmt::Display for Hikvision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.version, self.build) {
            (Some((a, b, c)), Some(d)) => write!(f, "V{a}.{b}.{c} built {}", date::format(d)),
            (Some((a, b, c)), None) => write!(f, "V{a}.{b}.{c} (build date unknown)"),
            (None, Some(d)) => write!(f, "version unknown, built {}", date::format(d)),
            (None, None) => f.write_str("unknown"),
        }
    }
}

/// A Dahua firmware: what matters is the build date, written either as
/// `2.800.0000000.16.R, Build Date: 2021-02-10` or as a YYMMDD suffix
/// `V2.820.0000000.5.R.201021`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dahua {
    pub build: Date,
}

static DAHUA_BUILD_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)build(?:\s*date)?\s*[:=]?\s*(\d{4})-(\d{2})-(\d{2})")
        .expect("build date pattern compiles")
});
static DAHUA_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^0-9.])v?\d+\.\d+\.\d+\.\d+\.[a-z]\.(\d{2})(\d{2})(\d{2})(?:\D|$)")
        .expect("version suffix pattern compiles")
});

impl Dahua {
    pub(crate) fn parse(text: &str) -> Option<Dahua> {
        if let Some(c) = DAHUA_BUILD_DATE.captures(text) {
            let build =
                date::from_parts(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)?;
            return Some(Dahua { build });
        }
        let c = DAHUA_SUFFIX.captures(text)?;
        let build = date::from_parts(
            2000 + c[1].parse::<i32>().ok()?,
            c[2].parse().ok()?,
            c[3].parse().ok()?,
        )?;
        Some(Dahua { build })
    }
}

/// A published vulnerability the firmware rules cite.
pub(crate) struct Advisory {
    pub cve: &'static str,
    /// What an attacker can do, in a few words.
    pub impact: &'static str,
    /// Vendor advisory / CISA / template the affected range comes from.
    pub source: &'static str,
}

/// The covered Hikvision camera firmware of a device: a Hikvision-group maker (covered), a
/// camera (or unknown class with a V5 firmware, the IP camera line; recorders run V3/V4), and
/// a firmware string that parses.
pub(crate) fn hikvision_camera<'r>(
    device: &model::InventoryDevice,
    registry: &'r fingerprint::Registry,
) -> Option<(crate::subject::Maker<'r>, Hikvision)> {
    let maker = crate::subject::Maker::of(device, registry)?;
    if !maker.covered || !maker.is("hikvision") {
        return None;
    }
    let fw = Hikvision::parse(device.identity.firmware.as_deref()?)?;
    match device.identity.device_class {
        Some(model::DeviceClass::Camera) => Some((maker, fw)),
        None if fw.version.is_some_and(|v| v.0 == 5) => Some((maker, fw)),
        _ => None,
    }
}

/// The covered Dahua firmware of a device with a readable build date: a Dahua-group maker, a
/// camera, recorder, video encoder, intercom or access controller, or unknown class.
pub(crate) fn dahua_device<'r>(
    device: &model::InventoryDevice,
    registry: &'r fingerprint::Registry,
) -> Option<(crate::subject::Maker<'r>, Dahua)> {
    use model::DeviceClass::*;
    let maker = crate::subject::Maker::of(device, registry)?;
    if !maker.covered || !maker.is("dahua") {
        return None;
    }
    match device.identity.device_class {
        None | Some(Camera | Recorder | VideoEncoder | Intercom | AccessControl) => {}
        Some(_) => return None,
    }
    let fw = Dahua::parse(device.identity.firmware.as_deref()?)?;
    Some((maker, fw))
}

/// The finding of a firmware rule: high, with the version evidence and the words "judged from
/// the version string; not tested".
pub(crate) fn vulnerable(
    rule: &dyn crate::Rule,
    device: &model::InventoryDevice,
    cx: &crate::Context,
    maker: &crate::subject::Maker,
    advisory: &Advisory,
    judgement: String,
    remediation: &str,
) -> model::Finding {
    use crate::subject::{Chain, Placement, describe, finding};
    let placement = Placement::of(device, cx.estate);
    let firmware = device.identity.firmware.as_deref().unwrap_or_default();
    let mut chain = Chain::identity(device);
    chain.covered_by(cx, maker);
    chain.push(format!(
        "advisory: {} ({}); source: {}",
        advisory.cve, advisory.impact, advisory.source
    ));
    chain.push(format!(
        "firmware: \"{firmware}\" read as {judgement}; judged from the version string; not tested"
    ));
    chain.push(placement.line(device.address.as_deref()));
    finding(
        rule,
        model::Severity::High,
        device,
        &placement,
        format!(
            "{} runs firmware \"{firmware}\", affected by {} (judged from the version string; not tested).",
            describe(device),
            advisory.cve
        ),
        chain.into_lines(),
        remediation,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn hik(text: &str, expect: Option<&str>) {
        assert_eq!(
            Hikvision::parse(text).map(|h| h.to_string()).as_deref(),
            expect,
            "{text}"
        );
    }

    #[test]
    fn hikvision_versions() {
        hik("V5.4.5 build 160530", Some("V5.4.5 built 2016-05-30"));
        hik("V5.4.5build 260429", Some("V5.4.5 built 2026-04-29"));
        hik("V5.5.82", Some("V5.5.82 (build date unknown)"));
        hik("V5.5.800 build 210628", Some("V5.5.800 built 2021-06-28"));
        hik("build 210628", Some("version unknown, built 2021-06-28"));
        hik(
            "V5.5.800 build 211399",
            Some("V5.5.800 (build date unknown)"),
        );
        hik("firmware", None);
        hik("", None);
    }

    #[track_caller]
    fn dahua(text: &str, expect: Option<&str>) {
        assert_eq!(
            Dahua::parse(text).map(|d| date::format(d.build)).as_deref(),
            expect,
            "{text}"
        );
    }

    #[test]
    fn dahua_versions() {
        dahua(
            "2.800.0000000.16.R, Build Date: 2021-02-10",
            Some("2021-02-10"),
        );
        dahua("V2.820.0000000.5.R.201021", Some("2020-10-21"));
        dahua(
            "2.400.0000000.16.R, Build Date: 2017-08-31",
            Some("2017-08-31"),
        );
        dahua("V2.820.0000000.5.R.201399", None);
        dahua("2.800.0000000.16.R", None);
        dahua("", None);
    }
}
