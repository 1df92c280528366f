//! Integration tests of the policy engine at its boundary (`evaluate`, `plan`,
//! `serial_production_date`): one fixture and snapshot per rule, the acceptance estate,
//! waivers, the remediation plan, serial dates and the rules' documentation.

mod acceptance;
mod docs;
mod fixture;
mod plan;
mod rules;
mod serial;
mod waivers;
