//! The coding methods a container can name, and the choice between them.

use super::{embedded, inflated, long};
use crate::{audio, deflate, general, image, jpeg};
use std::io::{self, Write};

/// How a payload was coded. The byte values are part of the format: never renumber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Method {
    /// The payload is the original bytes.
    Stored = 0,
    /// Context-mixing model for text and general binary data.
    General = 1,
    /// 16-bit PCM WAV: linear prediction per channel, residuals coded adaptively.
    Audio = 2,
    /// 24-bit BMP: pixel prediction per colour plane, residuals coded with contexts.
    Image = 3,
    /// Deflate streams decoded (see [`deflate`]): `side length (u32 LE) | side information |
    /// segment count (u32 LE) | per segment: length (u64 LE) | method (1) | payload length
    /// (u64 LE) | payload`. The segments, concatenated, are the transformed data; each
    /// segment's method is never `Inflated` or `Long`.
    Inflated = 4,
    /// Baseline JPEG: the scan's own bits coded by a model that follows its Huffman decoding.
    Jpeg = 5,
    /// JPEG, WAV and BMP files among other bytes (see [`embedded`]): `part count (u32 LE) |
    /// per part: offset (u64 LE) | length (u64 LE) | method (1: `General`, `Audio`, `Image` or
    /// `Jpeg`) | method of the bytes around the parts (1: `Stored` or `General`) | those bytes,
    /// then each part: payload length (u64 LE) | payload`.
    Embedded = 6,
    /// Progressive JPEG: every scan's bits coded by a model that follows their decoding and
    /// keeps the coefficients the earlier scans gave (see [`jpeg::encode_progressive`]).
    ProgressiveJpeg = 7,
    /// Long repeats anywhere earlier in the input as references, the rest coded by any other
    /// method (see [`long`]).
    Long = 8,
    /// [`Method::Inflated`] with the transformed data's long repeats as references:
    /// `side length (u32 LE) | side information | references as in [`Method::Long`] (count,
    /// then start, length, distance in the transformed data) | segment count (u32 LE) |
    /// segments as in [`Method::Inflated`]`, which concatenated are the transformed data
    /// without the repeats.
    InflatedRepeats = 9,
    /// An input over 64 MiB coded in pieces, one after another (see [`super::pieces`]): per
    /// piece, `length (u64 LE) | method (1) | payload length (u64 LE) | payload`, until the
    /// lengths add up to the container's. Only at the top of a container: a piece's method
    /// is never `Long` or `Pieces`.
    Pieces = 10,
}

/// Bytes of the header of a segment of [`Method::Inflated`] or a piece of
/// [`Method::Pieces`]: length (8), method (1), payload length (8).
pub const ENTRY_HEADER: usize = 17;

/// Writes a segment or a piece: its header (`len` bytes coded with `method`), then `payload`.
pub fn write_entry<W: Write>(
    out: &mut W,
    len: usize,
    method: Method,
    payload: &[u8],
) -> io::Result<()> {
    let mut header = [0u8; ENTRY_HEADER];
    header[..8].copy_from_slice(&(len as u64).to_le_bytes());
    header[8] = method as u8;
    header[9..].copy_from_slice(&(payload.len() as u64).to_le_bytes());
    out.write_all(&header)?;
    out.write_all(payload)
}

impl Method {
    pub fn from_byte(b: u8) -> Option<Method> {
        Some(match b {
            0 => Method::Stored,
            1 => Method::General,
            2 => Method::Audio,
            3 => Method::Image,
            4 => Method::Inflated,
            5 => Method::Jpeg,
            6 => Method::Embedded,
            7 => Method::ProgressiveJpeg,
            8 => Method::Long,
            9 => Method::InflatedRepeats,
            10 => Method::Pieces,
            _ => return None,
        })
    }
}

/// Picks the method giving the smallest payload; falls back to storing. Long repeats are
/// taken out first ([`long`]), when there are any; the input is dropped then, and only the
/// residual kept.
pub fn choose(data: Vec<u8>) -> (Method, Vec<u8>) {
    match long::encode(data, choose_direct) {
        Ok(p) => (Method::Long, p),
        Err(mut data) => match modelled(&mut data) {
            Some(coded) => coded,
            None => (Method::Stored, data),
        },
    }
}

/// [`choose`] without looking for long repeats first.
fn choose_direct(data: &mut [u8]) -> (Method, Vec<u8>) {
    modelled(data).unwrap_or_else(|| (Method::Stored, data.to_vec()))
}

/// Inputs longer than this (64 MiB) recompress their deflate streams only when the streams
/// taken (within the decoded-bytes budget) span at least an eighth of the input. Such inputs
/// are coded in pieces since session 25 ([`super::pieces`], decided before any method here),
/// so this path is left to inputs the pieces' planner judged otherwise (it finds streams in
/// windows of two pieces). Recompressing here holds the input and its transformed copy at
/// once, beside the models: 5.0-5.2 times the input on 100 MB inputs (session 22; 6.9-7.9
/// before), against 2.5 for the other methods. That pays where streams are much of the
/// file (a 105 MB tar of 33 PNGs, the first 17 MB taken: 0.9124, 0.9965 left deflated, xz
/// -9 0.9611), not for a few (1.4 MB of PNGs
/// in 100 MB: 0.1514, 0.1554 left deflated, for a peak of 767 MiB instead of 265). Such
/// inputs' segments are coded with the general model's tables sized for memory and a BMP's
/// bands one at a time ([`model_for`]), and their transformed data's long repeats are not taken
/// out (method 9 would hold a copy of it without them: libs110.zip, 102 MB of deflated
/// libraries, 0.8903 -> 0.8891 for a peak of 797 MiB instead of 696).
const LARGE_INPUT: usize = 64 << 20;

/// The best model's payload for `data`, if one applies and codes it smaller. `data` is
/// changed meanwhile (the general model's x86 transform works in place) but given back as
/// it was.
fn modelled(data: &mut [u8]) -> Option<(Method, Vec<u8>)> {
    modelled_within(data, deflate::encoder_link_budget(data.len()))
}

/// [`modelled`], describing deflate streams in at most `most_links` chain links: streams
/// past them stay deflated.
fn modelled_within(data: &mut [u8], most_links: u64) -> Option<(Method, Vec<u8>)> {
    let large = data.len() > LARGE_INPUT;
    let limits = Limits {
        decoded: deflate::decoded_budget(data.len()),
        links: most_links,
        min_spanned: if large { data.len() / 8 } else { 0 },
        for_memory: large,
        repeats: !large,
        overlap: true,
    };
    let modelled = match recompressed(data, limits) {
        Recompressed::Coded(method, payload, _) => Some((method, payload)),
        Recompressed::NoStreams => model_in_place(data),
        Recompressed::Unusable => model(data),
    };
    modelled.filter(|(_, payload)| payload.len() < data.len())
}

/// The payload of `piece`, a piece of a larger input (see [`super::pieces`]), whose deflate
/// streams may decode to at most `decoded` bytes; with the decoded bytes taken. Its models
/// size their tables for memory; its streams' side information is coded beside its
/// segments when `overlap`, else before them. Never worse than storing it.
pub fn piece(piece: &[u8], decoded: usize, overlap: bool) -> (Method, Vec<u8>, usize) {
    let limits = Limits {
        decoded,
        links: deflate::encoder_links_for(decoded),
        min_spanned: 0,
        for_memory: true,
        repeats: true,
        overlap,
    };
    let (modelled, taken) = match recompressed(piece, limits) {
        Recompressed::Coded(method, payload, taken) => (Some((method, payload)), taken),
        Recompressed::NoStreams | Recompressed::Unusable => (model_for(piece, true), 0),
    };
    match modelled.filter(|(_, payload)| payload.len() < piece.len()) {
        Some((method, payload)) => (method, payload, taken),
        None => (Method::Stored, piece.to_vec(), 0),
    }
}

/// What [`recompressed`] may take and how it codes what it takes.
#[derive(Clone, Copy)]
struct Limits {
    /// Decoded bytes the file's deflate streams may take, and chain links describing them
    /// may walk: streams past either stay deflated.
    decoded: usize,
    links: u64,
    /// Fewest bytes of the file the streams taken must span, else none are taken.
    min_spanned: usize,
    /// The segments' models size their tables for memory ([`model_for`]).
    for_memory: bool,
    /// The transformed data's long repeats become references (method 9).
    repeats: bool,
    /// The side information is coded on a thread of its own while the segments are (its
    /// streams' tokens held meanwhile), else first: the same bytes either way.
    overlap: bool,
}

/// What became of a file's deflate streams.
enum Recompressed {
    /// Coded as method 4 or 9, with the decoded bytes taken.
    Coded(Method, Vec<u8>, usize),
    /// None found (or too few bytes spanned).
    NoStreams,
    /// Found, but their side information cannot be used (a rebuild differs, or its chain
    /// links are more than the payload may walk).
    Unusable,
}

/// `data` coded with its deflate streams decoded, within `limits`.
fn recompressed(data: &[u8], limits: Limits) -> Recompressed {
    let mut max_streams = usize::MAX;
    loop {
        let Some(deflate::Layout {
            streams,
            transformed,
            segments,
        }) = deflate::layout_within(data, limits.decoded, limits.min_spanned, max_streams)
        else {
            return Recompressed::NoStreams;
        };
        let taken = streams.decoded();
        // The side information (the token model over every stream, then a rebuild of the
        // whole file to check it) and the segments' models need nothing from each other:
        // they run at once, unless memory is short.
        let segments_coded = || {
            inflated::encode_transformed(&transformed, &segments, limits.repeats, limits.for_memory)
        };
        let (side, coded) = if limits.overlap {
            std::thread::scope(|s| {
                let side = s.spawn(|| streams.side(&transformed, data, limits.links));
                let coded = segments_coded();
                (
                    side.join().expect("side information thread panicked"),
                    coded,
                )
            })
        } else {
            let side = streams.side(&transformed, data, limits.links);
            (side, segments_coded())
        };
        // The transformed data goes before the payload is put together.
        drop(transformed);
        match side {
            Ok((side, links)) => {
                let (method, payload) = inflated::payload(&side, coded);
                // The decoder refuses a payload too short for the chain links its rebuild
                // walks (`deflate::link_budget`): such streams stay deflated.
                return if links <= deflate::link_budget(payload.len()) {
                    Recompressed::Coded(method, payload, taken)
                } else {
                    Recompressed::Unusable
                };
            }
            // Once: the streams that fit walk the same links again.
            Err(deflate::Unusable::OverBudget { fit }) if fit < max_streams => max_streams = fit,
            Err(_) => return Recompressed::Unusable,
        }
    }
}

/// The best model for `data` by its content, if one applies: a specialised model when the
/// whole file is a WAV, JPEG or BMP, the specialised models for such files inside it, else
/// the general model.
pub fn model(data: &[u8]) -> Option<(Method, Vec<u8>)> {
    model_for(data, false)
}

/// [`model`]; when `for_memory` (a part of an input over 64 MiB), the general model's tables
/// are sized for memory whatever the part's length, and a BMP's bands and models are coded
/// one at a time.
pub fn model_for(data: &[u8], for_memory: bool) -> Option<(Method, Vec<u8>)> {
    let general = if for_memory {
        general::encode_for_memory
    } else {
        general::encode
    };
    specialised(data, !for_memory).or_else(|| general(data).map(|p| (Method::General, p)))
}

/// [`model`] of bytes the caller owns (see [`general::encode_in_place`] and
/// [`embedded::encode_in_place`]); the same payload.
fn model_in_place(data: &mut [u8]) -> Option<(Method, Vec<u8>)> {
    let parts = embedded::find(data);
    if one_file(&parts) {
        if let Some(coded) = single(data) {
            return Some(coded);
        }
    }
    if let Some(p) = embedded::encode_in_place(data, &parts) {
        return Some((Method::Embedded, p));
    }
    general::encode_in_place(data).map(|p| (Method::General, p))
}

/// [`model`] when a specialised model applies to `data` or to parts of it; unless
/// `parallel`, a BMP's bands and models run one at a time ([`single_with`]).
fn specialised(data: &[u8], parallel: bool) -> Option<(Method, Vec<u8>)> {
    let parts = embedded::find(data);
    if one_file(&parts) {
        if let Some(coded) = single_with(data, parallel) {
            return Some(coded);
        }
    }
    embedded::encode(data, &parts).map(|p| (Method::Embedded, p))
}

/// Whether `parts` (by [`embedded::find`]) make the file one file of a specialised model's
/// kind: a file holding several (a multi-picture JPEG, a photo with a gain map or preview
/// appended) is coded in parts even when it starts with one.
fn one_file(parts: &[std::ops::Range<usize>]) -> bool {
    parts.len() <= 1 && parts.first().is_none_or(|r| r.start == 0)
}

/// The specialised model for a whole WAV, JPEG or BMP file (a drawn BMP may go to the general
/// model when that codes it smaller), if `data` is one.
pub fn single(data: &[u8]) -> Option<(Method, Vec<u8>)> {
    single_with(data, true)
}

/// [`single`]; unless `parallel`, a BMP's models and bands run one at a time, so that one
/// set of tables is held at a time (the bytes are the same).
pub fn single_with(data: &[u8], parallel: bool) -> Option<(Method, Vec<u8>)> {
    if let Some(p) = audio::encode(data) {
        return Some((Method::Audio, p));
    }
    if let Some(p) = jpeg::encode(data) {
        return Some((Method::Jpeg, p));
    }
    if let Some(p) = jpeg::encode_progressive(data) {
        return Some((Method::ProgressiveJpeg, p));
    }
    // A drawn BMP tries both models, at once: each keeps a core busy only part of the time.
    let (image, general) = if parallel {
        std::thread::scope(|s| {
            let general = image::mostly_flat(data).then(|| s.spawn(|| general::encode(data)));
            let image = image::encode(data);
            let general = general.and_then(|h| h.join().expect("general model thread panicked"));
            (image, general)
        })
    } else {
        let image = image::encode_with(data, false);
        let general = image
            .as_ref()
            .and_then(|_| image::mostly_flat(data).then(|| general::encode(data)))
            .flatten();
        (image, general)
    };
    let p = image?;
    let general = general.filter(|g| g.len() < p.len());
    Some(match general {
        Some(g) => (Method::General, g),
        None => (Method::Image, p),
    })
}

/// Decodes `payload` coded with `method` into exactly `original_len` bytes (or an error).
pub fn decode(method: Method, payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    decode_with(method, payload, original_len, true)
}

/// [`decode`] of a payload it is given: the general model's forked layouts drop it before
/// they join their parts ([`general::decode_owned`]).
pub fn decode_owned(method: Method, payload: Vec<u8>, original_len: usize) -> io::Result<Vec<u8>> {
    match method {
        Method::General => general::decode_owned(payload, original_len),
        _ => decode(method, &payload, original_len),
    }
}

/// [`decode`]; unless `parallel`, a BMP's bands and an inflated payload's segments decode
/// one at a time, so that one band's or segment's tables are held at a time (the bytes are
/// the same).
pub fn decode_with(
    method: Method,
    payload: &[u8],
    original_len: usize,
    parallel: bool,
) -> io::Result<Vec<u8>> {
    match method {
        Method::Image if !parallel => image::decode_with(payload, original_len, false),
        Method::Stored => Ok(payload.to_vec()),
        Method::General => general::decode(payload, original_len),
        Method::Audio => audio::decode(payload, original_len),
        Method::Image => image::decode(payload, original_len),
        Method::Inflated => inflated::decode(payload, original_len, false, parallel),
        Method::InflatedRepeats => inflated::decode(payload, original_len, true, parallel),
        Method::Jpeg => jpeg::decode(payload, original_len),
        Method::Embedded => embedded::decode(payload, original_len),
        Method::ProgressiveJpeg => jpeg::decode_progressive(payload, original_len),
        Method::Long => long::decode(payload, original_len),
        Method::Pieces => Err(crate::error::invalid(
            "a payload in pieces (method 10) inside another payload".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deflate::tests::{fewest_links_describing_the_first_stream, gzip, prose};

    #[test]
    fn streams_past_the_encoders_budget_of_chain_links_stay_deflated() {
        let file = [gzip(&prose(40_000), 6), gzip(&prose(60_000), 9)].concat();
        // The method and payload length, or `None` where no model makes the file smaller.
        let coded = |most_links| {
            let (method, payload) = modelled_within(&mut file.clone(), most_links)?;
            assert_eq!(decode(method, &payload, file.len()).expect("decodes"), file);
            Some((method, payload.len()))
        };
        let (all, all_len) = coded(u64::MAX).expect("codes");
        assert_eq!(all, Method::Inflated);
        // Left deflated, the streams are random to the general model.
        assert_eq!(coded(0), None);
        let lo = fewest_links_describing_the_first_stream(&file);
        // The second stream does not fit as well: it stays deflated, the first is kept.
        let (first, first_len) = coded(lo).expect("codes");
        assert_eq!(first, Method::Inflated);
        assert!(
            all_len < first_len && first_len < file.len(),
            "{all_len} {first_len}"
        );
        assert_eq!(coded(lo - 1), None);
    }
}
