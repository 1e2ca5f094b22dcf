//! The logistic domain used by mixers: `stretch(p) = ln(p / (1 - p))` and its inverse
//! `squash`, in fixed point. Probabilities are 12-bit (`0..=4095`, P(1) * 4096); the
//! stretched domain is scaled by 256 and clamped to `-2047..=2047`.
//! Integer tables only, so every machine computes identical values.

/// `4096 / (1 + exp(-x / 256))` sampled at `x = (i - 16) * 128`.
const SQUASH_KNOTS: [i32; 33] = [
    1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048, 2550, 2994, 3349,
    3608, 3785, 3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095,
];

/// Inverse of [`stretch`]: maps the logistic domain to a 12-bit probability.
#[inline]
pub fn squash(d: i32) -> i32 {
    if d > 2047 {
        return 4095;
    }
    if d < -2047 {
        return 1;
    }
    let w = d & 127;
    let i = ((d >> 7) + 16) as usize;
    (SQUASH_KNOTS[i] * (128 - w) + SQUASH_KNOTS[i + 1] * w + 64) >> 7
}

/// `stretch(p)` for every 12-bit `p`, built by inverting [`squash`].
pub struct StretchTable([i16; 4096]);

impl Default for StretchTable {
    fn default() -> Self {
        Self::new()
    }
}

impl StretchTable {
    pub fn new() -> Self {
        let mut table = [0i16; 4096];
        let mut next = 0usize;
        for x in -2047..=2047 {
            let v = squash(x) as usize;
            while next <= v {
                table[next] = x as i16;
                next += 1;
            }
        }
        while next < 4096 {
            table[next] = 2047;
            next += 1;
        }
        StretchTable(table)
    }

    /// `ln(p / (1 - p)) * 256` for a 12-bit probability `p`.
    #[inline]
    pub fn stretch(&self, p: i32) -> i32 {
        self.0[(p & 4095) as usize] as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squash_is_monotonic_and_bounded() {
        let mut last = 0;
        for d in -3000..3000 {
            let p = squash(d);
            assert!((1..=4095).contains(&p));
            assert!(p >= last);
            last = p;
        }
        assert_eq!(squash(0), 2048);
    }

    #[test]
    fn stretch_inverts_squash() {
        let t = StretchTable::new();
        for d in (-1200..1200).step_by(7) {
            let back = t.stretch(squash(d));
            assert!((back - d).abs() <= 40, "d={d} back={back}");
        }
        assert!(t.stretch(4095) > 1500 && t.stretch(1) < -1500);
    }
}
