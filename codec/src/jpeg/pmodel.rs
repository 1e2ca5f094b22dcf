//! Bit predictor for progressive scans: contexts built from what the bit is (code, magnitude,
//! end-of-band run, sign or correction bit; DC or AC scan, first or refinement), the
//! coefficient it belongs to, what earlier scans left in the block, and what the blocks above
//! and to the left hold at that coefficient; mixed by a gated mixer and refined by an APM.

use super::coding::Predicts;
use super::follow::{Follower, Need};
use super::nodes::{class, hash, NodeTables};
use crate::model::apm::Apm;
use crate::model::logit16::Logit16;
use crate::model::mixer::Mixer;

const NCTX: usize = 5;
/// Phases: the follower's needs, then bits followed only as bytes (lost or idle), then the
/// byte after a 0xFF.
const BYTES: u64 = 6;
const AFTER_FF: u64 = 7;

pub struct ProgressiveModel {
    logit: Logit16,
    nodes: NodeTables<NCTX>,
    mixer: Mixer,
    apm: Apm,
}

fn phase(need: Need) -> u64 {
    match need {
        Need::Code => 0,
        Need::Value => 1,
        Need::EobRun => 2,
        Need::Sign => 3,
        Need::Correction => 4,
        Need::Idle | Need::Lost => BYTES,
    }
}

/// Non-zero coefficients of `b` in `from..=to` (zigzag order).
fn nonzero(b: &[i16; 64], from: usize, to: usize) -> u64 {
    b.get(from..=to)
        .map_or(0, |band| band.iter().filter(|&&c| c != 0).count() as u64)
}

impl ProgressiveModel {
    /// A model for scans of about `n` bytes in all.
    pub fn new(n: usize) -> Self {
        ProgressiveModel {
            logit: Logit16::new(),
            nodes: NodeTables::new(n),
            mixer: Mixer::new(NCTX + 1, &[8 * 4 * 64, 8 * 16], 1 << 14, 10),
            apm: Apm::new(8 * 64 * 16, 7),
        }
    }

    /// The contexts of the bits from here to the next 4-bit boundary.
    fn contexts(f: &Follower, phase: u64, c0: u32, c1: u8) -> [u64; NCTX] {
        let mut h = [0u64; NCTX];
        if phase >= BYTES {
            for (i, h) in h.iter_mut().enumerate() {
                let bytes = if i == 0 { 0 } else { c1 as u64 };
                *h = hash(40 + i as u64 + phase, c0 as u64 | bytes << 8, 0);
            }
            return h;
        }
        let s = f.scan();
        let k = f.k.min(63);
        let kind = (!s.is_dc() as u64) << 1 | s.is_refinement() as u64;
        let pc = ((1u64 << f.len.min(20)) | f.code as u64) & 0x1f_ffff;
        let size = match f.need {
            Need::Value | Need::EobRun => f.size as u64,
            _ => 0,
        };
        let base = phase | kind << 3 | (f.comp as u64) << 5 | (k as u64) << 7 | pc << 13;
        let cur = f.current();
        let (above, left) = f.neighbours();
        let (a, l, c) = (above[k] as i32, left[k] as i32, cur[k] as i32);
        let al = s.al as u64;
        // How much of the band is still to come in the neighbours, and what the block already
        // holds below it.
        let ahead = (nonzero(above, k, s.se) + nonzero(left, k, s.se)).min(15);
        let below = nonzero(cur, 1, k.saturating_sub(1)).min(15);
        h[0] = hash(1, base, class(a) | class(l) << 5 | size << 10 | al << 14);
        h[1] = hash(2, base, below | size << 4 | class(c) << 8 | al << 13);
        h[2] = hash(
            3,
            base,
            ahead | size << 4 | class(a.abs() + l.abs()) << 8 | class(c) << 13,
        );
        let prev = if k > s.ss { cur[k - 1] as i32 } else { 0 };
        h[3] = hash(
            4,
            base,
            class(prev) | class(c) << 5 | size << 10 | (s.ah as u64) << 14,
        );
        h[4] = if s.is_dc() {
            // The DC value the neighbours suggest: against the running prediction in a first
            // scan, against what earlier scans gave in a refinement.
            let guess = if s.is_refinement() {
                (a + l) / 2 - c
            } else {
                (((a + l) / 2) >> s.al) - f.dc_pred()
            };
            hash(5, base, class(guess) | size << 6 | al << 10)
        } else if s.is_refinement() {
            // Which of the next few positions the neighbours hold and which are still zero
            // here (a new coefficient lands on one of those).
            let mut mask = 0u64;
            for j in 0..4 {
                let at = (k + j).min(63);
                let inside = (k + j <= s.se) as u64;
                let near = (above[at] != 0 || left[at] != 0) as u64;
                mask |= (inside & near) << j | (inside & (cur[at] == 0) as u64) << (4 + j);
            }
            hash(7, base, mask | class(c) << 8)
        } else {
            hash(
                6,
                base,
                below.min(3) | ahead << 2 | class(c) << 6 | size << 11,
            )
        };
        h
    }
}

impl Predicts<Follower> for ProgressiveModel {
    fn predict(&mut self, f: &Follower, c0: u32, c1: u8, byte: u64, after_ff: bool) -> u32 {
        let phase = if after_ff { AFTER_FF } else { phase(f.need) };
        let (run, done, bits) = if phase >= BYTES {
            (byte, 31 - c0.leading_zeros(), c0)
        } else {
            (f.seq, f.len, f.code)
        };
        self.nodes.mixer_inputs(
            (run, phase),
            done,
            bits,
            &self.logit,
            || Self::contexts(f, phase, c0, c1),
            self.mixer.inputs_mut(),
        );
        let s = f.scan();
        let kind = (!s.is_dc() as usize) << 1 | s.is_refinement() as usize;
        let k = f.k.min(63);
        let phase = phase as usize;
        self.mixer.select(0, (phase << 2 | kind) << 6 | k);
        self.mixer.select(1, phase << 4 | done.min(15) as usize);
        let st = self.mixer.mix();
        let pm = self.mixer.p16();
        let pa = self
            .apm
            .p(st, (phase << 6 | k) << 4 | done.min(15) as usize);
        ((pm + pa + 1) >> 1).clamp(1, 65535)
    }

    #[inline]
    fn update(&mut self, bit: u32) {
        self.nodes.update(bit);
        self.mixer.update(bit);
        self.apm.update(bit);
    }
}
