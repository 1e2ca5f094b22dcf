//! The per-channel prediction cascade. For each sample:
//! 1. a fixed first-order pre-filter `d = x - 31/32 * x_prev`;
//! 2. a short stereo NLMS predicting `d` from this channel's past `d` and the other
//!    channel's latest `d` values (for the second channel that includes the current frame);
//! 3. long-to-short sign-LMS stages, each predicting the residual left by the stages before.
//!
//! The prediction of `x` is the sum of all stage predictions.

use super::lms::SignLms;
use super::nlms::Nlms;

const OWN: usize = 16;
const CROSS: usize = 16;
const HIST: usize = 32;
/// Long stages: (order, shift).
const STAGES: [(usize, u32); 3] = [(256, 13), (32, 10), (16, 11)];

struct Channel {
    x_prev: i32,
    /// Pre-filtered values, newest first.
    hist: [i32; HIST],
    short: Nlms,
    long: Vec<SignLms>,
    /// Inputs of the short stage for the pending sample.
    inputs: [i32; OWN + CROSS],
    /// Stage predictions for the pending sample: short, then each long stage.
    preds: [i32; 1 + STAGES.len()],
}

impl Channel {
    fn new() -> Self {
        Channel {
            x_prev: 0,
            hist: [0; HIST],
            short: Nlms::new(OWN + CROSS, 4),
            long: STAGES.iter().map(|&(n, s)| SignLms::new(n, s)).collect(),
            inputs: [0; OWN + CROSS],
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
        ch.inputs[..OWN].copy_from_slice(&ch.hist[..OWN]);
        match other {
            Some(h) => ch.inputs[OWN..].copy_from_slice(&h[..CROSS]),
            None => ch.inputs[OWN..].fill(0),
        }
        ch.preds[0] = ch.short.predict(&ch.inputs);
        for (k, stage) in ch.long.iter().enumerate() {
            ch.preds[k + 1] = stage.predict();
        }
        let base = (ch.x_prev * 31) >> 5;
        base + ch.preds.iter().sum::<i32>()
    }

    /// Learns the true sample `x` of channel `c`.
    pub fn update(&mut self, c: usize, x: i32) {
        let ch = &mut self.ch[c];
        let d = x - ((ch.x_prev * 31) >> 5);
        let mut e = d - ch.preds[0];
        ch.short.update(&ch.inputs, e);
        for (k, stage) in ch.long.iter_mut().enumerate() {
            let err = e - ch.preds[k + 1];
            stage.update(e, err);
            e = err;
        }
        ch.hist.copy_within(0..HIST - 1, 1);
        ch.hist[0] = d;
        ch.x_prev = x;
    }
}
