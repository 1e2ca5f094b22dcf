//! Codes the tokens of a deflate stream given its decoded bytes. The decoded bytes are coded
//! elsewhere; what is left is the encoder's choices: literal or match, which length, which
//! distance. Most encoders choose the longest match (or a literal when the next position
//! has a longer one), so each choice is coded relative to what the hash chains offer.

use super::chains::{Chains, Match, DEPTHS};
use super::number::Number;
use super::stream::{Token, WINDOW};
use crate::model::adaptive_bit::{AdaptiveBit, BitIo};

const BUCKETS: usize = 13;
/// Ranks coded one decision each before the rest goes to a [`Number`].
const RANK_UNARY: usize = 16;

/// Coarse class of a longest-match length.
fn bucket(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=6 => len - 2,
        7..=8 => 5,
        9..=12 => 6,
        13..=16 => 7,
        17..=32 => 8,
        33..=64 => 9,
        65..=128 => 10,
        129..=257 => 11,
        _ => 12,
    }
}

/// How far a shortest (3-byte) match reaches: encoders drop those beyond 4 KiB (zlib) or
/// 8 KiB (miniz) as not worth their bits.
fn far(m: Match) -> usize {
    if m.len != 3 {
        0
    } else {
        usize::from(m.dist > 4096) + usize::from(m.dist > 8192)
    }
}

/// Position within one stream's decoded bytes and what the chains know there.
pub struct Cursor {
    chains: Chains,
    pub at: usize,
    /// `(position + 1, longest matches there)` of the last lookahead.
    lookahead: (usize, [Match; DEPTHS.len()]),
}

impl Cursor {
    /// A cursor at the start of a stream of `len` decoded bytes.
    pub fn new(len: usize) -> Self {
        Cursor {
            chains: Chains::new(len),
            at: 0,
            lookahead: (0, [Match::default(); DEPTHS.len()]),
        }
    }

    fn longest(&mut self, data: &[u8], at: usize) -> [Match; DEPTHS.len()] {
        if self.lookahead.0 == at + 1 {
            return self.lookahead.1;
        }
        let len = if at < data.len() {
            self.chains.longest(data, at)
        } else {
            [Match::default(); DEPTHS.len()]
        };
        self.lookahead = (at + 1, len);
        len
    }
}

pub struct TokenModel {
    is_match: [AdaptiveBit; BUCKETS * 3 * 2 * 3 * 2],
    len_is_longest: [AdaptiveBit; BUCKETS * 3],
    len_bits: [[AdaptiveBit; 256]; 2],
    ranked: [AdaptiveBit; 2],
    rank_unary: [[AdaptiveBit; RANK_UNARY]; 2],
    rank_rest: Number,
    prev_match: usize,
    /// How often the longest match within each depth was the encoder's length (decaying,
    /// 1/64 units); the best scoring depth predicts the encoder.
    depth_hits: [u32; DEPTHS.len()],
}

impl Default for TokenModel {
    fn default() -> Self {
        TokenModel {
            is_match: [AdaptiveBit::default(); BUCKETS * 3 * 2 * 3 * 2],
            len_is_longest: [AdaptiveBit::default(); BUCKETS * 3],
            len_bits: [[AdaptiveBit::default(); 256]; 2],
            ranked: [AdaptiveBit::default(); 2],
            rank_unary: [[AdaptiveBit::default(); RANK_UNARY]; 2],
            rank_rest: Number::default(),
            prev_match: 0,
            depth_hits: [0; DEPTHS.len()],
        }
    }
}

impl TokenModel {
    /// Codes `token` (ignored when decoding) at `cursor.at` in `data` and advances the
    /// cursor past it. `None` if a decoded token cannot be real (corrupt input).
    pub fn code<C: BitIo>(
        &mut self,
        io: &mut C,
        cursor: &mut Cursor,
        data: &[u8],
        token: Token,
    ) -> Option<Token> {
        let at = cursor.at;
        if at >= data.len() {
            return None;
        }
        let depth = self.likely_depth();
        let candidates = cursor.longest(data, at);
        let here = candidates[depth];
        let longest = usize::from(here.len);
        let next = cursor.longest(data, at + 1)[depth];
        let trend = usize::from(next.len >= here.len) + usize::from(next.len > here.len);
        let b = bucket(longest) * 3 + trend;
        let ctx = ((b * 2 + self.prev_match) * 3 + far(here)) * 2 + usize::from(far(next) > 0);
        let is_match = self.is_match[ctx].code(io, u32::from(token.len > 0));
        self.prev_match = is_match as usize;
        if is_match == 0 {
            cursor.at += 1;
            return Some(Token::LITERAL);
        }
        let given_len = usize::from(token.len);
        let len = if self.len_is_longest[b].code(io, u32::from(given_len == longest)) == 1 {
            longest
        } else {
            let tree = &mut self.len_bits[usize::from(longest >= 3)];
            let mut node = 1usize;
            for i in (0..8).rev() {
                let bit = (given_len.wrapping_sub(3) >> i) as u32 & 1;
                node = node * 2 + tree[node].code(io, bit) as usize;
            }
            node - 256 + 3
        };
        if len < 3 || at + len > data.len() {
            return None;
        }
        for (hits, found) in self.depth_hits.iter_mut().zip(&candidates) {
            *hits = *hits - (*hits >> 6) + if usize::from(found.len) == len { 64 } else { 0 };
        }
        let eq = usize::from(len == longest);
        let given_dist = usize::from(token.dist);
        let rank = if token.len > 0 {
            cursor.chains.rank(data, at, len, given_dist)
        } else {
            None
        };
        let dist = if self.ranked[eq].code(io, u32::from(rank.is_some())) == 1 {
            let r = self.code_rank(io, eq, rank.unwrap_or(0));
            match rank {
                // Encoding: the distance is known (the rebuild check in `split` walks `nth`).
                Some(_) => given_dist,
                None => cursor.chains.nth(data, at, len, r)?,
            }
        } else {
            let mut d = 0usize;
            for i in (0..15).rev() {
                d = d << 1 | io.code((given_dist.wrapping_sub(1) >> i) as u32 & 1, 32768) as usize;
            }
            d + 1
        };
        if dist > at.min(WINDOW) {
            return None;
        }
        cursor.at += len;
        Some(Token {
            len: len as u16,
            dist: dist as u16,
        })
    }

    /// The depth whose longest match has most often been the encoder's choice.
    fn likely_depth(&self) -> usize {
        let hits = &self.depth_hits;
        let mut best = 0;
        for (i, &h) in hits.iter().enumerate() {
            if h > hits[best] {
                best = i;
            }
        }
        best
    }

    fn code_rank<C: BitIo>(&mut self, io: &mut C, eq: usize, rank: usize) -> usize {
        for i in 0..RANK_UNARY {
            if self.rank_unary[eq][i].code(io, u32::from(rank == i)) == 1 {
                return i;
            }
        }
        RANK_UNARY
            + self
                .rank_rest
                .code(io, rank.wrapping_sub(RANK_UNARY) as u64) as usize
    }
}
