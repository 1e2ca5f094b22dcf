//! Adaptive bit probabilities and one interface over the encoder and the decoder, so the
//! model is written once and both directions see identical probabilities.

use crate::coder::{Decoder, Encoder, P_MAX};

/// Codes one bit: the encoder writes `bit` and returns it; the decoder ignores `bit` and
/// returns the bit it reads. `p1` is P(bit = 1) in 1/65536 units.
pub trait BitIo {
    fn code(&mut self, bit: u32, p1: u32) -> u32;
    /// Whether a decoder has needed a byte past its input (see [`Decoder::exhausted`]):
    /// code shared by both directions stops there. Never true of the encoder.
    fn exhausted(&self) -> bool;
}

impl BitIo for Encoder {
    #[inline]
    fn code(&mut self, bit: u32, p1: u32) -> u32 {
        self.encode(bit, p1.clamp(1, P_MAX));
        bit
    }

    #[inline]
    fn exhausted(&self) -> bool {
        false
    }
}

impl BitIo for Decoder<'_> {
    #[inline]
    fn code(&mut self, _bit: u32, p1: u32) -> u32 {
        self.decode(p1.clamp(1, P_MAX))
    }

    #[inline]
    fn exhausted(&self) -> bool {
        Decoder::exhausted(self)
    }
}

/// `65536 / (n + 1.6)`: the learning rate of an adaptive bit after `n` observations.
const RATE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        t[n] = 65536 * 10 / (10 * n as u32 + 16);
        n += 1;
    }
    t
};

/// A probability P(1) in 1/65536 units that starts fast and settles to rate `1 / LIMIT`.
#[derive(Clone, Copy)]
pub struct AdaptiveBit {
    p: u16,
    n: u8,
}

impl Default for AdaptiveBit {
    fn default() -> Self {
        AdaptiveBit { p: 32768, n: 0 }
    }
}

impl AdaptiveBit {
    /// Observations after which the rate stops falling.
    const LIMIT: u8 = 250;

    #[inline]
    pub fn p(self) -> u32 {
        self.p as u32
    }

    #[inline]
    pub fn update(&mut self, bit: u32) {
        let target = if bit != 0 { 65535i64 } else { 0 };
        let p = self.p as i64;
        let step = ((target - p) * RATE[self.n as usize] as i64) >> 16;
        self.p = (p + step).clamp(32, 65503) as u16;
        if self.n < Self::LIMIT {
            self.n += 1;
        }
    }

    /// Codes `bit` under this probability and learns from it.
    #[inline]
    pub fn code<C: BitIo>(&mut self, io: &mut C, bit: u32) -> u32 {
        let b = io.code(bit, self.p());
        self.update(b);
        b
    }
}
