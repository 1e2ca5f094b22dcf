//! The context-mixing bit predictor: hashed order-0..4, word, word-pair, sparse, record and
//! column contexts (bit-history states in nibble buckets, each mapped to a probability by its
//! own adaptive map) and a match model, mixed by a gated mixer with two selectors (match state x
//! partial byte; last byte x bit position; binary data adds byte before last x bit position)
//! and refined by APMs on the partial byte and on the match state.
//! Encoder and decoder drive identical instances, so every step must be deterministic.

use super::bank::{ContextBank, Sizes};
use super::hashes::{self, ContextHashes};
use super::history::History;
use super::matcher::{self, MatchModel};
use crate::model::apm::Apm;
use crate::model::logit16::{Logit16, INPUT_MAX};
use crate::model::mixer::Mixer;

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

/// Aligned to two cache lines (the unit the adjacent-line prefetcher fetches), so that two
/// predictors never share a line: the fork drives two of them, side by side on one stack, from
/// two threads, and the fields every bit writes then moved their shared line from core to core
/// (each half decoded 1.6-2x slower than when run alone).
#[derive(Clone)]
#[repr(align(128))]
pub struct Predictor {
    logit: Logit16,
    /// Bytes of history so far: every call is given the history ([`History`]), which the
    /// predictor reads but does not keep.
    seen: usize,
    hashes: ContextHashes,
    /// The contexts this predictor runs itself: the first `bank.len()` mixer inputs.
    bank: ContextBank,
    /// Inputs that follow the bank's, supplied by the caller (the contexts of another bank).
    remote: usize,
    c0: u32,
    bitpos: u32,
    mm: MatchModel,
    mixer: Mixer,
    apm1: Apm,
    apm2: Apm,
    /// Hash of the last bytes for the match model, set at each byte end.
    match_hash: u64,
    st: i32,
}

impl Predictor {
    /// A decoder's predictor with tables of `bits` ([`super::bank::size_bits`] for the base),
    /// running every context of `params` itself.
    pub fn new(bits: Sizes, params: Params) -> Self {
        Self::build(bits, params, 0)
    }

    /// Bytes of history so far (every byte coded or observed).
    pub fn history_len(&self) -> usize {
        self.seen
    }

    /// An encoder's predictor with tables of `bits`, whose last `remote` contexts
    /// (in [`hashes::kinds`] order) are run elsewhere: their inputs come with each
    /// [`Self::predict_with`].
    pub fn with_remote(bits: Sizes, params: Params, remote: usize) -> Self {
        Self::build(bits, params, remote)
    }

    /// Bytes of the tables a predictor with tables of `bits` holds for `params` (its context
    /// tables and its match table; the rest is a few KiB).
    pub fn table_bytes(bits: Sizes, params: Params) -> usize {
        ContextBank::table_bytes(&hashes::kinds(params), bits)
            + MatchModel::table_bytes(match_bits(bits.base))
    }

    /// Bytes of the tables this predictor holds, as [`Self::table_bytes`] counts them.
    #[cfg(test)]
    pub fn allocated_table_bytes(&self) -> usize {
        self.bank.allocated_table_bytes() + self.mm.allocated_table_bytes()
    }

    fn build(b: Sizes, params: Params, remote: usize) -> Self {
        let kinds = hashes::kinds(params);
        let nctx = kinds.len();
        let remote = remote.min(nctx);
        Predictor {
            logit: Logit16::new(),
            seen: 0,
            hashes: ContextHashes::new(params),
            bank: ContextBank::new(&kinds[..nctx - remote], b),
            remote,
            c0: 1,
            bitpos: 0,
            mm: MatchModel::new(match_bits(b.base)),
            mixer: if params.sparse {
                Mixer::new(nctx + 2, &[5 * 256, 256 * 8, 256 * 8], 1 << 14, 4)
            } else {
                Mixer::new(nctx + 2, &[5 * 256, 256 * 8], 1 << 14, 4)
            },
            apm1: Apm::new(256, 7),
            apm2: Apm::new(64 * 4, 6),
            match_hash: 0,
            st: 0,
        }
    }

    /// Takes back the contexts run elsewhere, as the bank that ran them (between bytes, after
    /// the same bytes): from then on this predictor runs every context itself, exactly as
    /// one made by [`Self::new`] would have.
    pub fn absorb(&mut self, remote: ContextBank) {
        debug_assert_eq!(remote.len(), self.remote);
        self.bank.join(remote);
        self.remote = 0;
    }

    /// 16-bit P(next bit = 1), in `1..=65535`, after the history `buf` (at least the bytes
    /// seen so far; later ones are not read).
    #[inline]
    pub fn predict(&mut self, buf: History) -> u32 {
        self.predict_with(buf, &[])
    }

    /// [`Self::predict`] with the remote contexts' inputs for this bit.
    #[inline]
    pub fn predict_with(&mut self, buf: History, remote: &[i16]) -> u32 {
        let m = self.mm.predict(buf, self.c0, self.bitpos, &self.logit);
        let local = self.bank.len();
        let nctx = local + self.remote;
        let x = self.mixer.inputs_mut();
        self.bank.inputs(&mut x[..local]);
        x[local..nctx].copy_from_slice(&remote[..self.remote]);
        x[nctx] = m.clamp(-INPUT_MAX, INPUT_MAX) as i16;
        x[nctx + 1] = 256;
        let len = self.mm.length();
        // Matches followed on past a differing byte get weights of their own.
        let mstate = match (len, self.mm.expected_bit()) {
            (_, None) => 0,
            _ if self.mm.recovered() => 4,
            (..=15, Some(_)) => 1,
            (16..=31, Some(_)) => 2,
            _ => 3,
        };
        self.mixer.select(0, mstate * 256 + self.c0 as usize);
        let c8 = self.hashes.c8;
        let c1 = (c8 & 0xff) as usize;
        self.mixer.select(1, c1 << 3 | self.bitpos as usize);
        let c2 = (c8 >> 8 & 0xff) as usize;
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
        pr.clamp(1, 65535)
    }

    /// Trains every component on the coded bit (call once after each prediction). After the
    /// last bit of a byte, `buf` must be the history with that byte (and nothing after it);
    /// before, it is not read.
    #[inline]
    pub fn update(&mut self, bit: u32, buf: History) {
        self.bank.update(bit);
        self.mm.update_bit(bit);
        self.mixer.update(bit);
        self.apm1.update(bit);
        self.apm2.update(bit);

        self.c0 = (self.c0 << 1) | bit;
        self.bitpos += 1;
        if self.bitpos == 8 {
            debug_assert_eq!(buf.len(), self.seen + 1);
            debug_assert_eq!(buf.last(), (self.c0 & 0xff) as u8);
            self.end_byte(buf);
            self.c0 = 1;
            self.bitpos = 0;
            // Start the match table load, then the context tables', so the misses overlap.
            self.mm.prefetch(self.match_hash);
            self.bank.begin_byte(&self.hashes.all);
            self.mm.update_byte(buf, self.match_hash);
        }
    }

    /// Takes in bytes that are stored rather than coded: the history `buf` ends with them
    /// (every byte after those seen so far), so the match model can find repeats of them
    /// later, and the contexts continue from them. Call only between whole bytes; both sides
    /// call it at the same points.
    pub fn observe(&mut self, buf: History) {
        if buf.len() <= self.seen {
            return;
        }
        while self.seen + 1 < buf.len() {
            let c = buf.at(self.seen);
            self.seen += 1;
            self.hashes.shift(c);
            if self.seen >= 6 {
                let h = matcher::key(self.hashes.c8);
                self.mm.insert(self.seen, h);
            }
        }
        self.mm.reset();
        self.end_byte(buf);
        self.bank.begin_byte(&self.hashes.all);
        self.mm.update_byte(buf, self.match_hash);
    }

    /// Takes in the last byte of `buf`, which is one byte longer than the history seen.
    fn end_byte(&mut self, buf: History) {
        self.seen += 1;
        // Faster mixer learning while little has been seen.
        self.mixer
            .set_rate(6 + 16 * 1024 / (self.seen as i64 + 1024));
        self.hashes.end_byte(buf);
        self.match_hash = matcher::key(self.hashes.c8);
    }
}

/// log2 of the match model's slots for context tables of `2^bits` buckets.
fn match_bits(bits: u32) -> u32 {
    (bits + 1).min(22)
}
