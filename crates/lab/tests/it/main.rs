//! The lab at its boundary: an estate is laid out reproducibly, served on loopback, and a
//! scan of it identifies the devices its truth file names; hostile devices attack as described.

mod browser;
mod estate;
mod hostile;
mod scan;
