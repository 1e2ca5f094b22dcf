//! One modelling code path for both directions: the model asks a [`BitIo`] to code a bit
//! under a probability and gets the bit back (the given one when encoding, the decoded
//! one when decoding).

use crate::coder::{Decoder, Encoder, P_MAX};

pub trait BitIo {
    /// Codes `bit` (ignored when decoding) with P(1) = `p1` / 65536; returns the bit.
    fn bit(&mut self, bit: u32, p1: u32) -> u32;
}

impl BitIo for Encoder {
    #[inline]
    fn bit(&mut self, bit: u32, p1: u32) -> u32 {
        self.encode(bit, p1.clamp(1, P_MAX));
        bit
    }
}

impl BitIo for Decoder<'_> {
    #[inline]
    fn bit(&mut self, _bit: u32, p1: u32) -> u32 {
        self.decode(p1.clamp(1, P_MAX))
    }
}
