//! us-ndaa-889/covered-equipment: equipment made by a company NDAA section 889 names.

use crate::subject::{Chain, Maker, Placement, describe, finding};
use crate::{Context, Rule, RuleDoc};
use model::{Finding, InventoryDevice, Severity};

pub struct Ndaa889;

static DOC: RuleDoc = RuleDoc {
    title: "Equipment made by a company named by NDAA section 889",
    what: "Any device whose manufacturer, or a company controlling it, has a `us-ndaa-889` \
           listing in the vendor registry: Huawei and ZTE (telecommunications equipment), \
           Hikvision, Dahua and Hytera (video surveillance and telecommunications equipment), \
           with their subsidiaries and affiliates, whatever brand is on the box. High.",
    why: "Section 889 of the John S. McCain National Defense Authorization Act for Fiscal Year \
          2019 (Pub. L. 115-232; FAR 4.2101-4.2105, 52.204-24/-25/-26; 2 CFR 200.216) forbids \
          federal agencies to procure or obtain covered telecommunications equipment (from \
          2019-08-13) and to contract with entities that use it (from 2020-08-13), and bars \
          grant and loan funds from paying for it. It names the manufacturer including \
          subsidiaries and affiliates, so OEM units made by these companies are in scope.",
    example: "An LTS-branded NVR identified as made by Hikvision (OEM relation) at 10.1.2.5 is \
              reported high, with Hikvision's section 889 listing in its evidence.",
    fix: "Remove and replace it with equipment from a maker not named by section 889 (check OEM \
          relations, not only the label), and keep the removal record for the FAR 52.204-24/-26 \
          representations.",
};

impl Rule for Ndaa889 {
    fn id(&self) -> &'static str {
        "us-ndaa-889/covered-equipment"
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        listed(self, "us-ndaa-889", "NDAA section 889", device, cx, DOC.fix)
    }
}

/// A high finding for a device whose maker `regime` names (shared by the US list rules).
pub(crate) fn listed(
    rule: &dyn Rule,
    regime: &str,
    regime_name: &str,
    device: &InventoryDevice,
    cx: &Context,
    remediation: &str,
) -> Option<Finding> {
    let maker = Maker::of(device, cx.registry)?;
    if !maker.named_by(regime) {
        return None;
    }
    let placement = Placement::of(device, cx.estate);
    let named = match maker.listing(regime) {
        Some((company, _)) if maker.lineage.first().is_none_or(|c| c.id != company.id) => {
            format!("{}, part of the {} group", maker.name, company.name)
        }
        _ => maker.name.clone(),
    };
    let mut chain = Chain::identity(device);
    chain.regime(cx, &maker, regime);
    chain.push(placement.line(device.address.as_deref()));
    Some(finding(
        rule,
        Severity::High,
        device,
        &placement,
        format!(
            "{} was made by {named}, which {regime_name} names.",
            describe(device),
        ),
        chain.into_lines(),
        remediation,
    ))
}
