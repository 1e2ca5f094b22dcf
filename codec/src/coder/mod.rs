//! Binary arithmetic coder (carry-less range coder over a 32-bit interval).
//!
//! Probabilities are 16-bit: `p1` is P(bit = 1) scaled to `1..=65535`. The encoder and
//! decoder are mirror images; any change to one must be made to the other.

mod decoder;
mod encoder;

pub use decoder::Decoder;
pub use encoder::Encoder;

/// Largest probability the coder accepts; callers clamp into `1..=P_MAX`.
pub const P_MAX: u32 = 65535;

/// Splits `[x1, x2]` at the point that gives a 1-bit the share `p1 / 65536`.
/// Invariant: `x1 <= xmid < x2` whenever `x1 < x2`, so both halves are non-empty.
#[inline]
fn split(x1: u32, x2: u32, p1: u32) -> u32 {
    debug_assert!((1..=P_MAX).contains(&p1));
    x1 + (((x2 - x1) as u64 * p1 as u64) >> 16) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(bits: &[(u32, u32)]) {
        let mut enc = Encoder::new();
        for &(bit, p) in bits {
            enc.encode(bit, p);
        }
        let bytes = enc.finish();
        let mut dec = Decoder::new(&bytes);
        for (i, &(bit, p)) in bits.iter().enumerate() {
            assert_eq!(dec.decode(p), bit, "bit {i}");
        }
    }

    #[test]
    fn extreme_and_middle_probabilities_round_trip() {
        let mut bits = Vec::new();
        let mut state = 12345u32;
        for i in 0..20000u32 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let bit = (state >> 16) & 1;
            let p = match i % 4 {
                0 => 1,
                1 => P_MAX,
                2 => 32768,
                _ => 1 + (state >> 8) % P_MAX,
            };
            bits.push((bit, p));
        }
        roundtrip(&bits);
    }

    #[test]
    fn confident_predictions_cost_little() {
        let mut enc = Encoder::new();
        for _ in 0..80_000 {
            enc.encode(0, 64);
        }
        // 80k bits at p0 = 65472/65536 cost about 113 bits.
        assert!(enc.finish().len() < 32);
    }

    #[test]
    fn rewound_bits_leave_no_trace() {
        let mut straight = Encoder::new();
        let mut rewound = Encoder::new();
        for i in 0..5000u32 {
            straight.encode(i & 1, 20000);
            rewound.encode(i & 1, 20000);
        }
        let at = rewound.checkpoint();
        for i in 0..3000u32 {
            rewound.encode((i % 3) & 1, 50000);
        }
        rewound.rewind(&at);
        for i in 0..100u32 {
            straight.encode((i % 5) & 1, 40000);
            rewound.encode((i % 5) & 1, 40000);
        }
        assert_eq!(straight.finish(), rewound.finish());
    }

    #[test]
    fn decoder_past_end_of_input_does_not_panic() {
        let mut dec = Decoder::new(&[0xff, 0x00]);
        for _ in 0..1000 {
            dec.decode(30000);
        }
    }
}
