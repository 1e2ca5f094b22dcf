//! Codes prediction residuals bit by bit: the bit length `k` of |r| in unary, then the
//! mantissa below the leading one, then the sign. The unary and the top two mantissa
//! bits mix three adaptive predictions, conditioned on a fast and a slow mean of recent
//! magnitudes and on the bit lengths of this channel's and its partner's last residuals.

use super::mix::Mixer;
use super::predictor::Hint;
use crate::model::adaptive_bit::{AdaptiveBit, BitIo};
use crate::model::logistic::StretchTable;

/// Residuals are differences of two 17-bit values, so |r| < 2^17 and `k <= 17`.
const MAX_K: usize = 17;
/// Half-octave magnitude classes.
const CLASSES: usize = 40;
/// Mixed decisions: `MAX_K` unary steps, then (k, prefix) for the top mantissa bits.
const DECISIONS: usize = MAX_K + (MAX_K + 1) * 4;
const LAST_K: usize = MAX_K + 1;
/// Values of [`Hint::repeat`].
const REPEAT_STATES: usize = 3;

/// Half-octave class of a mean kept in 1/16 units.
fn class(mean: u32) -> usize {
    let m = mean + 1;
    let lg = 31 - m.leading_zeros() as usize;
    let half = if lg > 0 {
        (m >> (lg - 1)) as usize & 1
    } else {
        0
    };
    (lg * 2 + half).min(CLASSES - 1)
}

/// Per-channel statistics that condition the models.
#[derive(Clone, Copy, Default)]
pub struct History {
    fast: u32,
    slow: u32,
    last_k: usize,
}

pub struct ResidualCoder {
    st: StretchTable,
    by_fast: Vec<[AdaptiveBit; DECISIONS]>,
    by_slow: Vec<[AdaptiveBit; DECISIONS]>,
    by_last: Vec<[AdaptiveBit; DECISIONS]>,
    by_spread: Vec<[AdaptiveBit; DECISIONS]>,
    mixer: Mixer<4>,
    low: [[AdaptiveBit; MAX_K]; MAX_K + 1],
    sign: [[AdaptiveBit; 3]; 16],
    last_sign: usize,
    /// Per channel, at least two (mono reads the second's initial statistics).
    hist: Vec<History>,
}

impl ResidualCoder {
    pub fn new(channels: usize) -> Self {
        ResidualCoder {
            st: StretchTable::new(),
            by_fast: vec![[AdaptiveBit::default(); DECISIONS]; CLASSES * 2 * REPEAT_STATES],
            by_slow: vec![[AdaptiveBit::default(); DECISIONS]; CLASSES * 2],
            by_last: vec![[AdaptiveBit::default(); DECISIONS]; LAST_K * LAST_K * 2 * REPEAT_STATES],
            by_spread: vec![[AdaptiveBit::default(); DECISIONS]; CLASSES * 2],
            mixer: Mixer::new(DECISIONS * 8 * REPEAT_STATES, 2),
            low: [[AdaptiveBit::default(); MAX_K]; MAX_K + 1],
            sign: [[AdaptiveBit::default(); 3]; 16],
            last_sign: 0,
            hist: vec![
                History {
                    fast: 16 * 8,
                    slow: 16 * 8,
                    last_k: 4,
                };
                channels.max(2)
            ],
        }
    }
}

/// The contexts of one residual.
struct Ctx {
    fast: usize,
    slow: usize,
    last: usize,
    spread: usize,
    sel: usize,
}

impl ResidualCoder {
    #[inline]
    fn code_mixed<C: BitIo>(&mut self, io: &mut C, ctx: &Ctx, d: usize, bit: u32) -> u32 {
        let a = &mut self.by_fast[ctx.fast][d];
        let b = &mut self.by_slow[ctx.slow][d];
        let c = &mut self.by_last[ctx.last][d];
        let e = &mut self.by_spread[ctx.spread][d];
        let p = self
            .mixer
            .mix(&self.st, [a.p(), b.p(), c.p(), e.p()], ctx.sel + d * 8);
        let bit = io.code(bit, p);
        a.update(bit);
        b.update(bit);
        c.update(bit);
        e.update(bit);
        self.mixer.update(bit);
        bit
    }

    /// Codes `r` of channel `c` (`r` is ignored when decoding), predicted with uncertainty
    /// `hint` and conditioned on channel `partner`'s last residual, and returns the residual
    /// actually coded. The first channel has statistics of its own, the others share theirs.
    pub fn code<C: BitIo>(
        &mut self,
        io: &mut C,
        c: usize,
        partner: usize,
        hint: Hint,
        r: i32,
    ) -> i32 {
        let h = self.hist[c];
        let other = self.hist[partner].last_k;
        let ch = c.min(1);
        let fast = class(h.fast);
        let ctx = Ctx {
            fast: (fast * 2 + ch) * REPEAT_STATES + hint.repeat,
            slow: class(h.slow) * 2 + ch,
            last: ((h.last_k * LAST_K + other) * 2 + ch) * REPEAT_STATES + hint.repeat,
            spread: class(hint.spread.saturating_mul(16)) * 2 + ch,
            sel: fast / 5 + hint.repeat * DECISIONS * 8,
        };
        let a = r.unsigned_abs();
        let k_in = (32 - a.leading_zeros()) as usize;
        let mut k = 0;
        while k < MAX_K {
            if self.code_mixed(io, &ctx, k, (k_in > k) as u32) == 0 {
                break;
            }
            k += 1;
        }
        let mut mag: u32 = if k > 0 { 1 } else { 0 };
        for pos in (0..k.saturating_sub(1)).rev() {
            let bit_in = (a >> pos) & 1;
            let bit = if k - 1 - pos <= 2 {
                let d = MAX_K + k * 4 + (mag & 3) as usize;
                self.code_mixed(io, &ctx, d, bit_in)
            } else {
                self.low[k][pos].code(io, bit_in)
            };
            mag = (mag << 1) | bit;
        }
        let mut out = mag as i32;
        if mag != 0 {
            let neg = self.sign[hint.frac * 4 + k.min(3)][self.last_sign].code(io, (r < 0) as u32);
            self.last_sign = 1 + neg as usize;
            if neg != 0 {
                out = -out;
            }
        } else {
            self.last_sign = 0;
        }
        let h = &mut self.hist[c];
        h.fast = h.fast - (h.fast >> 2) + (mag << 2);
        h.slow = h.slow - (h.slow >> 5) + (mag >> 1);
        h.last_k = k;
        out
    }
}
