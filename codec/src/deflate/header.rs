//! The header of a dynamic Huffman block (RFC 1951 §3.2.7): read into code lengths.

use super::bits::BitReader;
use super::huffman::Decoding;
use super::stream::CODE_LENGTH_ORDER;

/// Code lengths of the literal/length alphabet and of the distance alphabet.
pub struct Lengths {
    pub literal: Vec<u8>,
    pub distance: Vec<u8>,
}

/// Reads a dynamic block header; `None` if it is truncated or invalid.
pub fn read(reader: &mut BitReader) -> Option<Lengths> {
    let hlit = reader.bits(5)? as usize + 257;
    let hdist = reader.bits(5)? as usize + 1;
    let hclen = reader.bits(4)? as usize + 4;
    if hlit > 286 || hdist > 30 {
        return None;
    }
    let mut cl_lengths = [0u8; 19];
    for &symbol in &CODE_LENGTH_ORDER[..hclen] {
        cl_lengths[symbol] = reader.bits(3)? as u8;
    }
    let cl = Decoding::new(&cl_lengths)?;
    let mut lengths = Vec::with_capacity(hlit + hdist);
    while lengths.len() < hlit + hdist {
        let symbol = cl.decode(reader)?;
        let (value, repeat) = match symbol {
            0..=15 => (symbol as u8, 1),
            16 => (*lengths.last()?, 3 + reader.bits(2)?),
            17 => (0, 3 + reader.bits(3)?),
            _ => (0, 11 + reader.bits(7)?),
        };
        if lengths.len() + repeat as usize > hlit + hdist {
            return None;
        }
        lengths.extend(std::iter::repeat_n(value, repeat as usize));
    }
    let distance = lengths.split_off(hlit);
    if lengths[256] == 0 {
        return None;
    }
    Some(Lengths {
        literal: lengths,
        distance,
    })
}
