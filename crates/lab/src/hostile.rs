//! Hostile personas: fake devices whose answers are written by an attacker to crash, stall,
//! bloat or fool a scanner (issue 9). Each kind reproduces one attack seen against the
//! released code: entity expansion, attribute and JSON-path blow-ups, quadratic name lookups,
//! unbounded evidence, tarpits, byte drips, UDP floods, a cloned serial and a router listing
//! other devices' MAC addresses. `lab serve --hostile N` lays them out beside the good devices;
//! the truth file marks them with `hostile: "<kind>"`.
//!
//! Only the serial clone is truly covered (it is a Hikvision that lies about which unit it
//! is); every other kind must come out of a scan as not covered, whatever its answers say.

use crate::persona::{Behaviour, Persona, Proto, Service, Truth};
use serde::Serialize;
use std::time::Duration;

/// The kinds of hostile device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hostile {
    /// An XML answer declaring nested entities (billion laughs) and referencing them often.
    EntityBomb,
    /// XML with thousands of elements carrying long attribute names.
    AttributeFlood,
    /// JSON nested 100,000 levels, and JSON with wide objects under long key paths.
    DeepJson,
    /// UPnP and ONVIF answers with 80 KB of registry names in `Manufacturer`.
    HugeManufacturer,
    /// About 40 answers of 54 KB each, on many ports.
    ManyBigAnswers,
    /// Accepts on many ports and never answers, holding the connection.
    Tarpit,
    /// Answers one byte every 200 ms on many ports, never finishing (until the lab's one-minute
    /// cap on any connection).
    ByteDrip,
    /// Answers each discovery datagram with a flood of valid-looking replies.
    UdpFlood,
    /// A Hikvision that reports the serial number of another lab device.
    SerialClone,
    /// A Netgear router whose status page lists DHCP clients with Hikvision and Dahua MACs.
    MacListRouter,
}

impl Hostile {
    pub const ALL: [Hostile; 10] = [
        Hostile::EntityBomb,
        Hostile::AttributeFlood,
        Hostile::DeepJson,
        Hostile::HugeManufacturer,
        Hostile::ManyBigAnswers,
        Hostile::Tarpit,
        Hostile::ByteDrip,
        Hostile::UdpFlood,
        Hostile::SerialClone,
        Hostile::MacListRouter,
    ];

    /// The kebab-case name used in the truth file and persona ids.
    pub fn name(self) -> &'static str {
        match self {
            Hostile::EntityBomb => "entity-bomb",
            Hostile::AttributeFlood => "attribute-flood",
            Hostile::DeepJson => "deep-json",
            Hostile::HugeManufacturer => "huge-manufacturer",
            Hostile::ManyBigAnswers => "many-big-answers",
            Hostile::Tarpit => "tarpit",
            Hostile::ByteDrip => "byte-drip",
            Hostile::UdpFlood => "udp-flood",
            Hostile::SerialClone => "serial-clone",
            Hostile::MacListRouter => "mac-list-router",
        }
    }

    /// Whether a correct scanner reports this kind as covered equipment.
    pub fn looks_covered(self) -> bool {
        self == Hostile::SerialClone
    }
}

/// Ports the multi-port kinds (many big answers, tarpit, byte drip) answer on: enough that a
/// scanner without a per-host budget pays for each port many times over, few enough that a
/// scan of the lab stays quick for everyone else (closed ports cost one reset each).
pub const MANY_PORTS: [u16; 14] = [
    80, 8100, 8101, 8102, 8103, 8104, 8105, 8106, 8107, 8108, 8109, 8110, 8111, 8112,
];

/// Distinct replies sent for each discovery datagram: more than the scanner's whole reply cap
/// per protocol (1,024 in the released code), so one flooder can fill it alone.
pub const FLOOD_REPLIES: usize = 1_500;

/// Replies sent back to back before a pause. The flood is paced so that the receiving
/// socket's kernel buffer is not what drops replies: the test is of the scanner's caps.
pub const FLOOD_BURST: usize = 50;

/// The pause between bursts (10,000 replies a second).
pub const FLOOD_PAUSE: Duration = Duration::from_millis(5);

/// Replaced by the reply's number in flood templates, so that every reply is distinct and
/// no duplicate check can discard it.
pub const FLOOD_MARK: &str = "{n}";

/// The interval between the bytes of a byte drip: slow enough that no answer ever completes,
/// fast enough that a per-read idle timeout never fires.
pub const DRIP_INTERVAL: Duration = Duration::from_millis(200);

/// Size of the entity bomb's answer: the ~20 KB that made the released code try to allocate
/// 7.5 GB.
pub const ENTITY_BOMB_BYTES: usize = 20 * 1024;

/// The entity bomb's literal entity: half of the answer.
pub const BOMB_LITERAL_BYTES: usize = 10 * 1024;

/// References to the literal in the entity the body references: just under roxmltree's limit
/// of 255 references resolved under one top-level reference.
pub const BOMB_FANOUT: usize = 250;

/// Size of the attribute flood, deep JSON and huge-manufacturer answers: large, but under the
/// scanner's 256 KiB answer cap, so that the whole answer reaches identification.
pub const BIG_BODY_BYTES: usize = 240 * 1024;

/// Nesting depth of the deep JSON answer.
pub const JSON_DEPTH: usize = 100_000;

/// Levels of the wide JSON answer: under serde_json's recursion limit (128), so that the
/// document parses and every long path name is built.
pub const WIDE_JSON_DEPTH: usize = 100;

/// Text in the huge-manufacturer answers' `Manufacturer` elements.
pub const MANUFACTURER_TEXT_BYTES: usize = 80 * 1024;

/// Size of each of the many big answers: the 54 KB of the reported case.
pub const MANY_ANSWER_BYTES: usize = 54 * 1024;

/// The serial clone copies this evaluation device (a Hikvision camera whose ISAPI deviceInfo
/// carries its serial number).
pub const CLONED_PERSONA: &str = "hik-001";

/// One persona per hostile kind, in `Hostile::ALL` order. `catalog` holds the good personas
/// (the serial clone copies one of them).
pub fn personas(catalog: &[Persona]) -> Vec<Persona> {
    Hostile::ALL
        .iter()
        .filter_map(|&kind| persona(kind, catalog))
        .collect()
}

fn persona(kind: Hostile, catalog: &[Persona]) -> Option<Persona> {
    let not_covered = Truth::default();
    let (truth, behaviour, services) = match kind {
        Hostile::EntityBomb => {
            let bomb = entity_bomb();
            (
                not_covered,
                Behaviour::Normal,
                vec![http(
                    80,
                    vec![
                        ("GET /", ok("application/xml", &bomb)),
                        // An error answer at Hikvision's API path, as a non-Hikvision server
                        // would give it: neither the bomb nor the path may make it Hikvision.
                        (
                            "GET /ISAPI/System/deviceInfo",
                            answer("403 Forbidden", "application/xml", &bomb),
                        ),
                    ],
                )],
            )
        }
        Hostile::AttributeFlood => (
            not_covered,
            Behaviour::Normal,
            vec![http(
                80,
                vec![("GET /", ok("application/xml", &attribute_flood()))],
            )],
        ),
        Hostile::DeepJson => (
            not_covered,
            Behaviour::Normal,
            vec![
                http(80, vec![("GET /", ok("application/json", &deep_json()))]),
                http(8080, vec![("GET /", ok("application/json", &wide_json()))]),
            ],
        ),
        Hostile::HugeManufacturer => {
            let (upnp, onvif) = huge_manufacturer();
            (
                not_covered,
                Behaviour::Normal,
                vec![http(
                    80,
                    vec![
                        ("GET /", ok("text/xml", &upnp)),
                        (
                            "POST /onvif/device_service",
                            ok("application/soap+xml", &onvif),
                        ),
                    ],
                )],
            )
        }
        Hostile::ManyBigAnswers => {
            let big = many_big_answer();
            let answers = vec![
                ("GET /", ok("application/soap+xml", &big)),
                (
                    "POST /onvif/device_service",
                    ok("application/soap+xml", &big),
                ),
            ];
            (
                not_covered,
                Behaviour::Normal,
                MANY_PORTS
                    .iter()
                    .map(|&p| http(p, answers.clone()))
                    .collect(),
            )
        }
        Hostile::Tarpit => (not_covered, Behaviour::Silent, many_ports_empty()),
        Hostile::ByteDrip => (not_covered, Behaviour::Drip, many_ports_empty()),
        Hostile::UdpFlood => (
            not_covered,
            Behaviour::Flood,
            vec![
                udp(3702, wsd_flood_template()),
                udp(1900, ssdp_flood_template()),
            ],
        ),
        Hostile::SerialClone => {
            let original = catalog.iter().find(|p| p.id == CLONED_PERSONA)?;
            (
                original.truth.clone(),
                Behaviour::Normal,
                serial_clone(&original.services),
            )
        }
        Hostile::MacListRouter => (
            Truth {
                manufacturer: Some("Netgear".into()),
                brand: Some("Netgear".into()),
                covered: false,
            },
            Behaviour::Normal,
            vec![http(
                80,
                vec![("GET /", ok("application/xml", &router_status()))],
            )],
        ),
    };
    debug_assert_eq!(truth.covered, kind.looks_covered(), "{}", kind.name());
    Some(Persona {
        id: format!("hostile-{}", kind.name()),
        truth,
        first_contact: true,
        behaviour,
        services,
        hostile: Some(kind),
    })
}

fn http(port: u16, answers: Vec<(&str, Vec<u8>)>) -> Service {
    Service {
        port,
        proto: Proto::Http,
        tls: None,
        answers: answers
            .into_iter()
            .map(|(k, a)| (format!("{k} HTTP/1.1"), a))
            .collect(),
    }
}

fn udp(port: u16, template: String) -> Service {
    Service {
        port,
        proto: Proto::Udp,
        tls: None,
        answers: vec![(String::new(), template.into_bytes())],
    }
}

/// The multi-port kinds that never send a real answer still listen on every port.
fn many_ports_empty() -> Vec<Service> {
    MANY_PORTS.iter().map(|&p| http(p, Vec::new())).collect()
}

fn ok(ctype: &str, body: &str) -> Vec<u8> {
    answer("200 OK", ctype, body)
}

fn answer(status: &str, ctype: &str, body: &str) -> Vec<u8> {
    let mut v = format!(
        "HTTP/1.1 {status}\r\nServer: webserver\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body.as_bytes());
    v
}

/// Entity expansion shaped to pass roxmltree's loop detector (at most 10 levels, at most 255
/// references under one top-level reference, any number of top-level references): one large
/// literal entity, one entity referencing it `BOMB_FANOUT` times, and that one referenced until
/// the answer reaches `ENTITY_BOMB_BYTES`. Expanded, the answer is about 5 GB. The root carries
/// `version="2.0"`, as Hikvision's ISAPI documents do, so that a scanner asks this device's
/// ISAPI path as well.
fn entity_bomb() -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE status [\n");
    s.push_str(&format!(
        "<!ENTITY e0 \"{}\">\n",
        "lol".repeat(BOMB_LITERAL_BYTES / 3)
    ));
    s.push_str(&format!(
        "<!ENTITY e1 \"{}\">\n",
        "&e0;".repeat(BOMB_FANOUT)
    ));
    s.push_str("]>\n<status version=\"2.0\">\n<deviceName>");
    let tail = "</deviceName>\n</status>\n";
    while s.len() + "&e1;".len() + tail.len() <= ENTITY_BOMB_BYTES {
        s.push_str("&e1;");
    }
    s.push_str(tail);
    s
}

/// Thousands of elements, each with several long, distinct attribute names.
fn attribute_flood() -> String {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<config>\n");
    let name = "a".repeat(48);
    let tail = "</config>\n";
    let mut i = 0usize;
    loop {
        let element = format!("<setting {name}x{i}=\"1\" {name}y{i}=\"2\" {name}z{i}=\"3\"/>\n");
        if s.len() + element.len() + tail.len() > BIG_BODY_BYTES {
            break;
        }
        s.push_str(&element);
        i += 1;
    }
    s.push_str(tail);
    s
}

/// An object holding arrays nested `JSON_DEPTH` levels deep.
fn deep_json() -> String {
    let mut s = String::with_capacity(2 * JSON_DEPTH + 32);
    s.push_str("{\"deviceInfo\":");
    s.push_str(&"[".repeat(JSON_DEPTH));
    s.push_str(&"]".repeat(JSON_DEPTH));
    s.push('}');
    s
}

/// A chain of objects, each level with several leaves under long keys and one nested object:
/// every leaf's path repeats every key above it, so path names grow with the square of depth.
fn wide_json() -> String {
    const LEAVES: usize = 6;
    // Each level: its leaves and its nested key (key, quotes, suffix), and a closing brace.
    let key_len = BIG_BODY_BYTES / WIDE_JSON_DEPTH / (LEAVES + 1) - 16;
    let key = "k".repeat(key_len);
    let mut s = String::from("{");
    for depth in 0..WIDE_JSON_DEPTH {
        for leaf in 0..LEAVES {
            s.push_str(&format!("\"{key}{depth}_{leaf}\":\"v\","));
        }
        s.push_str(&format!("\"{key}{depth}\":{{"));
    }
    s.push_str("\"end\":1");
    s.push_str(&"}".repeat(WIDE_JSON_DEPTH + 1));
    s
}

/// Registry names, repeated: a lookup that is quadratic in the text stalls on it, and a
/// value naming several makers at once is no claim to be any one of them.
fn manufacturer_text() -> String {
    let names = "Hikvision Dahua Huawei ZTE Hytera Axis Bosch Hanwha ";
    let mut s = names.repeat(MANUFACTURER_TEXT_BYTES / names.len() + 1);
    s.truncate(MANUFACTURER_TEXT_BYTES);
    s
}

/// A UPnP device description and an ONVIF GetDeviceInformation answer, each with the huge
/// manufacturer text; the UPnP one padded to about `BIG_BODY_BYTES` with more huge fields.
fn huge_manufacturer() -> (String, String) {
    let text = manufacturer_text();
    let upnp_head = format!(
        "<?xml version=\"1.0\"?>\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1</major><minor>0</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><manufacturer>{text}</manufacturer><modelName>"
    );
    let upnp_tail = "</modelName><serialNumber>0</serialNumber></device></root>\n";
    let pad = BIG_BODY_BYTES.saturating_sub(upnp_head.len() + upnp_tail.len());
    let mut model = text.repeat(pad / text.len() + 1);
    model.truncate(pad);
    let upnp = format!("{upnp_head}{model}{upnp_tail}");
    let onvif = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><env:Body><tds:GetDeviceInformationResponse><tds:Manufacturer>{text}</tds:Manufacturer><tds:Model>{text}</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion><tds:SerialNumber>0</tds:SerialNumber><tds:HardwareId>1</tds:HardwareId></tds:GetDeviceInformationResponse></env:Body></env:Envelope>\n"
    );
    (upnp, onvif)
}

/// An ONVIF-looking answer of `MANY_ANSWER_BYTES` made of many distinct, matching fields, so
/// that each answer yields thousands of evidence items. It names ONVIF, so a scanner also
/// sends its ONVIF calls to every port: about 40 answers in all.
fn many_big_answer() -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><env:Body><tds:GetDeviceInformationResponse>",
    );
    let tail = "</tds:GetDeviceInformationResponse></env:Body></env:Envelope>\n";
    let mut i = 0usize;
    loop {
        let item =
            format!("<tds:Manufacturer>AXIS</tds:Manufacturer><tds:Model>P3245-LV {i}</tds:Model>");
        if s.len() + item.len() + tail.len() > MANY_ANSWER_BYTES {
            break;
        }
        s.push_str(&item);
        i += 1;
    }
    s.push_str(tail);
    s
}

/// A WS-Discovery ProbeMatch of a non-covered camera; `FLOOD_MARK` makes each reply distinct.
fn wsd_flood_template() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\"><SOAP-ENV:Header><wsa:MessageID>urn:uuid:00000000-0000-4000-8000-{m:0>12}</wsa:MessageID><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header><SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:11111111-0000-4000-8000-{m:0>12}</wsa:Address></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/AXIS onvif://www.onvif.org/hardware/P3245-LV</d:Scopes><d:XAddrs>http://127.0.0.1/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>",
        m = FLOOD_MARK
    )
}

/// An SSDP answer of a non-covered (Axis) camera; `FLOOD_MARK` makes each reply distinct.
fn ssdp_flood_template() -> String {
    format!(
        "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://127.0.0.1:45895/rootdesc{m}.xml\r\nSERVER: Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18\r\nST: urn:axis-com:service:BasicService:1\r\nUSN: uuid:Upnp-BasicDevice-1_0-ACCC8E{m}::urn:axis-com:service:BasicService:1\r\n\r\n",
        m = FLOOD_MARK
    )
}

/// The cloned device's services, with its own MAC address changed: only the serial number is
/// borrowed, as a second unit claiming the first one's identity would do.
fn serial_clone(services: &[Service]) -> Vec<Service> {
    services
        .iter()
        .map(|s| Service {
            answers: s
                .answers
                .iter()
                .map(|(k, a)| {
                    let text = String::from_utf8_lossy(a);
                    let changed = replace_element(&text, "macAddress", "c0:56:e3:11:22:33");
                    (k.clone(), fix_length(changed).into_bytes())
                })
                .collect(),
            ..s.clone()
        })
        .collect()
}

fn replace_element(text: &str, name: &str, value: &str) -> String {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    match (text.find(&open), text.find(&close)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{open}{value}{}", &text[..a], &text[b..])
        }
        _ => text.to_string(),
    }
}

/// Keep a `Content-Length` header true after the body changed.
fn fix_length(answer: String) -> String {
    let Some(end) = answer.find("\r\n\r\n") else {
        return answer;
    };
    let (head, body) = answer.split_at(end + 4);
    let lines: Vec<String> = head
        .split("\r\n")
        .map(|l| {
            if l.to_ascii_lowercase().starts_with("content-length:") {
                format!("Content-Length: {}", body.len())
            } else {
                l.to_string()
            }
        })
        .collect();
    format!("{}{body}", lines.join("\r\n"))
}

/// A Netgear router's status answer: its own LAN MAC (a Netgear OUI) and its DHCP clients,
/// cameras whose MACs carry Hikvision (04:03:12, 08:54:11) and Dahua (08:ED:ED) OUIs. Those
/// MACs are the clients', not the router's. Nothing else names the router, as on many status
/// pages: a scanner that takes any MAC in an answer for the answerer's calls it Hikvision.
fn router_status() -> String {
    let clients = [
        ("192.168.1.2", "04:03:12:3a:5b:7c", "camera-yard"),
        ("192.168.1.3", "08:54:11:0a:0b:0c", "camera-gate"),
        ("192.168.1.4", "08:ED:ED:21:43:65", "nvr"),
        ("192.168.1.5", "02:00:00:00:00:05", "laptop"),
    ];
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RouterStatus><ModelName>R7000</ModelName><LANMACAddress>00:14:6c:12:34:56</LANMACAddress><DHCPClients>",
    );
    for (ip, mac, name) in clients {
        s.push_str(&format!(
            "<Client><IPAddress>{ip}</IPAddress><MACAddress>{mac}</MACAddress><HostName>{name}</HostName></Client>"
        ));
    }
    s.push_str("</DHCPClients><AttachedDevices>");
    for (ip, mac, _) in clients {
        s.push_str(&format!("<Device ip=\"{ip}\" mac=\"{mac}\"/>"));
    }
    s.push_str("</AttachedDevices></RouterStatus>\n");
    s
}
