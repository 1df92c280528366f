//! The simulated estate. Fake devices live on 127.x loopback addresses (Linux routes all of
//! 127.0.0.0/8 to the loopback interface) and replay real answers captured from devices: the
//! project's labelled evaluation sets, so that every fake device has a known true maker.
//! Some devices misbehave on purpose (slow, tarpit, garbage, reset, huge headers, TLS only) so
//! that the scanner is tested against them; hostile ones (`hostile`) attack the scanner with
//! their answers. Tests, the demo and the benchmarks use it.
//!
//! The lab only listens; it never sends traffic anywhere but back to whoever connected.

pub mod estate;
pub mod hostile;
pub mod persona;
pub mod serve;

pub use estate::{EstateConfig, Placement, plan};
pub use hostile::Hostile;
pub use persona::{Behaviour, Persona, Service, Truth, catalog, catalog_from};
pub use serve::{Lab, LabError};

/// A small seeded generator (SplitMix64): estates must be reproducible from `--seed`, and this
/// needs no dependency.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}
