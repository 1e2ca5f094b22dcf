//! Exact repeats of earlier coded values. Edited, looped or synthesised audio re-uses whole
//! stretches of samples, which no linear predictor sees; this finds the latest earlier
//! occurrence of the last `MINLEN` coded values (through a hash table of positions, verified)
//! and expects the value that followed it, until the first value that differs.

/// Values that must agree before a repeat is trusted (chance agreement of this many 16-bit
/// samples happens only in digital silence, where following it is right anyway).
const MINLEN: usize = 12;
/// Largest position table: 2^16 entries (256 KiB, so it stays in the L2 cache).
const MAX_TABLE_BITS: u32 = 16;

use crate::grow;
use std::io;

pub struct Repeats {
    /// Every value coded so far, in coding order (channels interleaved).
    hist: Vec<i32>,
    /// Position just after the latest occurrence of each hashed `MINLEN`-value window.
    table: Vec<u32>,
    table_bits: u32,
    /// Rolling hash of the last `MINLEN` values: sum of `v_i * K^(age)`.
    roll: u64,
    /// Index in `hist` of the value the current repeat expects next (valid when `len > 0`).
    ptr: usize,
    len: usize,
}

/// Multiplier of the rolling window hash, and its `MINLEN`-th power (to drop the oldest value).
const K: u64 = 0x9E37_79B9_7F4A_7C15;
const K_POW: u64 = {
    let mut p = 1u64;
    let mut i = 0;
    while i < MINLEN {
        p = p.wrapping_mul(K);
        i += 1;
    }
    p
};

impl Repeats {
    /// `values`: how many values will be coded. It sizes the position table, so encoder and
    /// decoder must pass the same number. The history holds `reserved` values before it grows
    /// (a decoder reserves none: see [`Self::reserve`]).
    pub fn new(values: usize, reserved: usize) -> Self {
        let table_bits = values
            .next_power_of_two()
            .trailing_zeros()
            .clamp(10, MAX_TABLE_BITS);
        Repeats {
            hist: Vec::with_capacity(reserved),
            table: crate::model::zeroed::zeroed(1 << table_bits),
            table_bits,
            roll: 0,
            ptr: 0,
            len: 0,
        }
    }

    /// Room for `more` values of history, which never passes `limit` values: a decoder grows
    /// it as values are decoded, not by the count a header declares.
    pub fn reserve(&mut self, more: usize, limit: usize) -> io::Result<()> {
        grow::room(&mut self.hist, more, limit, "audio repeat history")
    }

    /// The value the current repeat expects next, and how many values it has matched.
    #[inline]
    pub fn expected(&self) -> Option<(i32, usize)> {
        (self.len > 0).then(|| (self.hist[self.ptr], self.len))
    }

    /// Appends the value just coded.
    pub fn push(&mut self, x: i32) {
        if self.len > 0 {
            if self.hist[self.ptr] == x {
                self.len += 1;
                self.ptr += 1;
            } else {
                self.len = 0;
            }
        }
        self.hist.push(x);
        let n = self.hist.len();
        self.roll = self.roll.wrapping_mul(K).wrapping_add(x as u32 as u64);
        if n > MINLEN {
            let gone = self.hist[n - 1 - MINLEN] as u32 as u64;
            self.roll = self.roll.wrapping_sub(gone.wrapping_mul(K_POW));
        }
        if n < MINLEN {
            return;
        }
        let mixed = (self.roll ^ self.roll >> 29).wrapping_mul(K);
        let slot = (mixed >> (64 - self.table_bits)) as usize;
        if self.len == 0 {
            let cand = self.table[slot] as usize;
            if cand >= MINLEN
                && cand < n
                && self.hist[cand - MINLEN..cand] == self.hist[n - MINLEN..]
            {
                self.len = MINLEN;
                self.ptr = cand;
            }
        }
        // Positions past u32 range are not indexed (no file of that many samples fits 4 GiB).
        if let Ok(pos) = u32::try_from(n) {
            self.table[slot] = pos;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_a_repeat_until_it_differs() {
        let mut r = Repeats::new(1 << 20, 0);
        let pattern: Vec<i32> = (0..40).map(|i| (i * 7919) % 613 - 300).collect();
        for &v in &pattern {
            r.push(v);
        }
        assert!(r.expected().is_none());
        for &v in &pattern[..MINLEN] {
            r.push(v);
        }
        assert_eq!(r.expected(), Some((pattern[MINLEN], MINLEN)));
        r.push(pattern[MINLEN]);
        assert_eq!(r.expected(), Some((pattern[MINLEN + 1], MINLEN + 1)));
        r.push(12345);
        assert!(r.expected().is_none());
    }
}
