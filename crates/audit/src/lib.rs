//! The audit: reading the estate description (sites, segments, waivers, catalogue) with errors
//! that name the file, line and field; importing existing data (CSV asset registers, nmap XML,
//! `sightline scan` JSON Lines); and placing devices on their site and segment.
//! The orchestration (scan -> store -> policy -> report) lives in the CLI's `audit` command.

pub mod estate;
pub mod import;

pub use estate::{
    EstateError, LoadedEstate, load_catalogue, load_estate, parse_catalogue, parse_estate,
};
