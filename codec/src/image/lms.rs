//! Normalised LMS predictor in integer arithmetic: predicts a sample as W plus a learned
//! linear combination of local differences (of its own plane and of reference planes).
//! Weights are Q16; predictions are in eighths.

/// Inputs at most.
pub const INPUTS: usize = 14;
/// Step size as `e * f * STEP / energy` in Q16 weight units per eighth of error.
const STEP: i64 = 256;
const WEIGHT_LIMIT: i32 = 4 << 16;

pub struct Lms {
    w: [i32; INPUTS],
    f: [i32; INPUTS],
    n: usize,
    energy: i64,
}

impl Lms {
    pub fn new() -> Self {
        Lms {
            w: [0; INPUTS],
            f: [0; INPUTS],
            n: 0,
            energy: 0,
        }
    }

    /// Predicts from `features` (differences, sample units) around `base`; returns eighths.
    pub fn predict(&mut self, base: i32, features: &[i32]) -> i32 {
        let n = features.len().min(INPUTS);
        self.n = n;
        self.f[..n].copy_from_slice(&features[..n]);
        let mut dot: i64 = 0;
        let mut energy: i64 = 0;
        for (w, &f) in self.w[..n].iter().zip(&self.f[..n]) {
            dot += *w as i64 * f as i64;
            energy += f as i64 * f as i64;
        }
        self.energy = energy;
        base * 8 + (dot >> 13).clamp(-1 << 14, 1 << 14) as i32
    }

    /// Learns from the error (value - prediction, eighths) of the last prediction.
    pub fn update(&mut self, err8: i32) {
        let s = (((err8 as i64) * STEP) << 8) / (self.energy + 32);
        for (w, &f) in self.w[..self.n].iter_mut().zip(&self.f[..self.n]) {
            let d = (s * f as i64) >> 8;
            *w = (*w as i64 + d).clamp(-WEIGHT_LIMIT as i64, WEIGHT_LIMIT as i64) as i32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_linear_rule() {
        // value = W + (N - W) / 2 + (g - gW)
        let mut lms = Lms::new();
        let mut last = 0;
        let mut s = 7u32;
        for _ in 0..3000 {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let a = (s >> 16) as i32 % 40 - 20;
            let b = (s >> 8) as i32 % 40 - 20;
            let target8 = 100 * 8 + a * 4 + b * 8;
            let p = lms.predict(100, &[a, b]);
            last = target8 - p;
            lms.update(last);
        }
        assert!(last.abs() <= 8, "{last}");
    }
}
