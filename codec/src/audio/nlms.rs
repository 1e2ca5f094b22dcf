//! A short normalised LMS filter in 64-bit fixed point over an arbitrary input vector
//! (own history plus the other channel), precise enough to track the spectral envelope.

/// Weights are in 1/2^16 units.
const W_SHIFT: u32 = 16;
/// Extra precision of the normalised error.
const G_SHIFT: u32 = 16;
/// Weight bound (magnitude 2^14), keeping every product inside `i64`.
const W_MAX: i64 = 1 << 30;

pub struct Nlms {
    weights: Vec<i64>,
    /// Step size is `2^-mu_shift`.
    mu_shift: u32,
}

impl Nlms {
    pub fn new(order: usize, mu_shift: u32) -> Self {
        Nlms {
            weights: vec![0; order],
            mu_shift,
        }
    }

    #[inline]
    pub fn predict(&self, x: &[i32]) -> i32 {
        let mut sum = 0i64;
        for (&w, &v) in self.weights.iter().zip(x) {
            sum += w * v as i64;
        }
        let p = (sum + (1 << (W_SHIFT - 1))) >> W_SHIFT;
        p.clamp(-(1 << 20), 1 << 20) as i32
    }

    /// Moves the weights along `x` by `err / |x|^2`.
    #[inline]
    pub fn update(&mut self, x: &[i32], err: i32) {
        if err == 0 {
            return;
        }
        let mut power = 64i64;
        for &v in x {
            power += v as i64 * v as i64;
        }
        let g = ((err as i64) << (W_SHIFT + G_SHIFT)) / power;
        let g = g.clamp(-(1 << 40), 1 << 40);
        let sh = G_SHIFT + self.mu_shift;
        for (w, &v) in self.weights.iter_mut().zip(x) {
            *w = (*w + ((g * v as i64) >> sh)).clamp(-W_MAX, W_MAX);
        }
    }
}
