//! cve-2021-33044/dahua-netkeyboard-login: Dahua firmware built before the August 2021 fixes
//! for the "NetKeyboard" login bypass, judged from the observed build date only.

use crate::firmware::{Advisory, dahua_device, vulnerable};
use crate::{Context, Rule, RuleDoc, date};
use model::{Finding, InventoryDevice};
use time::macros::date;

pub struct Cve2021_33044;

static DOC: RuleDoc = RuleDoc {
    title: "Dahua firmware affected by CVE-2021-33044 (authentication bypass)",
    what: "A Dahua-made camera, recorder, encoder, intercom or access controller (any brand) \
           whose observed firmware build date (`Build Date: 2021-02-10`, or the YYMMDD suffix \
           of `V2.820.0000000.5.R.201021`) is before 2021-08-01. Firmware without a readable \
           build date is not judged. Judged from the version string already observed; the \
           device is never tested. High.",
    why: "CVE-2021-33044 (CVSS 9.8) lets an attacker log in without a password by posing as a \
          'NetKeyboard' client during the RPC2 login, taking over the device; Dahua fixed it in \
          firmware released from August 2021. Dahua is a covered maker under NDAA section 889, \
          the FCC Covered List and the UK statement of 24 November 2022.",
    example: "A Dahua IPC-HDW2431T reporting `2.800.0000000.16.R, Build Date: 2021-02-10` is \
              reported high: \"judged from the version string; not tested\".",
    fix: "Update to Dahua firmware built in or after August 2021 (see Dahua's security \
          advisory for CVE-2021-33044/33045), or replace the device; until then keep its web \
          and RPC ports unreachable from user and core networks.",
};

static ADVISORY: Advisory = Advisory {
    cve: "CVE-2021-33044",
    impact: "authentication bypass during login (NetKeyboard client type)",
    source: "https://www.dahuasecurity.com/support/cybersecurity/details/957",
};

impl Rule for Cve2021_33044 {
    fn id(&self) -> &'static str {
        "cve-2021-33044/dahua-netkeyboard-login"
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
