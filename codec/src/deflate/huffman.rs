//! Canonical Huffman codes (RFC 1951 §3.2.2): decoding by code length counts, and the
//! codes themselves for re-encoding.

use super::bits::BitReader;

pub const MAX_BITS: usize = 15;

/// Codes up to this long are decoded with one table lookup.
const FAST_BITS: u32 = 10;

/// Decoder for one canonical code, built from the code length of every symbol.
pub struct Decoding {
    /// Codes of each length, `count[0]` unused.
    count: [u16; MAX_BITS + 1],
    /// Symbols ordered by (code length, symbol).
    symbols: Vec<u16>,
    /// By the next `FAST_BITS` input bits: `symbol << 4 | code length`, or 0 for a code
    /// longer than `FAST_BITS` (or unused).
    fast: Vec<u16>,
}

impl Decoding {
    /// `None` if the lengths over-subscribe the code space, or leave part of it unused
    /// (allowed only for a code of no symbols or of one 1-bit symbol): zlib's rules, which
    /// also make random bytes fail early when they are tried as a stream.
    pub fn new(lengths: &[u8]) -> Option<Decoding> {
        let mut count = [0u16; MAX_BITS + 1];
        for &l in lengths {
            count[usize::from(l)] += 1;
        }
        let mut left: i32 = 1;
        for &c in &count[1..] {
            left = (left << 1) - i32::from(c);
            if left < 0 {
                return None;
            }
        }
        let longest = count.iter().rposition(|&c| c > 0).unwrap_or(0);
        if left > 0 && longest > 1 {
            return None;
        }
        let mut offsets = [0u16; MAX_BITS + 2];
        for len in 1..=MAX_BITS {
            offsets[len + 1] = offsets[len] + count[len];
        }
        let mut symbols = vec![0u16; usize::from(offsets[MAX_BITS + 1])];
        for (symbol, &l) in lengths.iter().enumerate() {
            if l != 0 {
                let at = &mut offsets[usize::from(l)];
                symbols[usize::from(*at)] = symbol as u16;
                *at += 1;
            }
        }
        count[0] = 0;
        let mut fast = vec![0u16; 1 << FAST_BITS];
        for (symbol, &(code, len)) in codes(lengths).iter().enumerate() {
            let len = u32::from(len);
            if len == 0 || len > FAST_BITS {
                continue;
            }
            for fill in 0..1usize << (FAST_BITS - len) {
                fast[usize::from(code) | fill << len] = (symbol as u16) << 4 | len as u16;
            }
        }
        Some(Decoding {
            count,
            symbols,
            fast,
        })
    }

    /// Reads one symbol; `None` at the end of input or on an unused code.
    #[inline]
    pub fn decode(&self, reader: &mut BitReader) -> Option<u16> {
        let entry = self.fast[reader.peek(FAST_BITS) as usize];
        if entry != 0 {
            reader.skip(u32::from(entry & 15))?;
            return Some(entry >> 4);
        }
        self.decode_slowly(reader)
    }

    /// Bit by bit, for codes longer than `FAST_BITS`.
    fn decode_slowly(&self, reader: &mut BitReader) -> Option<u16> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..=MAX_BITS {
            code |= reader.bit()? as i32;
            let count = i32::from(self.count[len]);
            if code - first < count {
                return self.symbols.get((index + code - first) as usize).copied();
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        None
    }
}

/// The code of every symbol, bit-reversed for LSB-first output, with its length
/// (0: the symbol has no code).
pub fn codes(lengths: &[u8]) -> Vec<(u16, u8)> {
    let mut count = [0u16; MAX_BITS + 1];
    for &l in lengths {
        count[usize::from(l)] += 1;
    }
    count[0] = 0;
    let mut next = [0u16; MAX_BITS + 1];
    let mut code = 0u16;
    for len in 1..=MAX_BITS {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    lengths
        .iter()
        .map(|&l| {
            if l == 0 {
                return (0, 0);
            }
            let c = next[usize::from(l)];
            next[usize::from(l)] = c.wrapping_add(1);
            (c.reverse_bits() >> (16 - u32::from(l)), l)
        })
        .collect()
}

/// Code lengths of the fixed literal/length code (RFC 1951 §3.2.6).
pub fn fixed_literal_lengths() -> [u8; 288] {
    let mut l = [8u8; 288];
    l[144..256].fill(9);
    l[256..280].fill(7);
    l
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deflate::bits::BitWriter;

    #[test]
    fn encoded_symbols_decode_back() {
        let lengths = [3u8, 3, 3, 3, 3, 2, 4, 4, 0];
        let codes = codes(&lengths);
        let decoding = Decoding::new(&lengths).unwrap();
        let message = [5usize, 0, 7, 6, 1, 5, 4, 2, 3];
        let mut writer = BitWriter::default();
        for &s in &message {
            let (code, len) = codes[s];
            writer.put(u32::from(code), u32::from(len));
        }
        let bytes = writer.into_bytes();
        let mut reader = BitReader::new(&bytes, 0);
        for &s in &message {
            assert_eq!(decoding.decode(&mut reader), Some(s as u16));
        }
    }

    #[test]
    fn oversubscribed_and_incomplete_lengths_are_rejected() {
        assert!(Decoding::new(&[1, 1, 1]).is_none());
        assert!(Decoding::new(&[2, 2, 2]).is_none());
        assert!(Decoding::new(&[0, 1, 0]).is_some());
        assert!(Decoding::new(&[0, 0]).is_some());
        assert!(Decoding::new(&fixed_literal_lengths()).is_some());
    }
}
