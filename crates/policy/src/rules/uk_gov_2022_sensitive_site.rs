//! uk-gov-2022/sensitive-site: covered visual-surveillance equipment on a sensitive site.

use crate::subject::{Chain, Placement, covered_surveillance, describe, finding};
use crate::{Context, Rule, RuleDoc};
use model::{Finding, InventoryDevice, Severity};

pub struct SensitiveSite;

static DOC: RuleDoc = RuleDoc {
    title: "Covered surveillance equipment on a sensitive site",
    what: "A camera, recorder or video encoder (or a device of unknown class from a maker of \
           surveillance equipment) whose manufacturer, or a company controlling it, is named by a \
           regime that defines covered equipment, on a site the estate marks `sensitive = true`. \
           Critical when it is on a core segment of that site, high otherwise.",
    why: "The UK Written Ministerial Statement of 24 November 2022 ('Security Update: \
          Surveillance Equipment', Chancellor of the Duchy of Lancaster) tells departments to \
          cease deploying visual surveillance systems produced by companies subject to the \
          National Intelligence Law of the People's Republic of China onto sensitive sites, and \
          to consider removing and replacing such equipment on sensitive sites rather than \
          waiting for scheduled upgrades.",
    example: "A Hikvision DS-2CD2143G0-I camera at 10.1.2.15 on the CCTV segment of the \
              headquarters (sensitive) is reported high; the same camera on the headquarters core \
              segment is reported critical.",
    fix: "Plan its removal now: replace it with equipment from a maker not subject to the PRC \
          National Intelligence Law (the remediation plan lists catalogue options), keep it off \
          the core network until then, and record an approved waiver if it must stay for a \
          time.",
};

impl Rule for SensitiveSite {
    fn id(&self) -> &'static str {
        "uk-gov-2022/sensitive-site"
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        let placement = Placement::of(device, cx.estate);
        if !placement.sensitive() {
            return None;
        }
        let maker = covered_surveillance(device, cx.registry)?;
        let (severity, where_) = if placement.core() {
            (
                Severity::Critical,
                format!(" and connected to its {}", placement.segment_name()),
            )
        } else {
            (Severity::High, String::new())
        };
        let mut chain = Chain::identity(device);
        chain.regime(cx, &maker, "uk-gov-2022");
        chain.push(placement.line(device.address.as_deref()));
        Some(finding(
            self,
            severity,
            device,
            &placement,
            format!(
                "{} is covered surveillance equipment on sensitive {}{where_}.",
                describe(device),
                placement.site_name()
            ),
            chain.into_lines(),
            "Remove and replace it with equipment from a maker not subject to the PRC National \
             Intelligence Law rather than waiting for a scheduled upgrade; until then keep it off \
             the core network.",
        ))
    }
}
