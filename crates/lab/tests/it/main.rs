//! The lab at its boundary: an estate is laid out reproducibly, served on loopback, and a
//! scan of it identifies the devices its truth file names.

mod estate;
mod scan;
