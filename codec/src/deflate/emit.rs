//! Writes a deflate stream back from its [`Stream`] description and its decoded bytes.
//! Every check fails softly (`None`): on the decoder side the description is untrusted.

use super::bits::{BitReader, BitWriter};
use super::header;
use super::huffman::{codes, fixed_literal_lengths};
use super::stream::{
    distance_symbol, length_symbol, Block, Body, Tokens, DIST_BASE, DIST_EXTRA, LEN_BASE,
    LEN_EXTRA, WINDOW,
};

/// Writes blocks one at a time over `decoded`, the stream's whole decoded data.
pub struct Emitter<'a> {
    writer: BitWriter,
    decoded: &'a [u8],
    /// Decoded bytes covered by the blocks written so far.
    pos: usize,
}

impl<'a> Emitter<'a> {
    pub fn new(decoded: &'a [u8]) -> Self {
        Emitter {
            writer: BitWriter::default(),
            decoded,
            pos: 0,
        }
    }

    pub fn block(&mut self, block: &Block) -> Option<()> {
        self.writer.put(u32::from(block.last), 1);
        match &block.body {
            Body::Stored { pad, len } => {
                self.writer.put(0, 2);
                let pad_bits = self.writer.to_boundary();
                if u32::from(*pad) >> pad_bits != 0 {
                    return None;
                }
                self.writer.put(u32::from(*pad), pad_bits);
                self.writer.put(u32::from(*len), 16);
                self.writer.put(u32::from(!*len), 16);
                let end = self.pos + usize::from(*len);
                for &b in self.decoded.get(self.pos..end)? {
                    self.writer.put(u32::from(b), 8);
                }
                self.pos = end;
            }
            Body::Fixed(tokens) => {
                self.writer.put(1, 2);
                let literal = codes(&fixed_literal_lengths());
                let distance = codes(&[5u8; 30]);
                self.tokens(tokens, &literal, &distance)?;
            }
            Body::Dynamic {
                header: bits,
                tokens,
            } => {
                self.writer.put(2, 2);
                let mut reader = BitReader::new(&bits.bytes, 0);
                let lengths = header::read(&mut reader)?;
                if reader.bit_pos() != bits.count {
                    return None;
                }
                self.writer.put_bits(bits);
                self.tokens(tokens, &codes(&lengths.literal), &codes(&lengths.distance))?;
            }
        }
        Some(())
    }

    fn tokens(
        &mut self,
        tokens: &Tokens,
        literal: &[(u16, u8)],
        distance: &[(u16, u8)],
    ) -> Option<()> {
        for token in tokens.iter() {
            if token.len == 0 {
                let byte = *self.decoded.get(self.pos)?;
                self.symbol(literal, usize::from(byte))?;
                self.pos += 1;
                continue;
            }
            let (len, dist) = (token.len, token.dist);
            let end = self.pos + usize::from(len);
            if !(3..=258).contains(&len)
                || dist == 0
                || usize::from(dist) > self.pos.min(WINDOW)
                || end > self.decoded.len()
            {
                return None;
            }
            let l = length_symbol(len);
            self.symbol(literal, 257 + l)?;
            self.writer
                .put(u32::from(len - LEN_BASE[l]), u32::from(LEN_EXTRA[l]));
            let d = distance_symbol(dist);
            self.symbol(distance, d)?;
            self.writer
                .put(u32::from(dist - DIST_BASE[d]), u32::from(DIST_EXTRA[d]));
            self.pos = end;
        }
        self.symbol(literal, 256)
    }

    fn symbol(&mut self, codes: &[(u16, u8)], symbol: usize) -> Option<()> {
        let &(code, len) = codes.get(symbol)?;
        if len == 0 {
            return None;
        }
        self.writer.put(u32::from(code), u32::from(len));
        Some(())
    }

    /// Whole bytes of the stream written so far.
    pub fn bytes_written(&self) -> usize {
        self.writer.bit_len() / 8
    }

    /// Ends the stream with `tail_pad` as the bits up to the byte boundary; `None` unless
    /// the blocks covered the decoded data exactly.
    pub fn finish(mut self, tail_pad: u8) -> Option<Vec<u8>> {
        let pad_bits = self.writer.to_boundary();
        if u32::from(tail_pad) >> pad_bits != 0 || self.pos != self.decoded.len() {
            return None;
        }
        self.writer.put(u32::from(tail_pad), pad_bits);
        Some(self.writer.into_bytes())
    }
}
