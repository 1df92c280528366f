//! Identification at the boundary: observations in, identity out. One line per case.

use super::db;
use model::{Identity, Kind, Observation};

fn obs(i: usize, kind: Kind, request: &str, response: &str) -> Observation {
    Observation {
        id: format!("o{i}"),
        device: "d".into(),
        kind,
        address: None,
        port: None,
        request: (!request.is_empty()).then(|| request.to_string()),
        response: response.as_bytes().to_vec(),
        time: None,
    }
}

/// What a case expects; `None` fields must be unknown.
struct Expect {
    manufacturer: Option<&'static str>,
    brand: Option<&'static str>,
    covered: bool,
}

#[track_caller]
fn check(input: &[(Kind, &str, &str)], expect: Expect) -> Identity {
    let observations: Vec<Observation> = input
        .iter()
        .enumerate()
        .map(|(i, (k, q, r))| obs(i, *k, q, r))
        .collect();
    let id = db().identify("d", &observations);
    let shown = serde_json::to_string_pretty(&id).unwrap_or_default();
    assert_eq!(
        id.manufacturer.as_deref(),
        expect.manufacturer,
        "manufacturer\n{shown}"
    );
    if expect.brand.is_some() {
        assert_eq!(id.brand.as_deref(), expect.brand, "brand\n{shown}");
    }
    assert_eq!(id.covered, expect.covered, "covered\n{shown}");
    for note in &id.notes {
        // A hint reported as below the threshold must be below it as printed.
        if let Some(rest) = note.strip_prefix("weak hint of ")
            && let Some(open) = rest.find('(')
            && let Some(close) = rest[open..].find(')')
        {
            let shown: f64 = rest[open + 1..open + close].parse().unwrap_or(0.0);
            assert!(shown < 0.5, "note contradicts the threshold: {note}");
        }
    }
    if id.manufacturer.is_some() {
        assert!(
            !id.evidence.is_empty(),
            "an identity without evidence\n{shown}"
        );
        assert!(
            id.confidence >= 0.5 && id.confidence <= 1.0,
            "confidence {}\n{shown}",
            id.confidence
        );
    } else {
        assert_eq!(id.confidence, 0.0);
    }
    id
}

const HIK_401: &str = "HTTP/1.1 401 Unauthorized\r\nDate: Sat, 01 Jan 2022 00:00:00 GMT\r\nServer: DNVRS-Webs\r\nWWW-Authenticate: Digest qop=\"auth\", realm=\"DS-7608NI-K2\", nonce=\"4e6a4d314f54453d\"\r\n\r\n";

#[test]
fn hikvision_recorder_before_login() {
    check(
        &[(Kind::Http, "GET / HTTP/1.1", HIK_401)],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: None,
            covered: true,
        },
    );
}

#[test]
fn hikvision_isapi_device_info_after_login() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<DeviceInfo version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<deviceName>Camera 01</deviceName><model>DS-2CD2143G0-I</model><serialNumber>DS-2CD2143G0-I20190101AAWRC12345678</serialNumber>
<firmwareVersion>V5.5.82</firmwareVersion><firmwareReleasedDate>build 190220</firmwareReleasedDate><deviceType>IPCamera</deviceType></DeviceInfo>"#;
    let id = check(
        &[(Kind::Http, "GET /ISAPI/System/deviceInfo HTTP/1.1", xml)],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: None,
            covered: true,
        },
    );
    assert_eq!(id.model.as_deref(), Some("DS-2CD2143G0-I"));
    assert_eq!(id.device_class.map(|c| c.as_str()), Some("camera"));
}

#[test]
fn oem_label_on_a_hikvision_platform_is_brand_not_maker() {
    // A page titled with an OEM label, served by Hikvision firmware: Hikvision made it.
    let page = "HTTP/1.1 200 OK\r\nServer: DNVRS-Webs\r\nContent-Type: text/html\r\n\r\n<html><head><title>TruVision NVR</title></head></html>";
    let id = check(
        &[(Kind::Http, "GET / HTTP/1.1", page)],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: Some("TruVision"),
            covered: true,
        },
    );
    assert!(
        id.evidence.len() >= 2,
        "both pieces of evidence are kept: {:?}",
        id.evidence
    );
}

#[test]
fn dahua_rpc2_login_challenge() {
    let body = r#"{ "error" : { "code" : 268632079, "message" : "Component error: login challenge!" }, "id" : 1, "params" : { "encryption" : "Default", "mac" : "3CE36B000000", "random" : "1234567", "realm" : "Login to 4L0123PAZ00000", "authorization" : "x" }, "result" : false, "session" : "abc" }"#;
    check(
        &[(Kind::Http, "POST /RPC2_Login HTTP/1.1", body)],
        Expect {
            manufacturer: Some("Dahua"),
            brand: None,
            covered: true,
        },
    );
}

#[test]
fn amcrest_camera_is_dahua_made() {
    let kv = "deviceType=IP4M-1041B\r\nhardwareVersion=1.00\r\nprocessor=S2LM\r\nserialNumber=AMC0000000000000\r\nupdateSerial=IPC-AW46WN-S2\r\n";
    check(
        &[(
            Kind::Http,
            "GET /cgi-bin/magicBox.cgi?action=getSystemInfo HTTP/1.1",
            kv,
        )],
        Expect {
            manufacturer: Some("Dahua"),
            brand: None,
            covered: true,
        },
    );
}

#[test]
fn hikvision_mac_address() {
    check(
        &[(Kind::Mac, "", "bc:ad:28:12:34:56")],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: None,
            covered: true,
        },
    );
}

#[test]
fn sadp_reply_is_hikvision_firmware() {
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ProbeMatch><Uuid>A</Uuid><Types>inquiry</Types><DeviceType>138</DeviceType><DeviceDescription>DS-7804HQH-K1</DeviceDescription><DeviceSN>DS-7804HQH-K10420190101CCRRC12345678WCVU</DeviceSN><MAC>c0-56-e3-00-00-01</MAC><SoftwareVersion>V4.0.1build 190101</SoftwareVersion></ProbeMatch>";
    check(
        &[(Kind::Sadp, "", xml)],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: None,
            covered: true,
        },
    );
}

#[test]
fn uniview_onvif_is_not_covered() {
    let soap = r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><env:Body><tds:GetDeviceInformationResponse><tds:Manufacturer>Uniview</tds:Manufacturer><tds:Model>IPC322LR3-VSPF28-D</tds:Model><tds:FirmwareVersion>IPC_G6103-B0008P62D1907</tds:FirmwareVersion><tds:SerialNumber>210235C3EN3193000000</tds:SerialNumber><tds:HardwareId>V1.0</tds:HardwareId></tds:GetDeviceInformationResponse></env:Body></env:Envelope>"#;
    check(
        &[(Kind::Onvif, "", soap)],
        Expect {
            manufacturer: Some("Uniview"),
            brand: None,
            covered: false,
        },
    );
}

#[test]
fn reolink_mac_is_not_covered() {
    check(
        &[(Kind::Mac, "", "EC:71:DB:01:02:03")],
        Expect {
            manufacturer: Some("Reolink"),
            brand: None,
            covered: false,
        },
    );
}

#[test]
fn huawei_router_banner() {
    let banner = "Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 5.170 (AR2200 V200R009C00SPC500)";
    check(
        &[(Kind::Banner, "", banner)],
        Expect {
            manufacturer: Some("Huawei"),
            brand: None,
            covered: true,
        },
    );
}

#[test]
fn unknown_stays_unknown() {
    for (kind, resp) in [
        (
            Kind::Http,
            "HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n<html><title>Welcome</title></html>",
        ),
        (Kind::Banner, "SSH-2.0-OpenSSH_9.2p1 Debian-2"),
        (Kind::Mac, "02:00:00:00:00:01"),
        (Kind::TlsCert, "subject: CN=localhost\nissuer: CN=localhost"),
    ] {
        let id = check(
            &[(kind, "", resp)],
            Expect {
                manufacturer: None,
                brand: None,
                covered: false,
            },
        );
        assert_eq!(id.device_class, None);
    }
}

#[test]
fn observations_of_one_device_add_up() {
    // Two weak hints together pass the reporting threshold one alone would not.
    let id = check(
        &[
            (Kind::Http, "GET / HTTP/1.1", HIK_401),
            (Kind::Mac, "", "bc:ad:28:12:34:56"),
        ],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: None,
            covered: true,
        },
    );
    let one = db().identify("d", &[obs(0, Kind::Mac, "", "bc:ad:28:12:34:56")]);
    assert!(
        id.confidence > one.confidence,
        "{} <= {}",
        id.confidence,
        one.confidence
    );
}

#[test]
fn conflicts_are_explained() {
    let id = check(
        &[
            (Kind::Http, "GET / HTTP/1.1", HIK_401),
            (Kind::Mac, "", "ec:71:db:01:02:03"),
        ],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: None,
            covered: true,
        },
    );
    assert!(
        id.notes
            .iter()
            .any(|n| n.contains("conflicting") && n.contains("Reolink")),
        "{:?}",
        id.notes
    );
}

#[test]
fn mac_address_inside_an_answer_counts() {
    // Uniview cameras use their MAC address as the RTSP realm; 48EA63 is a Uniview prefix.
    let rtsp = "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm=\"48ea63000001\", nonce=\"5a0b\", stale=\"FALSE\"\r\n\r\n";
    let id = db().identify(
        "d",
        &[obs(
            0,
            Kind::Rtsp,
            "OPTIONS rtsp://127.0.0.1/ RTSP/1.0",
            rtsp,
        )],
    );
    assert!(
        id.evidence.iter().any(|e| e.fingerprint == "oui:48EA63"),
        "{:?}",
        id.evidence
    );
    assert!(!id.covered);
    let xml = "<DeviceInfo><macAddress>bc:ad:28:00:00:01</macAddress></DeviceInfo>";
    check(
        &[(Kind::Http, "GET /x HTTP/1.1", xml)],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: None,
            covered: true,
        },
    );
}

#[test]
fn a_head_without_its_status_line_is_still_read() {
    let f = fingerprint::extract(
        Kind::Http,
        None,
        b"Server: DNVRS-Webs\r\nContent-Type: text/html\r\n\r\n<html></html>",
    );
    assert_eq!(f.get("header.server"), ["DNVRS-Webs"]);
    let f = fingerprint::extract(Kind::Http, None, b"web_version: \"3.0.51.170214\"");
    assert!(
        f.get("header.web_version").is_empty(),
        "a JavaScript body is not a head"
    );
}

#[test]
fn a_maker_that_resells_some_oem_lines_is_not_its_oem() {
    // Teledyne FLIR sold some Dahua-made recorders, but its own name on a device does not make
    // the device Dahua's.
    let scopes =
        "onvif://www.onvif.org/name/FLIR onvif://www.onvif.org/manufacturer/FLIR%20Systems";
    let id = check(
        &[(Kind::WsDiscovery, "", scopes)],
        Expect {
            manufacturer: Some("Teledyne FLIR"),
            brand: None,
            covered: false,
        },
    );
    assert!(
        id.notes.iter().all(|n| !n.contains("Dahua")),
        "{:?}",
        id.notes
    );
}

#[test]
fn model_formats_are_recognised_in_any_identifying_field() {
    // A Hikvision model as an HTTP realm (older firmware), and a serial number that must not
    // be taken for a model.
    let http =
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"DS-2CD2042WD\"\r\n\r\n";
    let id = check(
        &[(Kind::Http, "GET / HTTP/1.1", http)],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: None,
            covered: true,
        },
    );
    assert_eq!(id.model.as_deref(), Some("DS-2CD2042WD"));
    let serial = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"DS-2CD2143G0-I20180829AAWRC46851082\"\r\n\r\n";
    let id = db().identify("d", &[obs(0, Kind::Http, "GET / HTTP/1.1", serial)]);
    assert!(
        id.evidence
            .iter()
            .all(|e| !e.fingerprint.starts_with("model.")),
        "{:?}",
        id.evidence
    );
}

#[test]
fn snmp_enterprise_number_names_the_agent_vendor() {
    // sysObjectID under Huawei's IANA enterprise number 2011, with a sysDescr that names nobody.
    let snmprec =
        "1.3.6.1.2.1.1.1.0|4|S5720-28X-LI-AC\n1.3.6.1.2.1.1.2.0|6|.1.3.6.1.4.1.2011.2.23.313\n";
    check(
        &[(Kind::Banner, "", snmprec)],
        Expect {
            manufacturer: Some("Huawei"),
            brand: None,
            covered: true,
        },
    );
    let netsnmp = "SNMPv2-MIB::sysObjectID.0 = OID: SNMPv2-SMI::enterprises.41112.1.4";
    check(
        &[(Kind::Banner, "", netsnmp)],
        Expect {
            manufacturer: Some("Ubiquiti"),
            brand: None,
            covered: false,
        },
    );
    // The generic net-snmp agent (8072) names no maker.
    let generic =
        "1.3.6.1.2.1.1.1.0|4|Linux nas 3.2.101\n1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n";
    check(
        &[(Kind::Banner, "", generic)],
        Expect {
            manufacturer: None,
            brand: None,
            covered: false,
        },
    );
}

#[test]
fn cut_off_xml_still_yields_its_fields() {
    // A capture that lost its first lines: several top-level elements and an unmatched closing tag.
    let xml = "<model>DS-KV8213-WME1(C)</model>\n<macAddress>bc:ad:28:00:00:09</macAddress>\n<firmwareVersion>V2.2.53</firmwareVersion>\n</DeviceInfo>";
    let f = fingerprint::extract(
        Kind::Http,
        Some("GET /ISAPI/System/deviceInfo HTTP/1.1"),
        xml.as_bytes(),
    );
    assert_eq!(f.get("xml.model"), ["DS-KV8213-WME1(C)"]);
    let id = check(
        &[(Kind::Http, "GET /ISAPI/System/deviceInfo HTTP/1.1", xml)],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: None,
            covered: true,
        },
    );
    assert_eq!(id.device_class.map(|c| c.as_str()), Some("intercom"));
}

#[test]
fn truncated_xml_keeps_its_namespace() {
    // An ISAPI answer cut off before its closing tags: the declared namespace still counts.
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<DeviceInfo version=\"1.0\" xmlns=\"http://www.std-cgi.com/ver20/XMLSchema\">\n<deviceName>Network Video Recorder</deviceName>\n<model>ACR4-40</model>\n<serialNumber>ACR4-4004";
    let f = fingerprint::extract(Kind::Http, Some("GET / HTTP/1.1"), xml.as_bytes());
    assert_eq!(
        f.get("xml.namespace"),
        ["http://www.std-cgi.com/ver20/XMLSchema"]
    );
    assert_eq!(f.get("xml.model"), ["ACR4-40"]);
}

#[test]
fn the_copyright_holder_of_a_web_ui_is_evidence() {
    let page = "<html><head><title>Login</title></head><body><div class=\"footer\">Copyright &copy; Hangzhou Hikvision Digital Technology Co., Ltd. All Rights Reserved.</div></body></html>";
    check(
        &[(Kind::Http, "GET / HTTP/1.1", page)],
        Expect {
            manufacturer: Some("Hikvision"),
            brand: None,
            covered: true,
        },
    );
    // A vendor named elsewhere in a page (a compatibility list) is not a copyright holder.
    let other = "<html><head><title>Genetec Security Center</title></head><body>Works with Hikvision, Dahua and Axis cameras.</body></html>";
    let id = db().identify("d", &[obs(0, Kind::Http, "GET / HTTP/1.1", other)]);
    assert!(!id.covered, "{:?}", id.evidence);
}

/// A UPnP description of a camera whose maker names itself; the SoC vendor is named too.
fn upnp(manufacturer: &str, model_description: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>IPCam</friendlyName><manufacturer>{manufacturer}</manufacturer><modelDescription>{model_description}</modelDescription><modelName>C1</modelName></device></root>"
    )
}

#[test]
fn a_chip_vendor_is_a_component_never_the_maker() {
    // A Foscam camera built on a HiSilicon SoC: HiSilicon is Huawei's, the camera is Foscam's.
    let banner = "Welcome to HiSilicon Hi3518EV200 (HiLinux)\r\nlogin: ";
    let id = check(
        &[
            (
                Kind::Http,
                "GET /description.xml HTTP/1.1",
                &upnp("Foscam", "IP camera"),
            ),
            (Kind::Banner, "", banner),
        ],
        Expect {
            manufacturer: Some("Foscam"),
            brand: None,
            covered: false,
        },
    );
    let soc = id.components.iter().find(|c| c.name == "HiSilicon");
    assert!(soc.is_some_and(|c| c.covered), "{:?}", id.components);
    // With nothing else, the SoC alone names no maker.
    let id = check(
        &[(Kind::Banner, "", banner)],
        Expect {
            manufacturer: None,
            brand: None,
            covered: false,
        },
    );
    assert!(
        id.components.iter().any(|c| c.name == "HiSilicon"),
        "{:?}",
        id.components
    );
}

#[test]
fn a_maker_outside_the_registry_is_reported_as_given() {
    let id = check(
        &[(
            Kind::Http,
            "GET /description.xml HTTP/1.1",
            &upnp("Acme Optics Co., Ltd.", "Network camera"),
        )],
        Expect {
            manufacturer: Some("Acme Optics"),
            brand: None,
            covered: false,
        },
    );
    assert!(id.unregistered);
    // A legal form alone (a certificate's organisation `Corp.`) names nobody.
    let id = check(
        &[(
            Kind::TlsCert,
            "",
            "subject: C=US, O=Corp., CN=oa.local\nissuer: C=US, O=Corp., CN=oa.local\n",
        )],
        Expect {
            manufacturer: None,
            brand: None,
            covered: false,
        },
    );
    assert!(!id.unregistered);
    // Generic words in a maker field name nobody.
    let id = check(
        &[(
            Kind::Http,
            "GET /description.xml HTTP/1.1",
            &upnp("Manufacturer", "IPCAM"),
        )],
        Expect {
            manufacturer: None,
            brand: None,
            covered: false,
        },
    );
    assert!(!id.unregistered);
}

#[test]
fn a_maker_the_device_names_wins_over_another_makers_format() {
    // A Dahua-style realm ("Login to <serial>") on a device whose ONVIF answer says Uniview:
    // the registry records no relation between them, so the device's own word wins.
    let rtsp = "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm=\"Login to 4M0747EPAA1D284\", nonce=\"000562fdY631973ef04f77a3d1c4f5a3b9b9b2e5b5\"\r\n\r\n";
    let onvif = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><env:Body><tds:GetDeviceInformationResponse><tds:Manufacturer>Uniview</tds:Manufacturer><tds:Model>IPC322LB</tds:Model><tds:FirmwareVersion>IPC_6201</tds:FirmwareVersion><tds:SerialNumber>210235C3EN3193000123</tds:SerialNumber><tds:HardwareId>IPC322LB</tds:HardwareId></tds:GetDeviceInformationResponse></env:Body></env:Envelope>";
    let id = check(
        &[
            (Kind::Rtsp, "DESCRIBE rtsp://camera/ RTSP/1.0", rtsp),
            (Kind::Onvif, "POST /onvif/device_service HTTP/1.1", onvif),
        ],
        Expect {
            manufacturer: Some("Uniview"),
            brand: None,
            covered: false,
        },
    );
    assert!(
        id.notes.iter().any(|n| n.contains("names Uniview")),
        "{:?}",
        id.notes
    );
    // A label the registry says Dahua makes agrees with Dahua's format: Dahua, labelled Amcrest.
    let amcrest = onvif.replace("Uniview", "Amcrest");
    check(
        &[
            (Kind::Rtsp, "DESCRIBE rtsp://camera/ RTSP/1.0", rtsp),
            (Kind::Onvif, "POST /onvif/device_service HTTP/1.1", &amcrest),
        ],
        Expect {
            manufacturer: Some("Dahua"),
            brand: Some("Amcrest Technologies"),
            covered: true,
        },
    );
}

#[test]
fn makers_in_a_list_of_other_devices_are_not_this_ones() {
    // A router's attached-device list names its clients' makers: none is the router's.
    // The list is the whole answer, so each client's maker is read as `json.vendor`.
    let clients = r#"[{"name":"phone","vendor":"Huawei","mac":"00:11:22:33:44:55"},{"name":"laptop","vendor":"Apple","mac":"00:11:22:33:44:66"},{"name":"tv","vendor":"Samsung","mac":"00:11:22:33:44:77"}]"#;
    check(
        &[(Kind::Http, "GET /api/clients HTTP/1.1", clients)],
        Expect {
            manufacturer: None,
            brand: None,
            covered: false,
        },
    );
}

#[test]
fn an_snmp_agent_outside_the_registry_is_named_by_its_iana_registrant() {
    // sysObjectID under Tandberg's enterprise number (5596), which the registry does not hold:
    // the IANA registrant names the maker, as given, not covered.
    let walk = "SNMPv2-MIB::sysDescr.0 = STRING: TANDBERG Codec\nSNMPv2-MIB::sysObjectID.0 = OID: SNMPv2-SMI::enterprises.5596.150.6.4.1";
    let id = check(
        &[(Kind::Banner, "snmpget system.sysDescr/sysObjectID", walk)],
        Expect {
            manufacturer: Some("Tandberg ASA"),
            brand: None,
            covered: false,
        },
    );
    assert!(id.unregistered);
    // net-snmp's own number names the agent software, not the device's maker.
    let linux = "SNMPv2-MIB::sysDescr.0 = STRING: Linux cam 3.10.14\nSNMPv2-MIB::sysObjectID.0 = OID: NET-SNMP-MIB::netSnmpAgentOIDs.10\n.1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.8072.3.2.10";
    check(
        &[(Kind::Banner, "snmpget system.sysDescr/sysObjectID", linux)],
        Expect {
            manufacturer: None,
            brand: None,
            covered: false,
        },
    );
}
