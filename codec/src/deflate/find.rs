//! Finding the deflate streams of a file: every position where a wrapper header starts is
//! tried, and a stream is kept if it is complete, its wrapper's checksum matches and it
//! re-encodes to exactly its original bytes.

use super::inflate::inflate;
use super::stream::{Block, Stream};
use super::wrapper::Wrapper;
use super::{emit::Emitter, png, scan};
use std::ops::Range;

/// Streams shorter than this (compressed bytes) are left alone: the side information
/// would cost more than modelling their bytes saves.
const MIN_STREAM_BYTES: usize = 64;
/// Most decoded bytes per file (see [`decoded_budget`]).
pub const MAX_DECODED_BYTES: usize = 64 << 20;
/// Decoded bytes allowed per byte of the file, and on top of that for every file.
const DECODED_PER_BYTE: usize = 3;
const DECODED_FLOOR: usize = 4 << 20;

/// Decoded bytes allowed for all streams of a file of `len` bytes, a deterministic work
/// budget: the models code every decoded byte at 1-2 MB/s and the token model walks its
/// chains over each (3-4 MB/s), so streams past the budget are left as they are (coded as
/// plain bytes, stored where they look random), in file order. Per file, 3 len + 4 MiB keeps
/// a PNG photo's pixels (3-4x its size); the 64 MiB cap (was 192 MiB) bounds a 100 MB
/// input's recompression to about a minute. `2 len + 2 MiB` met more speed but turned a
/// 3.5 MB PNG photo from 0.4535 into 1.0000 (0.38 against 16 MB/s).
pub fn decoded_budget(len: usize) -> usize {
    len.saturating_mul(DECODED_PER_BYTE)
        .saturating_add(DECODED_FLOOR)
        .min(MAX_DECODED_BYTES)
}

/// A stream found in the file: its span `start..end` is replaced by `representation`.
pub struct Found {
    pub start: usize,
    pub end: usize,
    /// The bytes finding it reads: from its wrapper's first byte to the end of its checksum
    /// (PNG: from the signature to its last IDAT chunk).
    pub read: Range<usize>,
    pub wrapper: Wrapper,
    pub stream: Stream,
    pub representation: Vec<u8>,
}

/// The deflate bytes `stream` rebuilds to over `decoded`, if it covers it exactly.
fn deflate_bytes<'a>(
    stream: impl IntoIterator<Item = &'a Block>,
    tail_pad: u8,
    decoded: &[u8],
) -> Option<Vec<u8>> {
    let mut emitter = Emitter::new(decoded);
    for block in stream {
        emitter.block(block)?;
    }
    emitter.finish(tail_pad)
}

/// Decoded bytes that failed attempts (bytes that looked like a stream header) may cost, on
/// top of this share of the file's length; past it only PNG, gzip and ZIP headers, which
/// are rarely imitated by chance, are still tried.
const WASTED_SHARE: usize = 1;
const WASTED_FLOOR: usize = 1 << 20;

/// State of one scan over a file.
struct Scan<'a> {
    data: &'a [u8],
    /// Decoded bytes the streams found may still take.
    budget: usize,
    /// Decoded bytes spent on attempts that failed, and the most allowed.
    wasted: usize,
    max_wasted: usize,
    scratch: Vec<u8>,
}

impl Scan<'_> {
    /// Inflates at `start` of `bytes`; failures count as wasted work.
    fn inflate(&mut self, bytes: &[u8], start: usize) -> Option<(Stream, Vec<u8>, usize)> {
        match inflate(bytes, start, self.budget, &mut self.scratch) {
            Some((stream, end)) => Some((stream, std::mem::take(&mut self.scratch), end)),
            None => {
                self.wasted += self.scratch.len();
                None
            }
        }
    }

    fn plain_stream(&mut self, at: usize) -> Option<Found> {
        let data = self.data;
        let (start, check) = scan::deflate_start(data, at)?;
        if check == scan::Check::Adler32 && self.wasted > self.max_wasted {
            return None;
        }
        let (stream, decoded, end) = self.inflate(data, start)?;
        if end - start < MIN_STREAM_BYTES
            || !check.holds(data, end, &decoded)
            || deflate_bytes(&stream.blocks, stream.tail_pad, &decoded).as_deref()
                != Some(&data[start..end])
        {
            return None;
        }
        Some(Found {
            start,
            end,
            read: at..(end + check.bytes_after(data, end)).min(data.len()),
            wrapper: Wrapper::Plain,
            stream,
            representation: decoded,
        })
    }

    fn png_stream(&mut self, at: usize) -> Option<Found> {
        let idat = png::find(self.data, at)?;
        let zlib = &idat.zlib;
        if !scan::zlib_header(zlib, 0) {
            return None;
        }
        let (stream, decoded, end) = self.inflate(zlib, 2)?;
        if !scan::Check::Adler32.holds(zlib, end, &decoded)
            || deflate_bytes(&stream.blocks, stream.tail_pad, &decoded).as_deref()
                != Some(&zlib[2..end])
        {
            return None;
        }
        let pixels = idat
            .image
            .and_then(|i| Some((i, png::to_bmp(&decoded, &i)?)));
        let (representation, pixels) = match pixels {
            Some((image, (bmp, filters))) => (bmp, Some((image, filters))),
            None => (decoded, None),
        };
        Some(Found {
            start: idat.start,
            end: idat.end,
            read: at..idat.end,
            wrapper: Wrapper::Png {
                chunks: idat.chunks,
                prefix: [zlib[0], zlib[1]],
                suffix: zlib[end..].to_vec(),
                pixels,
            },
            stream,
            representation,
        })
    }
}

pub fn find_streams(data: &[u8], budget: usize) -> Vec<Found> {
    let mut found = Vec::new();
    find_each(data, budget, |f| found.push(f));
    found
}

/// Gives each stream [`find_streams`] finds to `each` as it is found, so that the caller
/// need not hold every stream's representation at once.
pub fn find_each(data: &[u8], budget: usize, mut each: impl FnMut(Found)) {
    let mut scan = Scan {
        data,
        budget,
        wasted: 0,
        max_wasted: data.len().saturating_mul(WASTED_SHARE) + WASTED_FLOOR,
        scratch: Vec::new(),
    };
    let mut at = 0;
    while at < data.len() {
        match scan.png_stream(at).or_else(|| scan.plain_stream(at)) {
            Some(f) => {
                scan.budget = scan.budget.saturating_sub(f.representation.len());
                at = f.end;
                each(f);
            }
            None => at += 1,
        }
    }
}
