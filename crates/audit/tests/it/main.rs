//! Estate files and imports at their boundary.

mod estate;
mod import;
mod stream;
mod trust;
