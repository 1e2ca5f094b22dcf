//! A small logistic mixer: combines `N` bit predictions in the stretched domain with
//! weights chosen by a selector context, trained online to minimise coding cost.

use crate::model::logistic::{squash, StretchTable};

/// Weights are in 1/65536 units; a fresh set averages its inputs.
const W_INIT: i32 = 65536 * 3 / 10;

pub struct Mixer<const N: usize> {
    weights: Vec<[i32; N]>,
    inputs: [i32; N],
    selected: usize,
    /// Last output, a 12-bit probability.
    p: i32,
    /// Learning rate numerator (error is scaled by it before the 2^-14 shift).
    rate: i32,
}

impl<const N: usize> Mixer<N> {
    pub fn new(contexts: usize, rate: i32) -> Self {
        Mixer {
            weights: vec![[W_INIT; N]; contexts],
            inputs: [0; N],
            selected: 0,
            p: 2048,
            rate,
        }
    }

    /// Mixes 16-bit probabilities `p16` under weight set `ctx`; returns a 16-bit probability.
    #[inline]
    pub fn mix(&mut self, st: &StretchTable, p16: [u32; N], ctx: usize) -> u32 {
        self.selected = ctx;
        let w = &self.weights[ctx];
        let mut dot = 0i64;
        for i in 0..N {
            self.inputs[i] = st.stretch((p16[i] >> 4) as i32);
            dot += w[i] as i64 * self.inputs[i] as i64;
        }
        let d = (dot >> 16).clamp(-2047, 2047) as i32;
        self.p = squash(d);
        (self.p as u32) << 4 | 8
    }

    #[inline]
    pub fn update(&mut self, bit: u32) {
        let err = (((bit as i32) << 12) - self.p) * self.rate;
        let w = &mut self.weights[self.selected];
        for (wi, &x) in w.iter_mut().zip(&self.inputs) {
            *wi = (*wi + ((x * err) >> 14)).clamp(-(1 << 22), 1 << 22);
        }
    }
}
