//! Hash table of bit-history buckets. One bucket (16 bytes) holds the states of the 15 nodes of
//! a nibble's binary tree for one context, plus a check byte at offset 0. A lookup probes three
//! neighbouring buckets in the same 64-byte group and, on a miss, recycles the one whose first
//! node has seen the least evidence.

use super::bithistory::weight;
use super::huge::HugeTable;

#[derive(Clone)]
pub struct NibbleTable {
    t: HugeTable<u8>,
    mask: usize,
}

impl NibbleTable {
    /// Tables of `1 << bits[i]` buckets (each clamped to 2..=26) in one region of memory,
    /// which wastes less of the last huge page than a region per table (and clears less
    /// memory).
    pub fn packed(bits: &[u32]) -> Vec<Self> {
        let bits: Vec<u32> = bits.iter().map(|&b| b.clamp(2, 26)).collect();
        let lens: Vec<usize> = bits.iter().map(|&b| Self::bytes(b)).collect();
        // Each table's length is a multiple of 64 bytes, so every bucket group keeps to one
        // cache line.
        HugeTable::filled_parts(&lens, 0)
            .into_iter()
            .zip(bits)
            .map(|(t, b)| NibbleTable {
                t,
                mask: (1 << b) - 1,
            })
            .collect()
    }

    /// Copies of `tables` in one region (see [`Self::packed`]).
    pub fn packed_copy(tables: &[&Self]) -> Vec<Self> {
        let lens: Vec<usize> = tables.iter().map(|t| t.t.len()).collect();
        HugeTable::filled_parts(&lens, 0)
            .into_iter()
            .zip(tables)
            .map(|(mut t, from)| {
                t.copy_from_slice(&from.t);
                NibbleTable { t, mask: from.mask }
            })
            .collect()
    }

    /// Bytes of a table of `1 << bits` buckets as [`Self::packed`] makes it.
    pub fn bytes(bits: u32) -> usize {
        16 << bits.clamp(2, 26)
    }

    /// Bytes of this table.
    #[cfg(test)]
    pub fn len_bytes(&self) -> usize {
        self.t.len()
    }

    /// Reads the first probe of `hash`'s bucket group and returns it; calling this for several
    /// tables before [`Self::find`] lets their cache misses overlap.
    #[inline]
    pub fn touch(&self, hash: u64) -> u8 {
        self.t[((hash as usize) & self.mask) * 16]
    }

    /// Hints that `hash`'s bucket group (one cache line) will be looked up soon.
    #[inline]
    pub fn prefetch(&self, hash: u64) {
        super::prefetch::prefetch(&self.t, ((hash as usize) & self.mask) * 16);
    }

    /// Offset of the bucket for a 64-bit context hash; node `j` (1..=15) is at `offset + j`.
    #[inline]
    pub fn find(&mut self, hash: u64) -> usize {
        let chk = (hash >> 56) as u8;
        let i0 = (hash as usize) & self.mask;
        if self.t[i0 * 16] == chk {
            return i0 * 16;
        }
        let mut best = i0 * 16;
        let mut best_w = u8::MAX;
        for k in 0..3 {
            let o = ((i0 ^ k) & self.mask) * 16;
            if self.t[o] == chk {
                return o;
            }
            let w = weight(self.t[o + 1]);
            if w < best_w {
                best_w = w;
                best = o;
            }
        }
        self.t[best..best + 16].fill(0);
        self.t[best] = chk;
        best
    }

    /// The 16 bytes of the bucket at `offset` (from [`Self::find`]).
    #[inline]
    pub fn load(&self, offset: usize) -> [u8; 16] {
        self.t[offset..offset + 16]
            .try_into()
            .expect("a bucket is 16 bytes")
    }

    /// Writes back the bucket at `offset` (from [`Self::find`]).
    #[inline]
    pub fn store(&mut self, offset: usize, nodes: &[u8; 16]) {
        self.t[offset..offset + 16].copy_from_slice(nodes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_same_bucket_and_replaces_weak_ones() {
        let mut t = NibbleTable::packed(&[4]).pop().unwrap();
        let a = t.find(0xAB00_0000_0000_0003);
        let mut nodes = t.load(a);
        nodes[1] = 0x55;
        t.store(a, &nodes);
        assert_eq!(t.find(0xAB00_0000_0000_0003), a);
        let b = t.find(0xCD00_0000_0000_0003);
        assert_ne!(a, b);
        assert_eq!(t.load(a)[1], 0x55);
    }

    #[test]
    fn packed_tables_are_independent() {
        let mut ts = NibbleTable::packed(&[4, 6, 4]);
        let hash = 0xAB00_0000_0000_0003;
        let a = ts[0].find(hash);
        let mut nodes = ts[0].load(a);
        nodes[1] = 0x55;
        ts[0].store(a, &nodes);
        for t in &mut ts[1..] {
            let b = t.find(hash);
            assert_eq!(t.load(b)[1], 0, "a new bucket");
        }
        assert_eq!(ts[0].find(hash), a);
        assert_eq!(ts[0].load(a)[1], 0x55);
    }
}
