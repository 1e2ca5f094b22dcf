//! Binary arithmetic coder (carry-less range coder over a 32-bit interval).
//!
//! Probabilities are 16-bit: `p1` is P(bit = 1) scaled to `1..=65535`. The encoder and
//! decoder are mirror images; any change to one must be made to the other.
//!
//! A stream of `n` bytes holds at most [`MAX_STEPS_PER_BYTE`]` * n` bits. The interval
//! `[x1, x2]` holds `2^32` values at the start; a step keeps at most `P_MAX / 65536` of it
//! (so `-log2` of its size grows by at least `log2(65536 / 65535)`), each byte read
//! multiplies it by 256, and it never holds fewer than one value. So `b` steps need
//! `b * log2(65536 / 65535) <= 8 * (bytes read)`, and a decoder that stops when it needs a
//! byte past its input ([`Decoder::exhausted`]) has taken at most that many steps.

mod decoder;
mod encoder;

pub use decoder::Decoder;
pub use encoder::Encoder;
use std::sync::atomic::AtomicU64;

/// Largest probability the coder accepts; callers clamp into `1..=P_MAX`.
pub const P_MAX: u32 = 65535;
/// Most steps (decoded bits) `n` bytes of a stream hold, per byte: `8 / log2(65536 / 65535)`
/// is 363,409.6, and the rounding of [`split`] adds less than one part in 10^5.
pub const MAX_STEPS_PER_BYTE: u64 = 363_416;

/// Steps taken by every decoder of this process that has been dropped.
static STEPS: AtomicU64 = AtomicU64::new(0);

/// Steps taken so far by every decoder of this process that has been dropped (a count of
/// the decoding work, the same on every machine). Counted only in builds with debug
/// assertions, such as the tests': 0 in release builds, whose decoders do not count.
pub fn steps_so_far() -> u64 {
    STEPS.load(std::sync::atomic::Ordering::Relaxed)
}

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
    fn decoder_past_end_of_input_does_not_panic_and_says_so() {
        let mut dec = Decoder::new(&[0xff, 0x00]);
        assert!(dec.exhausted(), "four bytes are read at once");
        for _ in 0..1000 {
            dec.decode(30000);
        }
        let err = dec.end("test stream").unwrap_err();
        assert!(err
            .to_string()
            .contains("test stream: coded stream ended before the data"));
    }

    #[test]
    fn a_stream_is_read_exactly_and_leftover_bytes_are_errors() {
        let bits: Vec<(u32, u32)> = (0..5000u32).map(|i| ((i / 3) & 1, 20000 + i)).collect();
        let mut enc = Encoder::new();
        for &(bit, p) in &bits {
            enc.encode(bit, p);
        }
        let mut bytes = enc.finish();
        let decode_all = |bytes: &[u8]| {
            let mut dec = Decoder::new(bytes);
            for &(bit, p) in &bits {
                assert!(!dec.exhausted());
                assert_eq!(dec.decode(p), bit);
            }
            dec.end("test stream")
        };
        decode_all(&bytes).expect("a whole stream is read exactly");
        bytes.push(0);
        let err = decode_all(&bytes).unwrap_err();
        assert!(err.to_string().contains("1 bytes after the end"), "{err}");
    }

    #[test]
    fn the_slowest_narrowing_takes_nearly_the_most_steps_per_byte() {
        // Zero bytes decode as 1-bits; at P_MAX each narrows the interval the least.
        for n in [4usize, 5, 8, 40] {
            let input = vec![0u8; n];
            let mut dec = Decoder::new(&input);
            let mut steps = 0u64;
            while !dec.exhausted() {
                assert_eq!(dec.decode(P_MAX), 1);
                steps += 1;
            }
            // The step that needed byte n + 1 was the last that byte n paid for.
            assert!(steps <= MAX_STEPS_PER_BYTE * n as u64, "{n}: {steps}");
            assert!(steps >= 363_000 * (n as u64 - 3), "{n}: {steps}");
        }
    }
}
