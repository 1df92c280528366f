//! uk-gov-2022/new-deployment: covered visual-surveillance equipment deployed on a sensitive site
//! after the statement of 24 November 2022, judged from history, the asset register or the
//! production date in the serial number, and saying which.

use crate::subject::{Chain, Maker, Placement, covered_surveillance, describe, finding};
use crate::{Context, Rule, RuleDoc, date, serial_production_date};
use model::{DateBasis, Finding, InventoryDevice, Severity};
use time::Date;

pub struct NewDeployment;

static DOC: RuleDoc = RuleDoc {
    title: "Covered surveillance equipment deployed on a sensitive site after 24 November 2022",
    what: "Covered visual-surveillance equipment on a sensitive site whose deployment date is \
           after 24 November 2022. The date is, in this order: the install date of an imported \
           asset register; the day a sightline scan first saw it (being in the first recorded scan \
           counts only when that scan predates the statement: it then proves an older \
           deployment); the production date its serial number encodes \
           (Hikvision serials carry YYYYMMDD after the model), since a device cannot be deployed \
           before it is made. The finding says which basis it used. Always critical.",
    why: "The UK Written Ministerial Statement of 24 November 2022 ('Security Update: \
          Surveillance Equipment') instructed departments to cease deploying visual \
          surveillance systems produced by companies subject to the National Intelligence Law \
          of the People's Republic of China onto sensitive sites. A deployment after that day \
          is a breach of the instruction itself, not legacy equipment awaiting replacement.",
    example: "A Hikvision camera with serial DS-2CD2143G0-I20230214AAWRC46851082 on the \
              headquarters (sensitive) was made on 2023-02-14, so it was deployed after the \
              statement: critical, basis \"serial production date\".",
    fix: "Treat it as a breach: remove it (disconnect it from any core network at once), find \
          out how it was procured and installed after the instruction, and close that route \
          (procurement checks, installer contracts).",
};

impl Rule for NewDeployment {
    fn id(&self) -> &'static str {
        "uk-gov-2022/new-deployment"
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
        let (deployed, basis) = deployment(device, &maker)?;
        if deployed <= date::UK_STATEMENT {
            return None;
        }
        let day = date::format(deployed);
        let (short, how) = match basis {
            DateBasis::Register => (
                format!("register install date {day}"),
                "the install date in the imported asset register".to_string(),
            ),
            DateBasis::FirstSeen => (
                format!("first seen {day}"),
                "the day a sightline scan first saw it, absent from the first recorded scan"
                    .to_string(),
            ),
            DateBasis::Serial => (
                format!("serial production date {day}"),
                format!(
                    "the production date serial number {} encodes; it cannot have been deployed before it was made",
                    device.serial.as_deref().unwrap_or("(not recorded)")
                ),
            ),
        };
        let mut chain = Chain::identity(device);
        chain.regime(cx, &maker, "uk-gov-2022");
        chain.push(placement.line(device.address.as_deref()));
        chain.push(format!(
            "deployed: {day}, after the statement of {}; basis {}: {how}",
            date::long(date::UK_STATEMENT),
            basis_name(basis),
        ));
        Some(finding(
            self,
            Severity::Critical,
            device,
            &placement,
            format!(
                "{} is a new deployment of covered surveillance equipment on sensitive {} after {} ({short}).",
                describe(device),
                placement.site_name(),
                date::long(date::UK_STATEMENT)
            ),
            chain.into_lines(),
            "Remove it (disconnect it from any core network at once), establish how it was \
             procured and installed after the instruction, and close that route.",
        ))
    }
}

fn basis_name(basis: DateBasis) -> &'static str {
    match basis {
        DateBasis::FirstSeen => "first seen",
        DateBasis::Register => "register install date",
        DateBasis::Serial => "serial production date",
    }
}

/// The deployment date and its basis: the inventory's own judgement (`InventoryDevice::deployed`)
/// when it holds a valid date, else the production date decoded from the serial number.
fn deployment(device: &InventoryDevice, maker: &Maker) -> Option<(Date, DateBasis)> {
    if let Some((text, basis)) = device.deployed()
        && let Some(d) = date::parse(text)
    {
        return Some((d, basis));
    }
    let serial = device.serial.as_deref()?;
    let produced = serial_production_date(&maker.name, serial).or_else(|| {
        // The registry may know the maker under a parent's name (an OEM subsidiary).
        maker
            .lineage
            .iter()
            .find_map(|c| serial_production_date(&c.name, serial))
    })?;
    Some((date::parse(&produced)?, DateBasis::Serial))
}
