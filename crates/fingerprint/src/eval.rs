//! Scoring identification against a labelled set, per device: covered recall, false covered
//! rate, manufacturer accuracy, and OEM brand -> true maker accuracy.

use crate::Database;
use crate::registry::Named;
use model::Identity;
use serde::{Deserialize, Serialize};

/// What a labelled device truly is.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Truth {
    #[serde(default)]
    pub manufacturer: Option<String>,
    #[serde(default)]
    pub brand: Option<String>,
    pub covered: bool,
}

/// The scores, with the devices that were wrong so they can be looked at.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Score {
    pub devices: usize,
    pub covered_devices: usize,
    pub covered_found: usize,
    pub not_covered_devices: usize,
    pub false_covered: usize,
    pub with_manufacturer: usize,
    pub manufacturer_right: usize,
    pub manufacturer_unknown: usize,
    /// Devices sold under a label that another company makes (truth brand is not the maker).
    pub oem_devices: usize,
    /// Of those, how many were resolved to their true maker.
    pub oem_right: usize,
    pub misses: Vec<Miss>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Miss {
    pub device: String,
    pub what: String,
}

impl Score {
    pub fn covered_recall(&self) -> f64 {
        ratio(self.covered_found, self.covered_devices)
    }
    pub fn false_covered_rate(&self) -> f64 {
        ratio(self.false_covered, self.not_covered_devices)
    }
    pub fn manufacturer_accuracy(&self) -> f64 {
        ratio(self.manufacturer_right, self.with_manufacturer)
    }
    pub fn oem_accuracy(&self) -> f64 {
        ratio(self.oem_right, self.oem_devices)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Score identities against truths. A manufacturer counts as right when it is the labelled
/// company or in the same group (subsidiary or parent), resolved through the registry.
pub fn score(db: &Database, results: &[(Truth, Identity)]) -> Score {
    let mut s = Score::default();
    for (truth, id) in results {
        s.devices += 1;
        if truth.covered {
            s.covered_devices += 1;
            if id.covered {
                s.covered_found += 1;
            } else {
                s.misses.push(Miss {
                    device: id.device.clone(),
                    what: format!("covered device missed (got {:?})", id.manufacturer),
                });
            }
        } else {
            s.not_covered_devices += 1;
            if id.covered {
                s.false_covered += 1;
                s.misses.push(Miss {
                    device: id.device.clone(),
                    what: format!("false covered: {:?}", id.manufacturer),
                });
            }
        }
        if let (Some(want), Some(brand)) = (&truth.manufacturer, &truth.brand)
            && !same_maker(db, want, brand)
        {
            s.oem_devices += 1;
            if id
                .manufacturer
                .as_deref()
                .is_some_and(|got| same_maker(db, want, got))
            {
                s.oem_right += 1;
            } else {
                s.misses.push(Miss {
                    device: id.device.clone(),
                    what: format!(
                        "OEM label {brand} not resolved to {want} (got {:?})",
                        id.manufacturer
                    ),
                });
            }
        }
        if let Some(want) = &truth.manufacturer {
            s.with_manufacturer += 1;
            match &id.manufacturer {
                None => {
                    s.manufacturer_unknown += 1;
                    s.misses.push(Miss {
                        device: id.device.clone(),
                        what: format!("manufacturer unknown, want {want}"),
                    });
                }
                Some(got) if same_maker(db, want, got) => s.manufacturer_right += 1,
                Some(got) => s.misses.push(Miss {
                    device: id.device.clone(),
                    what: format!("manufacturer {got}, want {want}"),
                }),
            }
        }
    }
    s
}

fn same_maker(db: &Database, a: &str, b: &str) -> bool {
    let reg = &db.registry;
    let company = |n: &str| match reg.resolve(n) {
        Some(Named::Company(i)) => Some(i),
        Some(Named::Brand(b)) => reg.maker_of_brand(b).map(|m| m.0),
        None => None,
    };
    match (company(a), company(b)) {
        (Some(x), Some(y)) => reg.is_within(x, y) || reg.is_within(y, x),
        // Makers outside the registry: the names as a device or registry gives them, word by
        // word; one name's words leading the other's is the same maker ("Tandberg" and
        // "Tandberg ASA", "Brocade" and "Brocade Communications Systems").
        _ => {
            let words = |n: &str| -> Vec<String> {
                crate::identify::plausible_maker(n)
                    .unwrap_or_else(|| n.to_string())
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect()
            };
            let (x, y) = (words(a), words(b));
            let (short, long) = if x.len() <= y.len() {
                (&x, &y)
            } else {
                (&y, &x)
            };
            !short.is_empty() && long.starts_with(short)
        }
    }
}
