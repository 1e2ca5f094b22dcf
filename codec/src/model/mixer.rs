//! Gated linear mixing in the logistic domain: each selector picks one weight vector from its
//! own table by a small context, computes `squash(sum(w_i * x_i))` over the shared inputs and
//! trains on its own error; the output is the mean of the selectors' stretched outputs.
//! Inputs are stretched probabilities (scale 256, |x| < 2^11); weights are 16-bit with 1.0 =
//! 2^14 (so |w| < 2). Fixed 16-lane arrays let the dot product and update vectorise.

use super::logit16::Logit16;

/// Most inputs a mixer takes.
pub const MAX_INPUTS: usize = 16;
/// Most selectors (weight tables) a mixer has.
pub const MAX_SELECTORS: usize = 4;

type Lanes = [i16; MAX_INPUTS];

#[derive(Clone)]
pub struct Mixer {
    /// Inputs; lanes from the `n` given to [`Self::new`] on stay zero.
    inputs: Lanes,
    /// Every selector's weight vectors, one table after another.
    weights: Vec<Lanes>,
    nsel: usize,
    /// Per selector: where its table starts, its size - 1, the vector chosen (an index into
    /// `weights`) and its output.
    base: [usize; MAX_SELECTORS],
    masks: [usize; MAX_SELECTORS],
    chosen: [usize; MAX_SELECTORS],
    p16s: [u32; MAX_SELECTORS],
    p16: u32,
    lr: i32,
    logit: Logit16,
}

// Kept out of line: inlined into a caller, LLVM unrolls the loop before it can vectorise
// it, and the 16 products become scalar multiplies.
#[inline(never)]
fn dot(x: &Lanes, w: &Lanes) -> i32 {
    let mut sum = 0i32;
    for i in 0..MAX_INPUTS {
        sum += x[i] as i32 * w[i] as i32;
    }
    sum
}

/// `w += x * g / 2^16`, saturating.
#[inline(never)]
fn train(x: &Lanes, w: &mut Lanes, g: i16) {
    for i in 0..MAX_INPUTS {
        let d = ((x[i] as i32 * g as i32) >> 16) as i16;
        w[i] = w[i].saturating_add(d);
    }
}

impl Mixer {
    /// `n` inputs per prediction (at most [`MAX_INPUTS`]); one selector per entry of `sets`
    /// (at most [`MAX_SELECTORS`]), each with that many weight vectors (rounded up to a power
    /// of two); `init_weight` in 1/65536 units; learning rate `lr` (about 2..8).
    pub fn new(n: usize, sets: &[usize], init_weight: i32, lr: i64) -> Self {
        let n = n.clamp(1, MAX_INPUTS);
        let sets: Vec<usize> = sets
            .iter()
            .take(MAX_SELECTORS)
            .map(|s| s.max(&1).next_power_of_two())
            .collect();
        let sets = if sets.is_empty() { vec![1] } else { sets };
        let mut init = [0i16; MAX_INPUTS];
        for w in init.iter_mut().take(n) {
            *w = (init_weight >> 2).clamp(-32767, 32767) as i16;
        }
        let mut base = [0; MAX_SELECTORS];
        let mut masks = [0; MAX_SELECTORS];
        let mut total = 0;
        for (k, &size) in sets.iter().enumerate() {
            base[k] = total;
            masks[k] = size - 1;
            total += size;
        }
        Mixer {
            inputs: [0; MAX_INPUTS],
            weights: vec![init; total],
            nsel: sets.len(),
            base,
            masks,
            chosen: base,
            p16s: [32768; MAX_SELECTORS],
            p16: 32768,
            lr: lr.clamp(1, 64) as i32,
            logit: Logit16::new(),
        }
    }

    /// The inputs for the next prediction, to write in place (copying in an array whose lanes
    /// were just stored one at a time would make the copy's vector load wait for the stores).
    /// Keep each lane within +-[`INPUT_MAX`](super::logit16::INPUT_MAX); lanes from the `n` given
    /// to [`Self::new`] on must stay zero.
    #[inline]
    pub fn inputs_mut(&mut self) -> &mut Lanes {
        &mut self.inputs
    }

    /// Makes selector `k` use weight vector `set` (masked to its table size).
    #[inline]
    pub fn select(&mut self, k: usize, set: usize) {
        if k < self.nsel {
            self.chosen[k] = self.base[k] + (set & self.masks[k]);
        }
    }

    /// Mixes the current inputs; returns the stretched output.
    #[inline]
    pub fn mix(&mut self) -> i32 {
        let mut sum = 0i32;
        for j in 0..self.nsel {
            let d = (dot(&self.inputs, &self.weights[self.chosen[j]]) >> 14).clamp(-2880, 2880);
            self.p16s[j] = self.logit.squash(d);
            sum += d;
        }
        // Constant divisors become multiplications.
        let out = match self.nsel {
            1 => sum,
            2 => sum / 2,
            3 => sum / 3,
            n => sum / n as i32,
        };
        self.p16 = self.logit.squash(out);
        out
    }

    /// Changes the learning rate (about 2..64).
    pub fn set_rate(&mut self, lr: i64) {
        self.lr = lr.clamp(1, 64) as i32;
    }

    /// 16-bit probability of the last `mix`.
    #[inline]
    pub fn p16(&self) -> u32 {
        self.p16
    }

    /// Trains each selector's chosen weights on the coded `bit`.
    #[inline]
    pub fn update(&mut self, bit: u32) {
        for j in 0..self.nsel {
            let err = ((bit as i32) << 16) - self.p16s[j] as i32;
            let g = ((err * self.lr) >> 4).clamp(-32767, 32767) as i16;
            train(&self.inputs, &mut self.weights[self.chosen[j]], g);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_to_trust_the_informative_input() {
        let mut m = Mixer::new(2, &[1, 4], 1 << 14, 24);
        let mut state = 7u32;
        for i in 0..5000 {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let bit = state >> 31;
            let good = if bit == 1 { 600 } else { -600 };
            let x = m.inputs_mut();
            x[0] = good;
            x[1] = ((state >> 7) & 1023) as i16 - 512;
            m.select(1, i & 3);
            m.mix();
            m.update(bit);
        }
        *m.inputs_mut() = [0; MAX_INPUTS];
        m.inputs_mut()[0] = 600;
        m.mix();
        assert!(m.p16() > 60000, "{}", m.p16());
    }
}
