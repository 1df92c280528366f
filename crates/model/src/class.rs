//! Device classes: the closed list of what a device is, as policy rules and reports see it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of equipment a device is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceClass {
    Camera,
    /// Network or digital video recorder (NVR, DVR, XVR, HCVR).
    Recorder,
    VideoEncoder,
    Intercom,
    AccessControl,
    Router,
    Switch,
    Firewall,
    WirelessAp,
    /// Modem, home gateway or optical network terminal (ONT).
    Modem,
    Radio,
    Storage,
    Printer,
    Server,
    Other,
}

impl DeviceClass {
    pub const ALL: [DeviceClass; 15] = [
        DeviceClass::Camera,
        DeviceClass::Recorder,
        DeviceClass::VideoEncoder,
        DeviceClass::Intercom,
        DeviceClass::AccessControl,
        DeviceClass::Router,
        DeviceClass::Switch,
        DeviceClass::Firewall,
        DeviceClass::WirelessAp,
        DeviceClass::Modem,
        DeviceClass::Radio,
        DeviceClass::Storage,
        DeviceClass::Printer,
        DeviceClass::Server,
        DeviceClass::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceClass::Camera => "camera",
            DeviceClass::Recorder => "recorder",
            DeviceClass::VideoEncoder => "video-encoder",
            DeviceClass::Intercom => "intercom",
            DeviceClass::AccessControl => "access-control",
            DeviceClass::Router => "router",
            DeviceClass::Switch => "switch",
            DeviceClass::Firewall => "firewall",
            DeviceClass::WirelessAp => "wireless-ap",
            DeviceClass::Modem => "modem",
            DeviceClass::Radio => "radio",
            DeviceClass::Storage => "storage",
            DeviceClass::Printer => "printer",
            DeviceClass::Server => "server",
            DeviceClass::Other => "other",
        }
    }

    /// True for the visual-surveillance classes that the UK 2022 statement is about.
    pub fn is_surveillance(self) -> bool {
        matches!(
            self,
            DeviceClass::Camera | DeviceClass::Recorder | DeviceClass::VideoEncoder
        )
    }
}

impl fmt::Display for DeviceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeviceClass {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        DeviceClass::ALL
            .into_iter()
            .find(|c| c.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = DeviceClass::ALL.iter().map(|c| c.as_str()).collect();
                format!(
                    "unknown device class {s:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}
