//! Plain data shared by every sightline crate: what a device said (`Observation`), what we
//! concluded about it (`Identity`) and why (`Evidence`). No IO, no async, no logic beyond
//! conversions, so that the store, the scanner, the policy engine and the reports agree on one
//! vocabulary.

mod class;
mod identity;
mod observation;

pub use class::DeviceClass;
pub use identity::{Evidence, Identity};
pub use observation::{Kind, Observation, ObservationRecord, RecordError};
