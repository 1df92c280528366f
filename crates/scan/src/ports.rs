//! The default TCP port set, chosen for surveillance and network equipment. `--ports`
//! overrides it. Each port says what is expected there and which probe runs first.

use crate::probe::ProbeKind;

/// A port in the default set.
pub struct PortInfo {
    pub port: u16,
    /// The probe that speaks first on this port.
    pub first: ProbeKind,
    pub why: &'static str,
}

pub const DEFAULT: &[PortInfo] = &[
    PortInfo {
        port: 21,
        first: ProbeKind::Banner,
        why: "FTP: NVRs, printers, storage announce themselves in the greeting",
    },
    PortInfo {
        port: 22,
        first: ProbeKind::Banner,
        why: "SSH: network gear version strings (Cisco, Huawei VRP, ZTE, MikroTik)",
    },
    PortInfo {
        port: 23,
        first: ProbeKind::Banner,
        why: "Telnet: login banners of routers, ONTs and older DVRs",
    },
    PortInfo {
        port: 80,
        first: ProbeKind::Http,
        why: "HTTP: web UI, vendor APIs (Hikvision ISAPI, Dahua CGI/RPC2), ONVIF",
    },
    PortInfo {
        port: 81,
        first: ProbeKind::Http,
        why: "HTTP: alternative web port used by many DVRs",
    },
    PortInfo {
        port: 443,
        first: ProbeKind::Tls,
        why: "HTTPS: certificate, then the web UI over TLS",
    },
    PortInfo {
        port: 554,
        first: ProbeKind::Rtsp,
        why: "RTSP: Server header, realm format, SDP of the stream",
    },
    PortInfo {
        port: 2000,
        first: ProbeKind::Banner,
        why: "vendor SDK ports on some NVRs",
    },
    PortInfo {
        port: 5000,
        first: ProbeKind::Http,
        why: "HTTP on NAS (Synology) and Dahua DHIP over TCP",
    },
    PortInfo {
        port: 7001,
        first: ProbeKind::Http,
        why: "VMS servers (Network Optix, DW Spectrum)",
    },
    PortInfo {
        port: 8000,
        first: ProbeKind::Banner,
        why: "Hikvision SDK port (binary), also HTTP on many devices",
    },
    PortInfo {
        port: 8080,
        first: ProbeKind::Http,
        why: "HTTP alternative: web UIs, ONVIF",
    },
    PortInfo {
        port: 8443,
        first: ProbeKind::Tls,
        why: "HTTPS alternative",
    },
    PortInfo {
        port: 8554,
        first: ProbeKind::Rtsp,
        why: "RTSP alternative",
    },
    PortInfo {
        port: 8899,
        first: ProbeKind::Http,
        why: "ONVIF on Xiongmai-platform cameras",
    },
    PortInfo {
        port: 9010,
        first: ProbeKind::Banner,
        why: "Hikvision/EZVIZ stream and SDK ports",
    },
    PortInfo {
        port: 34567,
        first: ProbeKind::Banner,
        why: "Xiongmai 'Sofia' DVRIP control port",
    },
    PortInfo {
        port: 37777,
        first: ProbeKind::Banner,
        why: "Dahua private TCP protocol (DVRIP)",
    },
];

/// The default port numbers, in order.
pub fn default_ports() -> Vec<u16> {
    DEFAULT.iter().map(|p| p.port).collect()
}

/// The probe that speaks first on a port: the default set's choice, else by convention.
pub fn first_probe(port: u16) -> ProbeKind {
    if let Some(p) = DEFAULT.iter().find(|p| p.port == port) {
        return p.first;
    }
    match port {
        443 | 4443 | 8443 | 9443 => ProbeKind::Tls,
        554 | 8554 | 10554 => ProbeKind::Rtsp,
        21 | 22 | 23 | 25 | 110 | 143 => ProbeKind::Banner,
        _ => ProbeKind::Http,
    }
}

/// Parse `--ports`: `80,443,8000-8010`.
pub fn parse(spec: &str) -> Result<Vec<u16>, String> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let a: u16 = a
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad port {a:?} in {spec:?}"))?;
                let b: u16 = b
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad port {b:?} in {spec:?}"))?;
                if a == 0 || a > b {
                    return Err(format!("bad port range {part:?}"));
                }
                out.extend(a..=b);
            }
            None => {
                let p: u16 = part
                    .parse()
                    .map_err(|_| format!("bad port {part:?} in {spec:?}: ports are 1-65535"))?;
                if p == 0 {
                    return Err("port 0 cannot be scanned".into());
                }
                out.push(p);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        return Err(format!("no ports in {spec:?}"));
    }
    Ok(out)
}
