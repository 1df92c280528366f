//! Imports: CSV registers, nmap XML and scan JSON Lines become hosts with observations.

use audit::import::{ColumnMap, csv_register, nmap_xml, normalise_date, scan_jsonl};

#[test]
fn csv_register_with_guessed_and_mapped_columns() {
    let csv = "Asset,IP Address,MAC Address,Make,Model,Serial Number,Installed\nGate cam,192.0.2.3,bc:ad:28:00:00:01,Hikvision,DS-2CD2143G0-I,DS-2CD2143G0-I20230301AAWRF1,01/03/2023\nPrinter,192.0.2.9,,HP,LaserJet M402,,\n";
    let hosts = csv_register(csv, "register.csv", &ColumnMap::default()).expect("reads");
    assert_eq!(hosts.len(), 2);
    assert_eq!(hosts[0].address.as_deref(), Some("192.0.2.3"));
    assert_eq!(hosts[0].install_date.as_deref(), Some("2023-03-01"));
    assert_eq!(
        hosts[0].serial.as_deref(),
        Some("DS-2CD2143G0-I20230301AAWRF1")
    );
    assert!(
        hosts[0]
            .observations
            .iter()
            .any(|o| o.kind == model::Kind::Mac)
    );
    let text = String::from_utf8_lossy(&hosts[0].observations[0].response).into_owned();
    assert!(
        text.contains("Hikvision") && text.contains("DS-2CD2143G0-I"),
        "{text}"
    );
    let custom = "Where,What\n192.0.2.1,Axis P1435\n";
    let map = ColumnMap::parse("address=Where,model=What").expect("map");
    assert_eq!(
        csv_register(custom, "r.csv", &map).expect("reads")[0]
            .address
            .as_deref(),
        Some("192.0.2.1")
    );
    let err =
        csv_register("A,B\n1,2\n", "r.csv", &ColumnMap::default()).expect_err("no key column");
    assert!(err.to_string().contains("--map"), "{err}");
    let err = csv_register(
        csv,
        "r.csv",
        &ColumnMap::parse("address=Nope").expect("map"),
    )
    .expect_err("missing column");
    assert!(err.to_string().contains("\"Nope\""), "{err}");
    // A bad date is skipped with a warning; the row is kept.
    let typo = "IP Address,Installed\n192.0.2.7,31/02/2023\n192.0.2.8,2023-02-01\n";
    let hosts = csv_register(typo, "r.csv", &ColumnMap::default()).expect("reads");
    assert_eq!(hosts.len(), 2);
    assert_eq!(hosts[0].install_date, None);
    assert!(
        hosts[0].warnings[0].contains("row 2") && hosts[0].warnings[0].contains("31/02/2023"),
        "{:?}",
        hosts[0].warnings
    );
    assert_eq!(hosts[1].install_date.as_deref(), Some("2023-02-01"));
}

#[test]
fn dates() {
    assert_eq!(normalise_date("2023-01-31").as_deref(), Some("2023-01-31"));
    assert_eq!(normalise_date("31/01/2023").as_deref(), Some("2023-01-31"));
    assert_eq!(normalise_date("31/02/2023"), None);
    assert_eq!(normalise_date("yesterday"), None);
}

#[test]
fn nmap_xml_services_titles_and_certificates() {
    // Shape of `nmap -sV -oX -` output (element and attribute names as nmap writes them).
    let xml = r#"<?xml version="1.0"?><nmaprun scanner="nmap"><host><status state="up"/><address addr="127.0.0.5" addrtype="ipv4"/><address addr="BC:AD:28:00:00:05" addrtype="mac" vendor="Hangzhou Hikvision Digital Technology"/><ports><port protocol="tcp" portid="80"><state state="open"/><service name="http" product="Hikvision IP camera httpd"/><script id="http-title" output="Site doesn&apos;t have a title"/></port><port protocol="tcp" portid="443"><state state="open"/><service name="https"/><script id="ssl-cert" output="Subject: commonName=www.hikvision.com/organizationName=HIKVISION&#xa;Issuer: commonName=www.hikvision.com&#xa;Public Key type: rsa"/></port><port protocol="tcp" portid="22"><state state="closed"/></port></ports></host></nmaprun>"#;
    let hosts = nmap_xml(xml, "scan.xml").expect("reads");
    assert_eq!(hosts.len(), 1);
    let h = &hosts[0];
    assert_eq!(h.address.as_deref(), Some("127.0.0.5"));
    let kinds: Vec<model::Kind> = h.observations.iter().map(|o| o.kind).collect();
    assert!(
        kinds.contains(&model::Kind::Mac)
            && kinds.contains(&model::Kind::Banner)
            && kinds.contains(&model::Kind::TlsCert),
        "{kinds:?}"
    );
    assert!(nmap_xml("<html/>", "x.xml").is_err());
    assert!(nmap_xml("not xml", "x.xml").is_err());
    // nmap writes a DOCTYPE: it is cut out, never processed, and an entity is never expanded.
    let with_doctype = xml.replace(
        "<?xml version=\"1.0\"?>",
        "<?xml version=\"1.0\"?><!DOCTYPE nmaprun>",
    );
    assert_eq!(nmap_xml(&with_doctype, "scan.xml").expect("reads").len(), 1);
    let bomb = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE nmaprun [<!ENTITY a \"{}\">]><nmaprun>{}</nmaprun>",
        "x".repeat(10_000),
        "&a;".repeat(10_000)
    );
    assert!(nmap_xml(&bomb, "x.xml").is_err(), "an entity was expanded");
}

#[test]
fn scan_jsonl_round_trip() {
    let line = r#"{"address":"127.0.0.9","ports":[80],"manufacturer":"Hikvision","observations":[{"id":"127.0.0.9:80/http#1","device":"127.0.0.9","kind":"http","port":80,"request":"GET / HTTP/1.1","response":"HTTP/1.1 401 Unauthorized\r\nServer: DNVRS-Webs\r\n\r\n"}]}"#;
    let hosts = scan_jsonl(line, "scan.jsonl").expect("reads");
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].address.as_deref(), Some("127.0.0.9"));
    assert_eq!(hosts[0].observations[0].port, Some(80));
    assert!(scan_jsonl("{not json", "x").is_err());
}
