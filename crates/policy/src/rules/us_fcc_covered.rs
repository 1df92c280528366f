//! us-fcc-covered/covered-equipment: equipment made by a company on the FCC Covered List.

use super::us_ndaa_889::listed;
use crate::{Context, Rule, RuleDoc};
use model::{Finding, InventoryDevice};

pub struct FccCovered;

static DOC: RuleDoc = RuleDoc {
    title: "Equipment made by a company on the FCC Covered List",
    what: "Any device whose manufacturer, or a company controlling it, has a `us-fcc-covered` \
           listing in the vendor registry (Huawei, ZTE, Hytera, Hikvision, Dahua, DJI, Autel \
           Robotics and the other entries, with subsidiaries and affiliates). High.",
    why: "The FCC Covered List (Secure and Trusted Communications Networks Act of 2019, 47 \
          U.S.C. 1601-1609; 47 CFR 1.50002) names communications equipment that poses an \
          unacceptable risk to US national security: Universal Service funds may not buy or \
          maintain it, and since the Report and Order FCC 22-84 of 2022-11-25 (Secure Equipment \
          Act of 2021; 47 CFR 2.903(a), 2.911) no new equipment authorisations are granted for \
          it. Hikvision, Dahua and Huawei were added on 2021-03-12.",
    example: "A Dahua camera at 192.0.2.30 is reported high, citing Dahua's Covered List entry of \
              2021-03-12.",
    fix: "Replace it with equipment from a maker not on the Covered List; do not buy or \
          maintain covered equipment with Universal Service or other federal funds; keep the \
          record of its removal.",
};

impl Rule for FccCovered {
    fn id(&self) -> &'static str {
        "us-fcc-covered/covered-equipment"
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        listed(
            self,
            "us-fcc-covered",
            "the FCC Covered List",
            device,
            cx,
            DOC.fix,
        )
    }
}
