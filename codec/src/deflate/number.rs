//! Adaptive Elias-gamma code for counts and lengths in the side information.

use crate::model::adaptive_bit::{AdaptiveBit, BitIo};

/// Largest bit length a decoded number may have: garbage input cannot build a huge value.
const MAX_BITS: usize = 40;

#[derive(Clone)]
pub struct Number {
    /// "One more bit" decisions, by bit length so far.
    more: [AdaptiveBit; MAX_BITS + 1],
    /// The bit below the leading one, by bit length.
    second: [AdaptiveBit; MAX_BITS + 1],
}

impl Default for Number {
    fn default() -> Self {
        Number {
            more: [AdaptiveBit::default(); MAX_BITS + 1],
            second: [AdaptiveBit::default(); MAX_BITS + 1],
        }
    }
}

impl Number {
    /// Codes `value` (ignored when decoding) and returns it; values below `2^39`.
    pub fn code<C: BitIo>(&mut self, io: &mut C, value: u64) -> u64 {
        let v = value.wrapping_add(1);
        let bits = (64 - v.leading_zeros() as usize).max(1);
        let mut n = 1;
        while n < MAX_BITS && self.more[n].code(io, u32::from(n < bits)) == 1 {
            n += 1;
        }
        let mut out = 1u64;
        for i in (0..n - 1).rev() {
            let bit = ((v >> i) & 1) as u32;
            let b = if i == n - 2 {
                self.second[n].code(io, bit)
            } else {
                io.code(bit, 32768)
            };
            out = out << 1 | u64::from(b);
        }
        out - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coder::{Decoder, Encoder};

    #[test]
    fn numbers_round_trip() {
        let values = [0u64, 1, 2, 3, 7, 8, 255, 65535, 1 << 30, 12345678901];
        let mut enc = Encoder::new();
        let mut model = Number::default();
        for &v in &values {
            assert_eq!(model.code(&mut enc, v), v);
        }
        let bytes = enc.finish();
        let mut dec = Decoder::new(&bytes);
        let mut model = Number::default();
        for &v in &values {
            assert_eq!(model.code(&mut dec, 0), v);
        }
    }
}
