//! Long repeats found by a rolling hash: the string of `window` bytes at every `anchor`-th
//! position is remembered (a table of 4-byte slots sized by the input), every position is
//! looked up, and a hit is verified and extended both ways. Integer work only, so every
//! machine finds the same repeats. The long-repeat pass (`container::long`) and the general
//! model's repeat segments (`general::repeats`) search this way with their own sizes.

use std::ops::Range;

const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
/// Bytes a search may compare verifying and extending hits, per byte of its data, before it
/// jumps past every verified match (as `skip_matches` does). Near-repeats shorter than
/// `min_repeat` that hit at every position would otherwise cost their length at each: 1,650
/// per byte for 4 MB of one 257-byte block with a byte changed every 1.5-3.5 KB, 1,990 for a
/// gradient image. Real files compare at most 16 per byte (real-small), generated mixes 99,
/// the drawn BMP of the default dataset 587 (at 256 it lost repeats: decoding it took 35%
/// longer).
const COMPARED_PER_BYTE: u64 = 1024;

/// A repeat: `data[start..end] == data[start - distance..end - distance]`, element by
/// element as a forward copy reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repeat {
    pub start: usize,
    pub end: usize,
    pub distance: usize,
}

pub struct Search {
    /// Bytes hashed at a time; any repeat of `window + anchor` bytes or more is seen.
    pub window: usize,
    /// Distance between remembered positions.
    pub anchor: usize,
    /// Shortest repeat taken (at least `window`).
    pub min_repeat: usize,
    /// Jump past every verified match, also one shorter than `min_repeat`: no byte is then
    /// compared for each position of a long near-repeat, and anchors inside it are not
    /// remembered (their strings are the source's, which stays as near). Otherwise only past
    /// the repeats taken.
    pub skip_matches: bool,
}

impl Search {
    /// The repeats of `data` of at least `min_repeat` bytes, in order and apart. `data` must
    /// be shorter than 4 GiB (anchors are 4-byte positions).
    pub fn find(&self, data: &[u8]) -> Vec<Repeat> {
        self.find_counting(data).0
    }

    /// [`find`](Self::find), with the bytes compared verifying and extending hits: at most
    /// [`COMPARED_PER_BYTE`] per byte of `data` and, once past that, each byte at most
    /// once more.
    pub fn find_counting(&self, data: &[u8]) -> (Vec<Repeat>, u64) {
        let window = self.window;
        let most_compared = (data.len() as u64).saturating_mul(COMPARED_PER_BYTE);
        let mut compared = 0u64;
        let mut found = Vec::new();
        if data.len() < self.min_repeat {
            return (found, 0);
        }
        let bits = (data.len() / self.anchor)
            .next_power_of_two()
            .trailing_zeros()
            .max(4);
        let mut anchors = vec![0u32; 1 << bits];
        let slot = |h: u64| (h >> (64 - bits)) as usize;
        // MULTIPLIER^(window - 1): the oldest byte's weight in the rolling hash.
        let oldest = (1..window).fold(1u64, |m, _| m.wrapping_mul(MULTIPLIER));
        let hash_at = |p: usize| {
            data[p..p + window].iter().fold(0u64, |h, &b| {
                h.wrapping_mul(MULTIPLIER).wrapping_add(u64::from(b) + 1)
            })
        };
        let mut p = 0;
        let mut h = hash_at(0);
        // Repeats found so far end here; a repeat never reaches back past it.
        let mut covered = 0;
        while p + window <= data.len() {
            let cand = anchors[slot(h)] as usize;
            if cand > 0 && data[cand - 1..cand - 1 + window] == data[p..p + window] {
                let distance = p - (cand - 1);
                let end = p + window + common_prefix(data, p + window, distance);
                let mut start = p;
                while start > covered
                    && start > distance
                    && data[start - 1] == data[start - 1 - distance]
                {
                    start -= 1;
                }
                compared += (end - start) as u64;
                let taken = end - start >= self.min_repeat;
                if taken {
                    found.push(Repeat {
                        start,
                        end,
                        distance,
                    });
                    covered = end;
                }
                let over = compared > most_compared;
                if taken || self.skip_matches || over {
                    if over {
                        // Past the budget no byte is compared twice: later hits extend back
                        // no further than this one reached.
                        covered = covered.max(end);
                    }
                    p = end;
                    if p + window > data.len() {
                        break;
                    }
                    h = hash_at(p);
                    continue;
                }
            }
            if p % self.anchor == 0 {
                anchors[slot(h)] = p as u32 + 1;
            }
            if p + window == data.len() {
                break;
            }
            h = h
                .wrapping_sub((u64::from(data[p]) + 1).wrapping_mul(oldest))
                .wrapping_mul(MULTIPLIER)
                .wrapping_add(u64::from(data[p + window]) + 1);
            p += 1;
        }
        (found, compared)
    }
}

/// Earlier bytes of a stream read in parts, remembered as fingerprints of the string of
/// [`Seen::WINDOW`] bytes at every [`Seen::ANCHOR`]-th position (a table of 4-byte slots,
/// 1/32 of the stream's length): whether a part repeats earlier bytes is then estimated
/// without them, as [`Search`] would find it (unverified: 32-bit fingerprints, so random
/// bytes hit about once in 2^32 lookups per remembered string).
#[derive(Clone)]
pub struct Seen {
    table: Vec<u32>,
    bits: u32,
}

impl Seen {
    const WINDOW: usize = 32;
    const ANCHOR: usize = 128;

    /// For a stream of `len` bytes.
    pub fn new(len: u64) -> Seen {
        let bits = (len / Self::ANCHOR as u64)
            .max(16)
            .next_power_of_two()
            .trailing_zeros();
        Seen {
            table: vec![0; 1 << bits],
            bits,
        }
    }

    fn hashes(bytes: &[u8]) -> impl Iterator<Item = u64> + '_ {
        let window = Self::WINDOW;
        let oldest = (1..window).fold(1u64, |m, _| m.wrapping_mul(MULTIPLIER));
        let first = bytes.get(..window).map(|w| {
            w.iter().fold(0u64, |h, &b| {
                h.wrapping_mul(MULTIPLIER).wrapping_add(u64::from(b) + 1)
            })
        });
        let rolled = (window..bytes.len()).scan(first.unwrap_or(0), move |h, p| {
            *h = h
                .wrapping_sub((u64::from(bytes[p - window]) + 1).wrapping_mul(oldest))
                .wrapping_mul(MULTIPLIER)
                .wrapping_add(u64::from(bytes[p]) + 1);
            Some(*h)
        });
        first.into_iter().chain(rolled)
    }

    fn slot(&self, h: u64) -> (usize, u32) {
        ((h >> (64 - self.bits)) as usize, (h as u32) | 1)
    }

    /// For each of `blocks` (ranges of `bytes`, in order, covering it) whether most of it
    /// repeats bytes remembered before (a remembered string met, on average, at least every
    /// other anchor's distance, among the strings that lie within the block); then remembers
    /// `bytes`, which start `at` bytes into the stream. One pass of the rolling hash.
    pub fn repeats_then_remember(
        &mut self,
        bytes: &[u8],
        at: u64,
        blocks: &[Range<usize>],
    ) -> Vec<bool> {
        let anchor = Self::ANCHOR as u64;
        let mut hits = vec![0usize; blocks.len()];
        let mut anchors = Vec::with_capacity(bytes.len() / Self::ANCHOR + 1);
        let mut block = 0;
        for (p, h) in Self::hashes(bytes).enumerate() {
            let (slot, print) = self.slot(h);
            while blocks.get(block).is_some_and(|b| b.end <= p) {
                block += 1;
            }
            if let Some(b) = blocks.get(block) {
                if p + Self::WINDOW <= b.end && self.table[slot] == print {
                    hits[block] += 1;
                }
            }
            if (at + p as u64).is_multiple_of(anchor) {
                anchors.push((slot, print));
            }
        }
        for (slot, print) in anchors {
            self.table[slot] = print;
        }
        blocks
            .iter()
            .zip(hits)
            .map(|(b, hits)| hits * 2 * Self::ANCHOR >= b.len())
            .collect()
    }
}

/// How many bytes from `data[at..]` on equal the bytes `distance` before them, reading as a
/// forward copy does.
fn common_prefix(data: &[u8], at: usize, distance: usize) -> usize {
    let len = data.len() - at;
    let mut n = 0;
    // Compares 8 bytes at a time while the source is at least 8 bytes back.
    if distance >= 8 {
        while n + 8 <= len {
            let a = u64::from_le_bytes(data[at + n..at + n + 8].try_into().expect("8"));
            let b = u64::from_le_bytes(
                data[at + n - distance..at + n - distance + 8]
                    .try_into()
                    .expect("8"),
            );
            if a != b {
                break;
            }
            n += 8;
        }
    }
    while n < len && data[at + n] == data[at + n - distance] {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One 257-byte block over and over (coprime with every anchor spacing, so every
    /// position hits a remembered one), a byte changed every 1.5-3.5 KB: near-repeats
    /// everywhere, none long enough to take.
    fn near_repeats(len: usize) -> Vec<u8> {
        let mut s = 5u64;
        let mut next = || {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (s >> 33) as usize
        };
        let block: Vec<u8> = (0..257).map(|_| next() as u8).collect();
        let mut data: Vec<u8> = block.iter().copied().cycle().take(len).collect();
        let mut at = 0;
        while at < len {
            data[at] = next() as u8;
            at += 1500 + next() % 2000;
        }
        data
    }

    #[test]
    fn bytes_seen_earlier_are_known_again_at_any_offset() {
        let noise = |n: usize, seed: u64| -> Vec<u8> {
            let mut s = seed;
            (0..n)
                .map(|_| {
                    s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (s >> 40) as u8
                })
                .collect()
        };
        let earlier = noise(200_000, 1);
        let mut seen = Seen::new(1 << 20);
        seen.repeats_then_remember(&earlier[..77_777], 0, &[]);
        seen.repeats_then_remember(&earlier[77_777..], 77_777, &[]);
        // Each check on a copy, so that what it remembers meets no later check.
        let mostly_repeats = |bytes: &[u8]| {
            let whole = 0..bytes.len();
            seen.clone()
                .repeats_then_remember(bytes, 0, std::slice::from_ref(&whole))[0]
        };
        assert!(mostly_repeats(&earlier[12_345..12_345 + 65_536]));
        assert!(!mostly_repeats(&noise(65_536, 2)));
        let most = [&noise(10_000, 3)[..], &earlier[50_001..80_001]].concat();
        assert!(mostly_repeats(&most));
        let few = [&noise(30_000, 3)[..], &earlier[50_001..60_001]].concat();
        assert!(!mostly_repeats(&few));
    }

    #[test]
    fn near_repeats_at_every_position_cost_a_bounded_number_of_comparisons() {
        let data = near_repeats(1 << 20);
        let search = Search {
            window: 64,
            anchor: 256,
            min_repeat: 16 << 10,
            skip_matches: false,
        };
        let (found, compared) = search.find_counting(&data);
        assert!(found.is_empty());
        let most = (COMPARED_PER_BYTE + 1) * data.len() as u64;
        assert!(
            compared <= most,
            "{compared} bytes compared, at most {most}"
        );
    }
}
