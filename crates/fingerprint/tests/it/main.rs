//! Integration tests of the identification engine at its boundary: data in, identities out.

mod data;
mod hostile;
mod identify;
mod layout;
mod parse;
mod regressions;
mod snapshot;

use fingerprint::Database;
use std::sync::OnceLock;

/// The embedded database, loaded once for all tests.
pub fn db() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| Database::embedded().0)
}
