//! Decodes a deflate stream into its decoded bytes and its [`Stream`] description.

use super::bits::{BitReader, Bits};
use super::header;
use super::huffman::{fixed_literal_lengths, Decoding};
use super::stream::{
    Block, Body, Stream, Token, Tokens, DIST_BASE, DIST_EXTRA, LEN_BASE, LEN_EXTRA,
};
use std::sync::OnceLock;

/// Decodes the stream starting at byte `start` of `data` into `decoded` (which it clears
/// first) and returns its description and the byte offset just past it; `None` unless it
/// is a complete, valid stream whose decoded size stays within `limit` bytes. After a
/// failure `decoded` holds what was decoded before it: the work spent.
pub fn inflate(
    data: &[u8],
    start: usize,
    limit: usize,
    decoded: &mut Vec<u8>,
) -> Option<(Stream, usize)> {
    decoded.clear();
    let mut reader = BitReader::new(data, start.checked_mul(8)?);
    let mut blocks = Vec::new();
    loop {
        let last = reader.bit()? == 1;
        let body = match reader.bits(2)? {
            0 => {
                let pad_bits = reader.to_boundary();
                let pad = reader.bits(pad_bits)? as u8;
                let len = reader.bits(16)?;
                if reader.bits(16)? != !len & 0xffff || decoded.len() + len as usize > limit {
                    return None;
                }
                let from = reader.bit_pos() / 8;
                decoded.extend_from_slice(data.get(from..from + len as usize)?);
                reader = BitReader::new(data, (from + len as usize) * 8);
                Body::Stored {
                    pad,
                    len: len as u16,
                }
            }
            1 => {
                let (literal, distance) = fixed_codes();
                let tokens = tokens(&mut reader, literal, distance, decoded, limit)?;
                Body::Fixed(tokens)
            }
            2 => {
                let from = reader.bit_pos();
                let lengths = header::read(&mut reader)?;
                let header = Bits::slice(data, from, reader.bit_pos())?;
                let literal = Decoding::new(&lengths.literal)?;
                let distance = Decoding::new(&lengths.distance)?;
                let tokens = tokens(&mut reader, &literal, &distance, decoded, limit)?;
                Body::Dynamic { header, tokens }
            }
            _ => return None,
        };
        blocks.push(Block { last, body });
        if last {
            break;
        }
    }
    let tail_pad = reader.bits(reader.to_boundary())? as u8;
    Some((Stream { blocks, tail_pad }, reader.bit_pos() / 8))
}

/// The fixed literal/length and distance codes, built once: the scan for streams tries
/// inflating wherever a header might start (every few dozen bytes of x86 code), and most
/// tries fail before any block.
fn fixed_codes() -> &'static (Decoding, Decoding) {
    static FIXED: OnceLock<(Decoding, Decoding)> = OnceLock::new();
    FIXED.get_or_init(|| {
        let literal = Decoding::new(&fixed_literal_lengths()).expect("the fixed code is complete");
        // All 32 five-bit codes; 30 and 31 are not distances and fail when decoded.
        let distance = Decoding::new(&[5u8; 32]).expect("the fixed code is complete");
        (literal, distance)
    })
}

/// Decodes the tokens of one Huffman block up to its end-of-block symbol.
fn tokens(
    reader: &mut BitReader,
    literal: &Decoding,
    distance: &Decoding,
    decoded: &mut Vec<u8>,
    limit: usize,
) -> Option<Tokens> {
    let mut tokens = Tokens::default();
    loop {
        let symbol = usize::from(literal.decode(reader)?);
        if symbol < 256 {
            if decoded.len() >= limit {
                return None;
            }
            decoded.push(symbol as u8);
            tokens.push(Token::LITERAL);
            continue;
        }
        if symbol == 256 {
            return Some(tokens);
        }
        let l = symbol - 257;
        let len = *LEN_BASE.get(l)? + reader.bits(u32::from(LEN_EXTRA[l]))? as u16;
        let d = usize::from(distance.decode(reader)?);
        let dist = *DIST_BASE.get(d)? + reader.bits(u32::from(DIST_EXTRA[d]))? as u16;
        let (len_us, dist_us) = (usize::from(len), usize::from(dist));
        if dist_us > decoded.len() || decoded.len() + len_us > limit {
            return None;
        }
        let from = decoded.len() - dist_us;
        for i in 0..len_us {
            decoded.push(decoded[from + i]);
        }
        tokens.push(Token { len, dist });
    }
}
