//! Bit input and output in deflate's order (RFC 1951 §3.1.1): least significant bit first,
//! Huffman codes sent from their most significant bit (so written here bit-reversed).

/// Reads bits from a byte slice, starting at any bit position; `None` past the end.
pub struct BitReader<'a> {
    data: &'a [u8],
    /// Position in bits from the start of `data`.
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8], bit_pos: usize) -> Self {
        BitReader { data, pos: bit_pos }
    }

    pub fn bit_pos(&self) -> usize {
        self.pos
    }

    #[inline]
    pub fn bit(&mut self) -> Option<u32> {
        let byte = *self.data.get(self.pos >> 3)?;
        let b = (byte >> (self.pos & 7)) & 1;
        self.pos += 1;
        Some(b as u32)
    }

    /// The next `n` bits (`n <= 24`) as an integer, first bit lowest.
    #[inline]
    pub fn bits(&mut self, n: u32) -> Option<u32> {
        debug_assert!(n <= 24);
        if self.pos + n as usize > self.data.len() * 8 {
            return None;
        }
        let mut value = 0u32;
        let mut got = 0u32;
        while got < n {
            let byte = u32::from(self.data[self.pos >> 3]);
            let offset = (self.pos & 7) as u32;
            let take = (8 - offset).min(n - got);
            value |= ((byte >> offset) & ((1 << take) - 1)) << got;
            got += take;
            self.pos += take as usize;
        }
        Some(value)
    }

    /// Bits needed to reach the next byte boundary (0 to 7).
    pub fn to_boundary(&self) -> u32 {
        ((8 - (self.pos & 7)) & 7) as u32
    }

    /// The next `n` bits (`n <= 24`) without consuming them; zeros past the end.
    #[inline]
    pub fn peek(&self, n: u32) -> u32 {
        let byte = self.pos >> 3;
        let mut window = 0u32;
        for i in 0..4 {
            window |= u32::from(self.data.get(byte + i).copied().unwrap_or(0)) << (8 * i);
        }
        (window >> (self.pos & 7)) & ((1 << n) - 1)
    }

    /// Consumes `n` bits; `None` (consuming nothing) if fewer are left.
    #[inline]
    pub fn skip(&mut self, n: u32) -> Option<()> {
        if self.pos + n as usize > self.data.len() * 8 {
            return None;
        }
        self.pos += n as usize;
        Some(())
    }
}

/// A bit string, first bit in the lowest bit of `bytes[0]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bits {
    pub bytes: Vec<u8>,
    pub count: usize,
}

impl Bits {
    /// Copies bits `from..to` of `data`.
    pub fn slice(data: &[u8], from: usize, to: usize) -> Option<Bits> {
        let mut reader = BitReader::new(data, from);
        let mut writer = BitWriter::default();
        for _ in from..to {
            writer.put(reader.bit()?, 1);
        }
        Some(writer.into_bits())
    }

    pub fn get(&self, i: usize) -> u32 {
        u32::from((self.bytes[i >> 3] >> (i & 7)) & 1)
    }
}

/// Accumulates bits; `into_bytes` pads the last byte with zero bits.
#[derive(Default)]
pub struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    pending: u32,
}

impl BitWriter {
    /// Appends the low `n` bits of `value` (`n <= 32`), lowest first.
    #[inline]
    pub fn put(&mut self, value: u32, n: u32) {
        debug_assert!(n <= 32 && (n == 32 || value >> n == 0));
        self.acc |= u64::from(value) << self.pending;
        self.pending += n;
        while self.pending >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.pending -= 8;
        }
    }

    pub fn put_bits(&mut self, bits: &Bits) {
        for i in 0..bits.count {
            self.put(bits.get(i), 1);
        }
    }

    /// Bits written so far.
    pub fn bit_len(&self) -> usize {
        self.out.len() * 8 + self.pending as usize
    }

    /// Bits needed to reach the next byte boundary (0 to 7).
    pub fn to_boundary(&self) -> u32 {
        (8 - self.pending) & 7
    }

    pub fn into_bytes(mut self) -> Vec<u8> {
        if self.pending > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }

    pub fn into_bits(self) -> Bits {
        let count = self.bit_len();
        Bits {
            bytes: self.into_bytes(),
            count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_across_byte_boundaries() {
        let fields = [
            (5u32, 3u32),
            (0x1ff, 9),
            (0, 1),
            (0xabcde, 20),
            (1, 1),
            (0x3, 2),
        ];
        let mut writer = BitWriter::default();
        for &(v, n) in &fields {
            writer.put(v, n);
        }
        let total = writer.bit_len();
        let bytes = writer.into_bytes();
        let mut reader = BitReader::new(&bytes, 0);
        for &(v, n) in &fields {
            assert_eq!(reader.bits(n), Some(v));
        }
        assert_eq!(reader.bit_pos(), total);
        let slice = Bits::slice(&bytes, 3, 12).unwrap();
        assert_eq!(slice.count, 9);
        assert_eq!(BitReader::new(&slice.bytes, 0).bits(9), Some(0x1ff));
        assert_eq!(BitReader::new(&bytes, total).bits(8), None);
    }
}
