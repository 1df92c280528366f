//! Imports, so existing data can be audited without scanning: CSV asset registers (with a
//! column mapping), nmap XML (`-oX`), and the JSON Lines output of `sightline scan`. Each
//! becomes hosts with observations, identified like scanned ones.

use model::{Kind, Observation, ObservationRecord};
use std::collections::BTreeMap;

/// One host from an import.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportedHost {
    pub address: Option<String>,
    pub mac: Option<String>,
    pub serial: Option<String>,
    /// Install date (YYYY-MM-DD) from a register.
    pub install_date: Option<String>,
    pub observations: Vec<Observation>,
    /// Problems in this host's input that were skipped (say them to the user).
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {message}")]
    Bad { file: String, message: String },
}

fn bad(file: &str, message: impl Into<String>) -> ImportError {
    ImportError::Bad {
        file: file.to_string(),
        message: message.into(),
    }
}

/// Which register column holds what. Unset fields are guessed from the header.
#[derive(Clone, Debug, Default)]
pub struct ColumnMap {
    pub address: Option<String>,
    pub mac: Option<String>,
    pub serial: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub install_date: Option<String>,
    pub name: Option<String>,
}

impl ColumnMap {
    /// Parse `address=IP Address,mac=MAC,install_date=Installed` (the `--map` option).
    pub fn parse(spec: &str) -> Result<ColumnMap, String> {
        let mut m = ColumnMap::default();
        for part in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("bad mapping {part:?}: write field=Column Header"))?;
            let v = Some(v.trim().to_string());
            match k.trim() {
                "address" | "ip" => m.address = v,
                "mac" => m.mac = v,
                "serial" => m.serial = v,
                "manufacturer" | "make" | "vendor" => m.manufacturer = v,
                "model" => m.model = v,
                "install_date" | "installed" => m.install_date = v,
                "name" => m.name = v,
                other => {
                    return Err(format!(
                        "unknown field {other:?}: use address, mac, serial, manufacturer, model, install_date, name"
                    ));
                }
            }
        }
        Ok(m)
    }
}

const GUESSES: &[(&str, &[&str])] = &[
    (
        "address",
        &["ip", "ip address", "ipaddress", "address", "ipv4", "host"],
    ),
    (
        "mac",
        &["mac", "mac address", "macaddress", "hardware address"],
    ),
    (
        "serial",
        &["serial", "serial number", "serialnumber", "s/n", "sn"],
    ),
    ("manufacturer", &["manufacturer", "make", "vendor", "brand"]),
    ("model", &["model", "model number", "product"]),
    (
        "install_date",
        &[
            "install date",
            "installed",
            "installation date",
            "date installed",
            "commissioned",
        ],
    ),
    (
        "name",
        &["name", "asset", "asset name", "description", "device"],
    ),
];

/// Read a CSV asset register.
pub fn csv_register(
    text: &str,
    file: &str,
    map: &ColumnMap,
) -> Result<Vec<ImportedHost>, ImportError> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| bad(file, format!("cannot read the header row: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let find = |wanted: &Option<String>, field: &str| -> Result<Option<usize>, ImportError> {
        if let Some(w) = wanted {
            return headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(w))
                .map(Some)
                .ok_or_else(|| {
                    bad(
                        file,
                        format!(
                            "column {w:?} (for {field}) is not in the header: {}",
                            headers.join(", ")
                        ),
                    )
                });
        }
        let guesses = GUESSES
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, g)| *g)
            .unwrap_or(&[]);
        Ok(headers
            .iter()
            .position(|h| guesses.contains(&h.to_ascii_lowercase().as_str())))
    };
    let col = [
        find(&map.address, "address")?,
        find(&map.mac, "mac")?,
        find(&map.serial, "serial")?,
        find(&map.manufacturer, "manufacturer")?,
        find(&map.model, "model")?,
        find(&map.install_date, "install_date")?,
        find(&map.name, "name")?,
    ];
    if col[0].is_none() && col[1].is_none() && col[2].is_none() {
        return Err(bad(
            file,
            format!(
                "no address, MAC or serial column found in {}: map one with --map address=<header>",
                headers.join(", ")
            ),
        ));
    }
    let mut out = Vec::new();
    for (n, row) in r.records().enumerate() {
        let row = row.map_err(|e| bad(file, format!("row {}: {e}", n + 2)))?;
        let get = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let address = get(col[0]);
        let mac = get(col[1]);
        let serial = get(col[2]);
        let device = address
            .clone()
            .or(mac.clone())
            .or(serial.clone())
            .unwrap_or_else(|| format!("{file}:{}", n + 2));
        let mut observations = Vec::new();
        let label: Vec<String> = [get(col[3]), get(col[4]), get(col[6])]
            .into_iter()
            .flatten()
            .collect();
        if !label.is_empty() {
            observations.push(obs(
                &device,
                &format!("{file}:{}", n + 2),
                Kind::Banner,
                None,
                &format!("asset register {file} row {}", n + 2),
                label.join(" ").into_bytes(),
            ));
        }
        if let Some(m) = &mac {
            observations.push(obs(
                &device,
                &format!("{file}:{}:mac", n + 2),
                Kind::Mac,
                None,
                "asset register MAC",
                m.clone().into_bytes(),
            ));
        }
        // A bad date is skipped with a warning: one typo must not lose the whole register.
        let mut warnings = Vec::new();
        let install_date = match get(col[5]) {
            Some(d) => match normalise_date(&d) {
                Some(date) => Some(date),
                None => {
                    warnings.push(format!("{file}: row {}: install date {d:?} is not a date (YYYY-MM-DD or DD/MM/YYYY); left empty", n + 2));
                    None
                }
            },
            None => None,
        };
        out.push(ImportedHost {
            address,
            mac,
            serial,
            install_date,
            observations,
            warnings,
        });
    }
    Ok(out)
}

/// `2023-01-31`, `31/01/2023` or `2023/01/31` -> `2023-01-31`.
pub fn normalise_date(d: &str) -> Option<String> {
    let parts: Vec<&str> = d.split(['-', '/', '.']).collect();
    let (y, m, day) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => (
            y.parse::<i32>().ok()?,
            m.parse::<u8>().ok()?,
            d.parse::<u8>().ok()?,
        ),
        [d, m, y] if y.len() == 4 => (
            y.parse::<i32>().ok()?,
            m.parse::<u8>().ok()?,
            d.parse::<u8>().ok()?,
        ),
        _ => return None,
    };
    let month = time::Month::try_from(m).ok()?;
    let date = time::Date::from_calendar_date(y, month, day).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

fn obs(
    device: &str,
    id: &str,
    kind: Kind,
    port: Option<u16>,
    request: &str,
    response: Vec<u8>,
) -> Observation {
    Observation {
        id: id.to_string(),
        device: device.to_string(),
        kind,
        address: None,
        port,
        request: Some(request.to_string()),
        response,
        time: None,
    }
}

/// Read nmap XML (`nmap -oX`): addresses, MAC, and per open port the service fingerprint
/// (product, version, extra info) as a banner, `http-title` as a page title and `ssl-cert` as a
/// certificate subject/issuer.
pub fn nmap_xml(text: &str, file: &str) -> Result<Vec<ImportedHost>, ImportError> {
    // nmap writes `<!DOCTYPE nmaprun>`; a DTD is never processed (an internal subset could
    // declare entities that expand a small file into gigabytes), so the declaration is cut out
    // and the rest read with DTDs refused.
    let without = fingerprint::fields::without_doctype(text);
    let text = without.as_ref().map_or(text, |(t, _)| t.as_str());
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts)
        .map_err(|e| bad(file, format!("not nmap XML: {e}")))?;
    if doc.root_element().tag_name().name() != "nmaprun" {
        return Err(bad(
            file,
            "not nmap XML output: the root element is not <nmaprun> (run nmap with -oX FILE)",
        ));
    }
    let mut out = Vec::new();
    for host in doc.descendants().filter(|n| n.has_tag_name("host")) {
        let mut h = ImportedHost::default();
        for a in host.children().filter(|n| n.has_tag_name("address")) {
            match a.attribute("addrtype") {
                Some("ipv4") | Some("ipv6") => h.address = a.attribute("addr").map(str::to_string),
                Some("mac") => h.mac = a.attribute("addr").map(str::to_string),
                _ => {}
            }
        }
        let device = h
            .address
            .clone()
            .or(h.mac.clone())
            .unwrap_or_else(|| format!("{file}:host{}", out.len() + 1));
        let mut n = 0;
        let mut next_id = |what: &str| {
            n += 1;
            format!("{device}:{what}#{n}")
        };
        if let Some(m) = &h.mac {
            h.observations.push(obs(
                &device,
                &next_id("mac"),
                Kind::Mac,
                None,
                "nmap MAC address",
                m.clone().into_bytes(),
            ));
        }
        for port in host.descendants().filter(|n| n.has_tag_name("port")) {
            let open = port
                .children()
                .any(|c| c.has_tag_name("state") && c.attribute("state") == Some("open"));
            if !open {
                continue;
            }
            let portid: Option<u16> = port.attribute("portid").and_then(|p| p.parse().ok());
            if let Some(svc) = port.children().find(|c| c.has_tag_name("service")) {
                let text: Vec<&str> = ["product", "version", "extrainfo", "devicetype", "ostype"]
                    .iter()
                    .filter_map(|k| svc.attribute(*k))
                    .collect();
                if !text.is_empty() {
                    h.observations.push(obs(
                        &device,
                        &next_id("service"),
                        Kind::Banner,
                        portid,
                        "nmap -sV service",
                        text.join(" ").into_bytes(),
                    ));
                }
            }
            for script in port.children().filter(|c| c.has_tag_name("script")) {
                let output = script.attribute("output").unwrap_or("");
                match script.attribute("id") {
                    Some("http-title") => h.observations.push(obs(
                        &device,
                        &next_id("http-title"),
                        Kind::Http,
                        portid,
                        "nmap http-title",
                        format!("<html><title>{}</title></html>", output.trim()).into_bytes(),
                    )),
                    Some("ssl-cert") => {
                        let lines: Vec<&str> = output
                            .lines()
                            .filter(|l| l.starts_with("Subject:") || l.starts_with("Issuer:"))
                            .collect();
                        if !lines.is_empty() {
                            h.observations.push(obs(
                                &device,
                                &next_id("ssl-cert"),
                                Kind::TlsCert,
                                portid,
                                "nmap ssl-cert",
                                lines.join("\n").into_bytes(),
                            ));
                        }
                    }
                    Some("rtsp-methods") | Some("banner") => h.observations.push(obs(
                        &device,
                        &next_id("script"),
                        Kind::Banner,
                        portid,
                        "nmap script",
                        output.as_bytes().to_vec(),
                    )),
                    _ => {}
                }
            }
        }
        out.push(h);
    }
    Ok(out)
}

/// Read `sightline scan --format jsonl` output (or `identify` input): observations per host.
pub fn scan_jsonl(text: &str, file: &str) -> Result<Vec<ImportedHost>, ImportError> {
    use base64::Engine as _;
    let mut hosts: BTreeMap<String, ImportedHost> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| bad(file, format!("line {}: not JSON: {e}", n + 1)))?;
        // A scan line carries `observations`; an identify-input line is itself an observation.
        let records: Vec<ObservationRecord> = match v.get("observations") {
            Some(list) => serde_json::from_value(list.clone())
                .map_err(|e| bad(file, format!("line {}: bad observations: {e}", n + 1)))?,
            None => vec![
                serde_json::from_value(v.clone())
                    .map_err(|e| bad(file, format!("line {}: not an observation: {e}", n + 1)))?,
            ],
        };
        let address = v
            .get("address")
            .and_then(|a| a.as_str())
            .map(str::to_string);
        for (k, rec) in records.into_iter().enumerate() {
            let o = rec
                .into_observation(&format!("{file}:{}:{k}", n + 1), |s| {
                    base64::engine::general_purpose::STANDARD
                        .decode(s.trim())
                        .map_err(|e| e.to_string())
                })
                .map_err(|e| bad(file, format!("line {}: {e}", n + 1)))?;
            let key = address
                .clone()
                .or(o.address.clone())
                .unwrap_or_else(|| o.device.clone());
            let h = hosts.entry(key.clone()).or_default();
            if h.address.is_none() && key.parse::<std::net::IpAddr>().is_ok() {
                h.address = Some(key);
            }
            h.observations.push(o);
        }
    }
    Ok(hosts.into_values().collect())
}
