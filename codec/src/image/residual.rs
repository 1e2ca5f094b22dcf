//! Codes one prediction residual as a short string of binary decisions.
//!
//! Binarisation of `r = x - pred` (with `-lo_max <= r <= hi_max` known to both sides):
//! node 0 "r is zero", node 1 "r is negative" (skipped when only one sign is possible),
//! nodes 2.. an exp-Golomb bucket `k = floor(log2 |r|)` in unary (a step is skipped once
//! the bucket cannot fit the largest possible magnitude), then the `k` bits below the
//! leading one, most significant first, each with its own node.
//! Every decision is predicted by several context tables (one counter per context and
//! node), mixed, and refined by three APMs.

use super::cm::{stretch16, Apm, Counters, Mixer};
use crate::model::adaptive_bit::BitIo;
use crate::model::logistic::StretchTable;

/// Decision nodes per context.
pub const NODES: usize = 40;
const NODE_SIGN: usize = 1;
const NODE_UNARY: usize = 2;
const NODE_MANTISSA: usize = 10;

/// Context selection for one residual: per table, the context number; plus the mixer
/// weight-set and APM contexts (each later combined with the node).
pub struct Contexts<const NT: usize> {
    pub table: [usize; NT],
    pub mixer: usize,
    pub apm1: usize,
    pub apm2: usize,
    pub apm3: usize,
}

pub struct ResidualModel<const NT: usize> {
    tables: Vec<Counters>,
    mixer: Mixer,
    apm1: Apm,
    apm2: Apm,
    apm3: Apm,
    stretch: StretchTable,
}

impl<const NT: usize> ResidualModel<NT> {
    /// `sizes[i]`: contexts of table i; `mixer_sets`, `apm1`, `apm2`: context counts.
    pub fn new(sizes: [usize; NT], limits: [u32; NT], mixer_sets: usize, apms: [usize; 3]) -> Self {
        let [apm1, apm2, apm3] = apms;
        ResidualModel {
            tables: sizes
                .iter()
                .zip(limits)
                .map(|(&s, l)| Counters::new(s * NODES, l))
                .collect(),
            mixer: Mixer::new(NT + 1, mixer_sets * NODES, 3),
            apm1: Apm::new(apm1 * NODES, 6),
            apm2: Apm::new(apm2 * NODES, 6),
            apm3: Apm::new(apm3 * NODES, 6),
            stretch: StretchTable::new(),
        }
    }

    #[inline]
    fn code_bit<IO: BitIo>(&mut self, io: &mut IO, c: &Contexts<NT>, node: usize, bit: u32) -> u32 {
        for i in 0..NT {
            let p = self.tables[i].p(c.table[i] * NODES + node);
            self.mixer.set_input(i, stretch16(&self.stretch, p));
        }
        self.mixer.set_input(NT, 256);
        let pm = self.mixer.mix(c.mixer * NODES + node);
        let st = self.stretch.stretch(pm);
        let a1 = self.apm1.refine(st, c.apm1 * NODES + node);
        let a2 = self.apm2.refine(st, c.apm2 * NODES + node);
        let a3 = self.apm3.refine(st, c.apm3 * NODES + node);
        let p = ((pm as u32) * 16 + a1 + a2 + a3) >> 2;
        let bit = io.code(bit, p);
        for i in 0..NT {
            self.tables[i].update(c.table[i] * NODES + node, bit);
        }
        self.mixer.update(bit);
        self.apm1.update(bit);
        self.apm2.update(bit);
        self.apm3.update(bit);
        bit
    }

    /// Codes `r` (ignored when decoding) and returns the residual coded. The result always
    /// lies in `-lo_max..=hi_max`, even for corrupt input; `lo_max + hi_max` must be > 0.
    pub fn code<IO: BitIo>(
        &mut self,
        io: &mut IO,
        c: &Contexts<NT>,
        r: i32,
        lo_max: i32,
        hi_max: i32,
    ) -> i32 {
        if self.code_bit(io, c, 0, (r == 0) as u32) != 0 {
            return 0;
        }
        let neg = if hi_max <= 0 {
            1
        } else if lo_max <= 0 {
            0
        } else {
            self.code_bit(io, c, NODE_SIGN, (r < 0) as u32)
        };
        let max = if neg != 0 { lo_max } else { hi_max }.max(1);
        let m = r.unsigned_abs().max(1);
        let k = 31 - m.leading_zeros() as usize;
        // Unary bucket: "k > j" for j = 0.. while a larger bucket is still possible.
        let mut kk = 0usize;
        while kk < 7 && (2i32 << kk) <= max {
            if self.code_bit(io, c, NODE_UNARY + kk, (k > kk) as u32) == 0 {
                break;
            }
            kk += 1;
        }
        let base = NODE_MANTISSA + kk * kk.saturating_sub(1) / 2;
        let mut v = 1i32;
        for b in (0..kk).rev() {
            let bit = (m >> b) & 1;
            v = (v << 1) | self.code_bit(io, c, base + b, bit) as i32;
        }
        let v = v.min(max);
        if neg != 0 {
            -v
        } else {
            v
        }
    }
}
