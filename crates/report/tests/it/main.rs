//! Integration tests of the report crate: snapshots of what people read (Markdown, JSON, both
//! CSVs), structural checks of the HTML, and the HTML rendered in headless Chromium.

mod browser;
mod fixture;
mod html;
mod snapshots;
