//! uk-huawei-dvd/core-network: Huawei network equipment in a core segment.

use crate::subject::{Chain, Maker, Placement, describe, finding};
use crate::{Context, Rule, RuleDoc, date};
use model::{DeviceClass, Finding, InventoryDevice, Severity};

pub struct HuaweiCoreNetwork;

static DOC: RuleDoc = RuleDoc {
    title: "Huawei equipment in a core network function",
    what: "A router, switch, firewall, modem or server (or a device of unknown class) made by a \
           company of the Huawei group (a `uk-huawei-dvd` listing in the vendor registry) on a \
           segment with `role = \"core\"`. Critical after 31 December 2023 (the deadline for \
           removing Huawei from the network core), high before it.",
    why: "The Designation Notice and Designated Vendor Directions issued on 13 October 2022 \
          under the Communications Act 2003 ss. 105Z1-105Z9 (as inserted by the \
          Telecommunications (Security) Act 2021) designate Huawei Technologies (UK) Co. \
          Limited and its affiliates and direct public communications providers to remove \
          Huawei equipment from the network core by 31 December 2023. The directions bind \
          public telecoms providers; for other networks the rule applies the same standard to \
          core network functions.",
    example: "A Huawei CloudEngine switch at 10.1.0.2 on the headquarters core segment is \
              reported critical when audited in 2025.",
    fix: "Replace it in the core with equipment from a non-designated vendor; if it must run \
          until the replacement is installed, restrict it to non-core functions and record a \
          waiver with an expiry date.",
};

const CORE_CLASSES: [DeviceClass; 5] = [
    DeviceClass::Router,
    DeviceClass::Switch,
    DeviceClass::Firewall,
    DeviceClass::Modem,
    DeviceClass::Server,
];

impl Rule for HuaweiCoreNetwork {
    fn id(&self) -> &'static str {
        "uk-huawei-dvd/core-network"
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        let placement = Placement::of(device, cx.estate);
        if !placement.core() {
            return None;
        }
        match device.identity.device_class {
            None => {}
            Some(c) if CORE_CLASSES.contains(&c) => {}
            Some(_) => return None,
        }
        let maker = Maker::of(device, cx.registry)?;
        if !maker.named_by("uk-huawei-dvd") {
            return None;
        }
        // An unreadable audit date counts as past the deadline: the stricter reading.
        let past = date::parse(cx.today).is_none_or(|t| t > date::HUAWEI_CORE_DEADLINE);
        let deadline = date::long(date::HUAWEI_CORE_DEADLINE);
        let (severity, when) = if past {
            (
                Severity::Critical,
                format!("the core removal deadline of {deadline} has passed"),
            )
        } else {
            (
                Severity::High,
                format!("it must leave the core by {deadline}"),
            )
        };
        let mut chain = Chain::identity(device);
        chain.regime(cx, &maker, "uk-huawei-dvd");
        chain.push(placement.line(device.address.as_deref()));
        chain.push(format!(
            "deadline: Huawei out of the network core by {deadline}; audit date {}",
            cx.today
        ));
        Some(finding(
            self,
            severity,
            device,
            &placement,
            format!(
                "{} is Huawei equipment in a core network function, on the {} of {}; {when}.",
                describe(device),
                placement.segment_name(),
                placement.site_name()
            ),
            chain.into_lines(),
            "Replace it in the core with equipment from a non-designated vendor; until then \
             restrict it to non-core functions.",
        ))
    }
}
