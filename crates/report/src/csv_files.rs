//! `devices.csv` and `findings.csv`: one row per device or finding, with a header row, in the
//! same order as the HTML report. Lists inside a cell are joined with `; `. Text cells that a
//! spreadsheet would run as a formula are neutralised (see `text::csv_cell`).

use crate::text::{self, csv_cell};
use crate::view::View;

const DEVICE_HEADER: [&str; 19] = [
    "address",
    "id",
    "mac",
    "serial",
    "manufacturer",
    "brand",
    "model",
    "device_class",
    "firmware",
    "covered",
    "regimes",
    "confidence",
    "site",
    "segment",
    "segment_role",
    "first_seen",
    "last_seen",
    "deployed",
    "evidence",
];

const FINDING_HEADER: [&str; 12] = [
    "severity",
    "rule",
    "device",
    "address",
    "site",
    "segment",
    "first_seen",
    "title",
    "evidence",
    "remediation",
    "waived",
    "waiver",
];

fn cell(s: Option<&str>) -> String {
    s.map(csv_cell).unwrap_or_default()
}

fn write(header: &[&str], rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing CSV into a Vec cannot fail: the only errors are IO errors and ragged rows, and
    // every row here has the header's length.
    w.write_record(header).expect("csv header");
    for row in rows {
        w.write_record(&row).expect("csv row");
    }
    w.into_inner().expect("csv flush to memory")
}

pub fn devices(view: &View) -> Vec<u8> {
    let rows = view
        .devices
        .iter()
        .map(|d| {
            let i = &d.identity;
            let evidence = text::join(
                i.evidence.iter().map(|e| {
                    if e.field.is_empty() {
                        format!("{}: {}", e.fingerprint, e.matched)
                    } else {
                        format!("{} on {}: {}", e.fingerprint, e.field, e.matched)
                    }
                }),
                "; ",
            );
            vec![
                cell(d.address.as_deref()),
                csv_cell(&d.id),
                cell(d.mac.as_deref()),
                cell(d.serial.as_deref()),
                cell(i.manufacturer.as_deref()),
                cell(i.brand.as_deref()),
                cell(i.model.as_deref()),
                cell(i.device_class.map(|c| c.as_str())),
                cell(i.firmware.as_deref()),
                if i.covered { "yes" } else { "no" }.to_string(),
                csv_cell(&i.regimes.join("; ")),
                format!("{:.2}", i.confidence),
                cell(d.site.as_deref()),
                cell(d.segment.as_deref()),
                cell(view.segment_role(d).map(|r| r.as_str())),
                cell(d.first_seen.as_deref()),
                cell(d.last_seen.as_deref()),
                cell(d.deployed().map(|(date, _)| date)),
                csv_cell(&evidence),
            ]
        })
        .collect();
    write(&DEVICE_HEADER, rows)
}

pub fn findings(view: &View) -> Vec<u8> {
    let rows = view
        .findings
        .iter()
        .map(|f| {
            let waiver = f
                .waived
                .as_ref()
                .map(|w| format!("until {} by {}: {}", w.expires, w.approver, w.reason));
            vec![
                f.severity
                    .map(|s| s.as_str())
                    .unwrap_or("unrated")
                    .to_string(),
                csv_cell(&f.rule),
                csv_cell(&f.device),
                cell(f.address.as_deref()),
                cell(view.finding_site(f)),
                cell(f.segment.as_deref()),
                cell(f.first_seen.as_deref()),
                csv_cell(&f.title),
                csv_cell(&f.evidence.join(" -> ")),
                csv_cell(&f.remediation),
                if f.waived.is_some() { "yes" } else { "no" }.to_string(),
                cell(waiver.as_deref()),
            ]
        })
        .collect();
    write(&FINDING_HEADER, rows)
}
