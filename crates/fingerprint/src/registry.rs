//! The vendor registry: companies, brands, OEM relations and regimes, loaded from
//! `fingerprints/registry/*.toml`, with name resolution and "is this covered" answers.

use crate::Problem;
use model::DeviceClass;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// A regulation or list that names companies.
#[derive(Clone, Debug, Deserialize)]
pub struct Regime {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub jurisdiction: String,
    #[serde(default)]
    pub citation: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub summary: String,
    /// Whether being named by this regime makes equipment "covered" (export-control lists
    /// such as the Entity List are recorded for information only).
    #[serde(default = "yes")]
    pub covered: bool,
    #[serde(default, alias = "date", alias = "in_force")]
    pub since: Option<toml::Value>,
    #[serde(default)]
    pub sources: Vec<String>,
    /// The registry file it was read from (for problem reports).
    #[serde(skip)]
    pub file: String,
}

fn yes() -> bool {
    true
}

/// A regime naming a company.
#[derive(Clone, Debug, Deserialize)]
pub struct Listing {
    pub regime: String,
    #[serde(default)]
    pub since: Option<toml::Value>,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Company {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub legal_names: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub ownership: String,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub ieee_names: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default, alias = "listings")]
    pub listing: Vec<Listing>,
    /// A manufacturer in its own right that also resells some products made by others: its
    /// name on a device does not imply an OEM maker (the OEM relations are only noted).
    #[serde(default)]
    pub makes_own_products: bool,
    /// What the company's name on a device means: its maker (the default), or only a part
    /// inside it (a chip, SDK or web-server vendor).
    #[serde(default)]
    pub role: Role,
    #[serde(default)]
    pub note: String,
    /// The registry file it was read from (for problem reports).
    #[serde(skip)]
    pub file: String,
}

/// What a company's name seen on a device proves.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// It makes devices: its name on one names the device's maker (or, for a label, its OEM).
    #[default]
    Maker,
    /// It makes parts others build into their devices (a system-on-chip, a camera SDK, an
    /// embedded web server): its name says what the device is built from, never who made it.
    /// HiSilicon is Huawei's, but a Foscam camera with a HiSilicon SoC is made by Foscam.
    Component,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Brand {
    pub name: String,
    pub owner: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub note: String,
    /// The registry file it was read from (for problem reports).
    #[serde(skip)]
    pub file: String,
}

/// A brand whose products (some or all) are made by another company.
#[derive(Clone, Debug, Deserialize)]
pub struct Oem {
    pub brand: String,
    pub manufacturer: String,
    pub confidence: f64,
    #[serde(default)]
    pub products: String,
    #[serde(default)]
    pub since: Option<toml::Value>,
    #[serde(default)]
    pub until: Option<toml::Value>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub note: String,
    /// The registry file it was read from (for problem reports).
    #[serde(skip)]
    pub file: String,
}

/// An SNMP private enterprise number assigned to a registry company.
#[derive(Clone, Debug, Deserialize)]
pub struct Enterprise {
    pub number: u32,
    pub company: String,
    #[serde(default)]
    pub iana_name: String,
    #[serde(default)]
    pub source: String,
    /// The registry file it was read from (for problem reports).
    #[serde(skip)]
    pub file: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RegistryFile {
    regime: Vec<Regime>,
    company: Vec<Company>,
    brand: Vec<Brand>,
    oem: Vec<Oem>,
    enterprise: Vec<Enterprise>,
}

/// What a name found in a device answer refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    Company(usize),
    Brand(usize),
}

/// The merged registry with its name indexes.
#[derive(Debug, Default)]
pub struct Registry {
    pub regimes: Vec<Regime>,
    pub companies: Vec<Company>,
    pub brands: Vec<Brand>,
    pub oems: Vec<Oem>,
    pub enterprises: Vec<Enterprise>,
    company_by_id: HashMap<String, usize>,
    enterprise_company: HashMap<u32, usize>,
    names: HashMap<String, Named>,
    /// Length of the longest normalised name: `resolve` never builds a longer key.
    longest_name: usize,
    ieee: HashMap<String, usize>,
    /// Normalised brand name -> indexes into `oems`.
    oem_by_brand: HashMap<String, Vec<usize>>,
    /// Precomputed per company: itself and its parents, nearest first.
    lineages: Vec<Vec<usize>>,
    /// Precomputed true maker of each brand and of each company's own label:
    /// (company, confidence, index into `oems`).
    brand_makers: Vec<Option<(usize, f64, Option<usize>)>>,
    label_makers: Vec<(usize, f64, Option<usize>)>,
}

/// Lower-case letters and digits only: "Zhejiang Dahua Technology Co., Ltd." and
/// "ZHEJIANG DAHUA TECHNOLOGY CO.,LTD" compare equal.
pub fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

impl Registry {
    /// Merge registry files (path, text). Problems are returned, not fatal: a broken file is
    /// reported and skipped so the rest of the registry still works.
    pub fn load<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Registry, Vec<Problem>) {
        let mut reg = Registry::default();
        let mut problems = Vec::new();
        for (path, text) in files {
            match toml::from_str::<RegistryFile>(text) {
                Ok(mut file) => {
                    file.regime
                        .iter_mut()
                        .for_each(|x| x.file = path.to_string());
                    file.company
                        .iter_mut()
                        .for_each(|x| x.file = path.to_string());
                    file.brand
                        .iter_mut()
                        .for_each(|x| x.file = path.to_string());
                    file.oem.iter_mut().for_each(|x| x.file = path.to_string());
                    file.enterprise
                        .iter_mut()
                        .for_each(|x| x.file = path.to_string());
                    reg.regimes.extend(file.regime);
                    reg.companies.extend(file.company);
                    reg.brands.extend(file.brand);
                    reg.oems.extend(file.oem);
                    reg.enterprises.extend(file.enterprise);
                }
                Err(e) => problems.push(Problem::new(
                    path,
                    "",
                    format!("invalid registry file: {e}"),
                )),
            }
        }
        reg.index(&mut problems);
        (reg, problems)
    }

    fn index(&mut self, problems: &mut Vec<Problem>) {
        for (i, c) in self.companies.iter().enumerate() {
            if self.company_by_id.insert(c.id.clone(), i).is_some() {
                problems.push(Problem::new("registry", &c.id, "company id declared twice"));
            }
        }
        // Names: ids and display names first, then legal names and aliases, then brands, so
        // that a company's own name always wins over a brand spelled the same way.
        for (i, c) in self.companies.iter().enumerate() {
            for n in [&c.id, &c.name] {
                self.names.entry(normalize(n)).or_insert(Named::Company(i));
            }
        }
        for (i, c) in self.companies.iter().enumerate() {
            for n in c.legal_names.iter().chain(&c.aliases) {
                let key = normalize(n);
                if key.is_empty() {
                    continue;
                }
                self.names.entry(key).or_insert(Named::Company(i));
            }
            for n in &c.ieee_names {
                self.ieee.insert(normalize(n), i);
            }
        }
        for (i, b) in self.brands.iter().enumerate() {
            for n in std::iter::once(&b.name).chain(&b.aliases) {
                let key = normalize(n);
                if key.is_empty() {
                    continue;
                }
                self.names.entry(key).or_insert(Named::Brand(i));
            }
        }
        self.longest_name = self.names.keys().map(String::len).max().unwrap_or(0);
        for e in &self.enterprises {
            match self.company_by_id.get(&e.company) {
                Some(&c) => {
                    if self.enterprise_company.insert(e.number, c).is_some() {
                        problems.push(Problem::new(
                            "registry",
                            &e.company,
                            format!("enterprise number {} declared twice", e.number),
                        ));
                    }
                }
                None => problems.push(Problem::new(
                    "registry",
                    &e.company,
                    format!("enterprise {} names unknown company", e.number),
                )),
            }
        }
        for (i, o) in self.oems.iter().enumerate() {
            self.oem_by_brand
                .entry(normalize(&o.brand))
                .or_default()
                .push(i);
        }
        self.lineages = (0..self.companies.len())
            .map(|i| self.compute_lineage(i))
            .collect();
        self.brand_makers = (0..self.brands.len())
            .map(|b| {
                let brand = &self.brands[b];
                let owner = self.company_index(&brand.owner);
                match owner {
                    Some(o)
                        if self.companies[o].makes_own_products
                            && !self.oem_by_brand.contains_key(&normalize(&brand.name)) =>
                    {
                        Some((o, 1.0, None))
                    }
                    _ => self.compute_maker(&brand.name, owner),
                }
            })
            .collect();
        self.label_makers = (0..self.companies.len())
            .map(|c| {
                if self.companies[c].makes_own_products {
                    (c, 1.0, None)
                } else {
                    self.compute_maker(&self.companies[c].name, Some(c))
                        .unwrap_or((c, 1.0, None))
                }
            })
            .collect();
        let regime_ids: BTreeSet<&str> = self.regimes.iter().map(|r| r.id.as_str()).collect();
        for c in &self.companies {
            if let Some(p) = &c.parent
                && !self.company_by_id.contains_key(p)
            {
                problems.push(Problem::new(
                    "registry",
                    &c.id,
                    format!("parent {p:?} is not a company id"),
                ));
            }
            for l in &c.listing {
                if !regime_ids.contains(l.regime.as_str()) {
                    problems.push(Problem::new(
                        "registry",
                        &c.id,
                        format!("listing names unknown regime {:?}", l.regime),
                    ));
                }
            }
            for p in &c.products {
                if p.parse::<DeviceClass>().is_err() {
                    problems.push(Problem::new(
                        "registry",
                        &c.id,
                        format!("unknown product class {p:?}"),
                    ));
                }
            }
        }
        for b in &self.brands {
            if !self.company_by_id.contains_key(&b.owner) {
                problems.push(Problem::new(
                    "registry",
                    &b.name,
                    format!("brand owner {:?} is not a company id", b.owner),
                ));
            }
        }
        for o in &self.oems {
            if !self.company_by_id.contains_key(&o.manufacturer) {
                problems.push(Problem::new(
                    "registry",
                    &o.brand,
                    format!("OEM manufacturer {:?} is not a company id", o.manufacturer),
                ));
            }
            if self.resolve(&o.brand).is_none() {
                problems.push(Problem::new(
                    "registry",
                    &o.brand,
                    "OEM brand is neither a brand nor a company",
                ));
            }
            if !(0.0..=1.0).contains(&o.confidence) {
                problems.push(Problem::new(
                    "registry",
                    &o.brand,
                    "OEM confidence must be within 0..1",
                ));
            }
        }
    }

    pub fn company_index(&self, id: &str) -> Option<usize> {
        self.company_by_id.get(id).copied()
    }

    /// Resolve a name a device or document used: exact (normalised) name first, then the
    /// longest leading run of words that is a known name ("HIKVISION DS-2CD2143G0-I").
    ///
    /// Linear in `text`: the leading runs are built one word at a time and stop at the longest
    /// registry name (joining every prefix of a long device string was quadratic: 80 KB of
    /// `<Manufacturer>` text took 11.8 s).
    pub fn resolve(&self, text: &str) -> Option<Named> {
        let key = normalize(text);
        if key.len() >= 2
            && let Some(n) = self.names.get(&key)
        {
            return Some(*n);
        }
        let words = text
            .split(|c: char| c.is_whitespace() || c == '_' || c == '/' || c == ',')
            .filter(|w| !w.is_empty());
        // The normalised key of each leading run of words (the whole text excluded: it was
        // looked up above), while no longer than the longest name.
        let mut runs: Vec<String> = Vec::new();
        let mut run = String::new();
        let mut words = words.peekable();
        while let Some(w) = words.next() {
            if words.peek().is_none() {
                break;
            }
            run.push_str(&normalize(w));
            if run.len() > self.longest_name {
                break;
            }
            runs.push(run.clone());
        }
        runs.iter()
            .rev()
            .filter(|k| k.len() >= 2)
            .find_map(|k| self.names.get(k).copied())
    }

    /// The company an SNMP private enterprise number belongs to.
    pub fn company_for_enterprise(&self, number: u32) -> Option<usize> {
        self.enterprise_company.get(&number).copied()
    }

    /// The company that registered an IEEE organisation name, when it is in the registry.
    pub fn company_for_ieee(&self, org: &str) -> Option<usize> {
        self.ieee.get(&normalize(org)).copied()
    }

    /// The company and its parents, nearest first (cycles cut).
    pub fn lineage(&self, company: usize) -> &[usize] {
        &self.lineages[company]
    }

    fn compute_lineage(&self, company: usize) -> Vec<usize> {
        let mut out = vec![company];
        let mut cur = company;
        while let Some(p) = self.companies[cur]
            .parent
            .as_deref()
            .and_then(|p| self.company_index(p))
        {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            cur = p;
        }
        out
    }

    /// True when `ancestor` is `company` or one of its parents.
    pub fn is_within(&self, company: usize, ancestor: usize) -> bool {
        self.lineage(company).contains(&ancestor)
    }

    /// Regimes naming the company or a parent, and whether any of them defines covered equipment.
    pub fn regimes_for(&self, company: usize) -> (Vec<String>, bool) {
        let mut ids = BTreeSet::new();
        let mut covered = false;
        for &c in self.lineage(company) {
            for l in &self.companies[c].listing {
                ids.insert(l.regime.clone());
                if self.regimes.iter().any(|r| r.id == l.regime && r.covered) {
                    covered = true;
                }
            }
        }
        (ids.into_iter().collect(), covered)
    }

    /// Who truly makes products of a brand: the OEM relation with the highest confidence,
    /// else the owner. Returns the company and how sure the relation is.
    pub fn maker_of_brand(&self, brand: usize) -> Option<(usize, f64, Option<&Oem>)> {
        self.brand_makers[brand].map(|(c, conf, o)| (c, conf, o.map(|i| &self.oems[i])))
    }

    /// The same, for a label that is a company's own name (a company that sells others' products).
    pub fn maker_of_company_label(&self, company: usize) -> (usize, f64, Option<&Oem>) {
        let (c, conf, o) = self.label_makers[company];
        (c, conf, o.map(|i| &self.oems[i]))
    }

    fn compute_maker(
        &self,
        label: &str,
        owner: Option<usize>,
    ) -> Option<(usize, f64, Option<usize>)> {
        let key = normalize(label);
        let mut names: Vec<String> = vec![key];
        if let Some(o) = owner {
            names.push(normalize(&self.companies[o].name));
            names.push(normalize(&self.companies[o].id));
        }
        names.dedup();
        let best = names
            .iter()
            .filter_map(|n| self.oem_by_brand.get(n))
            .flatten()
            .filter_map(|&i| {
                self.company_index(&self.oems[i].manufacturer)
                    .map(|c| (c, self.oems[i].confidence, Some(i)))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match (best, owner) {
            (Some(b), _) => Some(b),
            (None, Some(o)) => Some((o, 1.0, None)),
            (None, None) => None,
        }
    }

    /// The component maker a name stands for: a company whose role is `component`, or a brand
    /// such a company owns (the HiSilicon brand). `None` for every maker's name.
    pub fn component_of(&self, named: Named) -> Option<usize> {
        let company = match named {
            Named::Company(i) => i,
            Named::Brand(b) => self.company_index(&self.brands[b].owner)?,
        };
        (self.companies[company].role == Role::Component).then_some(company)
    }

    /// Whether the registry records that `maker` (or a company of its group) makes products sold
    /// under `label`, at any confidence: the label and the maker are then not in conflict.
    pub fn makes_for(&self, label: &str, maker: usize) -> bool {
        self.oem_by_brand
            .get(&normalize(label))
            .into_iter()
            .flatten()
            .filter_map(|&i| self.company_index(&self.oems[i].manufacturer))
            .any(|c| self.is_within(c, maker) || self.is_within(maker, c))
    }

    pub fn regime(&self, id: &str) -> Option<&Regime> {
        self.regimes.iter().find(|r| r.id == id)
    }
}
