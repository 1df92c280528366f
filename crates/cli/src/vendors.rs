//! `sightline vendors [NAME]`: the registry, for people.

use crate::args::VendorsArgs;
use crate::identify::load_db;
use crate::{ExitCode, table};
use anyhow::{Result, bail};
use fingerprint::{Named, Registry};

pub fn run(a: &VendorsArgs) -> Result<ExitCode> {
    let db = load_db(a.data.data.as_deref())?;
    let reg = &db.registry;
    match &a.name {
        None => {
            let mut rows = Vec::new();
            for (i, c) in reg.companies.iter().enumerate() {
                let (regimes, covered) = reg.regimes_for(i);
                if a.covered && !covered {
                    continue;
                }
                let brands: Vec<&str> = reg
                    .brands
                    .iter()
                    .filter(|b| b.owner == c.id)
                    .map(|b| b.name.as_str())
                    .collect();
                rows.push(vec![
                    c.id.clone(),
                    c.name.clone(),
                    c.country.clone(),
                    if covered { "YES".into() } else { "no".into() },
                    regimes.join(","),
                    brands.join(", "),
                ]);
            }
            print!(
                "{}",
                table::render(
                    &["ID", "NAME", "COUNTRY", "COVERED", "REGIMES", "BRANDS"],
                    &rows,
                    48
                )
            );
            println!(
                "{} companies, {} brands, {} OEM relations. `sightline vendors NAME` shows one in full.",
                reg.companies.len(),
                reg.brands.len(),
                reg.oems.len()
            );
        }
        Some(name) => {
            let company = match reg
                .company_index(&name.to_ascii_lowercase())
                .map(Named::Company)
                .or_else(|| reg.resolve(name))
            {
                Some(Named::Company(i)) => i,
                Some(Named::Brand(b)) => {
                    let brand = &reg.brands[b];
                    println!("{} is a brand of {}", brand.name, brand.owner);
                    if !brand.source.is_empty() {
                        println!("  source: {}", brand.source);
                    }
                    match reg.company_index(&brand.owner) {
                        Some(i) => i,
                        None => return Ok(ExitCode::Clean),
                    }
                }
                None => bail!(
                    "no company or brand named {name:?}: run `sightline vendors` for the list"
                ),
            };
            print!("{}", describe(reg, company));
        }
    }
    Ok(ExitCode::Clean)
}

fn describe(reg: &Registry, i: usize) -> String {
    let c = &reg.companies[i];
    let mut s = String::new();
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    line(format!(
        "{} ({}), {}",
        c.name,
        c.id,
        if c.country.is_empty() {
            "country unknown"
        } else {
            &c.country
        }
    ));
    for l in &c.legal_names {
        line(format!("  legal entity: {l}"));
    }
    if !c.aliases.is_empty() {
        line(format!("  also written: {}", c.aliases.join(", ")));
    }
    let lineage = reg.lineage(i);
    if lineage.len() > 1 {
        let chain: Vec<&str> = lineage
            .iter()
            .map(|&j| reg.companies[j].name.as_str())
            .collect();
        line(format!("  controlled by: {}", chain[1..].join(" <- ")));
    }
    if !c.ownership.is_empty() {
        line(format!("  ownership: {}", c.ownership));
    }
    let subs: Vec<&str> = reg
        .companies
        .iter()
        .filter(|o| o.parent.as_deref() == Some(&c.id))
        .map(|o| o.name.as_str())
        .collect();
    if !subs.is_empty() {
        line(format!("  subsidiaries: {}", subs.join(", ")));
    }
    if !c.products.is_empty() {
        line(format!("  makes: {}", c.products.join(", ")));
    }
    let brands: Vec<&str> = reg
        .brands
        .iter()
        .filter(|b| b.owner == c.id)
        .map(|b| b.name.as_str())
        .collect();
    if !brands.is_empty() {
        line(format!("  brands: {}", brands.join(", ")));
    }
    let (regimes, covered) = reg.regimes_for(i);
    line(format!("  covered: {}", if covered { "YES" } else { "no" }));
    for j in lineage {
        for l in &reg.companies[*j].listing {
            let name = reg
                .regime(&l.regime)
                .map(|r| r.name.as_str())
                .unwrap_or(&l.regime);
            let since = l
                .since
                .as_ref()
                .map(|v| v.to_string().trim_matches('"').to_string())
                .unwrap_or_else(|| "date unknown".into());
            let via = if *j == i {
                String::new()
            } else {
                format!(" (via {})", reg.companies[*j].name)
            };
            line(format!("  listed: {name} since {since}{via}"));
            if !l.scope.is_empty() {
                line(format!("    scope: {}", l.scope));
            }
            if !l.source.is_empty() {
                line(format!("    source: {}", l.source));
            }
        }
    }
    let _ = regimes;
    let made: Vec<String> = reg
        .oems
        .iter()
        .filter(|o| o.manufacturer == c.id)
        .map(|o| {
            format!(
                "{} (confidence {:.1}{})",
                o.brand,
                o.confidence,
                if o.products.is_empty() {
                    String::new()
                } else {
                    format!("; {}", o.products)
                }
            )
        })
        .collect();
    if !made.is_empty() {
        line("  makes products sold as:".into());
        for m in made {
            line(format!("    {m}"));
        }
    }
    let sold: Vec<String> = reg
        .oems
        .iter()
        .filter(|o| {
            fingerprint::registry::normalize(&o.brand) == fingerprint::registry::normalize(&c.name)
        })
        .map(|o| {
            format!(
                "{} (confidence {:.1}; {})",
                o.manufacturer, o.confidence, o.source
            )
        })
        .collect();
    if !sold.is_empty() {
        line("  products made by:".into());
        for m in sold {
            line(format!("    {m}"));
        }
    }
    if !c.ieee_names.is_empty() {
        line(format!(
            "  IEEE registrant names: {}",
            c.ieee_names.join("; ")
        ));
    }
    for src in &c.sources {
        line(format!("  source: {src}"));
    }
    s
}
