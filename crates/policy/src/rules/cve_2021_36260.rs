//! cve-2021-36260/hikvision-command-injection: Hikvision camera firmware built before the
//! September 2021 fixes, judged from the observed version string only.
//!
//! Hikvision's advisory HSRC-202109-01 lists fixed builds per platform (dated 210628 or later
//! for the IPC_G3/E-series). Approximation used: affected when the build date is before
//! 2021-06-28; without a build date, when the version is below V5.5.800. Versions V5.6 and
//! later without a build date are not reported (they may still be affected: the build date
//! decides).

use crate::firmware::{Advisory, hikvision_camera, vulnerable};
use crate::{Context, Rule, RuleDoc};
use model::{Finding, InventoryDevice};
use time::macros::date;

pub struct Cve2021_36260;

static DOC: RuleDoc = RuleDoc {
    title: "Hikvision camera firmware affected by CVE-2021-36260 (command injection)",
    what: "A Hikvision-made camera (any brand) whose observed firmware was built before \
           2021-06-28, or, when the string carries no build date, whose version is below \
           V5.5.800. Judged from the version string already observed; the device is never \
           tested. High.",
    why: "CVE-2021-36260 (CVSS 9.8, Hikvision advisory HSRC-202109-01, in CISA's Known Exploited \
          Vulnerabilities catalogue) lets an unauthenticated attacker run commands as root \
          through the web server; it is exploited by botnets. Hikvision is a covered maker under \
          NDAA section 889, the FCC Covered List and the UK statement of 24 November 2022.",
    example: "A Hikvision camera reporting `V5.5.82` (no build date) or `V5.5.800 build 210511` \
              is reported high: \"judged from the version string; not tested\".",
    fix: "Update to the fixed firmware for its platform from HSRC-202109-01 (builds dated \
          210628 or later), or replace the camera; until then block its web ports from every \
          network but a management segment. Never send the exploit request to confirm.",
};

static ADVISORY: Advisory = Advisory {
    cve: "CVE-2021-36260",
    impact: "unauthenticated command injection in the web server; Hikvision HSRC-202109-01; CISA KEV",
    source: "Hikvision HSRC-202109-01; https://nvd.nist.gov/vuln/detail/CVE-2021-36260",
};

impl Rule for Cve2021_36260 {
    fn id(&self) -> &'static str {
        "cve-2021-36260/hikvision-command-injection"
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        let (maker, fw) = hikvision_camera(device, cx.registry)?;
        let fixed = date!(2021 - 06 - 28);
        let judgement = match (fw.version, fw.build) {
            (_, Some(b)) if b < fixed => format!("{fw}, built before 2021-06-28"),
            (Some(v), None) if v < (5, 5, 800) => format!("{fw}, below V5.5.800"),
            _ => return None,
        };
        Some(vulnerable(
            self, device, cx, &maker, &ADVISORY, judgement, DOC.fix,
        ))
    }
}
