//! The per-channel prediction cascade. For each sample:
//! 1. a stereo least-squares predictor of `x` from this channel's past samples and the
//!    other channel's latest samples (for the second channel that includes the current frame);
//! 2. long-to-short sign-LMS stages, each predicting the residual left by the stages before.
//!
//! The prediction of `x` is the sum of all stage predictions.

use super::lms::SignLms;
use super::ols::Ols;

const OWN: usize = 16;
const CROSS: usize = 8;
const HIST: usize = 32;
/// Long stages: (order, shift).
const STAGES: [(usize, u32); 3] = [(256, 13), (32, 10), (16, 11)];

struct Channel {
    /// Samples, newest first.
    hist: [i32; HIST],
    short: Ols,
    long: Vec<SignLms>,
    /// Inputs of the short stage for the pending sample.
    inputs: [f64; OWN + CROSS],
    /// Stage predictions for the pending sample: short, then each long stage.
    preds: [i32; 1 + STAGES.len()],
}

impl Channel {
    fn new() -> Self {
        Channel {
            hist: [0; HIST],
            short: Ols::new(OWN + CROSS, 0.9995, 0.000000001, 16),
            long: STAGES.iter().map(|&(n, s)| SignLms::new(n, s)).collect(),
            inputs: [0.0; OWN + CROSS],
            preds: [0; 1 + STAGES.len()],
        }
    }
}

pub struct Predictor {
    ch: Vec<Channel>,
}

impl Predictor {
    pub fn new(channels: usize) -> Self {
        Predictor {
            ch: (0..channels).map(|_| Channel::new()).collect(),
        }
    }

    /// Prediction of the next sample of channel `c` (call before [`Predictor::update`]).
    pub fn predict(&mut self, c: usize) -> i32 {
        let other = if self.ch.len() == 2 {
            Some(self.ch[1 - c].hist)
        } else {
            None
        };
        let ch = &mut self.ch[c];
        for (v, &h) in ch.inputs[..OWN].iter_mut().zip(&ch.hist) {
            *v = h as f64;
        }
        match other {
            Some(o) => {
                for (v, &h) in ch.inputs[OWN..].iter_mut().zip(&o) {
                    *v = h as f64;
                }
            }
            None => ch.inputs[OWN..].fill(0.0),
        }
        let p = ch.short.predict(&ch.inputs).clamp(-1e6, 1e6);
        ch.preds[0] = round(p);
        for (k, stage) in ch.long.iter().enumerate() {
            ch.preds[k + 1] = stage.predict();
        }
        ch.preds.iter().sum::<i32>()
    }

    /// Learns the true sample `x` of channel `c`.
    pub fn update(&mut self, c: usize, x: i32) {
        let ch = &mut self.ch[c];
        ch.short.update(&ch.inputs, x as f64);
        let mut e = x - ch.preds[0];
        for (k, stage) in ch.long.iter_mut().enumerate() {
            let err = e - ch.preds[k + 1];
            stage.update(e, err);
            e = err;
        }
        ch.hist.copy_within(0..HIST - 1, 1);
        ch.hist[0] = x;
    }
}

/// Nearest integer of `v` (ties upward), by truncation and exact comparison only.
#[inline]
fn round(v: f64) -> i32 {
    let t = v + 0.5;
    let i = t as i32;
    if (i as f64) > t {
        i - 1
    } else {
        i
    }
}
