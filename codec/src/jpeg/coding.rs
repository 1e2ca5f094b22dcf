//! Codes the bytes of entropy-coded JPEG data bit by bit, with a model that follows their
//! Huffman decoding: the follower takes every bit except those of the byte after a 0xFF (a
//! stuffed zero or a marker), and restarts at restart markers.

use crate::coder::{Decoder, Encoder};
use crate::error::invalid;
use crate::grow;
use std::io;

/// Follows entropy-coded data one bit at a time.
pub trait Follows {
    fn push(&mut self, bit: u32);
    fn restart(&mut self);
}

/// Predicts the bits of entropy-coded data, given where the follower stands.
pub trait Predicts<F> {
    /// 16-bit P(next bit = 1). `c0` is the partial byte with a leading 1, `c1` the byte
    /// before, `byte` an index that differs from byte to byte; `after_ff` marks the byte
    /// after a 0xFF.
    fn predict(&mut self, f: &F, c0: u32, c1: u8, byte: u64, after_ff: bool) -> u32;
    fn update(&mut self, bit: u32);
}

fn end_of_byte<F: Follows>(f: &mut F, c: u8, after_ff: bool) {
    if after_ff && (0xD0..=0xD7).contains(&c) {
        f.restart();
    }
}

/// Codes `bytes`, numbering them from `first`.
pub fn encode<F: Follows, M: Predicts<F>>(
    bytes: &[u8],
    first: u64,
    f: &mut F,
    m: &mut M,
    enc: &mut Encoder,
) {
    let mut c1 = 0u8;
    for (i, &c) in bytes.iter().enumerate() {
        let after_ff = c1 == 0xFF;
        let mut c0 = 1u32;
        for k in (0..8).rev() {
            let bit = (c >> k) as u32 & 1;
            enc.encode(bit, m.predict(f, c0, c1, first + i as u64, after_ff));
            m.update(bit);
            if !after_ff {
                f.push(bit);
            }
            c0 = (c0 << 1) | bit;
        }
        end_of_byte(f, c, after_ff);
        c1 = c;
    }
}

/// Decodes `n` bytes numbered from `first` onto `out`, which never grows past `limit`
/// bytes; fails as soon as the decoder needs a byte past its input.
pub fn decode<F: Follows, M: Predicts<F>>(
    n: usize,
    first: u64,
    f: &mut F,
    m: &mut M,
    dec: &mut Decoder,
    out: &mut Vec<u8>,
    limit: usize,
) -> io::Result<()> {
    let mut c1 = 0u8;
    for i in 0..n {
        if i % grow::CHUNK == 0 {
            grow::room(out, (n - i).min(grow::CHUNK), limit, "jpeg model output")?;
        }
        let after_ff = c1 == 0xFF;
        let mut c0 = 1u32;
        for _ in 0..8 {
            let bit = dec.decode(m.predict(f, c0, c1, first + i as u64, after_ff));
            m.update(bit);
            if !after_ff {
                f.push(bit);
            }
            c0 = (c0 << 1) | bit;
        }
        let c = c0 as u8;
        end_of_byte(f, c, after_ff);
        out.push(c);
        c1 = c;
        if dec.exhausted() {
            return Err(invalid(
                "jpeg model: coded scan ended before the data".into(),
            ));
        }
    }
    Ok(())
}

impl Follows for super::scan::ScanState {
    fn push(&mut self, bit: u32) {
        super::scan::ScanState::push(self, bit)
    }

    fn restart(&mut self) {
        super::scan::ScanState::restart(self)
    }
}

impl Follows for super::follow::Follower {
    fn push(&mut self, bit: u32) {
        super::follow::Follower::push(self, bit)
    }

    fn restart(&mut self) {
        super::follow::Follower::restart(self)
    }
}
