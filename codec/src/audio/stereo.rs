//! Whole-file stereo decorrelation: the two coded channels are one of left/right,
//! left/side, right/side or mid/side (side = L - R, mid = (L + R) >> 1), chosen by the
//! smallest sum of second-order differences (a cheap stand-in for the coded size).

/// The byte values are part of the payload format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    LeftRight = 0,
    LeftSide = 1,
    RightSide = 2,
    MidSide = 3,
}

impl Mode {
    pub fn from_byte(b: u8) -> Option<Mode> {
        Some(match b {
            0 => Mode::LeftRight,
            1 => Mode::LeftSide,
            2 => Mode::RightSide,
            3 => Mode::MidSide,
            _ => return None,
        })
    }

    /// Inclusive range of values coded in channel `c` (the side channel needs 17 bits).
    pub fn range(self, c: usize) -> (i32, i32) {
        if c == 1 && self != Mode::LeftRight {
            (-65535, 65535)
        } else {
            (-32768, 32767)
        }
    }

    /// The two coded values for one frame `(l, r)`.
    #[inline]
    pub fn forward(self, l: i32, r: i32) -> (i32, i32) {
        match self {
            Mode::LeftRight => (l, r),
            Mode::LeftSide => (l, l - r),
            Mode::RightSide => (r, l - r),
            Mode::MidSide => ((l + r) >> 1, l - r),
        }
    }

    /// Inverse of [`Mode::forward`] for values inside [`Mode::range`].
    #[inline]
    pub fn inverse(self, a: i32, b: i32) -> (i32, i32) {
        match self {
            Mode::LeftRight => (a, b),
            Mode::LeftSide => (a, a - b),
            Mode::RightSide => (a + b, a),
            Mode::MidSide => {
                let sum = (a << 1) | (b & 1);
                ((sum + b) >> 1, (sum - b) >> 1)
            }
        }
    }
}

/// Picks the mode for interleaved stereo `samples`.
pub fn choose(samples: &[i32]) -> Mode {
    let mut cost = [0u64; 4]; // L, R, S, M
    let mut prev = [[0i32; 2]; 4];
    for f in samples.chunks_exact(2) {
        let (l, r) = (f[0], f[1]);
        for (i, v) in [l, r, l - r, (l + r) >> 1].into_iter().enumerate() {
            let [p1, p2] = prev[i];
            cost[i] += (v - 2 * p1 + p2).unsigned_abs() as u64;
            prev[i] = [v, p1];
        }
    }
    let [l, r, s, m] = cost;
    let options = [
        (l + r, Mode::LeftRight),
        (l + s, Mode::LeftSide),
        (r + s, Mode::RightSide),
        (m + s, Mode::MidSide),
    ];
    options
        .iter()
        .min_by_key(|o| o.0)
        .map(|o| o.1)
        .unwrap_or(Mode::LeftRight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_undoes_forward_at_extremes() {
        let vals = [-32768, -32767, -1, 0, 1, 12345, 32767];
        for m in [
            Mode::LeftRight,
            Mode::LeftSide,
            Mode::RightSide,
            Mode::MidSide,
        ] {
            for &l in &vals {
                for &r in &vals {
                    let (a, b) = m.forward(l, r);
                    for (c, v) in [a, b].into_iter().enumerate() {
                        let (lo, hi) = m.range(c);
                        assert!(lo <= v && v <= hi);
                    }
                    assert_eq!(m.inverse(a, b), (l, r), "{m:?}");
                }
            }
        }
    }

    #[test]
    fn dual_mono_uses_a_side_channel() {
        let s: Vec<i32> = (0..2000).flat_map(|i| [i * 7 % 1000; 2]).collect();
        assert_ne!(choose(&s), Mode::LeftRight);
    }
}
