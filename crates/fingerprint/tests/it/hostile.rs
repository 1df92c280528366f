//! Hostile answers (issue 9): whatever a device sends, identification stays bounded in time and
//! memory, says which safety limit it reached, and is not fooled into naming a maker by MACs of
//! other devices or by an error page at another maker's API path. One line per case.

use super::db;
use model::{Identity, Kind, MacRole, Observation};

/// What a case expects of the identity; the structure, not the time (the time of the same
/// answers at 1 MB is measured by `bench/hostile-identify.sh`).
struct Expect {
    manufacturer: Option<&'static str>,
    covered: bool,
    /// Limits that must be recorded (kebab-case names).
    limits: &'static [&'static str],
    /// Most evidence items the identity may carry.
    max_evidence: usize,
    /// The serial the device reported for itself, when it must be found.
    serial: Option<&'static str>,
    /// MACs with whose they are, when they must be found.
    macs: &'static [(&'static str, MacRole)],
}

const fn expect(manufacturer: Option<&'static str>, covered: bool) -> Expect {
    Expect {
        manufacturer,
        covered,
        limits: &[],
        max_evidence: 256,
        serial: None,
        macs: &[],
    }
}

#[track_caller]
fn check(answers: Vec<(Kind, &str, String)>, expect: Expect) -> Identity {
    let observations: Vec<Observation> = answers
        .into_iter()
        .enumerate()
        .map(|(i, (kind, request, response))| Observation {
            id: format!("o{i}"),
            device: "d".into(),
            kind,
            address: None,
            port: None,
            request: (!request.is_empty()).then(|| request.to_string()),
            response: response.into_bytes(),
            time: None,
        })
        .collect();
    let id = db().identify("d", &observations);
    let mut shown = serde_json::to_string_pretty(&id).unwrap_or_default();
    if shown.len() > 4000 {
        shown.truncate(shown.floor_char_boundary(4000));
    }
    assert_eq!(id.manufacturer.as_deref(), expect.manufacturer, "{shown}");
    assert_eq!(id.covered, expect.covered, "covered\n{shown}");
    for limit in expect.limits {
        assert!(
            id.limits.iter().any(|l| l.limit == *limit),
            "limit {limit} not recorded\n{shown}"
        );
    }
    assert!(
        id.evidence.len() <= expect.max_evidence,
        "{} evidence items\n{shown}",
        id.evidence.len()
    );
    // Nothing an answer holds grows past what it sent: no expanded entity, no unbounded text.
    for e in &id.evidence {
        assert!(e.matched.len() <= 4096 && e.field.len() <= 256, "{e:?}");
    }
    if let Some(serial) = expect.serial {
        assert_eq!(id.keys.serial.as_deref(), Some(serial), "serial\n{shown}");
    }
    for (mac, role) in expect.macs {
        assert!(
            id.keys
                .macs
                .iter()
                .any(|m| m.mac == *mac && m.role == *role),
            "{mac} as {role:?}\n{shown}"
        );
    }
    id
}

const HIK_NS: &str = "xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"";
const ISAPI: &str = "GET /ISAPI/System/deviceInfo HTTP/1.1";

/// Billion laughs in about 20 KB: ten levels of ten references to a 2 KB entity.
fn entity_bomb() -> String {
    let mut dtd = format!("<!ENTITY l0 \"{}\">", "lol".repeat(700));
    for level in 1..10 {
        let refs = format!("&l{};", level - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY l{level} \"{refs}\">"));
    }
    let refs = "&l9;".repeat(3000);
    format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE DeviceInfo [{dtd}]>\n<DeviceInfo {HIK_NS}><model>DS-2CD2143G0-I</model><deviceName>{refs}</deviceName></DeviceInfo>"
    )
}

#[test]
fn an_entity_bomb_is_read_without_its_entities() {
    let bomb = entity_bomb();
    assert!(bomb.len() < 32 * 1024);
    let f = fingerprint::extract(Kind::Http, Some(ISAPI), bomb.as_bytes());
    assert!(
        f.iter()
            .all(|(_, vs)| vs.iter().all(|v| !v.contains("lollol"))
                || vs.iter().all(|v| v.len() <= bomb.len())),
        "an entity was expanded"
    );
    check(
        vec![(Kind::Http, ISAPI, bomb)],
        Expect {
            limits: &["dtd-ignored"],
            ..expect(Some("Hikvision"), true)
        },
    );
    // A plain DOCTYPE without an internal subset (as nmap writes) is dropped the same way.
    let plain = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE DeviceInfo><DeviceInfo {HIK_NS}><model>DS-2CD2143G0-I</model></DeviceInfo>"
    );
    check(
        vec![(Kind::Http, ISAPI, plain)],
        Expect {
            limits: &["dtd-ignored"],
            ..expect(Some("Hikvision"), true)
        },
    );
}

#[test]
fn floods_are_cut_and_said() {
    // Attribute flood: 100 attributes with 1 KB names on one element, and 100 short ones.
    let name = "a".repeat(1000);
    let mut attrs: String = (0..100).map(|i| format!(" {name}{i}=\"v\"")).collect();
    attrs.extend((0..100).map(|i| format!(" b{i}=\"v\"")));
    check(
        vec![(
            Kind::Http,
            ISAPI,
            format!("<DeviceInfo {HIK_NS}><e{attrs}/><model>DS-2CD2143G0-I</model></DeviceInfo>"),
        )],
        Expect {
            limits: &["attributes", "field-name-length"],
            ..expect(Some("Hikvision"), true)
        },
    );
    // Long JSON path names whose leaves are named like MACs.
    let key = "k".repeat(1024);
    let mut doc: String = (0..30).map(|d| format!("{{\"{key}{d}\":")).collect();
    doc.push_str("{\"mac\":\"bc:ad:28:00:00:01\"}");
    doc.push_str(&"}".repeat(30));
    check(
        vec![(Kind::Http, "GET /api HTTP/1.1", doc)],
        Expect {
            limits: &["field-name-length"],
            ..expect(None, false)
        },
    );
    // Deep JSON: a hundred thousand opening brackets.
    check(
        vec![(Kind::Http, "GET /api HTTP/1.1", "[".repeat(100_000))],
        Expect {
            limits: &["json-depth"],
            ..expect(None, false)
        },
    );
    // 80 KB of Manufacturer text (once quadratic in the registry lookup) naming every maker at
    // once: no claim to any of them (it made the device Hikvision, covered).
    let words = "Hikvision Axis Bosch Dahua ".repeat(3000);
    check(
        vec![(
            Kind::Onvif,
            "",
            format!(
                "<GetDeviceInformationResponse><Manufacturer>{words}</Manufacturer></GetDeviceInformationResponse>"
            ),
        )],
        Expect {
            limits: &["value-length"],
            ..expect(None, false)
        },
    );
    // The same in a UPnP description, where names are spotted rather than captured.
    check(
        vec![(
            Kind::Http,
            "GET / HTTP/1.1",
            format!(
                "<root><device><manufacturer>{words}</manufacturer><modelName>{words}</modelName></device></root>"
            ),
        )],
        Expect {
            limits: &["value-length"],
            ..expect(None, false)
        },
    );
}

#[test]
fn many_big_answers_keep_evidence_bounded() {
    // 40 answers of about 54 KB, each with 1000 distinct models (each a fingerprint hit) and
    // 1000 distinct MACs.
    let answers = (0..40)
        .map(|a| {
            let items: String = (0..1000)
                .map(|i| {
                    format!(
                        "<model>DS-2CD{a:02}{i:03}-I</model><macAddress>bc:ad:28:{a:02x}:{:02x}:{:02x}</macAddress>",
                        i >> 8,
                        i & 255
                    )
                })
                .collect();
            (Kind::Http, ISAPI, format!("<DeviceInfo {HIK_NS}>{items}</DeviceInfo>"))
        })
        .collect();
    check(
        answers,
        Expect {
            limits: &["evidence"],
            ..expect(Some("Hikvision"), true)
        },
    );
}

#[test]
fn macs_of_other_devices_are_not_the_makers() {
    // A router's DHCP client list holding Hikvision cameras: the router is not Hikvision.
    let clients = r#"{"result":{"dhcp_clients":[{"hostname":"cam1","mac":"bc:ad:28:00:00:01"},{"hostname":"cam2","mac":"BC-AD-28-00-00-02"}]}}"#;
    check(
        vec![(Kind::Http, "GET /api/lan/clients HTTP/1.1", clients.into())],
        Expect {
            macs: &[
                ("bc:ad:28:00:00:01", MacRole::Other),
                ("bc:ad:28:00:00:02", MacRole::Other),
            ],
            ..expect(None, false)
        },
    );
    // One client is still a client: the element is named as one.
    let one = "<LanHosts><Host><MACAddress>bc:ad:28:00:00:03</MACAddress></Host></LanHosts>";
    check(
        vec![(Kind::Http, "GET /lan HTTP/1.1", one.into())],
        Expect {
            macs: &[("bc:ad:28:00:00:03", MacRole::Other)],
            ..expect(None, false)
        },
    );
    // The same page with a document type declaration and an entity it refers to: the parser
    // refuses it (entities are never expanded) and the fallback reader, which sees no
    // structure, must not make the client's MAC the router's own (found in review).
    let refused = "<!DOCTYPE r [<!ENTITY x \"y\">]><LanHosts><Host><name>&x;</name><MACAddress>bc:ad:28:00:00:04</MACAddress></Host></LanHosts>";
    check(
        vec![(Kind::Http, "GET /lan HTTP/1.1", refused.into())],
        Expect {
            macs: &[("bc:ad:28:00:00:04", MacRole::Other)],
            limits: &["dtd-ignored"],
            ..expect(None, false)
        },
    );
    // The device's own information: its MAC and serial are its own keys.
    let own = format!(
        "<DeviceInfo {HIK_NS}><model>DS-2CD2143G0-I</model><serialNumber>DS-2CD2143G0-I20190101AAWRC12345678</serialNumber><macAddress>BC:AD:28:12:34:56</macAddress></DeviceInfo>"
    );
    check(
        vec![(Kind::Http, ISAPI, own)],
        Expect {
            serial: Some("DS-2CD2143G0-I20190101AAWRC12345678"),
            macs: &[("bc:ad:28:12:34:56", MacRole::Own)],
            ..expect(Some("Hikvision"), true)
        },
    );
    // A masked or short serial is no key.
    let masked = "serialNumber=4X7C5****21L3F\ndeviceType=IPC-HDW5831R-ZE\n";
    let id = check(
        vec![(
            Kind::Http,
            "GET /cgi-bin/magicBox.cgi?action=getSystemInfo HTTP/1.1",
            masked.into(),
        )],
        expect(Some("Dahua"), true),
    );
    assert_eq!(id.keys.serial, None);
}

#[test]
fn an_error_page_at_another_makers_api_path_is_not_that_maker() {
    for status in [
        "403 Forbidden",
        "405 Method Not Allowed",
        "401 Unauthorized",
    ] {
        let answer = format!(
            "HTTP/1.1 {status}\r\nServer: nginx\r\nContent-Type: application/xml\r\n\r\n<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>denied</Message></Error>"
        );
        check(vec![(Kind::Http, ISAPI, answer)], expect(None, false));
    }
    let magic = "HTTP/1.1 403 Forbidden\r\nServer: lighttpd\r\nContent-Type: text/plain\r\n\r\nerror=forbidden\n";
    check(
        vec![(
            Kind::Http,
            "GET /cgi-bin/magicBox.cgi?action=getSystemInfo HTTP/1.1",
            magic.into(),
        )],
        expect(None, false),
    );
}
