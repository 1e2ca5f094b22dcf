//! The byte-level contexts of the general model: after each byte, a 64-bit hash of every kind
//! of context (orders 0-4, word, word pair, sparse, record column and text column), computed
//! from the history alone so that any number of context banks can follow the same history.

use super::history::History;
use super::predictor::Params;

/// Context kinds: 0-3 orders 1-4, 4 order 0 (bit histories; order 6 did worse, the match
/// model covers long contexts), 5 word, 6-7 sparse (binary data),
/// 8 and 10 record column (fixed records found), 9 text column (byte above in the previous
/// line), 11 word pair (text: current and previous word; between words the last two words).
pub const NCTX: usize = 12;

#[inline]
pub fn hash(tag: u64, v: u64) -> u64 {
    let mut x = v ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 32;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 29)
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphabetic() || c >= 0x80
}

/// The kinds of context used for `params`, in mixer-input order.
pub fn kinds(params: Params) -> Vec<usize> {
    let mut kinds = vec![0, 1, 2, 3, 4, 5];
    if params.sparse {
        kinds.extend([6, 7]);
    }
    if params.record > 0 {
        kinds.extend([8, 10]);
    }
    if params.columns {
        kinds.extend([9, 11]);
    }
    kinds
}

#[derive(Clone)]
pub struct ContextHashes {
    params: Params,
    /// The last 8 bytes, most recent in the low byte.
    pub c8: u64,
    word: u64,
    pword: u64,
    ppword: u64,
    /// History positions where the current and the previous text line start.
    line: usize,
    prev_line: usize,
    /// Hash of every kind of context for the next byte.
    pub all: [u64; NCTX],
}

impl ContextHashes {
    pub fn new(params: Params) -> Self {
        ContextHashes {
            params,
            c8: 0,
            word: 0,
            pword: 0,
            ppword: 0,
            line: 0,
            prev_line: 0,
            all: [0; NCTX],
        }
    }

    /// Takes in a byte that is only observed: it joins `c8` but no other context.
    #[inline]
    pub fn shift(&mut self, c: u8) {
        self.c8 = (self.c8 << 8) | c as u64;
    }

    /// Takes in the last byte of `buf` (the whole history so far) and rehashes every context.
    pub fn end_byte(&mut self, buf: History) {
        let n = buf.len();
        let c = buf.at(n - 1);
        self.c8 = (self.c8 << 8) | c as u64;
        if is_word_byte(c) {
            self.word = (self.word ^ c.to_ascii_lowercase() as u64).wrapping_mul(0x100_0000_01B3);
        } else if self.word != 0 {
            self.ppword = self.pword;
            self.pword = self.word;
            self.word = 0;
        }
        let c8 = self.c8;
        let all = &mut self.all;
        all[0] = hash(1, c8 & 0xff);
        all[1] = hash(2, c8 & 0xffff);
        all[2] = hash(3, c8 & 0xff_ffff);
        all[3] = hash(4, c8 & 0xffff_ffff);
        all[4] = hash(5, 0);
        all[5] = if self.word != 0 {
            hash(7, self.word)
        } else {
            hash(8, self.pword ^ (c8 & 0xff))
        };
        all[11] = if self.word != 0 {
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
        all[6] = hash(13, c8 & 0xffff_0000);
        all[7] = hash(14, c8 & 0xff00);
        let r = self.params.record;
        if r > 0 && n >= r {
            let above = buf.at(n - r) as u64;
            let col = (n % r).min(255) as u64;
            all[8] = hash(10, above | (c8 & 0xff) << 8 | col << 16);
            let right = buf.get(n + 1 - r).unwrap_or(0) as u64;
            all[10] = hash(16, above | right << 8 | (c8 & 0xff) << 16);
        }
        if c == b'\n' {
            self.prev_line = self.line;
            self.line = n;
        }
        let col = n - self.line;
        let above = if self.prev_line + col < self.line {
            buf.at(self.prev_line + col) as u64
        } else {
            0
        };
        all[9] = hash(15, above | (c8 & 0xff) << 8 | (col.min(255) as u64) << 16);
    }
}
