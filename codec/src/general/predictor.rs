//! The context-mixing bit predictor: hashed order-0..4, word, word-pair, sparse, record and
//! column contexts (bit-history states in nibble buckets, each mapped to a probability by its
//! own adaptive map) and a match model, mixed by a gated mixer with two selectors (match state x
//! partial byte; last byte x bit position; binary data adds byte before last x bit position)
//! and refined by APMs on the partial byte and on the match state.
//! Encoder and decoder drive identical instances, so every step must be deterministic.

use super::matcher::MatchModel;
use crate::model::apm::Apm;
use crate::model::bithistory::{initial_p16, BitHistory};
use crate::model::logit16::{Logit16, INPUT_MAX};
use crate::model::mixer::{Mixer, MAX_INPUTS};
use crate::model::nibble_table::NibbleTable;
use crate::model::statemap;

/// Context kinds: 0-3 orders 1-4, 4 order 0 (bit histories; order 6 did worse, the match
/// model covers long contexts), 5 word, 6-7 sparse (binary data),
/// 8 and 10 record column (fixed records found), 9 text column (byte above in the previous
/// line), 11 word pair (text: current and previous word; between words the last two words).
const NCTX: usize = 12;

/// Parameters both sides must agree on; stored in the payload header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Fixed record length for the column context (0 = none).
    pub record: usize,
    /// Adds sparse contexts that skip the last byte(s), for binary data.
    pub sparse: bool,
    /// Adds a context of the byte above in the previous text line, for tables and markup.
    pub columns: bool,
}

#[inline]
fn hash(tag: u64, v: u64) -> u64 {
    let mut x = v ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 32;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 29)
}

#[inline]
fn nibble_hash(ctx: u64, c0: u32) -> u64 {
    let x =
        (ctx ^ (c0 as u64).wrapping_mul(0x2545_F491_4F6C_DD1D)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 28)
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphabetic() || c >= 0x80
}

pub struct Predictor {
    logit: Logit16,
    hist: BitHistory,
    params: Params,
    buf: Vec<u8>,
    c0: u32,
    bitpos: u32,
    nib: usize,
    c8: u64,
    word: u64,
    pword: u64,
    ppword: u64,
    /// Contexts in use: `kinds[..nctx]` index `all`.
    nctx: usize,
    kinds: [usize; NCTX],
    /// Hash of every kind of context for the current byte.
    all: [u64; NCTX],
    /// Hashes of the contexts in use.
    ctx: [u64; NCTX],
    tables: Vec<NibbleTable>,
    bucket: [usize; NCTX],
    slot: [usize; NCTX],
    /// States read for the current prediction, reused by the update.
    states: [u8; NCTX],
    /// One adaptive map per context in use, from bit-history state to probability
    /// (entries packed as in [`statemap`]).
    sms: Vec<[u32; 256]>,
    mm: MatchModel,
    mixer: Mixer,
    apm1: Apm,
    apm2: Apm,
    /// Hash of the last bytes for the match model, set at each byte end.
    match_hash: u64,
    /// History positions where the current and the previous text line start.
    line: usize,
    prev_line: usize,
    st: i32,
    pr: u32,
}

/// log2 of the bucket count per context table suited to `n` input bytes: about two buckets
/// per byte, capped low. Random table accesses miss the TLB once the tables outgrow what it
/// maps (4 KiB pages), which costs more time than the extra collisions cost ratio: 2^18 instead
/// of 2^20 buckets per table costs 0.1% on a 2.6 MB mix and saves 15% time. Long inputs
/// fill the tables and gain more: a 27 MB lane of prose is 1.3% smaller with 2^20 buckets
/// for 7% more time (16 MiB per table).
fn size_bits(n: usize) -> u32 {
    let need = (n.max(1) * 2).next_power_of_two().trailing_zeros();
    let cap = match n {
        0..=0x3_ffff => 16,
        0x4_0000..=0xf_ffff => 17,
        0x10_0000..=0x1f_ffff => 18,
        0x20_0000..=0x7f_ffff => 19,
        _ => 20,
    };
    need.clamp(10, cap)
}

impl Predictor {
    pub fn new(n: usize, params: Params) -> Self {
        let b = size_bits(n);
        let mut kinds = [0usize; NCTX];
        let mut nctx = 0;
        for k in [0, 1, 2, 3, 4, 5] {
            kinds[nctx] = k;
            nctx += 1;
        }
        if params.sparse {
            kinds[nctx] = 6;
            kinds[nctx + 1] = 7;
            nctx += 2;
        }
        if params.record > 0 {
            kinds[nctx] = 8;
            kinds[nctx + 1] = 10;
            nctx += 2;
        }
        if params.columns {
            kinds[nctx] = 9;
            kinds[nctx + 1] = 11;
            nctx += 2;
        }
        let bits = [b.min(14), b, b, b, 10, b, b, b, b, b, b, b];
        let tables = kinds[..nctx]
            .iter()
            .map(|&k| NibbleTable::new(bits[k]))
            .collect();
        let row: [u32; 256] = std::array::from_fn(|s| statemap::entry(initial_p16(s as u8)));
        let sms = vec![row; nctx];
        let mut p = Predictor {
            logit: Logit16::new(),
            hist: BitHistory::new(),
            params,
            buf: Vec::with_capacity(n),
            c0: 1,
            bitpos: 0,
            nib: 1,
            c8: 0,
            word: 0,
            pword: 0,
            ppword: 0,
            nctx,
            kinds,
            all: [0; NCTX],
            ctx: [0; NCTX],
            tables,
            bucket: [0; NCTX],
            slot: [0; NCTX],
            states: [0; NCTX],
            sms,
            mm: MatchModel::new((b + 1).min(22)),
            mixer: if params.sparse {
                Mixer::new(nctx + 2, &[4 * 256, 256 * 8, 256 * 8], 1 << 14, 4)
            } else {
                Mixer::new(nctx + 2, &[4 * 256, 256 * 8], 1 << 14, 4)
            },
            apm1: Apm::new(256, 7),
            apm2: Apm::new(64 * 4, 6),
            match_hash: 0,
            line: 0,
            prev_line: 0,
            st: 0,
            pr: 32768,
        };
        p.find_buckets();
        p.predict();
        p
    }

    /// 16-bit P(next bit = 1), in `1..=65535`.
    #[inline]
    pub fn p(&self) -> u32 {
        self.pr
    }

    fn find_buckets(&mut self) {
        let mut h = [0u64; NCTX];
        let mut seen = 0u8;
        for ((h, ctx), table) in h.iter_mut().zip(&self.ctx).zip(&self.tables) {
            *h = nibble_hash(*ctx, self.c0);
            seen ^= table.touch(*h);
        }
        std::hint::black_box(seen);
        for ((b, h), table) in self.bucket.iter_mut().zip(&h).zip(&mut self.tables) {
            *b = table.find(*h);
        }
    }

    /// With one bit of the first nibble left, the second nibble's buckets are one of two
    /// known ones: start loading both (their misses then overlap the coding of that bit).
    fn prefetch_second_nibble(&self) {
        let c0 = self.c0 << 1;
        for (ctx, table) in self.ctx.iter().zip(&self.tables) {
            table.prefetch(nibble_hash(*ctx, c0));
            table.prefetch(nibble_hash(*ctx, c0 | 1));
        }
    }

    fn predict(&mut self) {
        let mut x = [0i16; MAX_INPUTS];
        let lanes = self.tables.iter().zip(&self.sms).zip(&self.bucket);
        let outs = self.slot.iter_mut().zip(&mut self.states).zip(&mut x);
        for (((table, sm), &bucket), ((slot, state), x)) in lanes.zip(outs) {
            let s = bucket + self.nib;
            *slot = s;
            *state = table.get(s);
            *x = self
                .logit
                .stretch_input(statemap::entry_p16(sm[*state as usize]));
        }
        let m = self
            .mm
            .predict(&self.buf, self.c0, self.bitpos, &self.logit);
        x[self.nctx] = m.clamp(-INPUT_MAX, INPUT_MAX) as i16;
        x[self.nctx + 1] = 256;
        self.mixer.set_inputs(&x);
        let len = self.mm.length();
        let mstate = match (len, self.mm.expected_bit()) {
            (_, None) => 0,
            (1..=15, Some(_)) => 1,
            (16..=31, Some(_)) => 2,
            _ => 3,
        };
        self.mixer.select(0, mstate * 256 + self.c0 as usize);
        let c1 = (self.c8 & 0xff) as usize;
        self.mixer.select(1, c1 << 3 | self.bitpos as usize);
        let c2 = (self.c8 >> 8 & 0xff) as usize;
        self.mixer.select(2, c2 << 3 | self.bitpos as usize);
        self.st = self.mixer.mix();
        let pm = self.mixer.p16();
        let a1 = self.apm1.p(self.st, self.c0 as usize);
        let mctx = match self.mm.expected_bit() {
            None => 0,
            Some(b) => (len.min(31) * 2 + b as usize) * 4 + (self.bitpos as usize >> 1),
        };
        let a2 = self.apm2.p(self.st, mctx);
        let pr = (pm + a1 + 2 * a2 + 2) >> 2;
        self.pr = pr.clamp(1, 65535);
    }

    /// Trains every component on the coded bit and prepares the next prediction.
    pub fn update(&mut self, bit: u32) {
        let lanes = self.tables.iter_mut().zip(&mut self.sms);
        for ((table, sm), (&s, &state)) in lanes.zip(self.slot.iter().zip(&self.states)) {
            table.set(s, self.hist.next(state, bit));
            statemap::adapt(&mut sm[state as usize], bit, 1023);
        }
        self.mm.update_bit(bit);
        self.mixer.update(bit);
        self.apm1.update(bit);
        self.apm2.update(bit);

        self.c0 = (self.c0 << 1) | bit;
        self.nib = (self.nib << 1) | bit as usize;
        self.bitpos += 1;
        if self.bitpos == 8 {
            let c = (self.c0 & 0xff) as u8;
            self.end_byte(c);
            self.c0 = 1;
            self.bitpos = 0;
            self.nib = 1;
            // Start the match table load, then the context tables', so the misses overlap.
            std::hint::black_box(self.mm.touch(self.match_hash));
            self.find_buckets();
            self.mm.update_byte(&self.buf, self.match_hash);
        } else if self.bitpos == 4 {
            self.nib = 1;
            self.find_buckets();
        } else if self.bitpos == 3 {
            self.prefetch_second_nibble();
        }
        self.predict();
    }

    /// Takes in bytes that are stored rather than coded: they join the history so the match
    /// model can find repeats of them later, and the contexts continue from them. Call only
    /// between whole bytes; both sides call it at the same points.
    pub fn observe(&mut self, data: &[u8]) {
        let Some((&last, head)) = data.split_last() else {
            return;
        };
        for &c in head {
            self.buf.push(c);
            self.c8 = (self.c8 << 8) | c as u64;
            if self.buf.len() >= 6 {
                let h = hash(12, self.c8 & 0xffff_ffff_ffff);
                self.mm.insert(self.buf.len(), h);
            }
        }
        self.mm.reset();
        self.end_byte(last);
        self.find_buckets();
        self.mm.update_byte(&self.buf, self.match_hash);
        self.predict();
    }

    fn end_byte(&mut self, c: u8) {
        self.buf.push(c);
        // Faster mixer learning while little has been seen.
        self.mixer
            .set_rate(6 + 16 * 1024 / (self.buf.len() as i64 + 1024));
        self.c8 = (self.c8 << 8) | c as u64;
        if is_word_byte(c) {
            self.word = (self.word ^ c.to_ascii_lowercase() as u64).wrapping_mul(0x100_0000_01B3);
        } else if self.word != 0 {
            self.ppword = self.pword;
            self.pword = self.word;
            self.word = 0;
        }
        let c8 = self.c8;
        self.all[0] = hash(1, c8 & 0xff);
        self.all[1] = hash(2, c8 & 0xffff);
        self.all[2] = hash(3, c8 & 0xff_ffff);
        self.all[3] = hash(4, c8 & 0xffff_ffff);
        self.all[4] = hash(5, 0);
        self.all[5] = if self.word != 0 {
            hash(7, self.word)
        } else {
            hash(8, self.pword ^ (c8 & 0xff))
        };
        self.all[11] = if self.word != 0 {
            hash(
                17,
                self.word ^ self.pword.wrapping_mul(0x2545_F491_4F6C_DD1D),
            )
        } else {
            hash(
                18,
                self.pword ^ self.ppword.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (c8 & 0xff) << 56,
            )
        };
        self.all[6] = hash(13, c8 & 0xffff_0000);
        self.all[7] = hash(14, c8 & 0xff00);
        let n = self.buf.len();
        let r = self.params.record;
        if r > 0 && n >= r {
            let above = self.buf[n - r] as u64;
            let col = (n % r).min(255) as u64;
            self.all[8] = hash(10, above | (c8 & 0xff) << 8 | col << 16);
            let right = self.buf.get(n + 1 - r).copied().unwrap_or(0) as u64;
            self.all[10] = hash(16, above | right << 8 | (c8 & 0xff) << 16);
        }
        if c == b'\n' {
            self.prev_line = self.line;
            self.line = n;
        }
        let col = n - self.line;
        let above = if self.prev_line + col < self.line {
            self.buf[self.prev_line + col] as u64
        } else {
            0
        };
        self.all[9] = hash(15, above | (c8 & 0xff) << 8 | (col.min(255) as u64) << 16);
        for i in 0..self.nctx {
            self.ctx[i] = self.all[self.kinds[i]];
        }
        self.match_hash = hash(12, c8 & 0xffff_ffff_ffff);
    }
}
