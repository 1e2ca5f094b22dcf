//! Hash chains over a stream's decoded bytes: the earlier positions whose first three bytes
//! hash alike, nearest first, within deflate's 32 KiB window. Both directions of the
//! token model walk them identically, so a match is named by its rank instead of its
//! distance.

use super::stream::{MAX_MATCH, WINDOW};
use crate::model::zeroed::zeroed;
use std::sync::atomic::{AtomicU64, Ordering};

/// Links walked by every [`Chains`] of this process that has been dropped.
static WALKED: AtomicU64 = AtomicU64::new(0);

/// Chain links walked so far by the chains of this process (encoders' included), counted
/// when each stream's chains are dropped: the unit of the deflate rebuild's work bound.
pub fn links_so_far() -> u64 {
    WALKED.load(Ordering::Relaxed)
}

const HASH_BITS: u32 = 16;
/// Search depths (chain links, hash collisions included, as encoders count them) the token
/// model considers.
pub const DEPTHS: [usize; 14] = [1, 2, 4, 8, 12, 16, 24, 32, 44, 64, 128, 256, 512, 1024];
/// Chain steps when looking for a given match (the encoder's choice may lie further out).
const RANK_STEPS: usize = 4096;

/// A match found in the chains; `len == 0` for none.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Match {
    pub len: u16,
    pub dist: u16,
}

/// Most record-breaking matches kept; later ones replace the last (the lengths keep rising).
const MAX_RECORDS: usize = 24;

/// Matches that each beat every nearer one, nearest first, with the chain links walked to
/// reach each.
#[derive(Clone, Copy, Default)]
pub struct Records {
    list: [Match; MAX_RECORDS],
    links: [u16; MAX_RECORDS],
    n: usize,
}

impl Records {
    fn push(&mut self, m: Match, links: usize) {
        let i = self.n.min(MAX_RECORDS - 1);
        self.list[i] = m;
        self.links[i] = links as u16;
        self.n = i + 1;
    }

    pub fn get(&self, i: usize) -> Option<Match> {
        self.list[..self.n].get(i).copied()
    }

    /// Index of the best match within the first `links` links.
    pub fn within(&self, links: usize) -> Option<usize> {
        self.links[..self.n]
            .iter()
            .rposition(|&l| usize::from(l) <= links)
    }

    /// The best match within the first `links` links (length 0 if none).
    pub fn best_within(&self, links: usize) -> Match {
        self.within(links)
            .map_or(Match::default(), |i| self.list[i])
    }

    pub fn position(&self, m: Match) -> Option<usize> {
        self.list[..self.n].iter().position(|&r| r == m)
    }
}

pub struct Chains {
    /// Most recent position + 1 per hash (0: none).
    head: Vec<u32>,
    hash_shift: u32,
    /// Previous position + 1 with the same hash, indexed by position & `prev_mask` (the
    /// table holds `WINDOW` entries, or fewer for shorter data).
    prev: Vec<u32>,
    prev_mask: usize,
    /// Positions below this are in the chains (or were skipped).
    inserted: usize,
    /// Positions left out of the chains, as fast encoders leave out the inside of long
    /// matches.
    skipped: std::ops::Range<usize>,
    /// Chain links walked so far: the work of a pass over a stream, counted for the
    /// encoder's budget of trials (see `code_stream_best`) and the decoder's bound.
    pub links: u64,
    /// Links these chains may walk (`links` never exceeds it); a walk it cuts short sets
    /// `spent`.
    most_links: u64,
    /// Whether a walk was cut short by the budget: what was found since is meaningless.
    pub spent: bool,
}

impl Chains {
    /// Chains for `len` bytes of data; small data gets small tables, so many tiny streams
    /// cost no more than one large one.
    pub fn new(len: usize, most_links: u64) -> Self {
        let bits = (usize::BITS - len.leading_zeros()).clamp(8, HASH_BITS);
        Chains {
            head: zeroed(1 << bits),
            hash_shift: 32 - bits,
            prev: zeroed(len.clamp(1, WINDOW).next_power_of_two()),
            prev_mask: len.clamp(1, WINDOW).next_power_of_two() - 1,
            inserted: 0,
            skipped: 0..0,
            links: 0,
            most_links,
            spent: false,
        }
    }

    /// Leaves positions `range` out of the chains (those not inserted yet).
    pub fn skip(&mut self, range: std::ops::Range<usize>) {
        self.skipped = range;
    }

    fn hash(&self, data: &[u8], at: usize) -> usize {
        let key =
            u32::from(data[at]) << 16 | u32::from(data[at + 1]) << 8 | u32::from(data[at + 2]);
        (key.wrapping_mul(0x9E37_79B1) >> self.hash_shift) as usize
    }

    /// Puts every position below `to` (that has three bytes) into the chains.
    fn insert_below(&mut self, data: &[u8], to: usize) {
        let to = to.min(data.len().saturating_sub(2));
        while self.inserted < to {
            let at = self.inserted;
            if self.skipped.contains(&at) {
                self.inserted += 1;
                continue;
            }
            let h = self.hash(data, at);
            let slot = at & self.prev_mask;
            self.prev[slot] = self.head[h];
            self.head[h] = at as u32 + 1;
            self.inserted += 1;
        }
    }

    /// Calls `visit(distance)` for each earlier position in the chain of `at` (a hash
    /// collision now and then), nearest first, for at most `steps` links; stops when
    /// `visit` returns true.
    fn walk(&mut self, data: &[u8], at: usize, steps: usize, mut visit: impl FnMut(usize) -> bool) {
        if at + 3 > data.len() {
            return;
        }
        self.insert_below(data, at);
        // Within the budget; a walk cut short by it sets `spent` below.
        let allowed = (steps as u64).min(self.most_links - self.links) as usize;
        let mut link = self.head[self.hash(data, at)];
        for step in 0..allowed {
            if link == 0 {
                self.links += step as u64;
                return;
            }
            let q = link as usize - 1;
            let dist = at.wrapping_sub(q);
            // The link stored at `q` was overwritten once `q + WINDOW` was inserted.
            if q < at && dist <= WINDOW && visit(dist) || q + WINDOW <= at {
                self.links += step as u64 + 1;
                return;
            }
            link = self.prev[q & self.prev_mask];
        }
        self.links += allowed as u64;
        // A chain that ends here would have ended the walk at this count anyway.
        self.spent |= allowed < steps && link != 0;
    }

    /// The four bytes at `at`.
    fn four(data: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(data[at..at + 4].try_into().expect("4 bytes"))
    }

    /// Whether the match at distance `dist` from `at` is at least `len` bytes long.
    fn reaches(data: &[u8], at: usize, dist: usize, len: usize) -> bool {
        // Its last four bytes first: most candidates differ there.
        if len >= 4
            && at + len <= data.len()
            && Self::four(data, at + len - 4) != Self::four(data, at - dist + len - 4)
        {
            return false;
        }
        Self::match_len(data, at, dist, len) >= len
    }

    /// Length of the match at distance `dist` from `at`, up to `cap`.
    fn match_len(data: &[u8], at: usize, dist: usize, cap: usize) -> usize {
        let cap = cap.min(data.len() - at);
        let (here, there) = (&data[at..at + cap], &data[at - dist..at - dist + cap]);
        let mut n = 0;
        // Eight bytes at a time; the first differing bit names the first differing byte.
        for (a, b) in here.chunks_exact(8).zip(there.chunks_exact(8)) {
            let a = u64::from_le_bytes(a.try_into().expect("8 bytes"));
            let b = u64::from_le_bytes(b.try_into().expect("8 bytes"));
            if a != b {
                return n + ((a ^ b).trailing_zeros() / 8) as usize;
            }
            n += 8;
        }
        n + here[n..]
            .iter()
            .zip(&there[n..])
            .take_while(|(a, b)| a == b)
            .count()
    }

    /// The record-breaking matches at `at` along its chain: each the nearest match longer
    /// than all nearer ones. An encoder that keeps the longest match it has seen, as zlib
    /// and miniz do, always picks one of them; which one depends on how far it searches.
    /// At most `steps` links are walked.
    pub fn records(&mut self, data: &[u8], at: usize, steps: usize) -> Records {
        let limit = MAX_MATCH.min(data.len() - at.min(data.len()));
        let mut records = Records::default();
        let mut best = 0;
        let mut links = 0;
        // Bytes `best - 3 ..= best` at `at` (once `best >= 3`): a longer match has them
        // too, so a candidate without them is passed over without comparing the rest.
        let mut ending = 0;
        self.walk(data, at, steps, |dist| {
            links += 1;
            if best < 3 || Self::four(data, at - dist + best - 3) == ending {
                let found = Self::match_len(data, at, dist, limit);
                if found > best && found >= 3 {
                    best = found;
                    if best < limit {
                        ending = Self::four(data, at + best - 3);
                    }
                    records.push(
                        Match {
                            len: found as u16,
                            dist: dist as u16,
                        },
                        links,
                    );
                }
            }
            best >= limit
        });
        records
    }

    /// Rank of distance `dist` among the matches at `at` of at least `len` bytes.
    pub fn rank(&mut self, data: &[u8], at: usize, len: usize, dist: usize) -> Option<usize> {
        let mut rank = 0;
        let mut found = None;
        self.walk(data, at, RANK_STEPS, |d| {
            if d == dist {
                found = Some(rank);
                return true;
            }
            if Self::reaches(data, at, d, len) {
                rank += 1;
            }
            false
        });
        found
    }

    /// Distance of the match of rank `rank` at `at` among those of at least `len` bytes.
    pub fn nth(&mut self, data: &[u8], at: usize, len: usize, rank: usize) -> Option<usize> {
        let mut seen = 0;
        let mut found = None;
        self.walk(data, at, RANK_STEPS, |d| {
            if Self::reaches(data, at, d, len) {
                if seen == rank {
                    found = Some(d);
                    return true;
                }
                seen += 1;
            }
            false
        });
        found
    }
}

impl Drop for Chains {
    fn drop(&mut self) {
        WALKED.fetch_add(self.links, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three symbols, so that chains are deep (about 1,200 links within the window, under
    /// `RANK_STEPS`) and matches of every length occur.
    fn three_letters(len: usize) -> Vec<u8> {
        let mut s = 1u32;
        (0..len)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                b"abc"[(s >> 16) as usize % 3]
            })
            .collect()
    }

    #[test]
    fn candidates_are_passed_over_only_when_they_cannot_count() {
        let data = three_letters(20_000);
        let (mut fast, mut plain) = (
            Chains::new(data.len(), u64::MAX),
            Chains::new(data.len(), u64::MAX),
        );
        for at in 0..data.len() - 3 {
            let records = fast.records(&data, at, 64);
            if at % 5 != 0 {
                continue;
            }
            // Every candidate compared in full.
            let limit = MAX_MATCH.min(data.len() - at);
            let (mut expected, mut best, mut links) = (Vec::new(), 0, 0);
            plain.walk(&data, at, 64, |dist| {
                links += 1;
                let found = Chains::match_len(&data, at, dist, limit);
                if found > best && found >= 3 {
                    best = found;
                    expected.push((found, dist, links));
                }
                best >= limit
            });
            expected.truncate(MAX_RECORDS);
            let got: Vec<_> = (0..records.n)
                .map(|i| {
                    (
                        usize::from(records.list[i].len),
                        usize::from(records.list[i].dist),
                        usize::from(records.links[i]),
                    )
                })
                .collect();
            if expected.len() < MAX_RECORDS {
                assert_eq!(got, expected, "records at {at}");
            }
            for len in [3, 4, 5, 9] {
                if at + len > data.len() || at < 3000 {
                    continue;
                }
                let reaching: Vec<usize> = (1..=at.min(WINDOW))
                    .filter(|&d| Chains::match_len(&data, at, d, len) >= len)
                    .collect();
                // Every match of three bytes or more is in the chain, nearest first.
                for (rank, &d) in reaching.iter().enumerate().take(3) {
                    assert_eq!(fast.rank(&data, at, len, d), Some(rank), "{at} {len} {d}");
                    assert_eq!(fast.nth(&data, at, len, rank), Some(d), "{at} {len} {d}");
                }
            }
        }
        assert_eq!(fast.links > 0, plain.links > 0);
    }

    #[test]
    fn match_lengths_agree_with_a_byte_by_byte_count() {
        let mut s = 1u32;
        // Few symbols, so matches of every length (and overlapping ones) occur.
        let data: Vec<u8> = (0..3000)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                b"aab"[(s >> 30) as usize % 3]
            })
            .collect();
        for at in (1..data.len()).step_by(7) {
            for dist in 1..=at.min(40) {
                for cap in [0, 3, 9, 17, MAX_MATCH] {
                    let mut n = 0;
                    while n < cap.min(data.len() - at) && data[at + n] == data[at + n - dist] {
                        n += 1;
                    }
                    assert_eq!(
                        Chains::match_len(&data, at, dist, cap),
                        n,
                        "{at} {dist} {cap}"
                    );
                }
            }
        }
    }
}
