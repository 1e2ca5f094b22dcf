//! Gated linear mixing in the logistic domain: `p = squash(sum(w_i * x_i))`, with one weight
//! vector per selectable context, trained online to minimise coding cost.
//! Inputs are stretched probabilities (scale 256); weights are 16.16 fixed point.

use super::logit16::Logit16;

/// Most inputs a mixer takes.
pub const MAX_INPUTS: usize = 16;

pub struct Mixer {
    n: usize,
    set_mask: usize,
    weights: Vec<i32>,
    inputs: [i32; MAX_INPUTS],
    nin: usize,
    base: usize,
    dot: i32,
    p16: u32,
    lr: i64,
    logit: Logit16,
}

impl Mixer {
    /// `n` inputs per prediction (at most [`MAX_INPUTS`]), `sets` weight vectors (rounded up to
    /// a power of two), learning rate `lr` (about 2..24).
    pub fn new(n: usize, sets: usize, init_weight: i32, lr: i64) -> Self {
        let n = n.clamp(1, MAX_INPUTS);
        let sets = sets.max(1).next_power_of_two();
        Mixer {
            n,
            set_mask: sets - 1,
            weights: vec![init_weight; n * sets],
            inputs: [0; MAX_INPUTS],
            nin: 0,
            base: 0,
            dot: 0,
            p16: 32768,
            lr,
            logit: Logit16::new(),
        }
    }

    /// Adds one input; at most `n` per prediction (extra inputs are ignored).
    #[inline]
    pub fn add(&mut self, x: i32) {
        if self.nin < self.n {
            self.inputs[self.nin] = x;
            self.nin += 1;
        }
    }

    /// Selects the weight vector (masked to the number of sets).
    #[inline]
    pub fn select(&mut self, set: usize) {
        self.base = (set & self.set_mask) * self.n;
    }

    /// Mixes the inputs added since the last update; returns the stretched output.
    #[inline]
    pub fn mix(&mut self) -> i32 {
        let w = &self.weights[self.base..self.base + self.n];
        let mut dot = 0i64;
        for (x, w) in self.inputs[..self.nin].iter().zip(w) {
            dot += *x as i64 * *w as i64;
        }
        self.dot = (dot >> 16).clamp(-2880, 2880) as i32;
        self.p16 = self.logit.squash(self.dot);
        self.dot
    }

    /// 16-bit probability of the last `mix`.
    #[inline]
    pub fn p16(&self) -> u32 {
        self.p16
    }

    /// Trains the selected weights on the coded `bit` and clears the inputs.
    #[inline]
    pub fn update(&mut self, bit: u32) {
        let err = ((bit as i64) << 16) - self.p16 as i64;
        let g = err * self.lr;
        let w = &mut self.weights[self.base..self.base + self.n];
        for (x, w) in self.inputs[..self.nin].iter().zip(w.iter_mut()) {
            let d = (*x as i64 * g) >> 18;
            *w = (*w as i64 + d).clamp(-(8 << 16), 8 << 16) as i32;
        }
        self.nin = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_to_trust_the_informative_input() {
        let mut m = Mixer::new(2, 1, 1 << 14, 6);
        let mut state = 7u32;
        for _ in 0..5000 {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let bit = state >> 31;
            let good = if bit == 1 { 600 } else { -600 };
            m.add(good);
            m.add(((state >> 7) & 1023) as i32 - 512);
            m.mix();
            m.update(bit);
        }
        m.add(600);
        m.add(0);
        m.mix();
        assert!(m.p16() > 60000, "{}", m.p16());
    }
}
