//! uk-gov-2022/core-network: covered visual-surveillance equipment connected to a core network.

use crate::subject::{Chain, Placement, covered_surveillance, describe, finding};
use crate::{Context, Rule, RuleDoc};
use model::{Finding, InventoryDevice, Severity};

pub struct CoreNetwork;

static DOC: RuleDoc = RuleDoc {
    title: "Covered surveillance equipment connected to a core network",
    what: "Covered visual-surveillance equipment (camera, recorder, video encoder, or unknown \
           class from a maker of surveillance equipment) on a segment the estate gives \
           `role = \"core\"`, on any site. Always critical.",
    why: "The UK Written Ministerial Statement of 24 November 2022 ('Security Update: \
          Surveillance Equipment') says that visual surveillance equipment produced by companies \
          subject to the National Intelligence Law of the People's Republic of China must not be \
          connected to departmental core networks, whatever the site.",
    example: "A Dahua NVR at 10.20.0.8 on the regional office's core segment 10.20.0.0/24 is \
              reported critical even though the regional office is not a sensitive site.",
    fix: "Disconnect it from the core network now. If it must keep working until it is \
          replaced, move it onto a dedicated, isolated CCTV segment with no route to the core \
          (no shared VLAN, no management access from core hosts), then replace it.",
};

impl Rule for CoreNetwork {
    fn id(&self) -> &'static str {
        "uk-gov-2022/core-network"
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        let placement = Placement::of(device, cx.estate);
        if !placement.core() {
            return None;
        }
        let maker = covered_surveillance(device, cx.registry)?;
        let mut chain = Chain::identity(device);
        chain.regime(cx, &maker, "uk-gov-2022");
        chain.push(placement.line(device.address.as_deref()));
        Some(finding(
            self,
            Severity::Critical,
            device,
            &placement,
            format!(
                "{} is covered surveillance equipment connected to the core network: the {} of {}.",
                describe(device),
                placement.segment_name(),
                placement.site_name()
            ),
            chain.into_lines(),
            "Disconnect it from the core network now; if it must stay in service until it is \
             replaced, move it onto a dedicated, isolated CCTV segment with no route to the core.",
        ))
    }
}
