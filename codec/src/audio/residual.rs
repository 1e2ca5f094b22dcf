//! Codes prediction residuals bit by bit: the bit length `k` of |r| in unary, then the
//! mantissa below the leading one, then the sign. Probabilities are conditioned on the
//! recent mean magnitude of this channel's residuals (quantised in half-octave steps).

use super::bits::{AdaptiveBit, BitIo};

/// Residuals are differences of two 17-bit values, so |r| < 2^17 and `k <= 17`.
const MAX_K: usize = 17;
/// Half-octave magnitude classes.
const CTX: usize = 40;

pub struct ResidualCoder {
    /// Mean |r| in 1/16 units.
    mean: u32,
    unary: Vec<[AdaptiveBit; MAX_K]>,
    /// Top two mantissa bits, by class, `k` and the bits above them.
    high: Vec<[[AdaptiveBit; 4]; MAX_K + 1]>,
    /// Remaining mantissa bits by `k` and position.
    low: [[AdaptiveBit; MAX_K]; MAX_K + 1],
    sign: [AdaptiveBit; 3],
    last_sign: usize,
}

impl Default for ResidualCoder {
    fn default() -> Self {
        ResidualCoder {
            mean: 16 * 8,
            unary: vec![[AdaptiveBit::default(); MAX_K]; CTX],
            high: vec![[[AdaptiveBit::default(); 4]; MAX_K + 1]; CTX],
            low: [[AdaptiveBit::default(); MAX_K]; MAX_K + 1],
            sign: [AdaptiveBit::default(); 3],
            last_sign: 0,
        }
    }
}

impl ResidualCoder {
    fn class(&self) -> usize {
        let m = self.mean + 1;
        let lg = 31 - m.leading_zeros() as usize;
        let half = if lg > 0 {
            (m >> (lg - 1)) as usize & 1
        } else {
            0
        };
        (lg * 2 + half).min(CTX - 1)
    }

    /// Codes `r` (ignored when decoding) and returns the residual actually coded.
    pub fn code<C: BitIo>(&mut self, io: &mut C, r: i32) -> i32 {
        let cls = self.class();
        let a = r.unsigned_abs();
        let k_in = (32 - a.leading_zeros()) as usize;
        let mut k = 0;
        while k < MAX_K {
            let more = k_in > k;
            if self.unary[cls][k].code(io, more as u32) == 0 {
                break;
            }
            k += 1;
        }
        let mut mag: u32 = if k > 0 { 1 } else { 0 };
        for pos in (0..k.saturating_sub(1)).rev() {
            let bit_in = (a >> pos) & 1;
            let depth = k - 1 - pos;
            let model = if depth <= 2 {
                &mut self.high[cls][k][(mag & 3) as usize]
            } else {
                &mut self.low[k][pos]
            };
            mag = (mag << 1) | model.code(io, bit_in);
        }
        let mut out = mag as i32;
        if mag != 0 {
            let neg = self.sign[self.last_sign].code(io, (r < 0) as u32);
            self.last_sign = 1 + neg as usize;
            if neg != 0 {
                out = -out;
            }
        } else {
            self.last_sign = 0;
        }
        self.mean = self.mean - (self.mean >> 4) + mag;
        out
    }
}
