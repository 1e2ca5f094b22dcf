//! Deflate recompression: deflate streams inside a file (gzip members, zlib streams as in
//! PDF, ZIP entries, PNG image data) are replaced by their decoded bytes, which the other
//! models code far better, plus side information that rebuilds the exact original bits.
//! PNG scanlines are further unfiltered into a BMP for the image model (see [`png`]).
//!
//! Side information: `stream count`, then per stream its [`Placement`], its [`Wrapper`],
//! its blocks (kind, header bits, tokens coded by [`token_model`]) and the padding after
//! its last block. The transformed data is the original with each stream's span replaced
//! by its representation. Only streams that re-encode to exactly their original bytes are
//! replaced, and the whole file is rebuilt once before the transform is accepted.

mod bits;
mod chains;
mod emit;
mod find;
mod header;
mod huffman;
mod inflate;
mod number;
mod png;
mod scan;
mod side;
mod stream;
mod token_model;
mod wrapper;

#[cfg(test)]
pub(crate) mod tests;

use crate::coder::{Decoder, Encoder};
use crate::error::invalid;
use crate::grow;
use emit::Emitter;
use find::find_streams;
pub use find::{decoded_budget, MAX_DECODED_BYTES};
use side::{Placement, SideModel};
use std::io;
use std::ops::Range;
use stream::{Block, Body, Stream};
use token_model::{Cursor, INSERT_ALL};
use wrapper::Wrapper;

pub use chains::links_so_far;

/// Representations at least this long are coded as their own segment (by the model that
/// suits them) rather than together with the bytes around them.
const OWN_SEGMENT_BYTES: usize = 64 << 10;
/// A stream whose side information exceeds 1 / this of its compressed size is described
/// again under each of [`FAST_INSERT_LIMITS`].
const EXPENSIVE_SHARE: usize = 50;
/// Streams shorter than this (compressed bytes) are not described twice.
const RETRY_MIN_BYTES: usize = 4096;
/// Insert limits of fast encoders (zlib levels 1 to 3, and longer for others).
const FAST_INSERT_LIMITS: [usize; 5] = [4, 5, 6, 16, 32];
/// Chain links per decoded byte the trials of [`FAST_INSERT_LIMITS`] may walk in all (a
/// pass over `gzip -1` text and code walks 17 per byte for all positions, 10 for insert
/// limit 4; prose with deep chains several times more). Every trial used to run: a stream
/// of 3.3 MB from `gzip -1` took six passes, now three (costs rise past limit 4).
const TRIAL_LINKS_PER_BYTE: u64 = 128;
/// Hash-chain links rebuilding a file's deflate streams may walk per byte of the payload
/// that holds them: the container's bound on this work, which coder steps do not count.
/// Real streams walk far fewer (format 10, session 24: at most 652 per byte, a `gzip -9`
/// log; PNGs 24-351, `gzip` of DNA 32-572, of text and logs 20-652, libs.zip 52; format 9
/// walked up to 1,676); a crafted one walked 283,000. The encoder leaves streams deflated
/// rather than pass it.
pub const LINKS_PER_CODED_BYTE: u64 = 1 << 16;

/// Chain links rebuilding the deflate streams of a payload of `coded_len` bytes may walk.
pub fn link_budget(coded_len: usize) -> u64 {
    (coded_len as u64).saturating_mul(LINKS_PER_CODED_BYTE)
}

/// Chain links describing a file's streams may walk (every pass, trials included), per byte
/// of its budget of decoded bytes: a deterministic bound on the encoder's work, which the
/// decoded bytes alone do not bound (a token may walk 6,144 links). Real streams walk
/// 40-130 per decoded byte in their first pass (PNG photos 46, `gzip -1` of DNA 127); with
/// the budget of 3 bytes per byte of the file + 4 MiB, only files near the 64 MiB cap of
/// decoded bytes can reach it. Streams past it stay deflated, in file order.
const ENCODER_LINKS_PER_BUDGET_BYTE: u64 = 128;

/// Chain links describing the streams of a file of `len` bytes may walk.
pub fn encoder_link_budget(len: usize) -> u64 {
    encoder_links_for(decoded_budget(len))
}

/// Chain links describing streams may walk for a budget of `decoded` bytes.
pub fn encoder_links_for(decoded: usize) -> u64 {
    (decoded as u64).saturating_mul(ENCODER_LINKS_PER_BUDGET_BYTE)
}

/// Why [`Streams::side`] gives no side information.
#[derive(Debug, PartialEq, Eq)]
pub enum Unusable {
    /// Rebuilding the file from it did not give the file back.
    Mismatch,
    /// The first `fit` streams were described within the budget of chain links, the next
    /// was not.
    OverBudget { fit: usize },
}
/// A file's deflate streams, found and decoded, before their side information is coded.
pub struct Layout {
    pub streams: Streams,
    pub transformed: Vec<u8>,
    /// Consecutive ranges covering `transformed`, each best coded on its own.
    pub segments: Vec<Range<usize>>,
}

/// The streams found, their representations moved into the transformed data (at `placed`).
pub struct Streams {
    found: Vec<find::Found>,
    placed: Vec<Range<usize>>,
}

/// Finds and decodes the deflate streams of `data` within its own budget of decoded bytes
/// ([`find::decoded_budget`]), at most the first `max_streams`; `None` if there are none, or
/// if they span fewer than `min_stream_bytes` of it.
#[cfg(test)]
pub fn layout(data: &[u8], min_stream_bytes: usize, max_streams: usize) -> Option<Layout> {
    layout_within(
        data,
        decoded_budget(data.len()),
        min_stream_bytes,
        max_streams,
    )
}

/// [`layout`], decoding at most `decoded` bytes (`decoded_budget` of a larger file's share).
pub fn layout_within(
    data: &[u8],
    decoded: usize,
    min_stream_bytes: usize,
    max_streams: usize,
) -> Option<Layout> {
    let mut found = find_streams(data, decoded);
    found.truncate(max_streams);
    let spanned: usize = found.iter().map(|f| f.end - f.start).sum();
    if found.is_empty() || spanned < min_stream_bytes {
        return None;
    }
    let represented: usize = found.iter().map(|f| f.representation.len()).sum();
    let mut transformed = Vec::with_capacity(data.len() - spanned + represented);
    let mut segments = Vec::new();
    let mut placed = Vec::with_capacity(found.len());
    let mut copied = 0;
    for f in &mut found {
        transformed.extend_from_slice(&data[copied..f.start]);
        let from = transformed.len();
        // Each representation is held once: in `transformed` from here on.
        transformed.extend_from_slice(&std::mem::take(&mut f.representation));
        placed.push(from..transformed.len());
        if transformed.len() - from >= OWN_SEGMENT_BYTES
            || matches!(
                f.wrapper,
                Wrapper::Png {
                    pixels: Some(_),
                    ..
                }
            )
        {
            segments.push(from..transformed.len());
        }
        copied = f.end;
    }
    transformed.extend_from_slice(&data[copied..]);
    Some(Layout {
        segments: partition(&segments, transformed.len()),
        streams: Streams { found, placed },
        transformed,
    })
}

/// The spans of `data` holding the deflate streams [`layout`] finds (PNG image data from its
/// first IDAT chunk to its last).
pub fn spans(data: &[u8]) -> Vec<Range<usize>> {
    spans_within(data, decoded_budget(data.len()))
        .into_iter()
        .map(|s| s.span)
        .collect()
}

/// A stream [`layout_within`] finds.
pub struct StreamSpan {
    /// The bytes its representation replaces.
    pub span: Range<usize>,
    /// The bytes finding it reads (its wrapper's header and checksum too): a piece of the
    /// file that cuts them does not find it.
    pub read: Range<usize>,
    /// Decoded bytes it takes of the budget.
    pub decoded: usize,
}

/// The streams [`layout_within`] finds decoding at most `decoded` bytes, in file order.
pub fn spans_within(data: &[u8], decoded: usize) -> Vec<StreamSpan> {
    let mut spans = Vec::new();
    find::find_each(data, decoded, |f| {
        spans.push(StreamSpan {
            span: f.start..f.end,
            read: f.read,
            decoded: f.representation.len(),
        })
    });
    spans
}

impl Streams {
    /// Decoded bytes these streams take of the budget (their representations' lengths).
    pub fn decoded(&self) -> usize {
        self.placed.iter().map(|r| r.len()).sum()
    }

    /// The side information that rebuilds `data` (the file these streams were found in) from
    /// `transformed`, with the chain links that rebuild walks, describing the streams in at
    /// most `most_links` links. Rebuilding the file once must give `data` back: the token
    /// model must make identical choices in both directions, and this checks it for real.
    /// The streams (their tokens) are dropped before the check.
    pub fn side(
        self,
        transformed: &[u8],
        data: &[u8],
        most_links: u64,
    ) -> Result<(Vec<u8>, u64), Unusable> {
        let mut enc = Encoder::new();
        let mut model = SideModel::default();
        model.code_count(&mut enc, self.found.len());
        let mut copied = 0;
        let mut walked = 0u64;
        for (index, (f, placed)) in self.found.iter().zip(&self.placed).enumerate() {
            let representation = &transformed[placed.clone()];
            let placement = Placement {
                gap: f.start - copied,
                len: representation.len(),
            };
            model.code_placement(&mut enc, placement);
            model
                .wrapper
                .code(&mut enc, &f.wrapper, representation.len(), usize::MAX);
            let scanlines;
            let decoded = match &f.wrapper {
                Wrapper::Png {
                    pixels: Some((image, filters)),
                    ..
                } => {
                    scanlines =
                        png::from_bmp(representation, image, filters).ok_or(Unusable::Mismatch)?;
                    &scanlines
                }
                _ => representation,
            };
            let span = f.end - f.start;
            let left = most_links - walked;
            let links = if span < RETRY_MIN_BYTES {
                code_stream(&mut enc, &mut model, decoded, &f.stream, INSERT_ALL, left)
            } else {
                code_stream_best(&mut enc, &mut model, decoded, &f.stream, span, left)
            };
            walked += links.ok_or(Unusable::OverBudget { fit: index })?;
            copied = f.end;
        }
        let side = enc.finish();
        drop(self);
        rebuilds(transformed, &side, data)
            .map(|links| (side, links))
            .ok_or(Unusable::Mismatch)
    }
}

/// Codes a stream of `span` compressed bytes; if that costs more than 1 /
/// [`EXPENSIVE_SHARE`] of them, perhaps it came from a fast encoder that leaves long
/// matches out of its chains: each of [`FAST_INSERT_LIMITS`] is tried too, in order, until
/// one is cheap, one costs more than the one before it, or the trials' budget of chain links
/// ([`TRIAL_LINKS_PER_BYTE`], counted, so the choice is the same on every machine) would
/// be spent; the shortest description is kept. Returns the links walked by every pass, or
/// `None` if the first needs more than `most_links` (a trial that would is given up).
fn code_stream_best(
    enc: &mut Encoder,
    model: &mut SideModel,
    decoded: &[u8],
    stream: &Stream,
    span: usize,
    most_links: u64,
) -> Option<u64> {
    let (start, fresh, before) = (enc.checkpoint(), model.clone(), enc.bytes_written());
    let first = code_stream(enc, model, decoded, stream, INSERT_ALL, most_links)?;
    let cost = |enc: &Encoder| enc.bytes_written() - before;
    let first_cost = cost(enc);
    let mut best = (first_cost, INSERT_ALL);
    if best.0 * EXPENSIVE_SHARE <= span {
        return Some(first);
    }
    // The best pass so far, kept to be restored rather than coded again.
    let mut kept = (enc.snapshot_since(&start), model.clone());
    let budget = trial_budget(decoded.len());
    let mut spent = 0u64;
    let mut last = INSERT_ALL;
    let mut previous = usize::MAX;
    for limit in FAST_INSERT_LIMITS {
        // A trial walks about as many links as the first pass did.
        if spent + first > budget {
            break;
        }
        enc.rewind(&start);
        *model = fresh.clone();
        let Some(links) = code_stream(
            enc,
            model,
            decoded,
            stream,
            limit,
            most_links.saturating_sub(first + spent),
        ) else {
            // Given up where it had walked every link left: what it wrote is no description.
            spent = most_links - first;
            last = usize::MAX;
            break;
        };
        spent += links;
        last = limit;
        let this = cost(enc);
        if this < best.0 {
            best = (this, limit);
            kept = (enc.snapshot_since(&start), model.clone());
        }
        // Costs fall towards the encoder's own limit and rise past it; a first trial at
        // more than twice the cost of inserting every position says the encoder inserts them
        // all (or nearly), as zlib's levels 4 to 9 do.
        if best.0 * EXPENSIVE_SHARE <= span || this > previous || this > 2 * first_cost {
            break;
        }
        previous = this;
    }
    if best.1 != last {
        enc.restore(&start, &kept.0);
        *model = kept.1;
    }
    Some(first + spent)
}

/// Chain links the trials of other insert limits may walk for a stream of `decoded` bytes.
fn trial_budget(decoded: usize) -> u64 {
    (decoded as u64).saturating_mul(TRIAL_LINKS_PER_BYTE)
}

/// Codes one stream's tokens; returns the chain links walked, or `None` if that needs more
/// than `most_links` (what was written is then no description).
fn code_stream(
    enc: &mut Encoder,
    model: &mut SideModel,
    decoded: &[u8],
    stream: &Stream,
    insert_limit: usize,
    most_links: u64,
) -> Option<u64> {
    model.code_insert_limit(enc, insert_limit);
    let mut cursor = Cursor::new(decoded.len(), insert_limit, most_links);
    for block in &stream.blocks {
        model.code_block(enc, &mut cursor, decoded, block);
    }
    model.code_tail_pad(enc, stream.tail_pad);
    (!cursor.spent()).then_some(cursor.links())
}

/// Consecutive ranges covering `0..len`: the given ones and the stretches between them.
fn partition(own: &[Range<usize>], len: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for r in own {
        if r.start > at {
            out.push(at..r.start);
        }
        out.push(r.clone());
        at = r.end;
    }
    if at < len || out.is_empty() {
        out.push(at..len);
    }
    out
}

/// Rebuilds the original file (at most `original_len` bytes) from the transformed data and
/// the side information, which must be read exactly, walking at most `most_links` chain
/// links (see [`link_budget`]).
pub fn join(
    transformed: &[u8],
    side: &[u8],
    original_len: usize,
    most_links: u64,
) -> io::Result<Vec<u8>> {
    let mut out = Rebuilt {
        bytes: Vec::new(),
        most: original_len,
    };
    rebuild(transformed, side, original_len, most_links, &mut out)?;
    Ok(out.bytes)
}

/// The chain links [`join`] walks if it gives `data` back, checked piece by piece against it
/// (no copy of the file).
fn rebuilds(transformed: &[u8], side: &[u8], data: &[u8]) -> Option<u64> {
    let mut check = Compared {
        expected: data,
        at: 0,
        same: true,
    };
    let links = rebuild(transformed, side, data.len(), u64::MAX, &mut check).ok()?;
    (check.same && check.at == data.len()).then_some(links)
}

/// Where [`rebuild`] puts the file's bytes, in order.
trait Sink {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Bytes put so far.
    fn len(&self) -> usize;
}

/// The rebuilt file, at most `most` bytes.
struct Rebuilt {
    bytes: Vec<u8>,
    most: usize,
}

impl Sink for Rebuilt {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        grow::append(&mut self.bytes, bytes, self.most, "rebuilt deflate streams")
    }

    fn len(&self) -> usize {
        self.bytes.len()
    }
}

/// The rebuilt bytes compared with `expected` as they come.
struct Compared<'a> {
    expected: &'a [u8],
    at: usize,
    same: bool,
}

impl Sink for Compared<'_> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        let end = self.at + bytes.len();
        self.same &= self.expected.get(self.at..end) == Some(bytes);
        self.at = end;
        Ok(())
    }

    fn len(&self) -> usize {
        self.at
    }
}

/// [`join`] into `out`; returns the chain links walked.
fn rebuild(
    transformed: &[u8],
    side: &[u8],
    original_len: usize,
    most_links: u64,
    out: &mut impl Sink,
) -> io::Result<u64> {
    let mut dec = Decoder::new(side);
    let corrupt = |what: &str, dec: &Decoder| {
        if dec.exhausted() {
            invalid("deflate side information: coded stream ended before the data".into())
        } else {
            invalid(format!("deflate side information: {what}"))
        }
    };
    let mut model = SideModel::default();
    let count = model.code_count(&mut dec, 0);
    let mut read = 0usize;
    let mut links = 0u64;
    for _ in 0..count {
        if dec.exhausted() {
            return Err(corrupt("", &dec));
        }
        let p = model.code_placement(&mut dec, Placement { gap: 0, len: 0 });
        let from = read
            .checked_add(p.gap)
            .ok_or_else(|| corrupt("gap", &dec))?;
        let to = from
            .checked_add(p.len)
            .filter(|&end| end <= transformed.len())
            .ok_or_else(|| corrupt("stream beyond the decoded data", &dec))?;
        if out.len() + (from - read) > original_len {
            return Err(corrupt("rebuilt data longer than declared", &dec));
        }
        out.put(&transformed[read..from])?;
        let room = original_len - out.len();
        let wrapper = model
            .wrapper
            .code(&mut dec, &Wrapper::Plain, p.len, room)
            .ok_or_else(|| corrupt("impossible wrapper", &dec))?;
        let representation = &transformed[from..to];
        let scanlines;
        let decoded = match &wrapper {
            Wrapper::Png {
                pixels: Some((image, filters)),
                ..
            } => {
                scanlines = png::from_bmp(representation, image, filters)
                    .ok_or_else(|| corrupt("pixels do not fit the image", &dec))?;
                &scanlines
            }
            _ => representation,
        };
        let mut cursor = Cursor::new(decoded.len(), 0, most_links.saturating_sub(links));
        let deflated = rebuild_stream(&mut dec, &mut model, &mut cursor, decoded, room);
        links += cursor.links();
        if cursor.spent() {
            return Err(invalid(format!(
                "deflate side information: rebuilding the streams walks more than \
                 {LINKS_PER_CODED_BYTE} hash-chain links per byte of the payload"
            )));
        }
        let deflated = deflated.ok_or_else(|| corrupt("impossible deflate stream", &dec))?;
        let rebuilt = match wrapper {
            Wrapper::Plain => deflated,
            Wrapper::Png {
                chunks,
                prefix,
                suffix,
                ..
            } => {
                let zlib = [&prefix[..], &deflated, &suffix].concat();
                png::frame(&zlib, &chunks)
                    .ok_or_else(|| corrupt("IDAT chunks do not fit the stream", &dec))?
            }
        };
        if rebuilt.len() > room {
            return Err(corrupt("rebuilt data longer than declared", &dec));
        }
        out.put(&rebuilt)?;
        read = to;
    }
    if out.len() + (transformed.len() - read) > original_len {
        return Err(corrupt("rebuilt data longer than declared", &dec));
    }
    dec.end("deflate side information")?;
    out.put(&transformed[read..])?;
    Ok(links)
}

/// Decodes one stream's blocks and writes its deflate bytes (at most `room` of them), with
/// `cursor` (new, at the stream's start; its insert limit is decoded here).
fn rebuild_stream(
    dec: &mut Decoder,
    model: &mut SideModel,
    cursor: &mut Cursor,
    decoded: &[u8],
    room: usize,
) -> Option<Vec<u8>> {
    let mut emitter = Emitter::new(decoded);
    cursor.set_insert_limit(model.code_insert_limit(dec, 0));
    let unknown = Block {
        last: false,
        body: Body::Stored { pad: 0, len: 0 },
    };
    loop {
        if dec.exhausted() {
            return None;
        }
        let block = model.code_block(dec, cursor, decoded, &unknown)?;
        emitter.block(&block)?;
        if block.last {
            break;
        }
        if emitter.bytes_written() > room {
            return None;
        }
    }
    let pad = model.code_tail_pad(dec, 0)?;
    emitter.finish(pad)
}
