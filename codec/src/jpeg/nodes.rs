//! The context tables both JPEG scan models share: per context, buckets of 16 packed adaptive
//! probabilities, the nodes of a 4-bit tree (1..=15) below the bucket's context, so a run of
//! 4 bits costs one cache line; each bit's probabilities become stretched mixer inputs.

use crate::model::huge::HugeTable;
use crate::model::logit16::Logit16;
use crate::model::mixer::MAX_INPUTS;
use crate::model::statemap;

#[inline]
pub fn hash(tag: u64, a: u64, b: u64) -> u64 {
    let mut x = (a ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= b.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 31;
    x = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
    x ^ (x >> 29)
}

/// Magnitude class of a coefficient with its sign: 0 for zero, then `2 * bits + negative`.
#[inline]
pub fn class(v: i32) -> u64 {
    if v == 0 {
        0
    } else {
        let bits = 32 - v.unsigned_abs().leading_zeros();
        (bits.min(11) * 2 + (v < 0) as u32) as u64
    }
}

/// What a set of buckets was found for: (code counter or byte index, bits / 4, phase).
type Key = (u64, u32, u64);

pub struct NodeTables<const N: usize> {
    tables: Vec<HugeTable<[u32; 16]>>,
    mask: usize,
    buckets: [usize; N],
    key: Key,
    node: usize,
}

impl<const N: usize> NodeTables<N> {
    /// Tables suited to about `n` bytes of scan.
    pub fn new(n: usize) -> Self {
        let bits = (n.max(1) / 4)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(8, 16);
        let row = [statemap::entry(32768); 16];
        NodeTables {
            tables: (0..N).map(|_| HugeTable::filled(1 << bits, row)).collect(),
            mask: (1 << bits) - 1,
            buckets: [0; N],
            key: (u64::MAX, 0, 0),
            node: 1,
        }
    }

    /// Writes the mixer inputs for the next bit into `x[..=N]`, `done` bits into a run whose
    /// bits so far are `bits`: the stretched probability of its node in the buckets of
    /// `contexts()` (found again only when `(run, done / 4, phase)` changes), one per
    /// context, then a bias. Writing into the mixer's own lanes, rather than returning an
    /// array to copy, spares a load that would wait for the lanes' separate stores.
    #[inline]
    pub fn mixer_inputs(
        &mut self,
        (run, phase): (u64, u64),
        done: u32,
        bits: u32,
        logit: &Logit16,
        contexts: impl FnOnce() -> [u64; N],
        x: &mut [i16; MAX_INPUTS],
    ) {
        let key = (run, done / 4, phase);
        if key != self.key {
            self.key = key;
            let h = contexts();
            for (b, h) in self.buckets.iter_mut().zip(&h) {
                *b = (*h >> 40) as usize & self.mask;
            }
        }
        let within = done % 4;
        self.node = (1 << within | (bits & ((1 << within) - 1))) as usize;
        for ((&b, table), x) in self.buckets.iter().zip(&self.tables).zip(x.iter_mut()) {
            *x = logit.stretch_input(statemap::entry_p16(table[b][self.node]));
        }
        x[N] = 256;
    }

    pub fn update(&mut self, bit: u32) {
        for (table, &b) in self.tables.iter_mut().zip(&self.buckets) {
            statemap::adapt(&mut table[b][self.node], bit, 255);
        }
    }
}
