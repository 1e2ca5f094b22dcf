//! High-precision logistic domain for final probabilities: `squash16` maps the stretched
//! domain (`ln(p / (1 - p))` scaled by 256, clamped to `-STRETCH_MAX..=STRETCH_MAX`) to a
//! 16-bit probability in `1..=65535`, fine enough that long deterministic runs cost almost
//! nothing. `stretch16` maps a 16-bit probability back (through 4096 buckets).
//! Tables are built with f64 `+ - * /` only (IEEE-exact), so every machine gets the same bytes.

use std::sync::OnceLock;

/// Largest magnitude in the stretched domain; `squash16(STRETCH_MAX)` is 65535.
pub const STRETCH_MAX: i32 = 2880;

const SQUASH_LEN: usize = (2 * STRETCH_MAX + 1) as usize;

/// Fixed-size arrays, so masked and clamped indices need no bounds checks.
struct Tables {
    squash: Box<[u16; SQUASH_LEN]>,
    stretch: Box<[i16; 4096]>,
    /// `stretch` clamped to the mixers' input range.
    stretch_input: Box<[i16; 4096]>,
}

/// Largest magnitude of a mixer input.
pub const INPUT_MAX: i32 = 2047;

/// `e^x` from a Taylor series on `x / 1024` followed by ten squarings.
fn exp_det(x: f64) -> f64 {
    let r = x / 1024.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..12 {
        term = term * r / k as f64;
        sum += term;
    }
    for _ in 0..10 {
        sum *= sum;
    }
    sum
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let n = SQUASH_LEN;
        let mut squash = Box::new([0u16; SQUASH_LEN]);
        for (i, s) in squash.iter_mut().enumerate() {
            let x = i as i32 - STRETCH_MAX;
            let p = 65536.0 / (1.0 + exp_det(-(x as f64) / 256.0));
            *s = (p as i64).clamp(1, 65535) as u16;
        }
        // stretch[b] = smallest x whose squash reaches the middle of bucket b (16 values wide).
        let mut stretch = Box::new([STRETCH_MAX as i16; 4096]);
        let mut x = 0usize;
        for (b, s) in stretch.iter_mut().enumerate() {
            let target = (b * 16 + 8) as u16;
            while x + 1 < n && squash[x] < target {
                x += 1;
            }
            *s = (x as i32 - STRETCH_MAX) as i16;
        }
        let stretch_input = Box::new(stretch.map(|s| s.clamp(-INPUT_MAX as i16, INPUT_MAX as i16)));
        Tables {
            squash,
            stretch,
            stretch_input,
        }
    })
}

/// Handle to the shared tables (cheap to copy; build once per model).
#[derive(Clone, Copy)]
pub struct Logit16 {
    t: &'static Tables,
}

impl Default for Logit16 {
    fn default() -> Self {
        Self::new()
    }
}

impl Logit16 {
    pub fn new() -> Self {
        Logit16 { t: tables() }
    }

    /// 16-bit P(1) in `1..=65535` for a stretched value (clamped to the domain).
    #[inline]
    pub fn squash(&self, x: i32) -> u32 {
        let i = (x.clamp(-STRETCH_MAX, STRETCH_MAX) + STRETCH_MAX) as usize;
        self.t.squash[i] as u32
    }

    /// Stretched value of a 16-bit probability (`0..=65535`).
    #[inline]
    pub fn stretch(&self, p16: u32) -> i32 {
        self.t.stretch[(p16 >> 4) as usize & 4095] as i32
    }

    /// [`Self::stretch`] clamped to `-INPUT_MAX..=INPUT_MAX`, from a table (no branches).
    #[inline]
    pub fn stretch_input(&self, p16: u32) -> i16 {
        self.t.stretch_input[(p16 >> 4) as usize & 4095]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squash_is_monotonic_symmetric_and_reaches_extremes() {
        let l = Logit16::new();
        let mut last = 0;
        for x in -3000..3000 {
            let p = l.squash(x);
            assert!((1..=65535).contains(&p) && p >= last);
            last = p;
        }
        assert_eq!(l.squash(0), 32768);
        assert_eq!(l.squash(STRETCH_MAX), 65535);
        assert!(l.squash(-STRETCH_MAX) <= 2);
        assert!(
            (l.squash(256) as i32 - 47911).abs() < 8,
            "{}",
            l.squash(256)
        );
    }

    #[test]
    fn stretch_inverts_squash() {
        let l = Logit16::new();
        for x in (-1600..1600).step_by(13) {
            let back = l.stretch(l.squash(x));
            assert!((back - x).abs() <= 24, "x={x} back={back}");
        }
    }
}
