//! UDP discovery: every `parse` on captured answers and on arbitrary bytes; `discover` against
//! fake devices on loopback addresses (one per protocol, unicast), and multicast against a fake
//! device inside a network namespace the test creates and removes itself.
//!
//! The captured answers below are the examples of `fingerprints/discovery-*.toml`, with the
//! same sources cited there.

use proptest::prelude::*;
use scan::discover::{self, DiscoverConfig, Protocol, dhip, sadp, ssdp, wsd};
use std::fmt::Debug;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

// ---------------------------------------------------------------- captured answers

/// GetScopes answer of a Hikvision DS-2CD2143G0-I wrapped in a ProbeMatch, from
/// https://github.com/RiftValleySoftware/RVS_ONVIF/blob/master/RVS_ONVIF/GenericTests/Mocks/HikvisionDS2CD2143G0IMock.swift
/// (as in fingerprints/ws-discovery/scope.toml).
const WSD_HIKVISION: &str = r#"<d:ProbeMatches xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><d:ProbeMatch><d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/Profile/G onvif://www.onvif.org/MAC/58:03:fb:8a:57:9b onvif://www.onvif.org/hardware/DS-2CD2143G0-I onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G0-I onvif://www.onvif.org/location/city/hangzhou</d:Scopes></d:ProbeMatch></d:ProbeMatches>"#;

/// Xiongmai ProbeMatch with XAddrs, from https://github.com/ZoneMinder/zoneminder/pull/1645
/// (as in fingerprints/ws-discovery/scope.toml).
const WSD_XIONGMAI: &str = r#"<d:ProbeMatches xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><d:ProbeMatch><d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/type/audio_encoder onvif://www.onvif.org/hardware/IPC-model onvif://www.onvif.org/location/country/china onvif://www.onvif.org/name/NVT</d:Scopes><d:XAddrs>http://192.168.1.83:8899/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches>"#;

/// Axis M-SEARCH answer, from
/// https://github.com/FantasticFiasco/axis-js/blob/main/packages/axis-discovery-ssdp/test/sockets/Message.mock.ts
/// (as in fingerprints/ssdp/; lines end in `\n` there, `\r\n` on the wire).
const SSDP_AXIS: &str = "HTTP/1.1 200 OK
CACHE-CONTROL: max-age=1800
DATE: Sun, 02 Oct 2016 21:11:25 GMT
EXT:
LOCATION: http://192.168.1.102:45895/rootdesc1.xml
OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01
01-NLS: 8fb2638a-1dd2-11b2-a915-c89968cce2ca
SERVER: Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18
X-User-Agent: redsonic
ST: urn:axis-com:service:BasicService:1
USN: uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::urn:axis-com:service:BasicService:1

";

/// Axis NOTIFY byebye, same source.
const SSDP_AXIS_NOTIFY: &str = "NOTIFY * HTTP/1.1
HOST: 239.255.255.250:1900
CACHE-CONTROL: max-age=1800
LOCATION: http://192.168.1.102:45895/rootdesc1.xml
NT: urn:axis-com:service:BasicService:1
NTS: ssdp:byebye
SERVER: Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18
USN: uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::urn:axis-com:service:BasicService:1

";

/// SADP answer of a DS-7804HQH-K1 DVR, from https://www.mhzhuji.com/zhuji_info_958/
/// (as in fingerprints/sadp/xml.toml).
const SADP_DS7804: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<ProbeMatch>
    <Uuid>8282F1DB-2FA6-4709-B261-3C6B6A48CA17</Uuid>
    <Types>inquiry</Types>
    <Encrypt>true</Encrypt>
    <Salt>9bb2be4e49c225d4e57e659ecb97214a1ba295f2f7bec69bba7df83c55cc5e18</Salt>
    <DeviceType>44322</DeviceType>
    <DeviceDescription>DS-7804HQH-K1</DeviceDescription>
    <DeviceSN>DS-7804HQH-K10420190822CCCHD53257168WCVU</DeviceSN>
    <CommandPort>8000</CommandPort>
    <HttpPort>80</HttpPort>
    <MAC>68-6d-bc-ee-f8-f0</MAC>
    <IPv4Address>192.168.1.227</IPv4Address>
    <IPv4SubnetMask>255.255.255.0</IPv4SubnetMask>
    <IPv4Gateway>192.168.1.1</IPv4Gateway>
    <IPv6Address>fe80::6a6d:bcff:feee:f8f0</IPv6Address>
    <IPv6Gateway>::</IPv6Gateway>
    <IPv6MaskLen>64</IPv6MaskLen>
    <DHCP>false</DHCP>
    <AnalogChannelNum>4</AnalogChannelNum>
    <DigitalChannelNum>5</DigitalChannelNum>
    <SoftwareVersion>V3.5.38build 191215</SoftwareVersion>
    <DSPVersion>V5.0, build 191213</DSPVersion>
    <BootTime>2021-05-19 14:31:12</BootTime>
    <OEMInfo>N/A</OEMInfo>
    <Activated>true</Activated>
    <PasswordResetAbility>true</PasswordResetAbility>
    <SyncIPCPassword>true</SyncIPCPassword>
    <PasswordResetModeSecond>true</PasswordResetModeSecond>
    <DeviceLock>true</DeviceLock>
    <SupportGUID>true</SupportGUID>
    <SupportSecurityQuestion>true</SupportSecurityQuestion>
    <SupportHCPlatform>true</SupportHCPlatform>
</ProbeMatch>
"#;

/// DHIP body of a Dahua IPC-HDW5421S, from
/// https://github.com/Phenomite/AMP-Research/blob/master/DVR%20IP%20Camera%20port%2037810/README.md
/// (Aug 2020 revision, as in fingerprints/dhip/; the 32-byte header is omitted
/// there, `dhip_frame` puts it back).
const DHIP_DAHUA: &str = r#"{ "mac" : "4c:11:bf:c2:0b:9d", "method" : "client.notifyDevInfo", "params" : { "deviceInfo" : { "AlarmInputChannels" : 0, "AlarmOutputChannels" : 0, "DeviceClass" : "IPC", "DeviceType" : "IPC-HDW5421S", "HttpPort" : 80, "IPv4Address" : { "DefaultGateway" : "218.5.136.1", "DhcpEnable" : false, "IPAddress" : "218.5.136.140", "SubnetMask" : "255.255.255.0" }, "IPv6Address" : { "DefaultGateway" : "2001:250:3000:1::1:1", "DhcpEnable" : false, "IPAddress" : "2001:250:3000:1::1:2\/112", "LinkLocalAddress" : "fe80::4e11:bfff:fec2:0b9d\/64" }, "MachineName" : "1F006E4PAX00075", "Manufacturer" : "Private", "Port" : 37777, "RemoteVideoInputChannels" : 0, "SerialNo" : "1F006E4PAX00075", "Vendor" : "Dahua", "Version" : "2.400.0.8", "VideoInputChannels" : 1, "VideoOutputChannels" : 16 } } }"#;

/// DHIP body of an Intelbras MHDX 1016 DVR (a Dahua OEM unit), same source.
const DHIP_INTELBRAS: &str = r#"{"mac":"58:10:8c:4d:3b:fa","method":"client.notifyDevInfo","params":{"deviceInfo":{"AlarmInputChannels":0,"AlarmOutputChannels":0,"DeviceClass":"MHDX","DeviceType":"MHDX 1016","HttpPort":1101,"IPv4Address":{"DefaultGateway":"192.168.15.1","DhcpEnable":false,"IPAddress":"192.168.15.110","SubnetMask":"255.255.255.0"},"IPv6Address":{"DefaultGateway":"fe80::1272:23ff:fe4c:1d5a","DhcpEnable":true,"IPAddress":"2804:7f4:5380:8bc5:5810:8cff:fe4d:3bfa\/64","LinkLocalAddress":"fe80::5a10:8cff:fe4d:3bfa\/64"},"MachineName":"KELVIN","Manufacturer":"Intelbras","Port":1102,"RemoteVideoInputChannels":2,"SerialNo":"O9RF220012635","Vendor":"Intelbras","Version":"3.210.IB01.3","VideoInputChannels":16,"VideoOutputChannels":0}}}"#;

/// A DHIP frame as devices send it: header (0x20, "DHIP", ids 0, length, 0, length, 0) + body.
/// Written out here, independently of `dhip::request`.
fn dhip_frame(body: &str) -> Vec<u8> {
    let len = body.len() as u32;
    let mut out = vec![0x20, 0, 0, 0, b'D', b'H', b'I', b'P'];
    out.extend([0u8; 8]);
    out.extend(len.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(len.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(body.as_bytes());
    out
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

fn words(v: &str) -> Vec<String> {
    v.split_whitespace().map(str::to_string).collect()
}

#[track_caller]
fn check<R: PartialEq + Debug, E: Debug>(
    parse: fn(&[u8]) -> Result<R, E>,
    input: &[u8],
    expect: R,
) {
    match parse(input) {
        Ok(got) => assert_eq!(got, expect),
        Err(e) => panic!("rejected: {e:?}\ninput: {}", String::from_utf8_lossy(input)),
    }
}

#[track_caller]
fn rejects<R: Debug, E: std::fmt::Display>(parse: fn(&[u8]) -> Result<R, E>, input: &[u8]) {
    match parse(input) {
        Ok(got) => panic!(
            "accepted {got:?}\ninput: {}",
            String::from_utf8_lossy(input)
        ),
        // Error messages are lower case and say what was wrong.
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

// ---------------------------------------------------------------- parse

#[test]
fn wsd_parse() {
    check(
        wsd::parse,
        WSD_HIKVISION.as_bytes(),
        wsd::Reply {
            endpoint: None,
            types: words("dn:NetworkVideoTransmitter tds:Device"),
            scopes: words(
                "onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/Profile/G onvif://www.onvif.org/MAC/58:03:fb:8a:57:9b onvif://www.onvif.org/hardware/DS-2CD2143G0-I onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G0-I onvif://www.onvif.org/location/city/hangzhou",
            ),
            xaddrs: vec![],
        },
    );
    check(
        wsd::parse,
        WSD_XIONGMAI.as_bytes(),
        wsd::Reply {
            endpoint: None,
            types: vec![],
            scopes: words(
                "onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/type/audio_encoder onvif://www.onvif.org/hardware/IPC-model onvif://www.onvif.org/location/country/china onvif://www.onvif.org/name/NVT",
            ),
            xaddrs: words("http://192.168.1.83:8899/onvif/device_service"),
        },
    );
    // A full SOAP envelope with header, endpoint reference, line breaks in Scopes and two
    // XAddrs, as Hikvision firmware sends it.
    let envelope = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsadis="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">
 <env:Header><wsadis:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsadis:Action></env:Header>
 <env:Body><d:ProbeMatches><d:ProbeMatch>
  <wsadis:EndpointReference><wsadis:Address>urn:uuid:18ec6401-3aa0-11b5-83f6-b4a3820fd92d</wsadis:Address></wsadis:EndpointReference>
  <d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>
  <d:Scopes>
   onvif://www.onvif.org/type/video_encoder
   onvif://www.onvif.org/name/HIKVISION%20DS-2CD3955FWD-IWS
  </d:Scopes>
  <d:XAddrs>http://192.168.0.218/onvif/device_service http://[fe80::b6a3:82ff:fe0f:d92d]/onvif/device_service</d:XAddrs>
  <d:MetadataVersion>10</d:MetadataVersion>
 </d:ProbeMatch></d:ProbeMatches></env:Body>
</env:Envelope>{}"#,
        "\0\0"
    );
    check(
        wsd::parse,
        envelope.as_bytes(),
        wsd::Reply {
            endpoint: s("urn:uuid:18ec6401-3aa0-11b5-83f6-b4a3820fd92d"),
            types: words("dn:NetworkVideoTransmitter tds:Device"),
            scopes: words(
                "onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/HIKVISION%20DS-2CD3955FWD-IWS",
            ),
            xaddrs: words(
                "http://192.168.0.218/onvif/device_service http://[fe80::b6a3:82ff:fe0f:d92d]/onvif/device_service",
            ),
        },
    );
    // Our own probe (another scanner's probe) is not a device answer; neither is junk.
    rejects(
        wsd::parse,
        &wsd::request("0e1b4c4e-7d0f-4a8e-9a44-0b6a4f6c3c11"),
    );
    rejects(wsd::parse, b"");
    rejects(
        wsd::parse,
        b"<d:ProbeMatches xmlns:d=\"x\"></d:ProbeMatches>",
    );
    rejects(wsd::parse, &SADP_DS7804.as_bytes()[..40]);
    // No DTDs: entity tricks are refused, not expanded.
    rejects(
        wsd::parse,
        br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ProbeMatch><Types>&a;</Types></ProbeMatch>"#,
    );
}

#[test]
fn ssdp_parse() {
    let axis = ssdp::Reply {
        start_line: "HTTP/1.1 200 OK".into(),
        server: s("Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18"),
        usn: s("uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::urn:axis-com:service:BasicService:1"),
        location: s("http://192.168.1.102:45895/rootdesc1.xml"),
        st: s("urn:axis-com:service:BasicService:1"),
    };
    check(ssdp::parse, SSDP_AXIS.as_bytes(), axis.clone());
    check(ssdp::parse, &crlf(SSDP_AXIS), axis.clone());
    check(
        ssdp::parse,
        &crlf(SSDP_AXIS_NOTIFY),
        ssdp::Reply {
            start_line: "NOTIFY * HTTP/1.1".into(),
            ..axis
        },
    );
    // Header names in any case, no space after the colon.
    check(
        ssdp::parse,
        b"HTTP/1.1 200 OK\r\nst:upnp:rootdevice\r\nUsn:uuid:1::upnp:rootdevice\r\n\r\n",
        ssdp::Reply {
            start_line: "HTTP/1.1 200 OK".into(),
            server: None,
            usn: s("uuid:1::upnp:rootdevice"),
            location: None,
            st: s("upnp:rootdevice"),
        },
    );
    rejects(ssdp::parse, &ssdp::request());
    rejects(ssdp::parse, b"");
    rejects(ssdp::parse, b"\r\n\r\n");
    rejects(ssdp::parse, b"HTTP/1.1 404 Not Found\r\nST: x\r\n\r\n");
    rejects(ssdp::parse, b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n");
    rejects(ssdp::parse, SADP_DS7804.as_bytes());
}

#[test]
fn sadp_parse() {
    check(
        sadp::parse,
        SADP_DS7804.as_bytes(),
        sadp::Reply {
            device_type: s("44322"),
            description: s("DS-7804HQH-K1"),
            serial: s("DS-7804HQH-K10420190822CCCHD53257168WCVU"),
            firmware: s("V3.5.38build 191215"),
            mac: s("68-6d-bc-ee-f8-f0"),
            ipv4: s("192.168.1.227"),
        },
    );
    // Leading whitespace and trailing NUL padding are tolerated; missing elements are None.
    check(
        sadp::parse,
        b"\r\n<ProbeMatch><DeviceDescription> DS-2CD2386G2-IU </DeviceDescription><MAC></MAC></ProbeMatch>\0\0\0",
        sadp::Reply {
            description: s("DS-2CD2386G2-IU"),
            ..sadp::Reply::default()
        },
    );
    rejects(
        sadp::parse,
        &sadp::request("8282f1db-2fa6-4709-b261-3c6b6a48ca17"),
    );
    rejects(sadp::parse, b"");
    rejects(sadp::parse, WSD_HIKVISION.as_bytes());
    rejects(sadp::parse, b"<ProbeMatch><DeviceSN>x</DeviceSN>");
}

#[test]
fn dhip_parse() {
    let dahua = dhip::Reply {
        method: s("client.notifyDevInfo"),
        mac: s("4c:11:bf:c2:0b:9d"),
        device_type: s("IPC-HDW5421S"),
        device_class: s("IPC"),
        serial: s("1F006E4PAX00075"),
        version: s("2.400.0.8"),
        vendor: s("Dahua"),
        ipv4: s("218.5.136.140"),
    };
    check(dhip::parse, &dhip_frame(DHIP_DAHUA), dahua.clone());
    // Captures often drop the header; a bare JSON body is accepted too.
    check(dhip::parse, DHIP_DAHUA.as_bytes(), dahua.clone());
    // Bytes after the declared body length are ignored.
    let mut padded = dhip_frame(DHIP_DAHUA);
    padded.extend(b"\r\n\0\0garbage");
    check(dhip::parse, &padded, dahua);
    check(
        dhip::parse,
        &dhip_frame(DHIP_INTELBRAS),
        dhip::Reply {
            method: s("client.notifyDevInfo"),
            mac: s("58:10:8c:4d:3b:fa"),
            device_type: s("MHDX 1016"),
            device_class: s("MHDX"),
            serial: s("O9RF220012635"),
            version: s("3.210.IB01.3"),
            vendor: s("Intelbras"),
            ipv4: s("192.168.15.110"),
        },
    );
    // The trimmed capture with its header rendered as spaces (fingerprint example).
    let spaced = format!("    DHIP{}{}", " ".repeat(20), DHIP_INTELBRAS);
    assert_eq!(
        dhip::parse(spaced.as_bytes()).map(|r| r.device_type),
        Ok(s("MHDX 1016"))
    );
    rejects(dhip::parse, &dhip::request());
    rejects(dhip::parse, b"");
    rejects(
        dhip::parse,
        &dhip_frame("{\"method\":\"client.notifyDevInfo\""),
    );
    rejects(dhip::parse, &dhip_frame("[1,2,3]"));
    rejects(dhip::parse, SADP_DS7804.as_bytes());
}

// ---------------------------------------------------------------- request

#[test]
fn requests() {
    // Well-formed XML, and not mistaken for an answer.
    let wsd_probe = wsd::request("0e1b4c4e-7d0f-4a8e-9a44-0b6a4f6c3c11");
    assert_eq!(wsd::parse(&wsd_probe), Err(wsd::ParseError::NoMatch));
    let sadp_probe = sadp::request("8282f1db-2fa6-4709-b261-3c6b6a48ca17");
    assert_eq!(
        sadp::parse(&sadp_probe),
        Err(sadp::ParseError::NotProbeMatch("Probe".into()))
    );
    assert_eq!(
        dhip::parse(&dhip::request()),
        Err(dhip::ParseError::NoDeviceInfo)
    );

    let probe = String::from_utf8(wsd_probe).unwrap();
    for needle in [
        "<w:MessageID>uuid:0e1b4c4e-7d0f-4a8e-9a44-0b6a4f6c3c11</w:MessageID>",
        "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action>",
        "urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>",
        "<d:Types>dn:NetworkVideoTransmitter</d:Types>",
        r#"xmlns:dn="http://www.onvif.org/ver10/network/wsdl""#,
    ] {
        assert!(probe.contains(needle), "{needle} missing in {probe}");
    }

    assert_eq!(
        ssdp::request(),
        b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"
    );

    assert_eq!(
        String::from_utf8(sadp::request("8282f1db-2fa6-4709-b261-3c6b6a48ca17")).unwrap(),
        r#"<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>8282F1DB-2FA6-4709-B261-3C6B6A48CA17</Uuid><Types>inquiry</Types></Probe>"#
    );

    assert_eq!(
        dhip::request(),
        dhip_frame(r#"{"method":"DHDiscover.search","params":{"mac":"","uni":1}}"#)
    );

    let ids: std::collections::HashSet<String> =
        (0..1000).map(|_| discover::fresh_uuid()).collect();
    assert_eq!(ids.len(), 1000);
    for id in ids.iter().take(5) {
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(
            id.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(&id[14..15], "4", "{id}");
    }
}

#[test]
fn protocol_table() {
    let table: Vec<(u16, &str, Ipv4Addr)> = Protocol::ALL
        .iter()
        .map(|p| (p.port(), p.kind().as_str(), p.group()))
        .collect();
    let group = Ipv4Addr::new(239, 255, 255, 250);
    assert_eq!(
        table,
        [
            (3702, "ws-discovery", group),
            (1900, "ssdp", group),
            (37020, "sadp", group),
            (37810, "dhip", Ipv4Addr::new(239, 255, 255, 251)),
        ]
    );
}

// ---------------------------------------------------------------- totality

proptest! {
    #[test]
    fn parse_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = wsd::parse(&bytes);
        let _ = ssdp::parse(&bytes);
        let _ = sadp::parse(&bytes);
        let _ = dhip::parse(&bytes);
    }

    /// Arbitrary bytes after a valid start reach the deeper parser paths.
    #[test]
    fn parse_is_total_on_damaged_answers(
        which in 0usize..4,
        cut in 0usize..2048,
        tail in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let answer: Vec<u8> = match which {
            0 => WSD_HIKVISION.as_bytes().to_vec(),
            1 => crlf(SSDP_AXIS),
            2 => SADP_DS7804.as_bytes().to_vec(),
            _ => dhip_frame(DHIP_DAHUA),
        };
        let mut bytes = answer[..cut.min(answer.len())].to_vec();
        bytes.extend(tail);
        let _ = wsd::parse(&bytes);
        let _ = ssdp::parse(&bytes);
        let _ = sadp::parse(&bytes);
        let _ = dhip::parse(&bytes);
    }

    #[test]
    fn dhip_header_fields_are_total(len in any::<u32>(), body in "[ -~]{0,80}") {
        let mut frame = dhip_frame(&body);
        frame[16..20].copy_from_slice(&len.to_le_bytes());
        let _ = dhip::parse(&frame);
    }
}

// ---------------------------------------------------------------- discover on loopback

/// The probe a fake device expects for this protocol.
#[track_caller]
fn assert_probe(protocol: Protocol, probe: &[u8]) {
    let text = String::from_utf8_lossy(probe);
    let ok = match protocol {
        Protocol::WsDiscovery => {
            text.contains("<d:Types>dn:NetworkVideoTransmitter</d:Types>")
                && text.contains("<w:MessageID>uuid:")
        }
        Protocol::Ssdp => text.starts_with("M-SEARCH * HTTP/1.1\r\n"),
        Protocol::Sadp => text.contains("<Types>inquiry</Types>"),
        Protocol::Dhip => probe.get(4..8) == Some(b"DHIP") && text.contains("DHDiscover.search"),
    };
    assert!(ok, "unexpected {protocol:?} probe: {text}");
}

fn answer(protocol: Protocol) -> Vec<u8> {
    match protocol {
        Protocol::WsDiscovery => WSD_HIKVISION.as_bytes().to_vec(),
        Protocol::Ssdp => crlf(SSDP_AXIS),
        Protocol::Sadp => SADP_DS7804.as_bytes().to_vec(),
        Protocol::Dhip => dhip_frame(DHIP_DAHUA),
    }
}

/// A fake device on `addr` at the protocol's port answers the first probe with junk, the
/// captured answer, and the same answer again; `discover` must return exactly one observation.
async fn loopback_case(protocol: Protocol, addr: IpAddr) {
    let device = tokio::net::UdpSocket::bind((addr, protocol.port()))
        .await
        .unwrap_or_else(|e| panic!("bind fake device on {addr}:{}: {e}", protocol.port()));
    let reply = answer(protocol);
    let cfg = DiscoverConfig {
        protocols: vec![protocol],
        multicast_interface: None,
        unicast: vec![addr],
        window: Duration::from_millis(700),
        rate: None,
    };
    let fake = async {
        let mut buf = vec![0u8; 65536];
        let (n, from) = tokio::time::timeout(Duration::from_secs(5), device.recv_from(&mut buf))
            .await
            .expect("no probe reached the fake device")
            .expect("fake device recv");
        for bytes in [&b"not an answer"[..], &reply, &reply] {
            device.send_to(bytes, from).await.expect("fake device send");
        }
        buf[..n].to_vec()
    };
    let (observations, probe) = tokio::join!(discover::discover(&cfg), fake);
    assert_probe(protocol, &probe);
    assert_eq!(observations.len(), 1, "{observations:#?}");
    let o = &observations[0];
    let ip = addr.to_string();
    assert_eq!(o.kind, protocol.kind());
    assert_eq!(o.device, ip);
    assert_eq!(o.address.as_deref(), Some(ip.as_str()));
    assert_eq!(o.port, Some(protocol.port()));
    assert_eq!(
        o.id,
        format!("{ip}:{}/{}#1", protocol.port(), protocol.kind())
    );
    assert_eq!(o.request.as_deref(), Some(protocol.request_name()));
    assert_eq!(o.response, reply);
}

#[tokio::test]
async fn discover_wsd_on_loopback() {
    loopback_case(
        Protocol::WsDiscovery,
        IpAddr::V4(Ipv4Addr::new(127, 77, 0, 1)),
    )
    .await;
}

#[tokio::test]
async fn discover_ssdp_on_loopback() {
    loopback_case(Protocol::Ssdp, IpAddr::V4(Ipv4Addr::new(127, 77, 0, 2))).await;
}

#[tokio::test]
async fn discover_sadp_on_loopback() {
    loopback_case(Protocol::Sadp, IpAddr::V4(Ipv4Addr::new(127, 77, 0, 3))).await;
}

#[tokio::test]
async fn discover_dhip_on_loopback() {
    loopback_case(Protocol::Dhip, IpAddr::V4(Ipv4Addr::new(127, 77, 0, 4))).await;
}

#[tokio::test]
async fn discover_dhip_on_ipv6_loopback() {
    loopback_case(Protocol::Dhip, IpAddr::V6(Ipv6Addr::LOCALHOST)).await;
}

/// One host floods thousands of distinct valid DHIP replies at once; a real device replies
/// once the flood has been sent. The flooder keeps its per-sender cap of replies (and is reported as capped);
/// the real reply is kept. With one cap shared by all senders, the flood filled it first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_sender_does_not_crowd_out_a_real_reply() {
    let flooder_ip = IpAddr::V4(Ipv4Addr::new(127, 214, 0, 1));
    let real_ip = IpAddr::V4(Ipv4Addr::new(127, 214, 0, 2));
    let flooder = tokio::net::UdpSocket::bind((flooder_ip, dhip::PORT))
        .await
        .expect("bind flooder");
    let real = tokio::net::UdpSocket::bind((real_ip, dhip::PORT))
        .await
        .expect("bind real device");
    let cfg = DiscoverConfig {
        protocols: vec![Protocol::Dhip],
        multicast_interface: None,
        unicast: vec![flooder_ip, real_ip],
        window: Duration::from_millis(1500),
        rate: None,
    };
    let (flooded, flood_done) = tokio::sync::oneshot::channel::<()>();
    let flood = async {
        let mut buf = vec![0u8; 65536];
        let (_, from) = tokio::time::timeout(Duration::from_secs(5), flooder.recv_from(&mut buf))
            .await
            .expect("no probe reached the flooder")
            .expect("flooder recv");
        // Bursts small enough for the receiving socket's buffer, so the flood arrives
        // rather than being dropped by the kernel.
        for burst in 0..40 {
            for i in 0..100 {
                let body = format!("{{ \"n\" : {}, {}", burst * 100 + i, &DHIP_DAHUA[1..]);
                let _ = flooder.send_to(&dhip_frame(&body), from).await;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let _ = flooded.send(());
    };
    let answer = async {
        let mut buf = vec![0u8; 65536];
        let (_, from) = tokio::time::timeout(Duration::from_secs(5), real.recv_from(&mut buf))
            .await
            .expect("no probe reached the real device")
            .expect("real device recv");
        // The real device answers after the whole flood: the order the shared cap lost.
        let _ = flood_done.await;
        real.send_to(&dhip_frame(DHIP_INTELBRAS), from)
            .await
            .expect("real device send");
    };
    let (found, (), ()) = tokio::join!(discover::run(&cfg), flood, answer);
    let from = |ip: IpAddr| {
        found
            .observations
            .iter()
            .filter(|o| o.device == ip.to_string())
            .collect::<Vec<_>>()
    };
    let real_replies = from(real_ip);
    assert_eq!(real_replies.len(), 1, "the real reply is kept");
    assert_eq!(real_replies[0].response, dhip_frame(DHIP_INTELBRAS));
    assert_eq!(from(flooder_ip).len(), discover::MAX_REPLIES_PER_SENDER);
    assert_eq!(found.capped.len(), 1, "{:?}", found.capped);
    let capped = &found.capped[0];
    assert_eq!(capped.sender, flooder_ip);
    assert_eq!(capped.protocol, Protocol::Dhip);
    assert_eq!(capped.cap, discover::MAX_REPLIES_PER_SENDER);
    assert!(capped.dropped > 1000, "{capped:?}");
    assert_eq!(found.dropped_over_total, 0);
}

/// Unicast probes are paced at `rate`: six targets at 10 per second take at least half a
/// second to send (sleeps never end early, so the lower bound is exact), and every target
/// gets its one probe.
#[tokio::test]
async fn unicast_discovery_is_paced_by_rate() {
    let mut devices = Vec::new();
    for last in 1..=6 {
        let ip = IpAddr::V4(Ipv4Addr::new(127, 214, 1, last));
        let socket = tokio::net::UdpSocket::bind((ip, dhip::PORT))
            .await
            .expect("bind fake device");
        devices.push((ip, socket));
    }
    let cfg = DiscoverConfig {
        protocols: vec![Protocol::Dhip],
        multicast_interface: None,
        unicast: devices.iter().map(|(ip, _)| *ip).collect(),
        window: Duration::ZERO,
        rate: std::num::NonZeroU32::new(10),
    };
    let started = tokio::time::Instant::now();
    let found = discover::run(&cfg).await;
    let elapsed = started.elapsed();
    assert!(found.observations.is_empty());
    assert!(
        elapsed >= Duration::from_millis(500) && elapsed < Duration::from_secs(5),
        "six probes at 10/s took {elapsed:?}"
    );
    // Loopback delivers at once: each probe is already waiting in its device's socket.
    let mut buf = vec![0u8; 65536];
    for (ip, socket) in &devices {
        let (n, _) = tokio::time::timeout(Duration::from_secs(1), socket.recv_from(&mut buf))
            .await
            .expect("probe arrived")
            .expect("recv");
        assert_probe(Protocol::Dhip, &buf[..n]);
        assert!(socket.try_recv_from(&mut buf).is_err(), "{ip}: one probe");
    }
}

#[tokio::test]
async fn discover_silence() {
    let cfg = DiscoverConfig {
        protocols: Protocol::ALL.to_vec(),
        multicast_interface: None,
        unicast: vec![IpAddr::V4(Ipv4Addr::new(127, 77, 0, 9))],
        window: Duration::from_millis(300),
        rate: None,
    };
    let started = std::time::Instant::now();
    let observations = discover::discover(&cfg).await;
    let took = started.elapsed();
    assert!(observations.is_empty(), "{observations:#?}");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

// ---------------------------------------------------------------- multicast in a netns

/// A network namespace joined to the host by a veth pair, with a fake device (python3) inside
/// answering all four protocols' multicast probes. Dropping it stops the device and deletes
/// the namespace (which removes both veth ends).
struct Netns {
    name: String,
    device: Option<std::process::Child>,
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Some(mut child) = self.device.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

#[track_caller]
fn ip(args: &[&str]) {
    let out = std::process::Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `ip` (iproute2 and root are needed for this test): {e}")
        });
    assert!(
        out.status.success(),
        "netns setup failed (this test needs root and iproute2): ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The fake device: joins each group on its interface, prints `ready`, answers every probe
/// that carries the protocol's marker with the captured answer, exits when stdin closes.
const FAKE_DEVICE: &str = r#"
import os, select, socket, sys
ifaddr = sys.argv[1]
socks = {}
for spec in sys.argv[2:]:
    group, port, marker, reply = spec.split(",")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(port)))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(ifaddr))
    socks[s] = (bytes.fromhex(marker), bytes.fromhex(reply))
print("ready", flush=True)
while True:
    readable, _, _ = select.select(list(socks) + [sys.stdin], [], [], 60)
    if not readable:
        sys.exit(1)
    for s in readable:
        if s is sys.stdin:
            if not os.read(0, 64):
                sys.exit(0)
            continue
        data, src = s.recvfrom(65536)
        marker, reply = socks[s]
        if marker in data:
            s.sendto(reply, src)
"#;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn discover_multicast_in_netns() {
    use std::io::BufRead;
    use std::sync::atomic::{AtomicU32, Ordering};
    static RUN: AtomicU32 = AtomicU32::new(0);

    // Unique per process and call; interface names must stay within 15 bytes.
    let tag = format!(
        "{:x}{}",
        std::process::id() & 0xfffff,
        RUN.fetch_add(1, Ordering::Relaxed)
    );
    let mut ns = Netns {
        name: format!("sl-disc-{tag}"),
        device: None,
    };
    let host_if = format!("sldh{tag}");
    let ns_if = format!("sldn{tag}");
    // A /30 of our own on the veth only; the octet varies so parallel runs do not collide.
    let octet = (std::process::id() % 250) + 1;
    let host_addr = Ipv4Addr::new(10, 251, octet as u8, 1);
    let ns_addr = Ipv4Addr::new(10, 251, octet as u8, 2);

    ip(&["netns", "add", &ns.name]);
    ip(&[
        "link", "add", &host_if, "type", "veth", "peer", "name", &ns_if, "netns", &ns.name,
    ]);
    ip(&["addr", "add", &format!("{host_addr}/30"), "dev", &host_if]);
    ip(&["link", "set", &host_if, "up"]);
    ip(&[
        "-n",
        &ns.name,
        "addr",
        "add",
        &format!("{ns_addr}/30"),
        "dev",
        &ns_if,
    ]);
    ip(&["-n", &ns.name, "link", "set", &ns_if, "up"]);
    ip(&["-n", &ns.name, "link", "set", "lo", "up"]);

    let markers: [(Protocol, &[u8]); 4] = [
        (Protocol::WsDiscovery, b"dn:NetworkVideoTransmitter"),
        (Protocol::Ssdp, b"M-SEARCH"),
        (Protocol::Sadp, b"<Types>inquiry</Types>"),
        (Protocol::Dhip, b"DHDiscover.search"),
    ];
    let mut cmd = std::process::Command::new("ip");
    cmd.args(["netns", "exec", &ns.name, "python3", "-c", FAKE_DEVICE])
        .arg(ns_addr.to_string());
    for (protocol, marker) in markers {
        cmd.arg(format!(
            "{},{},{},{}",
            protocol.group(),
            protocol.port(),
            hex(marker),
            hex(&answer(protocol))
        ));
    }
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the fake device (python3) inside the namespace");
    let stdout = child.stdout.take().expect("piped stdout");
    ns.device = Some(child);

    // Wait (bounded) for the device's "ready" line.
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("fake device did not report ready within 10 s");
    reader.join().expect("reader thread");
    assert_eq!(line.trim(), "ready", "fake device failed to start");

    let cfg = DiscoverConfig {
        protocols: Protocol::ALL.to_vec(),
        multicast_interface: Some(host_addr),
        unicast: vec![],
        window: Duration::from_millis(1000),
        rate: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let observations = runtime.block_on(discover::discover(&cfg));

    let mut got: Vec<(&str, &str, Option<u16>)> = observations
        .iter()
        .map(|o| (o.kind.as_str(), o.device.as_str(), o.port))
        .collect();
    got.sort();
    let device = ns_addr.to_string();
    assert_eq!(
        got,
        [
            ("dhip", device.as_str(), Some(37810)),
            ("sadp", device.as_str(), Some(37020)),
            ("ssdp", device.as_str(), Some(1900)),
            ("ws-discovery", device.as_str(), Some(3702)),
        ],
        "{observations:#?}"
    );
    for o in &observations {
        let protocol = Protocol::ALL
            .into_iter()
            .find(|p| p.kind() == o.kind)
            .unwrap();
        assert_eq!(o.response, answer(protocol));
    }
}
