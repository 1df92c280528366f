//! supply-chain/covered-component: a device made by a company no regime names, built on a part
//! (a system-on-chip, a module) made by one that is named. Advisory, under every profile: the
//! part does not make the device covered equipment, but an owner weighing its risk should know.

use crate::subject::{Chain, Placement, describe, finding};
use crate::{Context, Rule, RuleDoc};
use model::{Finding, InventoryDevice, Severity};

pub(crate) const ID: &str = "supply-chain/covered-component";

pub struct CoveredComponent;

static DOC: RuleDoc = RuleDoc {
    title: "Part made by a covered company inside a device of another maker",
    what: "A device whose maker is not covered, built on a component (a system-on-chip, a \
           module, an SDK) made by a company that a regime names or that such a company \
           controls: a camera on a HiSilicon SoC, HiSilicon being Huawei's chip subsidiary. \
           Informational, low on a sensitive site.",
    why: "The regimes judge who produced the equipment, not its parts: the UK statement of 24 \
          November 2022 covers equipment produced by companies subject to China's National \
          Intelligence Law, NDAA section 889 and the FCC Covered List name telecommunications \
          and video surveillance equipment produced by Huawei, ZTE, Hytera, Hikvision and \
          Dahua, and the Huawei Designated Vendor Directions name Huawei's network equipment. \
          A Foscam camera with a HiSilicon SoC is Foscam's, so sightline never reports it as \
          Huawei equipment; but the part's firmware SDK comes from the covered group, which a \
          risk assessment of a sensitive site may weigh.",
    example: "A Foscam camera at 10.1.2.41 on the headquarters CCTV segment names its maker in \
              its UPnP description and a HiSilicon Hi3518 SoC in its telnet banner: it is \
              reported as Foscam, not covered, with this informational finding for the \
              HiSilicon part (low, the site being sensitive).",
    fix: "No action is required by the regimes. On a sensitive site, record the part in the \
          risk assessment; prefer devices whose firmware is maintained by their maker, and keep \
          such cameras off core segments and away from the internet.",
};

impl Rule for CoveredComponent {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        let identity = &device.identity;
        if identity.covered {
            return None;
        }
        let parts: Vec<&model::Component> =
            identity.components.iter().filter(|c| c.covered).collect();
        let first = parts.first()?;
        let placement = Placement::of(device, cx.estate);
        let mut chain = Chain::identity(device);
        for part in &parts {
            chain.push(format!(
                "component: {} made by {} (regimes: {}), found by {}",
                part.name,
                part.company.as_deref().unwrap_or("an unknown company"),
                if part.regimes.is_empty() {
                    "none recorded".to_string()
                } else {
                    part.regimes.join(", ")
                },
                part.fingerprint
            ));
        }
        chain.push(placement.line(device.address.as_deref()));
        let severity = if placement.sensitive() {
            Severity::Low
        } else {
            Severity::Info
        };
        Some(finding(
            self,
            severity,
            device,
            &placement,
            format!(
                "{} is built on {}: a part from a covered company, not covered equipment.",
                describe(device),
                match first.company.as_deref() {
                    Some(c) if c != first.name => format!("{} (made by {c})", first.name),
                    _ => first.name.clone(),
                }
            ),
            chain.into_lines(),
            "No action required by the regimes; on a sensitive site record the part in the risk \
             assessment and keep the device off core segments.",
        ))
    }
}
