//! cve-2021-33045/dahua-loopback-login: Dahua firmware built before the August 2021 fixes for
//! the "Loopback" login bypass, judged from the observed build date only.

use crate::firmware::{Advisory, dahua_device, vulnerable};
use crate::{Context, Rule, RuleDoc, date};
use model::{Finding, InventoryDevice};
use time::macros::date;

pub struct Cve2021_33045;

static DOC: RuleDoc = RuleDoc {
    title: "Dahua firmware affected by CVE-2021-33045 (authentication bypass)",
    what: "A Dahua-made camera, recorder, encoder, intercom or access controller (any brand) \
           whose observed firmware build date is before 2021-08-01, the same range as \
           CVE-2021-33044. Firmware without a readable build date is not judged. Judged from \
           the version string already observed; the device is never tested. High.",
    why: "CVE-2021-33045 (CVSS 9.8, published with CVE-2021-33044 in Dahua's advisory of \
          September 2021) lets an attacker log in without a password by posing as a local \
          'Loopback' client. Dahua is a covered maker under NDAA section 889, the FCC Covered \
          List and the UK statement of 24 November 2022.",
    example: "A Dahua NVR reporting `V2.820.0000000.5.R.201021` (built 2020-10-21) is reported \
              high: \"judged from the version string; not tested\".",
    fix: "Update to Dahua firmware built in or after August 2021, or replace the device; until \
          then keep its web and RPC ports unreachable from user and core networks.",
};

static ADVISORY: Advisory = Advisory {
    cve: "CVE-2021-33045",
    impact: "authentication bypass during login (Loopback login type)",
    source: "https://www.dahuasecurity.com/support/cybersecurity/details/957",
};

impl Rule for Cve2021_33045 {
    fn id(&self) -> &'static str {
        "cve-2021-33045/dahua-loopback-login"
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        let (maker, fw) = dahua_device(device, cx.registry)?;
        if fw.build >= date!(2021 - 08 - 01) {
            return None;
        }
        let judgement = format!("build date {}, before 2021-08-01", date::format(fw.build));
        Some(vulnerable(
            self, device, cx, &maker, &ADVISORY, judgement, DOC.fix,
        ))
    }
}
