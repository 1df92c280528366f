//! cve-2017-7921/hikvision-auth-bypass: Hikvision camera firmware in the range affected by the
//! CVE-2017-7921 authentication bypass, judged from the observed version string only.
//!
//! The published ranges are per model family (ICSA-17-124-01): e.g. DS-2CD2xx2F-I V5.2.0 build
//! 140721 to V5.4.0 build 160530, DS-2CD2xx2FWD V5.3.1 build 150410 to V5.4.4 build 161125,
//! DS-2DFx V5.2.0 build 140805 to V5.4.5 build 160928. This rule uses one documented
//! approximation for every model: affected when
//! - version and build known: V5.2.0 <= version <= V5.4.5 and build date <= 2017-01-09;
//! - version known, build unknown: V5.2.0 <= version < V5.4.5;
//! - build known, version unknown: 2014-07-21 <= build date <= 2017-01-09.
//!
//! Older model families (DS-2CD63xx from V5.0.9) fall outside it and are not reported.

use crate::firmware::{Advisory, hikvision_camera, vulnerable};
use crate::{Context, Rule, RuleDoc};
use model::{Finding, InventoryDevice};
use time::macros::date;

pub struct Cve2017_7921;

static DOC: RuleDoc = RuleDoc {
    title: "Hikvision camera firmware affected by CVE-2017-7921 (authentication bypass)",
    what: "A Hikvision-made camera (any brand) whose observed firmware version falls in the \
           affected range: V5.2.0 up to V5.4.5 built on or before 2017-01-09 (without a build \
           date: V5.2.0 up to, not including, V5.4.5). Judged from the version string already \
           observed; the device is never tested. High.",
    why: "CVE-2017-7921 (CVSS 10.0, ICS-CERT advisory ICSA-17-124-01) lets anyone who can reach \
          the camera's web interface bypass authentication, read its configuration including \
          user passwords, and take it over. Hikvision is a covered maker under NDAA section 889, \
          the FCC Covered List and the UK statement of 24 November 2022, which makes a \
          takeover-prone unit of its equipment doubly urgent.",
    example: "A Hikvision DS-2CD2142FWD-I camera reporting firmware `V5.4.0 build 160530` is \
              reported high: \"judged from the version string; not tested\".",
    fix: "Update to a firmware outside the affected range for its model family (Hikvision's \
          advisory for ICSA-17-124-01), or replace the camera; until then make its web interface \
          unreachable from user and core networks. Never run the public exploit to confirm \
          without written authorisation.",
};

static ADVISORY: Advisory = Advisory {
    cve: "CVE-2017-7921",
    impact: "improper authentication: configuration and credentials readable without logging in; ICSA-17-124-01",
    source: "https://www.cisa.gov/news-events/ics-advisories/icsa-17-124-01",
};

impl Rule for Cve2017_7921 {
    fn id(&self) -> &'static str {
        "cve-2017-7921/hikvision-auth-bypass"
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        let (maker, fw) = hikvision_camera(device, cx.registry)?;
        const FIRST: (u32, u32, u32) = (5, 2, 0);
        const LAST: (u32, u32, u32) = (5, 4, 5);
        let last_build = date!(2017 - 01 - 09);
        let judgement = match (fw.version, fw.build) {
            (Some(v), Some(b)) if (FIRST..=LAST).contains(&v) && b <= last_build => {
                format!("{fw}, within V5.2.0 to V5.4.5 built on or before 2017-01-09")
            }
            (Some(v), None) if (FIRST..LAST).contains(&v) => {
                format!("{fw}, within V5.2.0 up to (not including) V5.4.5")
            }
            (None, Some(b)) if (date!(2014 - 07 - 21)..=last_build).contains(&b) => {
                format!("{fw}, built between 2014-07-21 and 2017-01-09")
            }
            _ => return None,
        };
        Some(vulnerable(
            self, device, cx, &maker, &ADVISORY, judgement, DOC.fix,
        ))
    }
}
