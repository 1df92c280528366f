//! Plain data shared by every sightline crate: what a device said (`Observation`), what we
//! concluded about it (`Identity`) and why (`Evidence`); the estate (`Estate`: sites, segments,
//! waivers), the inventory, findings and the remediation plan. No IO, no async, no logic beyond
//! conversions, so that the store, the scanner, the policy engine and the reports agree on one
//! vocabulary.

mod class;
mod estate;
mod finding;
mod identity;
mod inventory;
mod observation;

pub use class::DeviceClass;
pub use estate::{CatalogueItem, Estate, Organisation, Segment, SegmentRole, Site, Waiver};
pub use finding::{Action, Finding, Plan, PlanItem, Severity, SiteTotal};
pub use identity::{Component, DeviceKeys, Evidence, Identity, LimitHit, MacKey, MacRole};
pub use inventory::{DateBasis, Inventory, InventoryDevice, KeyConflict};
pub use observation::{Kind, Observation, ObservationRecord, RecordError};
