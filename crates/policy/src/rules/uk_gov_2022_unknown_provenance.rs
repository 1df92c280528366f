//! uk-gov-2022/unknown-provenance: devices on sensitive sites whose maker is not identified.

use crate::subject::{Chain, Placement, describe, finding};
use crate::{Context, Rule, RuleDoc};
use model::{Finding, InventoryDevice, Severity};

pub(crate) const ID: &str = "uk-gov-2022/unknown-provenance";

pub struct UnknownProvenance;

static DOC: RuleDoc = RuleDoc {
    title: "Device of unknown provenance on a sensitive site",
    what: "A device on a sensitive site whose manufacturer could not be identified (no \
           manufacturer at combined confidence 0.5 or more). Medium.",
    why: "The UK Written Ministerial Statement of 24 November 2022 ('Security Update: \
          Surveillance Equipment') applies to equipment produced by companies subject to the \
          National Intelligence Law of the People's Republic of China; on a sensitive site a \
          device whose maker is unknown cannot be shown to comply, and OEM (white-label) \
          equipment is exactly what hides its maker.",
    example: "A device at 10.1.2.40 on the headquarters CCTV segment answers only with a generic \
              `Server: webserver` header and a locally administered MAC address: no maker is \
              identified, so it is reported medium.",
    fix: "Identify it: read the label and the asset register, check its web interface and \
          ONVIF device information with credentials, or rescan with discovery enabled; record \
          the maker in the asset register so the next audit can judge it.",
};

impl Rule for UnknownProvenance {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, device: &InventoryDevice, cx: &Context) -> Option<Finding> {
        let identity = &device.identity;
        let known = identity
            .manufacturer
            .as_deref()
            .is_some_and(|m| !m.trim().is_empty());
        if known || identity.covered {
            return None;
        }
        let placement = Placement::of(device, cx.estate);
        if !placement.sensitive() {
            return None;
        }
        let mut chain = Chain::identity(device);
        for note in &identity.notes {
            chain.push(format!("note: {note}"));
        }
        chain.push(
            "registry: no manufacturer identified, so no registry entry or regime applies"
                .to_string(),
        );
        chain.push(placement.line(device.address.as_deref()));
        Some(finding(
            self,
            Severity::Medium,
            device,
            &placement,
            format!(
                "{} on sensitive {}: its maker could not be identified (unknown provenance).",
                describe(device),
                placement.site_name()
            ),
            chain.into_lines(),
            "Identify the device (label, asset register, authenticated device information) and \
             record its maker; if it cannot be identified, treat it as covered equipment.",
        ))
    }
}
