//! The fixture report: three sites (a sensitive headquarters with a core network, a regional
//! office, a depot), covered, OEM, compliant and unidentified devices, findings with evidence
//! chains, an active and an expired waiver, a remediation plan from the sample catalogue, rule
//! documentation and history across two scans.

use model::{
    Action, DeviceClass, Estate, Evidence, Finding, Identity, Inventory, InventoryDevice,
    Organisation, Plan, PlanItem, Segment, SegmentRole, Severity, Site, SiteTotal, Waiver,
};
use report::{Change, Method, Report, RuleInfo};

fn s(v: &str) -> String {
    v.to_string()
}

fn some(v: &str) -> Option<String> {
    Some(v.to_string())
}

fn evidence(
    observation: &str,
    fingerprint: &str,
    field: &str,
    matched: &str,
    asserts: &str,
) -> Evidence {
    Evidence {
        observation: s(observation),
        fingerprint: s(fingerprint),
        matched: s(matched),
        field: s(field),
        asserts: s(asserts),
    }
}

struct Dev<'a> {
    id: &'a str,
    address: &'a str,
    site: &'a str,
    segment: &'a str,
    role: SegmentRole,
    first_seen: &'a str,
}

fn device(d: Dev, identity: Identity) -> InventoryDevice {
    InventoryDevice {
        id: s(d.id),
        address: some(d.address),
        mac: None,
        serial: None,
        identity: Identity {
            device: s(d.id),
            ..identity
        },
        site: some(d.site),
        segment: some(d.segment),
        segment_role: Some(d.role),
        first_seen: some(d.first_seen),
        last_seen: some("2025-06-01"),
        install_date: None,
        production_date: None,
        sources: vec![s("scan-2")],
        key_conflicts: Vec::new(),
    }
}

fn covered(
    maker: &str,
    model: &str,
    class: DeviceClass,
    firmware: &str,
    ev: Vec<Evidence>,
) -> Identity {
    Identity {
        manufacturer: some(maker),
        brand: some(maker),
        model: some(model),
        device_class: Some(class),
        firmware: some(firmware),
        covered: true,
        regimes: vec![s("uk-gov-2022"), s("us-fcc-covered"), s("us-ndaa-889")],
        confidence: 0.98,
        evidence: ev,
        ..Identity::default()
    }
}

fn finding(
    rule: &str,
    severity: Severity,
    device: &InventoryDevice,
    title: &str,
    remediation: &str,
) -> Finding {
    let maker = device
        .identity
        .manufacturer
        .clone()
        .unwrap_or_else(|| s("unknown maker"));
    Finding {
        rule: s(rule),
        severity: Some(severity),
        device: device.id.clone(),
        address: device.address.clone(),
        site: device.site.clone(),
        segment: device.segment.clone(),
        first_seen: device.first_seen.clone(),
        title: s(title),
        evidence: vec![
            format!(
                "observation {}: answered on {}",
                device.id,
                device.address.clone().unwrap_or_default()
            ),
            format!("fingerprints identify {maker}"),
            format!("registry: {maker} is listed by uk-gov-2022"),
            s("regime: UK Cabinet Office statement, 24 November 2022 (HCWS386)"),
        ],
        remediation: s(remediation),
        waived: None,
    }
}

pub fn report() -> Report {
    let estate = Estate {
        organisation: Organisation {
            name: s("Example Department"),
        },
        sites: vec![
            Site {
                id: s("hq"),
                name: s("Headquarters"),
                sensitive: true,
            },
            Site {
                id: s("regional"),
                name: s("Regional office"),
                sensitive: false,
            },
            Site {
                id: s("depot"),
                name: s("Depot"),
                sensitive: false,
            },
        ],
        segments: vec![
            Segment {
                cidr: s("10.1.0.0/24"),
                site: s("hq"),
                role: SegmentRole::Core,
                name: some("HQ core"),
            },
            Segment {
                cidr: s("10.1.10.0/24"),
                site: s("hq"),
                role: SegmentRole::Cctv,
                name: None,
            },
            Segment {
                cidr: s("10.2.0.0/24"),
                site: s("regional"),
                role: SegmentRole::Corporate,
                name: None,
            },
            Segment {
                cidr: s("10.3.0.0/24"),
                site: s("depot"),
                role: SegmentRole::Cctv,
                name: None,
            },
        ],
        waivers: vec![
            Waiver {
                device: s("10.3.0.12"),
                rule: s("uk-gov-2022/non-sensitive-site"),
                reason: s("Recorder replaced in the Q3 depot refit"),
                approver: s("J. Smith, Head of Security"),
                expires: s("2025-09-30"),
                ..Waiver::default()
            },
            Waiver {
                device: s("10.2.0.15"),
                rule: s("uk-gov-2022/non-sensitive-site"),
                reason: s("Lease ends December 2024"),
                approver: s("A. Jones, Estates"),
                expires: s("2024-12-31"),
                ..Waiver::default()
            },
        ],
        catalogue: some("catalogue.sample.toml"),
    };

    let hik_core = device(
        Dev {
            id: "dev-hik-core",
            address: "10.1.0.21",
            site: "hq",
            segment: "10.1.0.0/24",
            role: SegmentRole::Core,
            first_seen: "2022-06-01",
        },
        covered(
            "Hikvision",
            "DS-2CD2143G0-I",
            DeviceClass::Camera,
            "V5.5.0 build 170725",
            vec![
                evidence(
                    "obs-1",
                    "hikvision-isapi-device-info",
                    "xml.model",
                    "DS-2CD2143G0-I",
                    "manufacturer=Hikvision, model=DS-2CD2143G0-I",
                ),
                evidence(
                    "obs-2",
                    "hikvision-web-server",
                    "header.server",
                    "DNVRS-Webs",
                    "manufacturer=Hikvision",
                ),
            ],
        ),
    );
    let dahua_nvr = device(
        Dev {
            id: "dev-dahua-nvr",
            address: "10.1.10.5",
            site: "hq",
            segment: "10.1.10.0/24",
            role: SegmentRole::Cctv,
            first_seen: "2023-03-14",
        },
        covered(
            "Dahua",
            "NVR4108HS-8P-4KS2",
            DeviceClass::Recorder,
            "4.001.0000000.0",
            vec![evidence(
                "obs-3",
                "dahua-magicbox",
                "kv.deviceType",
                "NVR4108HS-8P-4KS2",
                "manufacturer=Dahua, class=recorder",
            )],
        ),
    );
    let axis = device(
        Dev {
            id: "dev-axis",
            address: "10.1.10.7",
            site: "hq",
            segment: "10.1.10.0/24",
            role: SegmentRole::Cctv,
            first_seen: "2022-06-01",
        },
        Identity {
            manufacturer: some("Axis Communications"),
            brand: some("AXIS"),
            model: some("P3245-LVE"),
            device_class: Some(DeviceClass::Camera),
            firmware: some("10.12.91"),
            confidence: 0.95,
            evidence: vec![evidence(
                "obs-4",
                "axis-vapix-realm",
                "realm",
                "AXIS_ACCC8E123456",
                "manufacturer=Axis Communications",
            )],
            ..Identity::default()
        },
    );
    let unknown = device(
        Dev {
            id: "dev-unknown-hq",
            address: "10.1.10.99",
            site: "hq",
            segment: "10.1.10.0/24",
            role: SegmentRole::Cctv,
            first_seen: "2025-05-20",
        },
        Identity {
            device_class: Some(DeviceClass::Camera),
            ..Identity::default()
        },
    );
    let mut annke = device(
        Dev {
            id: "dev-annke",
            address: "10.2.0.15",
            site: "regional",
            segment: "10.2.0.0/24",
            role: SegmentRole::Corporate,
            first_seen: "2022-01-10",
        },
        Identity {
            brand: some("ANNKE"),
            notes: vec![s(
                "brand ANNKE is made by Hikvision (OEM relation, confidence 0.9)",
            )],
            ..covered(
                "Hikvision",
                "I41DQ",
                DeviceClass::Camera,
                "V5.7.3",
                vec![evidence(
                    "obs-5",
                    "onvif-device-information",
                    "xml.Manufacturer",
                    "ANNKE",
                    "brand=ANNKE",
                )],
            )
        },
    );
    annke.mac = some("44:19:b6:01:02:03");
    let hanwha = device(
        Dev {
            id: "dev-hanwha",
            address: "10.2.0.40",
            site: "regional",
            segment: "10.2.0.0/24",
            role: SegmentRole::Corporate,
            first_seen: "2022-01-10",
        },
        Identity {
            manufacturer: some("Hanwha Vision"),
            brand: some("Wisenet"),
            model: some("XNV-6081Z"),
            device_class: Some(DeviceClass::Camera),
            firmware: some("2.21.00"),
            confidence: 0.9,
            evidence: vec![evidence(
                "obs-6",
                "hanwha-wisenet-title",
                "title",
                "Wisenet WEBVIEWER",
                "brand=Wisenet",
            )],
            ..Identity::default()
        },
    );
    let mut depot_dvr = device(
        Dev {
            id: "dev-depot-dvr",
            address: "10.3.0.12",
            site: "depot",
            segment: "10.3.0.0/24",
            role: SegmentRole::Cctv,
            first_seen: "2021-11-02",
        },
        covered(
            "Hikvision",
            "DS-7208HQHI-K1",
            DeviceClass::Recorder,
            "V4.30.005",
            vec![evidence(
                "obs-7",
                "hikvision-sadp",
                "xml.DeviceType",
                "DS-7208HQHI-K1",
                "manufacturer=Hikvision",
            )],
        ),
    );
    depot_dvr.serial = some("DS-7208HQHI-K10420211102CCRRF12345678WCVU");
    depot_dvr.production_date = some("2021-11-02");

    let mut findings = vec![
        finding(
            "uk-gov-2022/core-network",
            Severity::Critical,
            &hik_core,
            "Covered surveillance equipment connected to the core network of a sensitive site",
            "Disconnect it from the core network now, then replace it",
        ),
        finding(
            "uk-gov-2022/sensitive-site",
            Severity::High,
            &hik_core,
            "Covered surveillance equipment on a sensitive site",
            "Replace it with equipment from a maker no regime names",
        ),
        finding(
            "uk-gov-2022/deployed-after-ban",
            Severity::Critical,
            &dahua_nvr,
            "Covered surveillance equipment deployed after 24 November 2022 (first seen 2023-03-14)",
            "Remove it: new deployments of covered equipment on sensitive sites are not allowed",
        ),
        finding(
            "uk-gov-2022/sensitive-site",
            Severity::High,
            &dahua_nvr,
            "Covered surveillance equipment on a sensitive site",
            "Replace it with equipment from a maker no regime names",
        ),
        finding(
            "vulnerable-firmware/cve-2021-33044",
            Severity::High,
            &dahua_nvr,
            "Firmware 4.001.0000000.0 is affected by CVE-2021-33044 (authentication bypass)",
            "Update the firmware now; the device is still to be replaced",
        ),
        finding(
            "uk-gov-2022/unknown-provenance",
            Severity::Medium,
            &unknown,
            "Unidentified device on a sensitive site",
            "Identify it: check the label, the asset register or the installer's records",
        ),
        finding(
            "uk-gov-2022/non-sensitive-site",
            Severity::Low,
            &annke,
            "Covered surveillance equipment on a non-sensitive site (advisory)",
            "Plan its replacement at the end of its life",
        ),
        finding(
            "uk-gov-2022/non-sensitive-site",
            Severity::Low,
            &depot_dvr,
            "Covered surveillance equipment on a non-sensitive site (advisory)",
            "Plan its replacement at the end of its life",
        ),
    ];
    findings[5].evidence = vec![
        s("observation dev-unknown-hq: HTTP 401 with realm \"Login\" on 10.1.10.99:80"),
        s("no fingerprint matched; manufacturer unknown"),
        s("estate: site hq is sensitive"),
    ];
    findings[7].waived = Some(estate.waivers[0].clone());

    let plan = Plan {
        items: vec![
            PlanItem {
                priority: 1,
                device: hik_core.id.clone(),
                address: hik_core.address.clone(),
                site: some("hq"),
                actions: vec![Action::DisconnectFromCore, Action::Replace],
                reason: s("critical; connected to the core network; sensitive site"),
                replacements: vec![
                    (s("Axis P3245-LVE"), 420.0),
                    (s("Hanwha Vision XNV-6081Z"), 385.5),
                ],
                cost: 420.0,
            },
            PlanItem {
                priority: 2,
                device: dahua_nvr.id.clone(),
                address: dahua_nvr.address.clone(),
                site: some("hq"),
                actions: vec![Action::Isolate, Action::Replace],
                reason: s("critical; deployed after the ban; sensitive site"),
                replacements: vec![(s("Milestone Husky IVO 150D"), 2150.0)],
                cost: 2150.0,
            },
            PlanItem {
                priority: 3,
                device: unknown.id.clone(),
                address: unknown.address.clone(),
                site: some("hq"),
                actions: vec![Action::Monitor],
                reason: s("medium; unidentified on a sensitive site"),
                replacements: vec![],
                cost: 0.0,
            },
            PlanItem {
                priority: 4,
                device: annke.id.clone(),
                address: annke.address.clone(),
                site: some("regional"),
                actions: vec![Action::Replace],
                reason: s("low; advisory on a non-sensitive site"),
                replacements: vec![(s("Axis P3245-LVE"), 420.0)],
                cost: 420.0,
            },
        ],
        sites: vec![
            SiteTotal {
                site: s("regional"),
                devices: 1,
                replacements: 1,
                cost: 420.0,
            },
            SiteTotal {
                site: s("hq"),
                devices: 3,
                replacements: 2,
                cost: 2570.0,
            },
        ],
        total_cost: 2990.0,
        currency: s("GBP"),
        sample_catalogue: true,
    };

    let rules = vec![
        rule(
            "uk-gov-2022/sensitive-site",
            "Covered surveillance equipment on a sensitive site",
        ),
        rule(
            "uk-gov-2022/core-network",
            "Covered surveillance equipment on a core network",
        ),
        rule(
            "uk-gov-2022/deployed-after-ban",
            "Covered surveillance equipment deployed after the ban",
        ),
        rule(
            "uk-gov-2022/non-sensitive-site",
            "Covered surveillance equipment on a non-sensitive site",
        ),
        rule(
            "uk-gov-2022/unknown-provenance",
            "Unidentified device on a sensitive site",
        ),
        rule(
            "vulnerable-firmware/cve-2021-33044",
            "Dahua authentication bypass (CVE-2021-33044)",
        ),
    ];

    let history = vec![
        Change {
            device: dahua_nvr.id.clone(),
            address: dahua_nvr.address.clone(),
            what: s("new"),
            detail: s("first seen on 10.1.10.0/24"),
            scan: s("scan-2 (2023-03-14)"),
        },
        Change {
            device: hik_core.id.clone(),
            address: hik_core.address.clone(),
            what: s("firmware changed"),
            detail: s("V5.4.5 -> V5.5.0 build 170725"),
            scan: s("scan-2 (2023-03-14)"),
        },
        Change {
            device: s("dev-old-printer"),
            address: some("10.2.0.77"),
            what: s("gone"),
            detail: s("last seen 2022-06-01"),
            scan: s("scan-2 (2023-03-14)"),
        },
        Change {
            device: unknown.id.clone(),
            address: unknown.address.clone(),
            what: s("moved segment"),
            detail: s("10.1.0.0/24 -> 10.1.10.0/24"),
            scan: s("scan-3 (2025-05-20)"),
        },
    ];

    Report {
        organisation: s("Example Department"),
        generated: s("2025-06-02T09:30:00Z"),
        profile: s("uk-gov-2022"),
        profile_name: s("UK Government, November 2022 statement on visual surveillance systems"),
        estate,
        inventory: Inventory {
            as_of: s("2025-06-01"),
            devices: vec![hik_core, dahua_nvr, axis, unknown, annke, hanwha, depot_dvr],
        },
        findings,
        plan,
        rules,
        method: Method {
            scans: vec![
                s(
                    "scan-1, 2022-06-01 10:00 UTC: 10.1.0.0/24, 10.1.10.0/24, 10.2.0.0/24, 10.3.0.0/24; 6 hosts answered",
                ),
                s("scan-2, 2023-03-14 10:00 UTC: same targets; 7 hosts answered"),
            ],
            imports: vec![s("assets.csv (asset register, 12 rows)")],
            fingerprints: 412,
            registry_companies: 96,
            tool_version: s("0.1.0"),
            notes: vec![s("The depot's guest Wi-Fi was out of scope.")],
        },
        history,
    }
}

fn rule(id: &str, title: &str) -> RuleInfo {
    RuleInfo {
        id: s(id),
        title: s(title),
        what: format!("Flags devices that `{id}` applies to.\n\nOne finding per device."),
        why: s(
            "The UK Government's statement of 24 November 2022 (HCWS386) tells departments to stop deploying visual surveillance systems made by companies subject to the National Intelligence Law of China onto sensitive sites.",
        ),
        example: s("```\n10.1.0.21  Hikvision DS-2CD2143G0-I  camera  core\n```"),
        fix: s("- Disconnect the device\n- Replace it from the catalogue"),
    }
}
