//! Match model: finds the most recent earlier occurrence of the last `MINLEN` bytes (through a
//! hash table of positions), then predicts that the byte which followed it comes next. A match
//! that fails on a byte goes on past it when no new one is found. Its confidence is learned per
//! (match length bucket, predicted bit).

use super::hashes::hash;
use super::history::History;
use crate::model::logit16::Logit16;
use crate::model::statemap::StateMap;

const MINLEN: usize = 6;
const MAXLEN: usize = 65_535;
/// Longest suffix compared when a candidate is first verified.
const VERIFY: usize = 48;

#[derive(Clone)]
pub struct MatchModel {
    table: crate::model::huge::HugeTable<u32>,
    mask: usize,
    /// Position in the history of the predicted next byte (valid while `len > 0`).
    ptr: usize,
    len: usize,
    expected: u32,
    active: bool,
    /// Where a match that failed on the current byte would have continued. When no new match
    /// is found, prediction goes on from there with length 1 (lengths below `MINLEN` mark such
    /// recovered matches): records often differ in one field, and a table's rows repeat at a
    /// fixed distance.
    lost: Option<usize>,
    sm: StateMap,
}

/// The table key of the last `MINLEN` bytes, given the last 8 (most recent in the low byte).
#[inline]
pub fn key(c8: u64) -> u64 {
    hash(12, c8 & ((1 << (8 * MINLEN)) - 1))
}

fn length_bucket(len: usize) -> usize {
    if len < 16 {
        len
    } else {
        (16 + ((len - 16) >> 3)).min(31)
    }
}

impl MatchModel {
    pub fn new(bits: u32) -> Self {
        let bits = bits.clamp(8, 24);
        MatchModel {
            table: crate::model::huge::HugeTable::filled(1 << bits, 0),
            mask: (1 << bits) - 1,
            ptr: 0,
            len: 0,
            expected: 0,
            active: false,
            lost: None,
            sm: StateMap::new(64, 1023, |i| if i & 1 == 1 { 49152 } else { 16384 }),
        }
    }

    /// Bytes of the table of a model made by [`Self::new`]`(bits)`.
    pub fn table_bytes(bits: u32) -> usize {
        std::mem::size_of::<u32>() << bits.clamp(8, 24)
    }

    /// Bytes of this model's table.
    #[cfg(test)]
    pub fn allocated_table_bytes(&self) -> usize {
        std::mem::size_of_val(&self.table[..])
    }

    /// Records that the bytes hashed by `h` end at history length `n`, without predicting.
    #[inline]
    pub fn insert(&mut self, n: usize, h: u64) {
        self.table[(h as usize) & self.mask] = n as u32;
    }

    /// Drops the current match.
    pub fn reset(&mut self) {
        self.len = 0;
        self.lost = None;
        self.active = false;
    }

    /// Hints that the table slot for `h` (see [`Self::update_byte`]) will be read, so its
    /// cache miss overlaps other work.
    #[inline]
    pub fn prefetch(&self, h: u64) {
        crate::model::prefetch::prefetch(&self.table, (h as usize) & self.mask);
    }

    /// Call after each byte joins the history `buf`; `h` is the [`key`] of its last bytes.
    pub fn update_byte(&mut self, buf: History, h: u64) {
        let n = buf.len();
        let last = buf.at(n - 1);
        if self.len > 0 && buf.get(self.ptr) == Some(last) {
            self.len = (self.len + 1).min(MAXLEN);
            self.ptr += 1;
        } else {
            if self.len > 0 {
                self.lost = Some(self.ptr + 1);
            }
            self.len = 0;
        }
        let lost = self.lost.take();
        if n < MINLEN {
            return;
        }
        let slot = (h as usize) & self.mask;
        if self.len == 0 {
            let cand = self.table[slot] as usize;
            if cand > 0 && cand < n {
                let mut l = 0;
                while l < VERIFY && l < cand && buf.at(cand - 1 - l) == buf.at(n - 1 - l) {
                    l += 1;
                }
                if l >= MINLEN {
                    self.len = l;
                    self.ptr = cand;
                }
            }
            if self.len == 0 {
                if let Some(p) = lost.filter(|&p| p < n) {
                    self.len = 1;
                    self.ptr = p;
                }
            }
        }
        self.table[slot] = n as u32;
    }

    /// Current match length in bytes (0 = none), for selecting mixer weights.
    pub fn length(&self) -> usize {
        self.len
    }

    /// Whether the current match was followed on past a differing byte and has not yet grown
    /// to `MINLEN` bytes since.
    pub fn recovered(&self) -> bool {
        (1..MINLEN).contains(&self.len)
    }

    /// Stretched prediction for the next bit (0 when there is no match).
    #[inline]
    pub fn predict(&mut self, buf: History, c0: u32, bitpos: u32, logit: &Logit16) -> i32 {
        self.active = false;
        if self.len == 0 {
            return 0;
        }
        let pb = buf.at(self.ptr) as u32 | 256;
        if pb >> (8 - bitpos) != c0 {
            self.lost = Some(self.ptr + 1);
            self.len = 0;
            return 0;
        }
        self.expected = (pb >> (7 - bitpos)) & 1;
        self.active = true;
        let p = self
            .sm
            .p(length_bucket(self.len) * 2 + self.expected as usize);
        logit.stretch(p)
    }

    /// Expected bit of the current prediction, if any (for mixer contexts).
    pub fn expected_bit(&self) -> Option<u32> {
        self.active.then_some(self.expected)
    }

    #[inline]
    pub fn update_bit(&mut self, bit: u32) {
        if self.active {
            self.sm.update(bit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `data` byte by byte as the predictor does; returns the byte the model expects
    /// after it, if any.
    fn expected_after(data: &[u8]) -> Option<u8> {
        let logit = Logit16::new();
        let mut mm = MatchModel::new(12);
        let mut buf = Vec::new();
        for &c in data {
            let mut c0 = 1u32;
            for bitpos in 0..8 {
                mm.predict(History::flat(&buf), c0, bitpos, &logit);
                let bit = (c >> (7 - bitpos)) as u32 & 1;
                mm.update_bit(bit);
                c0 = c0 << 1 | bit;
            }
            buf.push(c);
            let c8 = buf
                .iter()
                .rev()
                .take(8)
                .rev()
                .fold(0, |a, &b| a << 8 | b as u64);
            mm.update_byte(History::flat(&buf), key(c8));
        }
        mm.predict(History::flat(&buf), 1, 0, &logit);
        let first = mm.expected_bit()?;
        (mm.length() > 0)
            .then(|| buf[mm.ptr])
            .filter(|b| b >> 7 == first as u8)
    }

    #[test]
    fn a_match_goes_on_past_one_differing_byte() {
        let record = b"name=alpha;size=0042;kind=file;";
        let mut data = record.to_vec();
        data.extend_from_slice(b"name=alpha;size=0");
        assert_eq!(expected_after(&data), Some(b'0'));
        // The next record differs in one digit; the model still expects the rest of the row.
        data.extend_from_slice(b"7");
        assert_eq!(expected_after(&data), Some(b'4'));
        data.extend_from_slice(b"4");
        assert_eq!(expected_after(&data), Some(b'2'));
    }
}
