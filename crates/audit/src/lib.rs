//! The audit: reading the estate description (sites, segments, waivers, catalogue) with errors
//! that name the file, line and field; importing existing data (CSV asset registers, nmap XML,
//! `sightline scan` JSON Lines); and placing devices on their site and segment.
//! And the pipeline that ties scan, store, policy and report together (`pipeline`), shared by
//! the CLI's `audit` and `demo` commands and, later, the server.

pub mod estate;
pub mod import;
pub mod pipeline;

pub use estate::{
    EstateError, LoadedEstate, load_catalogue, load_estate, parse_catalogue, parse_estate,
};
