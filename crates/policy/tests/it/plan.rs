//! The remediation plan: order by risk, actions per tier, catalogue options and costs.

use crate::fixture::{Fixture, render_plan};
use model::{Action, CatalogueItem, DeviceClass, Plan};

fn plan_for(fixture: &Fixture, catalogue: &[CatalogueItem]) -> Plan {
    let profile = policy::profile("uk-gov-2022").unwrap();
    let inventory = fixture.inventory();
    let findings = policy::evaluate(&inventory, &profile, &fixture.cx());
    policy::plan(&findings, &inventory, &fixture.estate, catalogue, true)
}

#[test]
fn plan_orders_by_risk_and_costs_replacements() {
    let fixture = Fixture::load("plan.toml");
    let plan = plan_for(&fixture, &fixture.catalogue);
    let order: Vec<(usize, &str, &[Action])> = plan
        .items
        .iter()
        .map(|i| (i.priority, i.device.as_str(), i.actions.as_slice()))
        .collect();
    use Action::*;
    assert_eq!(
        order,
        [
            (1, "hq-core-cam-a", &[DisconnectFromCore, Replace][..]),
            (2, "hq-core-cam-b", &[DisconnectFromCore, Replace][..]),
            (3, "hq-cctv-nvr", &[Replace][..]),
            (4, "hq-cctv-unknown-class", &[Replace][..]),
            (5, "regional-core-cam", &[DisconnectFromCore, Isolate][..]),
            (6, "regional-corporate-cam", &[Isolate, Monitor][..]),
            (7, "regional-cctv-cam", &[Monitor][..]),
            (8, "hq-mystery", &[Monitor][..]),
        ]
    );
    // Cheapest camera first, at most three options; the item costs the cheapest.
    let first = &plan.items[0];
    assert_eq!(
        first.replacements,
        [
            ("Hanwha Vision XNV-8080R".to_string(), 455.5),
            ("Bosch FLEXIDOME 5100i".to_string(), 520.0),
            ("Axis P3265-LVE".to_string(), 640.0),
        ]
    );
    assert_eq!(first.cost, 455.5);
    assert_eq!(plan.items[2].cost, 2100.0);
    // Unknown class: replaced, but no option and no cost.
    assert!(plan.items[3].replacements.is_empty());
    assert_eq!(plan.items[3].cost, 0.0);
    assert_eq!(plan.items[4].cost, 0.0);

    assert_eq!(plan.currency, "EUR");
    assert!(plan.sample_catalogue);
    let sites: Vec<(&str, usize, usize, f64)> = plan
        .sites
        .iter()
        .map(|s| (s.site.as_str(), s.devices, s.replacements, s.cost))
        .collect();
    assert_eq!(
        sites,
        [("hq", 5, 4, 455.5 * 2.0 + 2100.0), ("regional", 3, 0, 0.0)]
    );
    assert_eq!(plan.total_cost, 455.5 * 2.0 + 2100.0);
    insta::assert_snapshot!(render_plan(&plan));
}

#[test]
fn currency_defaults_to_gbp() {
    let fixture = Fixture::load("plan.toml");
    let catalogue = [CatalogueItem {
        device_class: DeviceClass::Camera,
        make: "Axis".into(),
        model: "M3085-V".into(),
        unit_cost: 199.0,
        currency: None,
        notes: None,
    }];
    let plan = plan_for(&fixture, &catalogue);
    assert_eq!(plan.currency, "GBP");
    assert_eq!(plan.total_cost, 2.0 * 199.0);
    assert!(
        plan.items[2]
            .reason
            .contains("no recorder in the catalogue")
    );
}

#[test]
fn no_findings_no_plan() {
    let fixture = Fixture::load("plan.toml");
    let plan = policy::plan(
        &[],
        &fixture.inventory(),
        &fixture.estate,
        &fixture.catalogue,
        false,
    );
    assert!(plan.items.is_empty() && plan.sites.is_empty());
    assert_eq!(plan.total_cost, 0.0);
}
