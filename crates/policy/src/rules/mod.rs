//! The rules, one per file, and the profiles that select them. A profile is one regime's rules
//! plus the known-vulnerable-firmware rules and the identity rules, which apply under every
//! regime.

mod cve_2017_7921;
mod cve_2021_33044;
mod cve_2021_33045;
mod cve_2021_36260;
mod identity_key_conflict;
mod supply_chain_covered_component;
mod uk_gov_2022_core_network;
mod uk_gov_2022_new_deployment;
mod uk_gov_2022_non_sensitive_site;
mod uk_gov_2022_sensitive_site;
mod uk_gov_2022_unknown_provenance;
mod uk_huawei_dvd_core_network;
mod us_fcc_covered;
mod us_ndaa_889;

pub use cve_2017_7921::Cve2017_7921;
pub use cve_2021_33044::Cve2021_33044;
pub use cve_2021_33045::Cve2021_33045;
pub use cve_2021_36260::Cve2021_36260;
pub use identity_key_conflict::KeyConflict;
pub use supply_chain_covered_component::CoveredComponent;
pub use uk_gov_2022_core_network::CoreNetwork;
pub use uk_gov_2022_new_deployment::NewDeployment;
pub use uk_gov_2022_non_sensitive_site::NonSensitiveSite;
pub use uk_gov_2022_sensitive_site::SensitiveSite;
pub use uk_gov_2022_unknown_provenance::UnknownProvenance;
pub use uk_huawei_dvd_core_network::HuaweiCoreNetwork;
pub use us_fcc_covered::FccCovered;
pub use us_ndaa_889::Ndaa889;

pub(crate) use uk_gov_2022_unknown_provenance::ID as UNKNOWN_PROVENANCE;

use crate::{Profile, Rule};

/// Known-vulnerable firmware of covered makers, judged from observed version strings only.
fn firmware() -> [&'static dyn Rule; 4] {
    [
        &Cve2017_7921,
        &Cve2021_36260,
        &Cve2021_33044,
        &Cve2021_33045,
    ]
}

/// What the identifiers devices report say about the estate itself (claims two devices make),
/// and what the devices are built from (covered parts in devices of other makers).
fn identity() -> [&'static dyn Rule; 2] {
    [&KeyConflict, &CoveredComponent]
}

pub(crate) fn profiles() -> Vec<Profile> {
    let with_firmware = |own: &[&'static dyn Rule]| -> Vec<&'static dyn Rule> {
        own.iter()
            .copied()
            .chain(firmware())
            .chain(identity())
            .collect()
    };
    vec![
        Profile {
            id: "uk-gov-2022",
            name: "UK surveillance equipment on sensitive government sites (24 November 2022)",
            rules: with_firmware(&[
                &SensitiveSite,
                &CoreNetwork,
                &NewDeployment,
                &NonSensitiveSite,
                &UnknownProvenance,
            ]),
        },
        Profile {
            id: "us-ndaa-889",
            name: "NDAA FY2019 section 889",
            rules: with_firmware(&[&Ndaa889]),
        },
        Profile {
            id: "us-fcc-covered",
            name: "FCC Covered List",
            rules: with_firmware(&[&FccCovered]),
        },
        Profile {
            id: "uk-huawei-dvd",
            name: "UK Huawei Designated Vendor Directions",
            rules: with_firmware(&[&HuaweiCoreNetwork]),
        },
    ]
}
