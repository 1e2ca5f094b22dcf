//! Bit predictor for a JPEG scan: contexts built from where the bit sits in the Huffman
//! decoding (code or magnitude bits, coefficient index, component) and from what the blocks
//! above and to the left held at that coefficient, each hashed into its own table of adaptive
//! probabilities, mixed by a gated mixer and refined by an APM.

use super::coding::Predicts;
use super::nodes::{class, hash, NodeTables};
use super::scan::{Phase, ScanState};
use crate::model::apm::Apm;
use crate::model::logit16::Logit16;
use crate::model::mixer::Mixer;

const NCTX: usize = 4;

pub struct JpegModel {
    logit: Logit16,
    nodes: NodeTables<NCTX>,
    mixer: Mixer,
    apm: Apm,
}

impl JpegModel {
    /// A model for a scan of about `n` bytes.
    pub fn new(n: usize) -> Self {
        JpegModel {
            logit: Logit16::new(),
            nodes: NodeTables::new(n),
            mixer: Mixer::new(NCTX + 1, &[256, 64], 1 << 14, 6),
            apm: Apm::new(4096, 7),
        }
    }

    /// The contexts of the bits from here to the next 4-bit boundary.
    fn contexts(s: &ScanState, phase: u64, c0: u32, c1: u8) -> [u64; NCTX] {
        let k = s.k.min(63);
        let pc = ((1u64 << s.len.min(20)) | s.code as u64) & 0x1f_ffff;
        let base = phase | (s.comp as u64) << 2 | (k as u64) << 4 | pc << 10;
        let a = s.above[k];
        let l = s.left[k];
        let mut h = [0u64; NCTX];
        match phase {
            3 => {
                for (i, h) in h.iter_mut().enumerate() {
                    *h = hash(20 + i as u64, c0 as u64, 0);
                }
            }
            2 => {
                for (i, h) in h.iter_mut().enumerate() {
                    *h = hash(
                        30 + i as u64,
                        c0 as u64 | (c1 as u64) << 8,
                        (i as u64) << 20,
                    );
                }
            }
            _ => {
                let extra = if s.phase == Phase::Extra {
                    s.size as u64
                } else {
                    0
                };
                // The DC difference the neighbours suggest.
                let dc_guess = if k == 0 {
                    class((s.above[0] + s.left[0]) / 2 - s.dc_pred())
                } else {
                    0
                };
                h[0] = hash(1, base, extra | (s.around.div_ceil(4).min(15) as u64) << 8);
                h[1] = hash(2, base, class(a) | class(l) << 5 | extra << 10);
                h[2] = hash(5, base, dc_guess | extra << 6 | class(a + l) << 12);
                let prev = if k > 0 { s.coef[k - 1] } else { 0 };
                h[3] = hash(
                    6,
                    base,
                    class(prev) | (s.nonzero.min(7) as u64) << 5 | extra << 8,
                );
            }
        }
        h
    }
}

impl Predicts<ScanState> for JpegModel {
    fn predict(&mut self, s: &ScanState, c0: u32, c1: u8, byte: u64, after_ff: bool) -> u32 {
        let phase = match s.phase {
            _ if after_ff => 3,
            Phase::Lost => 2,
            Phase::Extra => 1,
            Phase::Code => 0,
        };
        // Position within the current run of bits, and the node of the 4-bit tree.
        let (run, done, bits) = if phase >= 2 {
            let bitpos = 31 - c0.leading_zeros();
            (byte, bitpos, c0)
        } else {
            (s.seq, s.len, s.code)
        };
        self.nodes.mixer_inputs(
            (run, phase),
            done,
            bits,
            &self.logit,
            || Self::contexts(s, phase, c0, c1),
            self.mixer.inputs_mut(),
        );
        let k = s.k.min(63);
        self.mixer.select(0, (phase as usize) << 6 | k);
        self.mixer
            .select(1, (phase as usize) << 4 | done.min(15) as usize);
        let st = self.mixer.mix();
        let pm = self.mixer.p16();
        let actx = (phase as usize) << 10 | k << 4 | done.min(15) as usize;
        let pa = self.apm.p(st, actx);
        ((pm + 3 * pa + 2) >> 2).clamp(1, 65535)
    }

    #[inline]
    fn update(&mut self, bit: u32) {
        self.nodes.update(bit);
        self.mixer.update(bit);
        self.apm.update(bit);
    }
}
