//! Per-file random streams and integer sampling helpers.
//!
//! Every stream is ChaCha8 keyed by SHA-256 of (seed, file name, purpose), so files are
//! independent of each other and of the order in which they are generated. Only
//! `RngCore::next_u32`/`fill_bytes` are used: their output is fixed by the ChaCha spec.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct Stream {
    rng: ChaCha8Rng,
}

impl Stream {
    /// The stream for `purpose` within file `name` under `seed`.
    pub fn new(seed: u64, name: &str, purpose: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"bench-harness synth v1\0");
        hasher.update(seed.to_le_bytes());
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update(purpose.as_bytes());
        Stream {
            rng: ChaCha8Rng::from_seed(hasher.finalize().into()),
        }
    }

    pub fn u32(&mut self) -> u32 {
        self.rng.next_u32()
    }

    pub fn u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Uniform in `0..n` by multiply-shift; `n` must be > 0. The bias (< n / 2^32) is irrelevant here.
    pub fn below(&mut self, n: u32) -> u32 {
        ((u64::from(self.u32()) * u64::from(n)) >> 32) as u32
    }

    /// Uniform in `0..n` for a `usize` bound that fits in `u32`.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u32) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + ((u128::from(self.u64()) * (hi - lo + 1) as u128) >> 64) as i64
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }

    /// Sum of four uniform bytes minus 510: a cheap bell-shaped value in `-510..=510`.
    pub fn bell(&mut self) -> i32 {
        let v = self.u32();
        (v & 0xff) as i32 + (v >> 8 & 0xff) as i32 + (v >> 16 & 0xff) as i32 + (v >> 24) as i32
            - 510
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        self.rng.fill_bytes(buf);
    }
}

/// Zipf-like choice of a rank in `0..n`: weight of rank r is proportional to 1 / (r + offset).
pub struct Zipf {
    cumulative: Vec<u32>,
}

impl Zipf {
    pub fn new(n: usize, offset: u32) -> Self {
        assert!(n > 0 && offset > 0);
        let mut total = 0u32;
        let cumulative = (0..n as u32)
            .map(|r| {
                total += (1 << 22) / (r + offset) + 1;
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub fn sample(&self, rng: &mut Stream) -> usize {
        let total = *self.cumulative.last().expect("non-empty");
        let x = rng.below(total);
        self.cumulative.partition_point(|&c| c <= x)
    }
}
