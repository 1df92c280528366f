//! uk-gov-2022/non-sensitive-site: covered visual-surveillance equipment elsewhere (advisory).

use crate::subject::{Chain, Placement, covered_surveillance, describe, finding};
use crate::{Context, Rule, RuleDoc};
use model::{Finding, InventoryDevice, SegmentRole, Severity};

pub struct NonSensitiveSite;

static DOC: RuleDoc = RuleDoc {
    title: "Covered surveillance equipment on a non-sensitive site (advisory)",
    what: "Covered visual-surveillance equipment on a site that is not marked sensitive, or on \
           no site the estate describes. Low when it is already on a dedicated CCTV segment, \
           medium on any other segment (a core segment is also reported critical by \
           uk-gov-2022/core-network).",
    why: "The UK Written Ministerial Statement of 24 November 2022 ('Security Update: \
          Surveillance Equipment') asks departments to consider applying the same measures \
          (no new deployment, no core connection, removal and replacement) on non-sensitive \
          sites as on sensitive ones; equipment from companies subject to the PRC National \
          Intelligence Law is the same equipment wherever it is installed.",
    example: "A Hikvision camera at 10.30.5.20 on the depot's CCTV segment (depot not sensitive) \
              is reported low; the same camera on the depot's corporate segment is reported \
              medium.",
    fix: "Keep it on a dedicated, isolated CCTV segment, monitor it, and replace it at the next \
          scheduled upgrade (or earlier if the site may become sensitive).",
};

impl Rule for NonSensitiveSite {
    fn id(&self) -> &'static str {
        "uk-gov-2022/non-sensitive-site"
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        let placement = Placement::of(device, cx.estate);
        if placement.sensitive() {
            return None;
        }
        let maker = covered_surveillance(device, cx.registry)?;
        let isolated = placement.role == Some(SegmentRole::Cctv);
        let severity = if isolated {
            Severity::Low
        } else {
            Severity::Medium
        };
        let site = match placement.site {
            Some(_) => format!("non-sensitive {}", placement.site_name()),
            None => format!("{} (sensitivity unknown)", placement.site_name()),
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
                "{} is covered surveillance equipment on {site}, {}.",
                describe(device),
                if isolated {
                    "on a dedicated CCTV segment"
                } else {
                    "outside a dedicated CCTV segment"
                }
            ),
            chain.into_lines(),
            if isolated {
                "Keep it on the isolated CCTV segment, monitor it, and replace it at the next \
                 scheduled upgrade."
            } else {
                "Move it onto a dedicated, isolated CCTV segment, monitor it, and replace it at \
                 the next scheduled upgrade."
            },
        ))
    }
}
