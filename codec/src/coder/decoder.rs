use super::split;
#[cfg(debug_assertions)]
use super::STEPS;
use crate::error::invalid;
use std::io;
#[cfg(debug_assertions)]
use std::sync::atomic::Ordering;

/// Reads bits coded by [`super::Encoder`]. It reads exactly the bytes the encoder wrote: one
/// more is never needed by a valid stream, so a decoder that asks for one is
/// [`exhausted`](Self::exhausted) (it then reads zeros, so garbage yields garbage bits, never
/// a panic), and one that ends with bytes unread was given bytes that are not its own.
pub struct Decoder<'a> {
    x1: u32,
    x2: u32,
    x: u32,
    input: &'a [u8],
    pos: usize,
    /// Bits decoded (steps), added to [`STEPS`] when the decoder is dropped; counted in
    /// builds with debug assertions (those tests run), not in release builds.
    #[cfg(debug_assertions)]
    steps: u64,
}

impl<'a> Decoder<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        let mut dec = Decoder {
            x1: 0,
            x2: u32::MAX,
            x: 0,
            input,
            pos: 0,
            #[cfg(debug_assertions)]
            steps: 0,
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

    /// Whether the decoder has needed a byte past its input: the bits it decodes are no
    /// longer those of any stream, and the caller should stop.
    #[inline]
    pub fn exhausted(&self) -> bool {
        self.pos > self.input.len()
    }

    /// Succeeds when the decoder has read its input exactly: no byte past its end was
    /// needed and none is left over. `what` names the stream in the error.
    pub fn end(&self, what: &str) -> io::Result<()> {
        if self.exhausted() {
            Err(invalid(format!(
                "{what}: coded stream ended before the data"
            )))
        } else if self.pos < self.input.len() {
            Err(invalid(format!(
                "{what}: {} bytes after the end of the coded stream",
                self.input.len() - self.pos
            )))
        } else {
            Ok(())
        }
    }

    /// Decodes one bit; `p1` must equal the probability the encoder used.
    #[inline]
    pub fn decode(&mut self, p1: u32) -> u32 {
        #[cfg(debug_assertions)]
        {
            self.steps += 1;
        }
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

#[cfg(debug_assertions)]
impl Drop for Decoder<'_> {
    fn drop(&mut self) {
        STEPS.fetch_add(self.steps, Ordering::Relaxed);
    }
}
