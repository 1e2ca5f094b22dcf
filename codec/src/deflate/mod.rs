//! Deflate recompression: deflate streams inside a file (gzip, zlib in PNG or PDF, ZIP
//! entries) are replaced by their decoded bytes, which the other models code far better,
//! plus side information that rebuilds the exact original stream bits from them.
//!
//! Side information: `stream count`, then per stream its [`Placement`], its blocks (kind,
//! header bits, tokens coded by [`token_model`]) and the padding after its last block.
//! The transformed data is the original with each stream's bytes replaced by its decoded
//! bytes. Only streams that re-encode to exactly their original bytes are replaced, and
//! the whole file is rebuilt once before the transform is accepted.

mod bits;
mod chains;
mod emit;
mod header;
mod huffman;
mod inflate;
mod number;
mod scan;
mod side;
mod stream;
mod token_model;

#[cfg(test)]
mod tests;

use crate::coder::{Decoder, Encoder};
use crate::container::invalid;
use emit::Emitter;
use inflate::{inflate, Inflated};
use side::{Placement, SideModel};
use std::io;
use stream::Block;
use token_model::Cursor;

/// Streams shorter than this (compressed bytes) are left alone: the side information
/// would cost more than modelling their bytes saves.
const MIN_STREAM_BYTES: usize = 64;

/// A file with its deflate streams decoded.
pub struct Split {
    pub transformed: Vec<u8>,
    pub side: Vec<u8>,
}

/// Decoded bytes allowed for all streams of a file of `len` bytes: keeps the models' time
/// and memory within a small multiple of the original's.
fn decoded_budget(len: usize) -> usize {
    len.saturating_mul(3).saturating_add(4 << 20)
}

struct Found {
    start: usize,
    inflated: Inflated,
}

fn re_encodes_exactly(data: &[u8], found: &Found) -> bool {
    let mut emitter = Emitter::new(&found.inflated.decoded);
    let stream = &found.inflated.stream;
    let rebuilt = stream
        .blocks
        .iter()
        .try_for_each(|b| emitter.block(b))
        .and_then(|_| emitter.finish(stream.tail_pad));
    rebuilt.as_deref() == Some(&data[found.start..found.inflated.end])
}

fn find_streams(data: &[u8]) -> Vec<Found> {
    let mut budget = decoded_budget(data.len());
    let mut found = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let stream = scan::deflate_start(data, at)
            .and_then(|start| Some((start, inflate(data, start, budget)?)))
            .map(|(start, inflated)| Found { start, inflated })
            .filter(|f| f.inflated.end - f.start >= MIN_STREAM_BYTES)
            .filter(|f| re_encodes_exactly(data, f));
        match stream {
            Some(f) => {
                budget -= f.inflated.decoded.len();
                at = f.inflated.end;
                found.push(f);
            }
            None => at += 1,
        }
    }
    found
}

/// Decodes the deflate streams of `data`; `None` if there are none worth replacing.
pub fn split(data: &[u8]) -> Option<Split> {
    let found = find_streams(data);
    if found.is_empty() {
        return None;
    }
    let mut transformed = Vec::new();
    let mut enc = Encoder::new();
    let mut model = SideModel::default();
    model.code_count(&mut enc, found.len());
    let mut copied = 0;
    for f in &found {
        let decoded = &f.inflated.decoded;
        let placement = Placement {
            gap: f.start - copied,
            decoded_len: decoded.len(),
        };
        model.code_placement(&mut enc, placement);
        transformed.extend_from_slice(&data[copied..f.start]);
        transformed.extend_from_slice(decoded);
        let mut cursor = Cursor::new(decoded.len());
        for block in &f.inflated.stream.blocks {
            model.code_block(&mut enc, &mut cursor, decoded, block);
        }
        model.code_tail_pad(&mut enc, f.inflated.stream.tail_pad);
        copied = f.inflated.end;
    }
    transformed.extend_from_slice(&data[copied..]);
    let split = Split {
        transformed,
        side: enc.finish(),
    };
    // The token model must make identical choices in both directions; check it for real.
    match join(&split.transformed, &split.side, data.len()) {
        Ok(rebuilt) if rebuilt == data => Some(split),
        _ => None,
    }
}

/// Rebuilds the original file (at most `original_len` bytes) from a [`Split`].
pub fn join(transformed: &[u8], side: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let corrupt = |what: &str| invalid(format!("deflate side information: {what}"));
    let mut dec = Decoder::new(side);
    let mut model = SideModel::default();
    let count = model.code_count(&mut dec, 0);
    let mut out = Vec::new();
    let mut read = 0usize;
    for _ in 0..count {
        let p = model.code_placement(
            &mut dec,
            Placement {
                gap: 0,
                decoded_len: 0,
            },
        );
        let decoded_from = read.checked_add(p.gap).ok_or_else(|| corrupt("gap"))?;
        let decoded_to = decoded_from
            .checked_add(p.decoded_len)
            .filter(|&end| end <= transformed.len())
            .ok_or_else(|| corrupt("stream beyond the decoded data"))?;
        out.extend_from_slice(&transformed[read..decoded_from]);
        let decoded = &transformed[decoded_from..decoded_to];
        let mut emitter = Emitter::new(decoded);
        let mut cursor = Cursor::new(decoded.len());
        let unknown = Block {
            last: false,
            body: stream::Body::Stored { pad: 0, len: 0 },
        };
        loop {
            let block = model
                .code_block(&mut dec, &mut cursor, decoded, &unknown)
                .ok_or_else(|| corrupt("impossible block"))?;
            emitter
                .block(&block)
                .ok_or_else(|| corrupt("block does not fit its stream"))?;
            if block.last {
                break;
            }
            if out.len() + emitter.bytes_written() > original_len {
                return Err(corrupt("rebuilt data longer than declared"));
            }
        }
        let pad = model
            .code_tail_pad(&mut dec, 0)
            .ok_or_else(|| corrupt("tail padding"))?;
        let bytes = emitter
            .finish(pad)
            .ok_or_else(|| corrupt("blocks do not cover the stream"))?;
        out.extend_from_slice(&bytes);
        if out.len() > original_len {
            return Err(corrupt("rebuilt data longer than declared"));
        }
        read = decoded_to;
    }
    if out.len() + (transformed.len() - read) > original_len {
        return Err(corrupt("rebuilt data longer than declared"));
    }
    out.extend_from_slice(&transformed[read..]);
    Ok(out)
}
