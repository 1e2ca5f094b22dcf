//! Adaptive bit-probability primitives of the image model: counters with a count-based
//! learning rate, a small logistic mixer and an interpolating APM (SSE) stage.
//!
//! Probabilities: counters and APMs hold P(1) scaled to 16 bits; the mixer works in the
//! 12-bit logistic domain of [`crate::model::logistic`] (stretch scaled by 256).

use crate::model::huge::HugeTable;
use crate::model::logistic::{squash, StretchTable};
use crate::model::statemap;

pub struct Counters {
    /// Entries packed as in [`statemap`] (the same adaptive probability and count).
    t: HugeTable<u32>,
    limit: u32,
}

impl Counters {
    pub fn new(len: usize, limit: u32) -> Self {
        Counters {
            t: HugeTable::filled(len, statemap::entry(32768)),
            limit: limit.min(1023),
        }
    }

    /// P(1) at `i`, 16-bit.
    #[inline]
    pub fn p(&self, i: usize) -> u32 {
        statemap::entry_p16(self.t[i])
    }

    #[inline]
    pub fn update(&mut self, i: usize, bit: u32) {
        statemap::adapt(&mut self.t[i], bit, self.limit);
    }
}

/// Logistic mixer: a weighted sum of stretched probabilities, one weight set per context.
pub struct Mixer {
    weights: Vec<i32>,
    inputs: [i32; Mixer::MAX_INPUTS],
    n: usize,
    set: usize,
    pr: i32,
    rate: i32,
}

impl Mixer {
    pub const MAX_INPUTS: usize = 12;

    pub fn new(n: usize, sets: usize, rate: i32) -> Self {
        assert!(n <= Self::MAX_INPUTS);
        Mixer {
            weights: vec![(1 << 16) / n as i32; n * sets],
            inputs: [0; Self::MAX_INPUTS],
            n,
            set: 0,
            pr: 2048,
            rate,
        }
    }

    #[inline]
    pub fn set_input(&mut self, i: usize, st: i32) {
        self.inputs[i] = st;
    }

    /// Mixes with weight set `set`; returns P(1) 12-bit.
    #[inline]
    pub fn mix(&mut self, set: usize) -> i32 {
        self.set = set * self.n;
        let w = &self.weights[self.set..self.set + self.n];
        let mut dot: i64 = 0;
        for (wi, xi) in w.iter().zip(&self.inputs[..self.n]) {
            dot += *wi as i64 * *xi as i64;
        }
        let d = (dot >> 16).clamp(-2047, 2047) as i32;
        self.pr = squash(d);
        self.pr
    }

    #[inline]
    pub fn update(&mut self, bit: u32) {
        let err = (((bit as i32) << 12) - self.pr) * self.rate;
        let w = &mut self.weights[self.set..self.set + self.n];
        for (wi, xi) in w.iter_mut().zip(&self.inputs[..self.n]) {
            *wi += (*xi * err + 0x2000) >> 14;
        }
    }
}

/// Adaptive probability map: refines a probability given a context by interpolating
/// between 33 buckets over the stretched input.
pub struct Apm {
    t: Vec<u16>,
    idx: usize,
    rate: u32,
}

impl Apm {
    pub fn new(contexts: usize, rate: u32) -> Self {
        let mut t = Vec::with_capacity(contexts * 33);
        for _ in 0..contexts {
            for j in 0..33i32 {
                let p = squash((j - 16) * 128) * 16;
                t.push(p.clamp(16, 65520) as u16);
            }
        }
        Apm { t, idx: 0, rate }
    }

    /// `st`: stretched input probability; returns P(1) 16-bit.
    #[inline]
    pub fn refine(&mut self, st: i32, ctx: usize) -> u32 {
        let s = (st.clamp(-2047, 2047) + 2048) as usize;
        let lo = s >> 7;
        let w = (s & 127) as u32;
        let base = ctx * 33 + lo;
        self.idx = base + (w >> 6) as usize;
        (self.t[base] as u32 * (128 - w) + self.t[base + 1] as u32 * w) >> 7
    }

    #[inline]
    pub fn update(&mut self, bit: u32) {
        let v = self.t[self.idx] as i32;
        let target = if bit != 0 { 65535 } else { 0 };
        self.t[self.idx] = (v + ((target - v) >> self.rate)) as u16;
    }
}

/// Stretch of a 16-bit probability, in the mixer's domain.
#[inline]
pub fn stretch16(st: &StretchTable, p16: u32) -> i32 {
    st.stretch((p16 >> 4) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_learns_a_skewed_bit() {
        let mut c = Counters::new(1, 30);
        for _ in 0..200 {
            c.update(0, 1);
        }
        assert!(c.p(0) > 65000, "{}", c.p(0));
        for _ in 0..200 {
            c.update(0, 0);
        }
        assert!(c.p(0) < 1000, "{}", c.p(0));
    }

    #[test]
    fn mixer_and_apm_follow_the_data() {
        let st = StretchTable::new();
        let mut m = Mixer::new(2, 1, 6);
        let mut a = Apm::new(1, 6);
        let mut last = 0;
        for _ in 0..500 {
            m.set_input(0, st.stretch(3000));
            m.set_input(1, 256);
            let p = m.mix(0);
            last = a.refine(st.stretch(p), 0);
            m.update(1);
            a.update(1);
        }
        assert!(last > 60000, "{last}");
    }
}
