//! The payloads of [`Method::Inflated`] and [`Method::InflatedRepeats`]: the deflate side
//! information, then (for the second) references to the transformed file's long repeats,
//! then the transformed file (without those repeats) in segments, each coded by the model
//! its content selects.

use super::long::{self, Reference, Repeat};
use super::method::{self, model_for, Method};
use super::possible;
use crate::deflate;
use crate::error::invalid;
use crate::fields::Fields;
use crate::grow;
use std::io;
use std::ops::Range;

/// The coded segments of `transformed`, as they follow the side information in the payload;
/// `for_memory` as in [`model_for`].
fn encode_segments(transformed: &[u8], segments: &[Range<usize>], for_memory: bool) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(segments.len() as u32).to_le_bytes());
    for range in segments {
        let data = &transformed[range.clone()];
        let coded = model_for(data, for_memory).filter(|(_, p)| p.len() < data.len());
        let (method, inner) = match &coded {
            Some((method, inner)) => (*method, &inner[..]),
            None => (Method::Stored, data),
        };
        method::write_entry(&mut out, data.len(), method, inner).expect("writes to memory");
    }
    out
}

/// The transformed file coded: references to its long repeats (none when it has none) and
/// its segments without them, made by [`encode_segments`].
pub struct Coded {
    references: Vec<Reference>,
    segments: Vec<u8>,
}

/// Codes `transformed`, consecutive `segments` covering it: its long repeats
/// ([`long::takeable`], which keeps embedded files whole) become references, and the
/// segments lose the bytes the repeats cover. Repeats are found across segments, and between
/// decoded streams and the bytes around them; only when `repeats` (for an input over 64 MiB
/// the data without them would be a second copy). `for_memory` as in [`model_for`].
pub fn encode_transformed(
    transformed: &[u8],
    segments: &[Range<usize>],
    repeats: bool,
    for_memory: bool,
) -> Coded {
    let repeats = if repeats {
        long::takeable(transformed, false)
    } else {
        Vec::new()
    };
    if repeats.is_empty() {
        return Coded {
            references: Vec::new(),
            segments: encode_segments(transformed, segments, for_memory),
        };
    }
    let residual = long::residual(transformed, &repeats);
    Coded {
        references: long::references(&repeats),
        segments: encode_segments(&residual, &without(segments, &repeats), for_memory),
    }
}

/// `segments` (consecutive, covering the data) in the coordinates of the data without
/// `repeats`; those left empty are dropped.
fn without(segments: &[Range<usize>], repeats: &[Repeat]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let (mut k, mut removed) = (0, 0);
    for segment in segments {
        let end = segment.end;
        while k < repeats.len() && repeats[k].end <= end {
            removed += repeats[k].end - repeats[k].start;
            k += 1;
        }
        let inside = repeats.get(k).map_or(0, |r| end.saturating_sub(r.start));
        let (start, end) = (out.last().map_or(0, |r| r.end), end - removed - inside);
        if end > start {
            out.push(start..end);
        }
    }
    out
}

/// The payload of a file whose deflate streams were decoded, with its method: the side
/// information, then the references (if any), then the segments.
pub fn payload(side: &[u8], coded: Coded) -> (Method, Vec<u8>) {
    let mut head = Vec::with_capacity(4 + side.len() + 4 + coded.references.len() * 24);
    head.extend_from_slice(&(side.len() as u32).to_le_bytes());
    head.extend_from_slice(side);
    let method = if coded.references.is_empty() {
        Method::Inflated
    } else {
        long::write_references(&mut head, &coded.references);
        Method::InflatedRepeats
    };
    // In front of the coded segments, which are not copied.
    let mut out = coded.segments;
    out.splice(0..0, head);
    (method, out)
}

/// Most bytes of transformed data per byte of the file: a deflate stream decodes to at most
/// 1,032 bytes per byte (a 258-byte match in two bits), and a PNG's BMP of them is at most
/// 1.2 times its scanlines plus a 54-byte header.
const MAX_INFLATION: u64 = 2048;

/// Reverses [`payload`] (with references when `with_references`): checks every
/// reference and segment header, then decodes the segments (two at a time when `parallel`,
/// else one at a time, a BMP's bands too, so that one segment's models are held at a time),
/// copies the repeats and rebuilds the deflate streams.
pub fn decode(
    payload: &[u8],
    original_len: usize,
    with_references: bool,
    parallel: bool,
) -> io::Result<Vec<u8>> {
    let what = "inflated payload";
    let mut fields = Fields::new(payload, what);
    let side_len = fields.u32()?;
    let side = fields.take(side_len)?;
    let most = (original_len as u64).saturating_mul(MAX_INFLATION);
    let (references, covered) = if with_references {
        long::read_references(&mut fields, most, what)?
    } else {
        (Vec::new(), 0)
    };
    let count = fields.count(method::ENTRY_HEADER, "segments")?;
    let mut segments = Vec::new();
    let mut total = 0u64;
    for _ in 0..count {
        let len = fields.u64()?;
        let method_byte = fields.byte()?;
        // Never a method that holds other methods' payloads, so that nesting stays shallow
        // (method 8 inside method 4 inside method 8 ... once overflowed the stack).
        let method = Method::from_byte(method_byte)
            .filter(|m| {
                !matches!(
                    m,
                    Method::Inflated | Method::InflatedRepeats | Method::Long | Method::Pieces
                )
            })
            .ok_or_else(|| invalid(format!("inflated payload: bad inner method {method_byte}")))?;
        let coded_len = fields.u64()?;
        let inner = fields.take(coded_len)?;
        if !possible(len, inner.len()) {
            return Err(invalid(format!(
                "inflated payload: a segment of {len} bytes is impossible for {coded_len} coded bytes"
            )));
        }
        total = total.saturating_add(len);
        segments.push((method, inner, len as usize));
    }
    fields.finish()?;
    let transformed_len = total.saturating_add(covered);
    if transformed_len > most || !possible(transformed_len, payload.len()) {
        return Err(invalid(format!(
            "inflated payload: segments and repeats of {transformed_len} bytes in all are \
             impossible for a {original_len}-byte file coded in {} bytes",
            payload.len()
        )));
    }
    if references
        .last()
        .is_some_and(|&(start, len, _)| (start + len) as u64 > transformed_len)
    {
        return Err(invalid(format!(
            "inflated payload: a repeat runs past the {transformed_len} bytes of transformed data"
        )));
    }
    let total = total as usize;
    let mut transformed = Vec::new();
    let decode = |&(method, inner, len): &(Method, &[u8], usize)| {
        method::decode_with(method, inner, len, parallel).and_then(|segment| {
            if segment.len() == len {
                Ok(segment)
            } else {
                Err(invalid(
                    "inflated payload: a segment has the wrong length".into(),
                ))
            }
        })
    };
    for batch in batches(&segments, if parallel { 2 } else { 1 }) {
        // The batch's last heavy segment on a thread of its own (the models decode on one
        // core), the others on this one.
        let decoded = std::thread::scope(|s| {
            let (decode, segments) = (&decode, &segments);
            let apart = batch
                .heavy_apart
                .map(|i| (i, s.spawn(move || decode(&segments[i]))));
            let mut decoded: Vec<_> = batch
                .segments
                .clone()
                .map(|i| (batch.heavy_apart != Some(i)).then(|| decode(&segments[i])))
                .collect();
            if let Some((i, handle)) = apart {
                decoded[i - batch.segments.start] =
                    Some(handle.join().expect("segment thread panicked"));
            }
            decoded
        });
        for segment in decoded.into_iter().flatten() {
            grow::append(&mut transformed, &segment?, total, "inflated payload")?;
        }
    }
    if !references.is_empty() {
        transformed = long::rebuild_in_place(transformed, &references, transformed_len as usize)?;
    }
    deflate::join(
        &transformed,
        side,
        original_len,
        deflate::link_budget(payload.len()),
    )
}

/// Coded bytes from which a segment counts as heavy: worth a thread of its own.
const HEAVY: usize = 4 << 10;
/// Decoded bytes from which a segment decodes on two threads by itself (a forked general
/// model, an image's two bands, a WAV's two halves): it is decoded alone. Two PNG photos
/// of 12 MB decoded side by side took 9% longer than one after the other, and 1.5 times
/// the memory.
const ALONE: usize = 4 << 20;

/// Consecutive segments decoded together: up to `threads` heavy ones at once, the last on a
/// thread of its own, with the light ones before and between them (a gzip member's header
/// and trailer, a ZIP entry's, a tar header: pairing segments as they came put each stream
/// beside such a gap, so that nine gzip members of 1 MiB decoded on one core).
struct Batch {
    segments: Range<usize>,
    heavy_apart: Option<usize>,
}

fn batches(segments: &[(Method, &[u8], usize)], threads: usize) -> Vec<Batch> {
    let mut out = Vec::new();
    let (mut start, mut heavy) = (0, Vec::new());
    let mut close = |out: &mut Vec<Batch>, end: usize, heavy: &[usize]| {
        if end > start {
            out.push(Batch {
                segments: start..end,
                heavy_apart: heavy.last().copied().filter(|_| heavy.len() > 1),
            });
        }
        start = end;
    };
    for (i, &(_, inner, len)) in segments.iter().enumerate() {
        if len >= ALONE {
            close(&mut out, i, &heavy);
            close(&mut out, i + 1, &[]);
            heavy.clear();
            continue;
        }
        if inner.len() >= HEAVY {
            heavy.push(i);
        }
        if heavy.len() == threads {
            close(&mut out, i + 1, &heavy);
            heavy.clear();
        }
    }
    close(&mut out, segments.len(), &heavy);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_put_two_heavy_segments_side_by_side_whatever_lies_between() {
        let (light, heavy) = (vec![0u8; 10], vec![0u8; HEAVY]);
        let mut segs: Vec<(Method, &[u8], usize)> =
            [&light, &heavy, &light, &heavy, &light, &heavy]
                .iter()
                .map(|s| (Method::Stored, &s[..], s.len()))
                .collect();
        let got = |segs: &[_], threads| -> Vec<_> {
            batches(segs, threads)
                .into_iter()
                .map(|b| (b.segments, b.heavy_apart))
                .collect()
        };
        assert_eq!(got(&segs, 2), [(0..4, Some(3)), (4..6, None)]);
        assert_eq!(got(&segs, 1), [(0..2, None), (2..4, None), (4..6, None)]);
        // A segment that decodes on two threads by itself is decoded alone.
        segs[3].2 = ALONE;
        assert_eq!(got(&segs, 2), [(0..3, None), (3..4, None), (4..6, None)]);
    }

    #[test]
    fn segments_lose_the_bytes_of_the_repeats_inside_them() {
        let repeat = long::next_byte_repeat;
        let segments = [0..10, 10..20, 20..30, 30..40];
        // Inside one segment, across a boundary, and a whole segment.
        let repeats = [repeat(2, 5), repeat(8, 12), repeat(20, 30)];
        assert_eq!(without(&segments, &repeats), [0..5, 5..13, 13..23]);
        assert_eq!(without(&segments, &[]), segments);
    }

    #[test]
    fn segments_of_inputs_over_64_mib_get_tables_sized_for_memory() {
        // 5 MiB of varied text: the general model forks it.
        let mut s = 7u32;
        let text: Vec<u8> = (0..5 << 20)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                b"etaoin shrdlu\n"[(s >> 28) as usize % 14]
            })
            .collect();
        for (large, layout) in [(false, 2), (true, 3)] {
            let coded = encode_transformed(
                &text,
                &[Range {
                    start: 0,
                    end: text.len(),
                }],
                !large,
                large,
            );
            let segment = &coded.segments[4..];
            assert_eq!(segment[8], Method::General as u8);
            // The general payload's layout byte: 2 forked, 3 forked with sized tables.
            assert_eq!(segment[17 + 3], layout, "large: {large}");
        }
    }

    #[test]
    fn malformed_payloads_are_errors() {
        let message = |payload: &[u8]| decode(payload, 100, false, true).unwrap_err().to_string();
        assert!(message(&[1, 0]).contains("truncated"));
        let mut nested = vec![0, 0, 0, 0, 1, 0, 0, 0];
        nested.extend_from_slice(&5u64.to_le_bytes());
        nested.push(Method::Inflated as u8);
        nested.extend_from_slice(&0u64.to_le_bytes());
        assert!(message(&nested).contains("bad inner method"));
        nested[16] = Method::Pieces as u8;
        assert!(message(&nested).contains("bad inner method"));
        let mut huge = vec![0, 0, 0, 0, 1, 0, 0, 0];
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        huge.push(Method::Stored as u8);
        huge.extend_from_slice(&0u64.to_le_bytes());
        assert!(message(&huge).contains("impossible"));
    }
}
