use super::split;

/// Reads bits coded by [`super::Encoder`]. Past the end of its input it reads zero bytes,
/// so corrupt or truncated input yields garbage bits, never a panic.
pub struct Decoder<'a> {
    x1: u32,
    x2: u32,
    x: u32,
    input: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        let mut dec = Decoder {
            x1: 0,
            x2: u32::MAX,
            x: 0,
            input,
            pos: 0,
        };
        for _ in 0..4 {
            dec.x = (dec.x << 8) | dec.next_byte();
        }
        dec
    }

    #[inline]
    fn next_byte(&mut self) -> u32 {
        let b = self.input.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b as u32
    }

    /// Bytes consumed so far, counting reads past the end.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Decodes one bit; `p1` must equal the probability the encoder used.
    #[inline]
    pub fn decode(&mut self, p1: u32) -> u32 {
        let xmid = split(self.x1, self.x2, p1);
        let bit = if self.x <= xmid {
            self.x2 = xmid;
            1
        } else {
            self.x1 = xmid + 1;
            0
        };
        while (self.x1 ^ self.x2) & 0xff00_0000 == 0 {
            self.x1 <<= 8;
            self.x2 = (self.x2 << 8) | 0xff;
            self.x = (self.x << 8) | self.next_byte();
        }
        bit
    }
}
