//! [`Method::Pieces`]: an input over 64 MiB whose deflate streams span an eighth of it or
//! more, or a quarter of which looks incompressible (and little of which repeats earlier
//! bytes), coded in pieces one after another. The encoder reads each piece from the input when
//! it codes it and writes the piece's payload before it reads the next; the decoder reads one
//! piece's payload at a time and writes the piece's bytes before it reads the next. So
//! neither holds the input, its transformed copy (the input with its streams decoded) or the
//! output whole, only one piece of each: recompressing the streams of a 100 MB input held
//! all three at once, 5 times its size.
//!
//! A piece is about [`Sizes::piece`] bytes; it ends after a deflate stream or a JPEG, WAV or
//! BMP file it would cut, so every one that fits in two pieces' bytes is found whole. Each piece is coded as a file
//! of its own ([`method::piece`]), with the models' tables sized for memory, and all pieces
//! together decode at most [`Sizes::decoded`] bytes of deflate streams (64 MiB, as the whole
//! input would). Long repeats across pieces are not taken out (a repeat inside a piece is,
//! with its deflate streams decoded): copying them would need the output held whole.

use super::embedded;
use super::method::{self, Method, ENTRY_HEADER};
use super::possible;
use crate::anchored::Seen;
use crate::crc32::Crc32;
use crate::deflate;
use crate::error::invalid;
use crate::general;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;

/// When an input is coded in pieces, and how long they are.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Inputs longer than this (bytes) may be coded in pieces.
    pub from: u64,
    /// Bytes of a piece; the last takes up to half as many more.
    pub piece: usize,
    /// Decoded bytes the deflate streams of all pieces together may take.
    pub decoded: usize,
}

/// The sizes [`crate::compress`] uses: inputs over 64 MiB, in pieces of 8 MiB, decoding as
/// much as one input coded whole.
pub const SIZES: Sizes = Sizes {
    from: 64 << 20,
    piece: 8 << 20,
    decoded: deflate::MAX_DECODED_BYTES,
};

/// Inputs at least this long (bytes) code a piece's side information beside its segments;
/// shorter ones code it first, so that its streams' tokens are gone before the models run:
/// a 65 MiB tar of PNGs peaked at 184 MiB that way and 145 MiB this way (2.5x is 162).
const OVERLAP_FROM: u64 = 96 << 20;

/// Where the pieces of an input end (offsets from its start), and the CRC-32 of the input.
pub struct Plan {
    ends: Vec<u64>,
    pub crc: u32,
    decoded: usize,
}

/// Reads `len` bytes at `at` of `input` into `buf` (replacing what it held).
fn read_at<S: Read + Seek>(
    input: &mut S,
    at: u64,
    len: usize,
    buf: &mut Vec<u8>,
) -> io::Result<()> {
    input.seek(SeekFrom::Start(at))?;
    buf.clear();
    buf.resize(len, 0);
    input.read_exact(buf)
}

/// The pieces of the `len` bytes of `input` from `start`, if its deflate streams (those
/// within the decoded-bytes budget of the whole input) span an eighth of it or more, or if a
/// quarter of it looks incompressible (blocks the general model would store: coded whole,
/// the input, the models' tables and the coded bytes, about as long as the input, would
/// pass 2.5 times it) and less than 1/128 of it repeats earlier bytes (which only the
/// whole input's coding finds); else `None`, and the input is better coded whole. Reads
/// the input once, a window of two pieces at a time.
pub fn plan<S: Read + Seek>(
    input: &mut S,
    start: u64,
    len: u64,
    sizes: Sizes,
) -> io::Result<Option<Plan>> {
    let piece = sizes.piece.max(1);
    let mut ends = Vec::new();
    let mut crc = Crc32::new();
    let mut spanned = 0u64;
    let mut incompressible = 0u64;
    let mut repeated = 0u64;
    let mut seen = Seen::new(len);
    let mut budget = sizes.decoded;
    let mut window = Vec::new();
    let mut at = 0u64;
    while at < len {
        let left = len - at;
        let last = left <= (piece + piece / 2) as u64;
        let want = if last {
            left
        } else {
            left.min(2 * piece as u64)
        };
        read_at(input, start + at, want as usize, &mut window)?;
        let streams = deflate::spans_within(&window, budget);
        // Past every stream (from its wrapper to its checksum: the bytes read for one stream
        // may reach into the next one's) and every JPEG, WAV or BMP the end would cut.
        let whole: Vec<Range<usize>> = streams
            .iter()
            .map(|s| s.read.clone())
            .chain(embedded::find(&window))
            .collect();
        let mut end = if last { window.len() } else { piece };
        while let Some(r) = whole.iter().find(|r| r.start < end && r.end > end) {
            end = r.end;
        }
        for s in streams.iter().filter(|s| s.read.end <= end) {
            spanned += s.span.len() as u64;
            budget = budget.saturating_sub(s.decoded);
        }
        // Bytes that repeat earlier ones are long repeats for the whole input's coding
        // (method 8), which pieces would lose.
        let piece = &window[..end];
        let (blocks, stored): (Vec<Range<usize>>, Vec<bool>) =
            general::classified_blocks(piece).into_iter().unzip();
        let repeats = seen.repeats_then_remember(piece, at, &blocks);
        for ((block, stored), repeats) in blocks.into_iter().zip(stored).zip(repeats) {
            if repeats {
                repeated += block.len() as u64;
            } else if stored {
                incompressible += block.len() as u64;
            }
        }
        crc.update(piece);
        at += end as u64;
        ends.push(at);
    }
    let unmodelled = incompressible >= len / 4 && repeated < len / 128;
    Ok((spanned >= len / 8 || unmodelled).then(|| Plan {
        ends,
        crc: crc.finish(),
        decoded: sizes.decoded,
    }))
}

/// Writes the pieces of `plan` (made by [`plan`] from the same input) to `output`, each
/// read from `input` when it is coded; the payload of [`Method::Pieces`]. Fails if the input
/// changed since it was planned.
pub fn encode<S: Read + Seek, W: Write>(
    input: &mut S,
    start: u64,
    plan: &Plan,
    output: &mut W,
) -> io::Result<()> {
    let mut budget = plan.decoded;
    let mut crc = Crc32::new();
    let mut piece = Vec::new();
    let overlap = plan.ends.last().is_some_and(|&len| len >= OVERLAP_FROM);
    let mut from = 0u64;
    for &end in &plan.ends {
        read_at(input, start + from, (end - from) as usize, &mut piece)?;
        crc.update(&piece);
        let within = budget.min(deflate::decoded_budget(piece.len()));
        let (method, payload, taken) = method::piece(&piece, within, overlap);
        budget -= taken;
        method::write_entry(output, piece.len(), method, &payload)?;
        from = end;
    }
    if crc.finish() != plan.crc {
        return Err(io::Error::other(
            "the input changed while it was being compressed",
        ));
    }
    Ok(())
}

/// Reverses [`encode`]: reads the `payload_len` bytes of a payload of pieces from `input`
/// and gives each piece's `original_len` bytes in all, in order, to `sink`, one piece at a
/// time. Every piece header is checked before its payload is read.
pub fn decode<R: Read>(
    input: &mut R,
    payload_len: u64,
    original_len: u64,
    sink: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let what = "pieces payload";
    let truncated = |e: io::Error| match e.kind() {
        io::ErrorKind::UnexpectedEof => invalid(format!("{what}: truncated")),
        _ => e,
    };
    let mut left = payload_len;
    let mut produced = 0u64;
    let mut index = 0;
    while produced < original_len {
        if left < ENTRY_HEADER as u64 {
            return Err(invalid(format!(
                "{what}: truncated ({left} bytes left for piece {index}'s header)"
            )));
        }
        let mut head = [0u8; ENTRY_HEADER];
        input.read_exact(&mut head).map_err(truncated)?;
        left -= ENTRY_HEADER as u64;
        let len = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
        let method = Method::from_byte(head[8])
            .filter(|m| !matches!(m, Method::Long | Method::Pieces))
            .ok_or_else(|| invalid(format!("{what}: bad method {} for piece {index}", head[8])))?;
        let coded_len = u64::from_le_bytes(head[9..].try_into().expect("8 bytes"));
        if len == 0 || len > original_len - produced {
            return Err(invalid(format!(
                "{what}: piece {index} of {len} bytes does not fit the {} bytes left of the \
                 declared length",
                original_len - produced
            )));
        }
        if coded_len > left {
            return Err(invalid(format!(
                "{what}: truncated ({coded_len} bytes wanted for piece {index}, {left} left)"
            )));
        }
        if !possible(len, coded_len as usize) {
            return Err(invalid(format!(
                "{what}: piece {index} of {len} bytes is impossible for {coded_len} coded bytes"
            )));
        }
        left -= coded_len;
        // At most the bytes left of the input, which it holds.
        let mut coded = vec![0; coded_len as usize];
        input.read_exact(&mut coded).map_err(truncated)?;
        let bytes = method::decode_with(method, &coded, len as usize, false)
            .map_err(|e| io::Error::new(e.kind(), format!("piece {index}: {e}")))?;
        drop(coded);
        sink(&bytes)?;
        produced += len;
        index += 1;
    }
    if left != 0 {
        return Err(invalid(format!(
            "{what}: {left} bytes after the last piece"
        )));
    }
    Ok(())
}
