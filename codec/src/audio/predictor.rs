//! The per-channel prediction cascade. For each sample:
//! 1. three stereo least-squares predictors of `x` (short, long and very short memory) from
//!    this channel's past samples and its partner's latest samples ([`super::partners`]; a
//!    partner coded earlier in the frame includes the current frame), plus a long sign-LMS on the pre-filtered
//!    signal `x - 31/32 x_prev`, blended with weights 1 / (recent squared error)^2;
//! 2. long-to-short sign-LMS stages, each predicting the residual left by the stages before;
//! 3. a stereo NLMS predicting what is left from the partner's latest residuals,
//!    applied only while it has been reducing the residual.
//!
//! The prediction of `x` is the sum of all stage predictions.

use super::lms::SignLms;
use super::nlms::Nlms;
use super::ols::Ols;

const OWN: usize = 16;
const CROSS: usize = 8;
const HIST: usize = 32;
const FIN_CROSS: usize = 8;
const FIN_MU: u32 = 6;
const LAMBDA_A: f64 = 0.997;
const LAMBDA_B: f64 = 0.9997;
const LAMBDA_C: f64 = 0.99;
/// Inputs of the low-order predictor: the newest 4 own and 4 cross samples.
const SMALL: usize = 8;
const ERR_DECAY: f64 = 0.99;
/// Long stages: (order, shift).
const STAGES: [(usize, u32); 3] = [(256, 13), (32, 10), (16, 11)];

struct Channel {
    /// Samples, newest first.
    hist: [i32; HIST],
    /// Least-squares predictors: full order with short and long memory, then low order
    /// with very short memory (it sees a prefix of the inputs).
    ols: [Ols; 3],
    /// Decayed squared errors of the least-squares predictions, and their outputs.
    err2: [f64; 4],
    out2: [f64; 4],
    /// A fourth candidate: a long sign-LMS on the pre-filtered signal `x - 31/32 x_prev`.
    raw_lms: SignLms,
    raw_pred: i32,
    long: Vec<SignLms>,
    /// Final residuals, newest first, and the NLMS stage predicting the next one from the
    /// other channel's latest final residuals (for the second channel, including this frame's).
    res_hist: [i32; FIN_CROSS],
    fin: Nlms,
    fin_inputs: [i32; FIN_CROSS],
    fin_pred: i32,
    /// Decayed |residual| without and with the final stage (1/16 units); the stage is
    /// applied only while it has been helping.
    fin_cost: [u32; 2],
    /// The same for the whole long-stage correction.
    long_cost: [u32; 2],
    long_sum: i32,
    /// Inputs of the short stage for the pending sample.
    inputs: [f64; OWN + CROSS],
    /// Stage predictions for the pending sample: short, then each long stage.
    preds: [i32; 1 + STAGES.len()],
}

impl Channel {
    fn new() -> Self {
        Channel {
            hist: [0; HIST],
            ols: [
                Ols::new(OWN + CROSS, LAMBDA_A, 0.000000001, 16),
                Ols::new(OWN + CROSS, LAMBDA_B, 0.000000001, 32),
                Ols::new(SMALL, LAMBDA_C, 0.000000001, 8),
            ],
            err2: [1.0; 4],
            out2: [0.0; 4],
            raw_lms: SignLms::new(256, 13),
            raw_pred: 0,
            long: STAGES.iter().map(|&(n, s)| SignLms::new(n, s)).collect(),
            res_hist: [0; FIN_CROSS],
            fin: Nlms::new(FIN_CROSS, FIN_MU),
            fin_inputs: [0; FIN_CROSS],
            fin_pred: 0,
            fin_cost: [0; 2],
            long_cost: [0; 2],
            long_sum: 0,
            inputs: [0.0; OWN + CROSS],
            preds: [0; 1 + STAGES.len()],
        }
    }
}

pub struct Predictor {
    ch: Vec<Channel>,
    /// The channel each channel is predicted with (unused for mono).
    partners: Vec<usize>,
    hint: Hint,
}

/// What the predictor knows about its own uncertainty for the pending sample.
#[derive(Clone, Copy, Default)]
pub struct Hint {
    /// Disagreement between the stages: |blend difference| + |long-stage correction|.
    pub spread: u32,
    /// Which quarter of the rounding interval the blended least-squares prediction fell in.
    pub frac: usize,
    /// 0 without an exact repeat of earlier values, else 1 (short) or 2 (long repeat).
    pub repeat: usize,
}

impl Predictor {
    pub fn new(partners: &[usize]) -> Self {
        Predictor {
            ch: partners.iter().map(|_| Channel::new()).collect(),
            partners: partners.to_vec(),
            hint: Hint::default(),
        }
    }

    /// Prediction of the next sample of channel `c` (call before [`Predictor::update`]).
    pub fn predict(&mut self, c: usize) -> i32 {
        let (other, other_res) = if self.ch.len() >= 2 {
            let o = &self.ch[self.partners[c]];
            (Some(o.hist), o.res_hist)
        } else {
            (None, [0; FIN_CROSS])
        };
        let ch = &mut self.ch[c];
        // Layout: own and cross samples alternating while both last, then the rest of own.
        let o = other.unwrap_or([0; HIST]);
        for (pair, (&h, &x)) in ch
            .inputs
            .chunks_exact_mut(2)
            .zip(ch.hist.iter().zip(&o))
            .take(CROSS)
        {
            pair[0] = h as f64;
            pair[1] = x as f64;
        }
        for (v, &h) in ch.inputs[2 * CROSS..].iter_mut().zip(&ch.hist[CROSS..OWN]) {
            *v = h as f64;
        }
        let (mut num, mut den) = (0.0, 0.0);
        for k in 0..3 {
            let n = if k == 2 { SMALL } else { OWN + CROSS };
            let pk = ch.ols[k].predict(&ch.inputs[..n]).clamp(-1e6, 1e6);
            ch.out2[k] = pk;
            let w = 1.0 / (ch.err2[k] * ch.err2[k]);
            num += pk * w;
            den += w;
        }
        let base = (ch.hist[0] * 31) >> 5;
        ch.raw_pred = ch.raw_lms.predict();
        let p4 = (base + ch.raw_pred) as f64;
        ch.out2[3] = p4;
        let w = 1.0 / (ch.err2[3] * ch.err2[3]);
        num += p4 * w;
        den += w;
        let (pa, pb) = (ch.out2[0], ch.out2[1]);
        let p = num / den;
        ch.preds[0] = round(p);
        let frac = p - ch.preds[0] as f64 + 0.5;
        let mut long = 0i32;
        for (k, stage) in ch.long.iter().enumerate() {
            ch.preds[k + 1] = stage.predict();
            long += ch.preds[k + 1];
        }
        self.hint = Hint {
            spread: ((pa - pb).abs().min(1e6) as u32).saturating_add(long.unsigned_abs()),
            frac: ((frac * 4.0) as usize).min(3),
            repeat: 0,
        };
        ch.fin_inputs = other_res;
        ch.fin_pred = ch.fin.predict(&ch.fin_inputs);
        let fin = if ch.fin_cost[1] < ch.fin_cost[0] {
            ch.fin_pred
        } else {
            0
        };
        ch.long_sum = long;
        let long = if ch.long_cost[1] <= ch.long_cost[0] {
            long
        } else {
            0
        };
        ch.preds[0] + long + fin
    }

    /// Uncertainty of the last prediction made.
    pub fn hint(&self) -> Hint {
        self.hint
    }

    /// Learns the true sample `x` of channel `c`.
    pub fn update(&mut self, c: usize, x: i32) {
        let ch = &mut self.ch[c];
        let d = x - ((ch.hist[0] * 31) >> 5);
        ch.raw_lms.update(d, d - ch.raw_pred);
        for (k, ols) in ch.ols.iter_mut().enumerate() {
            let n = if k == 2 { SMALL } else { OWN + CROSS };
            ols.update(&ch.inputs[..n], x as f64);
        }
        for (e, &o) in ch.err2.iter_mut().zip(&ch.out2) {
            let d = x as f64 - o;
            *e = ERR_DECAY * *e + d * d + 1e-3;
        }
        let mut e = x - ch.preds[0];
        for (cost, r) in ch.long_cost.iter_mut().zip([e, e - ch.long_sum]) {
            *cost = *cost - (*cost >> 5) + r.unsigned_abs().min(1 << 20);
        }
        for (k, stage) in ch.long.iter_mut().enumerate() {
            let err = e - ch.preds[k + 1];
            stage.update(e, err);
            e = err;
        }
        let after = e - ch.fin_pred;
        ch.fin.update(&ch.fin_inputs, after);
        for (cost, r) in ch.fin_cost.iter_mut().zip([e, after]) {
            *cost = *cost - (*cost >> 5) + r.unsigned_abs().min(1 << 20);
        }
        ch.res_hist.copy_within(0..FIN_CROSS - 1, 1);
        ch.res_hist[0] = e;
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
