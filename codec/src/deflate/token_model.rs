//! Codes the tokens of a deflate stream given its decoded bytes. The decoded bytes are coded
//! elsewhere; what is left is the encoder's choices: literal or match, which length, which
//! distance. Encoders keep the longest match they see within some search depth (and emit
//! a literal when the next position has a longer one), so a match is coded as one of the
//! record-breaking matches along the hash chain, relative to the record at the depth that
//! has predicted this encoder best so far. Other matches are coded by length and rank.

use super::chains::{Chains, Match, Records, DEPTHS};
use super::number::Number;
use super::stream::{Token, WINDOW};
use crate::model::adaptive_bit::{AdaptiveBit, BitIo};

const BUCKETS: usize = 13;
/// Largest distance in records between the predicted and the chosen match.
const DELTA_MAX: usize = 24;
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
    /// `(position + 1, record matches there)` of the last lookahead.
    lookahead: (usize, Records),
    insert_limit: usize,
}

/// Insert limit of encoders that put every position into their chains (zlib from level 4,
/// miniz from level 2); zlib's levels 1 to 3 use 4, 5 and 6.
pub const INSERT_ALL: usize = 0;

impl Cursor {
    /// A cursor at the start of a stream of `len` decoded bytes whose encoder leaves the
    /// inside of matches longer than `insert_limit` out of its chains (see
    /// [`INSERT_ALL`]), walking at most `most_links` chain links.
    pub fn new(len: usize, insert_limit: usize, most_links: u64) -> Self {
        Cursor {
            chains: Chains::new(len, most_links),
            at: 0,
            lookahead: (0, Records::default()),
            insert_limit,
        }
    }

    /// Chain links walked so far (the work of this pass).
    pub fn links(&self) -> u64 {
        self.chains.links
    }

    /// Sets the insert limit (decoded after the cursor was made).
    pub fn set_insert_limit(&mut self, insert_limit: usize) {
        self.insert_limit = insert_limit;
    }

    /// Whether a walk was cut short by the cursor's budget of links.
    pub fn spent(&self) -> bool {
        self.chains.spent
    }

    fn records(&mut self, data: &[u8], at: usize, steps: usize) -> Records {
        if self.lookahead.0 == at + 1 {
            return self.lookahead.1;
        }
        let records = if at < data.len() {
            self.chains.records(data, at, steps)
        } else {
            Records::default()
        };
        self.lookahead = (at + 1, records);
        records
    }
}

/// Chain links walked per position at least (a floor, so a shallow start climbs quickly).
const MIN_STEPS: usize = 16;
/// Matches of a stream before its likely depth may raise the walk's high-water mark: the
/// depth statistics carry over from earlier streams (often the same encoder's, as in a ZIP),
/// and by then a different encoder's depth has outweighed theirs (they decay by 1/64 a
/// match).
const MATCHES_BEFORE_MARK: u32 = 256;

#[derive(Clone)]
pub struct TokenModel {
    is_match: [AdaptiveBit; BUCKETS * 3 * 2 * 3 * 2],
    is_record: [AdaptiveBit; BUCKETS * 3],
    delta_zero: [AdaptiveBit; BUCKETS * 3],
    delta_negative: AdaptiveBit,
    delta_more: [[AdaptiveBit; DELTA_MAX]; 2],
    len_is_longest: [AdaptiveBit; BUCKETS * 3],
    /// Lengths as their distance below the longest match (modulo 256), by the bucket of that
    /// match and its trend.
    len_bits: [[AdaptiveBit; 256]; BUCKETS * 3],
    ranked: [AdaptiveBit; 2],
    rank_unary: [[AdaptiveBit; RANK_UNARY]; 2],
    rank_rest: Number,
    prev_match: usize,
    /// How often the longest match within each depth was the encoder's length (decaying,
    /// 1/64 units); the best scoring depth predicts the encoder.
    depth_hits: [u32; DEPTHS.len()],
    /// The deepest index of [`DEPTHS`] that has been the likely depth in this stream since
    /// its first [`MATCHES_BEFORE_MARK`] matches: the walk never goes shallower, so an
    /// encoder seen searching deep keeps being followed that deep.
    deepest: usize,
    matches_in_stream: u32,
}

impl Default for TokenModel {
    fn default() -> Self {
        TokenModel {
            is_match: [AdaptiveBit::default(); BUCKETS * 3 * 2 * 3 * 2],
            is_record: [AdaptiveBit::default(); BUCKETS * 3],
            delta_zero: [AdaptiveBit::default(); BUCKETS * 3],
            delta_negative: AdaptiveBit::default(),
            delta_more: [[AdaptiveBit::default(); DELTA_MAX]; 2],
            len_is_longest: [AdaptiveBit::default(); BUCKETS * 3],
            len_bits: [[AdaptiveBit::default(); 256]; BUCKETS * 3],
            ranked: [AdaptiveBit::default(); 2],
            rank_unary: [[AdaptiveBit::default(); RANK_UNARY]; 2],
            rank_rest: Number::default(),
            prev_match: 0,
            depth_hits: [0; DEPTHS.len()],
            deepest: 0,
            matches_in_stream: 0,
        }
    }
}

impl TokenModel {
    /// Clears the walk's high-water mark (the files of an archive may come from encoders of
    /// every depth); called before a stream's first token.
    pub fn start_stream(&mut self) {
        self.deepest = 0;
        self.matches_in_stream = 0;
    }

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
        if at >= data.len() || cursor.spent() {
            return None;
        }
        let likely = self.likely_depth();
        let depth = DEPTHS[likely];
        if self.matches_in_stream >= MATCHES_BEFORE_MARK {
            self.deepest = self.deepest.max(likely);
        }
        // Deep enough to see whether the encoder searches further than predicted, and never
        // shallower than the deepest likely depth so far.
        let steps = DEPTHS[(likely + 1).min(DEPTHS.len() - 1)]
            .max(DEPTHS[self.deepest])
            .max(MIN_STEPS);
        let records = cursor.records(data, at, steps);
        let predicted = records.within(depth);
        let here = records.best_within(depth);
        let longest = usize::from(here.len);
        let next = cursor.records(data, at + 1, steps).best_within(depth);
        let trend = usize::from(next.len >= here.len) + usize::from(next.len > here.len);
        let b = bucket(longest) * 3 + trend;
        let ctx = ((b * 2 + self.prev_match) * 3 + far(here)) * 2 + usize::from(far(next) > 0);
        let is_match = self.is_match[ctx].code(io, u32::from(token.len > 0));
        self.prev_match = is_match as usize;
        if is_match == 0 {
            cursor.at += 1;
            return Some(Token::LITERAL);
        }
        let given = Match {
            len: token.len,
            dist: token.dist,
        };
        let chosen = if token.len > 0 {
            records.position(given)
        } else {
            None
        };
        let (len, dist) = if self.is_record[b].code(io, u32::from(chosen.is_some())) == 1 {
            let base = predicted.map_or(-1, |p| p as isize);
            let delta = chosen.map_or(0, |k| k as isize - base);
            let k = base + self.code_delta(io, b, delta);
            let m = records.get(usize::try_from(k).ok()?)?;
            (usize::from(m.len), usize::from(m.dist))
        } else {
            self.code_unlisted(io, cursor, data, b, longest, given)?
        };
        if len < 3 || at + len > data.len() {
            return None;
        }
        self.matches_in_stream = self.matches_in_stream.saturating_add(1);
        for (hits, &links) in self.depth_hits.iter_mut().zip(&DEPTHS) {
            let found = records.best_within(links).len;
            *hits = *hits - (*hits >> 6) + if usize::from(found) == len { 64 } else { 0 };
        }
        if dist > at.min(WINDOW) {
            return None;
        }
        if cursor.insert_limit != INSERT_ALL && len > cursor.insert_limit {
            cursor.chains.skip(at + 1..at + len);
        }
        cursor.at += len;
        Some(Token {
            len: len as u16,
            dist: dist as u16,
        })
    }

    /// A match that is not one of the records: its length, then its rank among the matches
    /// at least that long.
    fn code_unlisted<C: BitIo>(
        &mut self,
        io: &mut C,
        cursor: &mut Cursor,
        data: &[u8],
        b: usize,
        longest: usize,
        given: Match,
    ) -> Option<(usize, usize)> {
        let at = cursor.at;
        let given_len = usize::from(given.len);
        let len = if self.len_is_longest[b].code(io, u32::from(given_len == longest)) == 1 {
            longest
        } else {
            // The 256 lengths 3..=258 as their distance below the longest match, modulo 256
            // (one to one): encoders that shorten matches, as optimal parsers do, cut a few
            // bytes off the longest.
            let origin = if longest >= 3 { longest } else { 2 };
            let below = (origin + 256 - given_len.clamp(3, 258)) & 255;
            let tree = &mut self.len_bits[b];
            let mut node = 1usize;
            for i in (0..8).rev() {
                let bit = (below >> i) as u32 & 1;
                node = node * 2 + tree[node].code(io, bit) as usize;
            }
            3 + ((origin + 512 - 3 - (node - 256)) & 255)
        };
        if len < 3 || at + len > data.len() {
            return None;
        }
        let eq = usize::from(len == longest);
        let given_dist = usize::from(given.dist);
        let rank = if given.len > 0 {
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
        Some((len, dist))
    }

    /// Codes how many records the encoder's choice lies beyond (or short of) the predicted
    /// one.
    fn code_delta<C: BitIo>(&mut self, io: &mut C, b: usize, delta: isize) -> isize {
        if self.delta_zero[b].code(io, u32::from(delta == 0)) == 1 {
            return 0;
        }
        let negative = self.delta_negative.code(io, u32::from(delta < 0));
        let magnitude = delta.unsigned_abs();
        let mut m = 1;
        while m < DELTA_MAX
            && self.delta_more[negative as usize][m].code(io, u32::from(magnitude > m)) == 1
        {
            m += 1;
        }
        if negative == 1 {
            -(m as isize)
        } else {
            m as isize
        }
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
