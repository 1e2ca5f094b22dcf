//! A bank of hashed contexts: for each, a table of bit-history states in nibble buckets and an
//! adaptive map from state to probability, giving one stretched mixer input per bit. A bank
//! depends only on the coded bits and the byte-level hashes, never on the other components, so
//! the encoder may run part of the contexts in a bank of their own on another thread.

use super::hashes::NCTX;
use crate::model::bithistory::{initial_p16, BitHistory};
use crate::model::logit16::Logit16;
use crate::model::nibble_table::NibbleTable;
use crate::model::statemap;

#[inline]
fn nibble_hash(ctx: u64, c0: u32) -> u64 {
    let x =
        (ctx ^ (c0 as u64).wrapping_mul(0x2545_F491_4F6C_DD1D)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 28)
}

/// log2 of the bucket count per context table suited to `n` input bytes: about two buckets
/// per byte, capped low. Random table accesses miss the TLB once the tables outgrow what it
/// maps (4 KiB pages), which costs more time than the extra collisions cost ratio: 2^18 instead
/// of 2^20 buckets per table costs 0.1% on a 2.6 MB mix and saves 15% time. Long inputs
/// fill the tables and gain more: a 27 MB lane of prose is 1.3% smaller with 2^20 buckets
/// for 7% more time (16 MiB per table).
pub fn size_bits(n: usize) -> u32 {
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

/// The sizes of a bank's tables: `2^base` buckets each, twice as many for the kinds whose bit
/// is set in `larger` (never order 1 or kind 4: those are small whatever the base).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    pub base: u32,
    pub larger: u16,
}

impl Sizes {
    /// `2^base` buckets per table.
    pub fn uniform(base: u32) -> Self {
        Sizes { base, larger: 0 }
    }

    /// These sizes with the tables of `kind` twice as large.
    pub fn with_larger(self, kind: usize) -> Self {
        Sizes {
            larger: self.larger | 1 << kind,
            ..self
        }
    }
}

/// log2 of the bucket count of each table of `kinds` for `sizes`: order 1 needs few, and
/// kind 4 (a context of nothing but the partial byte) one bucket per nibble.
fn table_bits(kinds: &[usize], sizes: Sizes) -> Vec<u32> {
    let b = sizes.base;
    let bits = [b.min(14), b, b, b, 10, b, b, b, b, b, b, b];
    kinds
        .iter()
        .map(|&k| bits[k] + u32::from(sizes.larger >> k & 1 == 1 && k != 0 && k != 4))
        .collect()
}

/// One context of a bank: its table, its adaptive map and where the current bit stands.
/// Aligned to a cache line, so a bank's lanes share no line with other allocations: after
/// the encoder's fork takes its remote lanes back, the copy for the second half was allocated
/// next to them, and the two threads' writes moved the shared line from core to core. (Two
/// lines, 128 bytes, made decoding 10-15% slower.)
#[derive(Clone)]
#[repr(align(64))]
struct Lane {
    table: NibbleTable,
    /// From bit-history state to probability (entries packed as in [`statemap`]).
    sm: [u32; 256],
    /// Hash of the context for the current byte.
    ctx: u64,
    /// Offset of the current nibble's bucket in the table, and a copy of that bucket that
    /// the nibble's bits read and write: the table holds stale nodes until
    /// [`ContextBank::find_buckets`] writes the copy back, before any lookup.
    bucket: usize,
    nodes: [u8; 16],
    /// The state read for the current prediction (reused by the update).
    state: u8,
}

pub struct ContextBank {
    logit: Logit16,
    hist: BitHistory,
    /// The context kinds of this bank, in input order, and their lanes in the same order.
    kinds: Vec<usize>,
    lanes: Vec<Lane>,
    /// Partial byte with a leading 1, partial nibble with a leading 1, bits of the byte seen.
    c0: u32,
    nib: usize,
    bitpos: u32,
}

/// A copy whose tables share one region, as [`ContextBank::new`] makes them: the fork copies
/// the trunk's model, and tables of a few MiB each, allocated one by one, came from the
/// allocator's heap, which kept them after they were freed (session 21).
impl Clone for ContextBank {
    fn clone(&self) -> Self {
        let tables =
            NibbleTable::packed_copy(&self.lanes.iter().map(|l| &l.table).collect::<Vec<_>>());
        let lanes = self
            .lanes
            .iter()
            .zip(tables)
            .map(|(l, table)| Lane {
                table,
                sm: l.sm,
                ctx: l.ctx,
                bucket: l.bucket,
                nodes: l.nodes,
                state: l.state,
            })
            .collect();
        ContextBank {
            logit: self.logit,
            hist: self.hist.clone(),
            kinds: self.kinds.clone(),
            lanes,
            c0: self.c0,
            nib: self.nib,
            bitpos: self.bitpos,
        }
    }
}

impl ContextBank {
    /// A bank of `kinds` (indices into the hashes' `all`) with tables of `sizes`
    /// ([`size_bits`] for the base; two kinds have smaller fixed ones).
    pub fn new(kinds: &[usize], sizes: Sizes) -> Self {
        let tables = NibbleTable::packed(&table_bits(kinds, sizes));
        let sm: [u32; 256] = std::array::from_fn(|s| statemap::entry(initial_p16(s as u8)));
        let lanes = tables
            .into_iter()
            .map(|table| Lane {
                table,
                sm,
                ctx: 0,
                bucket: 0,
                nodes: [0; 16],
                state: 0,
            })
            .collect();
        let mut bank = ContextBank {
            logit: Logit16::new(),
            hist: BitHistory::new(),
            kinds: kinds.to_vec(),
            lanes,
            c0: 1,
            nib: 1,
            bitpos: 0,
        };
        bank.find_buckets();
        bank
    }

    /// Bytes of the tables of a bank of `kinds` with tables of `sizes`.
    pub fn table_bytes(kinds: &[usize], sizes: Sizes) -> usize {
        table_bits(kinds, sizes)
            .iter()
            .map(|&bits| NibbleTable::bytes(bits))
            .sum()
    }

    /// Bytes of this bank's tables.
    #[cfg(test)]
    pub fn allocated_table_bytes(&self) -> usize {
        self.lanes.iter().map(|l| l.table.len_bytes()).sum()
    }

    /// Appends the contexts of `other`, a bank for the same input at the same point of the
    /// same byte (both between bytes): the result is the bank of both banks' kinds.
    pub fn join(&mut self, other: ContextBank) {
        debug_assert_eq!((self.c0, self.bitpos), (other.c0, other.bitpos));
        self.kinds.extend(other.kinds);
        self.lanes.extend(other.lanes);
    }

    /// How many inputs [`Self::inputs`] gives.
    pub fn len(&self) -> usize {
        self.lanes.len()
    }

    /// Starts a byte whose contexts are `all` (indexed by kind).
    #[inline]
    pub fn begin_byte(&mut self, all: &[u64; NCTX]) {
        for (lane, &k) in self.lanes.iter_mut().zip(&self.kinds) {
            lane.ctx = all[k];
        }
        self.c0 = 1;
        self.nib = 1;
        self.bitpos = 0;
        self.find_buckets();
    }

    fn find_buckets(&mut self) {
        for lane in &mut self.lanes {
            lane.table.store(lane.bucket, &lane.nodes);
        }
        let mut h = [0u64; NCTX];
        let mut seen = 0u8;
        for (h, lane) in h.iter_mut().zip(&self.lanes) {
            *h = nibble_hash(lane.ctx, self.c0);
            seen ^= lane.table.touch(*h);
        }
        std::hint::black_box(seen);
        for (h, lane) in h.iter().zip(&mut self.lanes) {
            lane.bucket = lane.table.find(*h);
            lane.nodes = lane.table.load(lane.bucket);
        }
    }

    /// With one bit of the first nibble left, the second nibble's buckets are one of two
    /// known ones: start loading both (their misses then overlap the coding of that bit).
    fn prefetch_second_nibble(&self) {
        let c0 = self.c0 << 1;
        for lane in &self.lanes {
            lane.table.prefetch(nibble_hash(lane.ctx, c0));
            lane.table.prefetch(nibble_hash(lane.ctx, c0 | 1));
        }
    }

    /// Writes this bank's stretched predictions for the next bit into `x[..self.len()]`.
    #[inline]
    pub fn inputs(&mut self, x: &mut [i16]) {
        let node = self.nib & 15;
        for (lane, x) in self.lanes.iter_mut().zip(x) {
            lane.state = lane.nodes[node];
            *x = self
                .logit
                .stretch_input(statemap::entry_p16(lane.sm[lane.state as usize]));
        }
    }

    /// Trains every context on the coded bit. After the eighth bit, call
    /// [`Self::begin_byte`] before the next [`Self::inputs`].
    #[inline]
    pub fn update(&mut self, bit: u32) {
        let node = self.nib & 15;
        for lane in &mut self.lanes {
            lane.nodes[node] = self.hist.next(lane.state, bit);
            statemap::adapt(&mut lane.sm[lane.state as usize], bit, 1023);
        }
        self.c0 = (self.c0 << 1) | bit;
        self.nib = (self.nib << 1) | bit as usize;
        self.bitpos += 1;
        if self.bitpos == 4 {
            self.nib = 1;
            self.find_buckets();
        } else if self.bitpos == 3 {
            self.prefetch_second_nibble();
        }
    }
}
