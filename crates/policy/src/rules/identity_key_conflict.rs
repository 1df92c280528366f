//! identity/key-conflict: a device reported an identifier (serial number, MAC, certificate)
//! that another device also claims, so sightline kept them apart; one of them may be a clone
//! impersonating the other. Applies under every profile.

use crate::subject::{Chain, Placement, describe, finding};
use crate::{Context, Rule, RuleDoc};
use model::{Finding, InventoryDevice, Severity};

pub(crate) const ID: &str = "identity/key-conflict";

pub struct KeyConflict;

static DOC: RuleDoc = RuleDoc {
    title: "Identifier claimed by two devices",
    what: "A device reported a serial number, MAC address or certificate that another device \
           also claims: two live devices reporting one serial in the same scan, or a device \
           on another segment and address reporting a known device's serial with nothing else \
           agreeing. sightline treats what a device reports as a claim, so it keeps them as \
           two devices (the newcomer gets its own first-seen date) and reports the conflict. \
           Medium.",
    why: "Every regime sightline audits judges devices one by one and over time: the UK \
          statement of 24 November 2022 turns on when a device was deployed, NDAA section 889, \
          the FCC Covered List and the Huawei Designated Vendor Directions on what each device \
          is. A device that reports another's serial number can inherit its history or its \
          waiver and hide a new deployment; two devices with one identifier are either cloned \
          identities or a device deliberately disguised.",
    example: "A Hikvision recorder first seen today at 10.1.0.77 on the headquarters core \
              reports serial DS-7608NI-K20180101CCWR123456789, which a recorder on the CCTV \
              segment has reported since 2022: they stay two devices, the new one is judged \
              as a new deployment, and this conflict is reported on both.",
    fix: "Find both devices physically (address, switch port) and read their labels: if one \
          is a clone or reports a false serial, remove it; if both are genuine (a vendor \
          reusing serials), record the real serials in the asset register so the next audit \
          can tell them apart.",
};

impl Rule for KeyConflict {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        let first = device.key_conflicts.first()?;
        let placement = Placement::of(device, cx.estate);
        let mut chain = Chain::identity(device);
        for c in &device.key_conflicts {
            chain.push(format!("conflict: {}", c.detail));
        }
        chain.push(placement.line(device.address.as_deref()));
        let others: Vec<&str> = device
            .key_conflicts
            .iter()
            .map(|c| c.other.as_str())
            .collect();
        Some(finding(
            self,
            Severity::Medium,
            device,
            &placement,
            format!(
                "{} reports {} {}, also claimed by {}: kept as separate devices.",
                describe(device),
                first.key,
                first.value,
                others.join(", ")
            ),
            chain.into_lines(),
            "Locate both devices and read their labels; remove a clone, or record the real \
             serials in the asset register.",
        ))
    }
}
