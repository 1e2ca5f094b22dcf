//! The payload of [`Method::Embedded`]: files of the kinds the specialised models take
//! (baseline or progressive JPEG, PCM WAV, BMP) inside other bytes (archives, PDFs, game
//! data, multi-picture files). Each such part is coded by its own model; the bytes around
//! them, joined in order, by the general model (or stored).

use super::method::{self, Method};
use super::possible;
use crate::error::invalid;
use crate::fields::Fields;
use crate::{audio, general, grow, image, jpeg};
use std::io;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// WAV and BMP parts shorter than this stay with the bytes around them.
const MIN_PART: usize = 4096;

/// The parts of `data` another model may take, in order and disjoint: each a JPEG, WAV or BMP
/// whose header parses, from its first byte to the end its header or markers give.
pub fn find(data: &[u8]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = next_candidate(data, at) {
        let rest = &data[start..];
        if rest.len() < 4 {
            break;
        }
        let len = match (rest[0], rest[1]) {
            (0xFF, 0xD8) if rest[2] == 0xFF => jpeg::extent(rest),
            (b'R', b'I') if rest.starts_with(b"RIFF") => {
                audio::extent(rest).filter(|&n| n >= MIN_PART)
            }
            (b'B', b'M') => image::extent(rest).filter(|&n| n >= MIN_PART),
            _ => None,
        };
        match len {
            Some(n) => {
                found.push(start..start + n);
                at = start + n;
            }
            None => at = start + 1,
        }
    }
    found
}

/// Offset of the first byte at or after `at` that can start a header (`FF`, `R` or `B`).
fn next_candidate(data: &[u8], mut at: usize) -> Option<usize> {
    const CHUNK: usize = 32;
    let starts = |b: u8| b == 0xFF || b == b'R' || b == b'B';
    // Whole chunks are tested without an early exit, so the test vectorises.
    while let Some(chunk) = data.get(at..at + CHUNK) {
        if chunk.iter().fold(false, |any, &b| any | starts(b)) {
            break;
        }
        at += CHUNK;
    }
    data.get(at..)?
        .iter()
        .position(|&b| starts(b))
        .map(|k| at + k)
}

/// A part's range, its method and its payload.
type Coded = (Range<usize>, Method, Vec<u8>);

/// The payload for `data` holding the parts `found` (by [`find`]), or `None` when no part's
/// model codes it smaller.
pub fn encode(data: &[u8], found: &[Range<usize>]) -> Option<Vec<u8>> {
    let parts = encode_parts(data, found)?;
    let ranges: Vec<Range<usize>> = parts.iter().map(|(r, _, _)| r.clone()).collect();
    let mut rest = outside(data, ranges.iter().cloned());
    let (rest_method, coded_rest) = code_rest(&mut rest);
    Some(payload(&parts, rest_method, &coded_rest))
}

/// [`encode`] of bytes the caller owns, with the same payload: when the parts are shorter
/// than the bytes around them, those bytes are joined in place (the parts kept aside
/// meanwhile, and put back before this returns) rather than copied, so that an input of
/// 100 MB with 30 MB of pictures and sounds holds 30 MB more while the general model runs,
/// not 70.
pub fn encode_in_place(data: &mut [u8], found: &[Range<usize>]) -> Option<Vec<u8>> {
    let parts = encode_parts(data, found)?;
    let ranges: Vec<Range<usize>> = parts.iter().map(|(r, _, _)| r.clone()).collect();
    let in_parts: usize = ranges.iter().map(|r| r.len()).sum();
    let rest_len = data.len() - in_parts;
    if in_parts >= rest_len {
        let mut rest = outside(data, ranges.iter().cloned());
        let (rest_method, coded_rest) = code_rest(&mut rest);
        return Some(payload(&parts, rest_method, &coded_rest));
    }
    let mut aside = Vec::with_capacity(in_parts);
    for r in &ranges {
        aside.extend_from_slice(&data[r.clone()]);
    }
    let (mut to, mut at) = (0, 0);
    for r in &ranges {
        data.copy_within(at..r.start, to);
        to += r.start - at;
        at = r.end;
    }
    data.copy_within(at.., to);
    let (rest_method, coded_rest) = code_rest(&mut data[..rest_len]);
    // Back in place, from the end: each part's following bytes move right, then the part.
    let (mut rest_end, mut aside_end, mut next) = (rest_len, in_parts, data.len());
    for r in ranges.iter().rev() {
        let after = next - r.end;
        data.copy_within(rest_end - after..rest_end, r.end);
        rest_end -= after;
        data[r.clone()].copy_from_slice(&aside[aside_end - r.len()..aside_end]);
        aside_end -= r.len();
        next = r.start;
    }
    debug_assert_eq!(rest_end, next);
    Some(payload(&parts, rest_method, &coded_rest))
}

/// The parts of `found` that their models code smaller, with their payloads; `None` when
/// there are none.
fn encode_parts(data: &[u8], found: &[Range<usize>]) -> Option<Vec<Coded>> {
    let parallel = data.len() < ONE_AT_A_TIME;
    let coded = on_two_threads(found.len(), parallel, |k| {
        let part = &data[found[k].clone()];
        method::single_with(part, parallel).filter(|(_, p)| p.len() < part.len())
    });
    let parts: Vec<Coded> = found
        .iter()
        .zip(coded)
        .filter_map(|(r, c)| c.map(|(m, p)| (r.clone(), m, p)))
        .collect();
    (!parts.is_empty()).then_some(parts)
}

/// The bytes around the parts, coded by the general model or stored (given back unchanged).
fn code_rest(rest: &mut [u8]) -> (Method, Vec<u8>) {
    match general::encode_in_place(rest) {
        Some(g) if g.len() < rest.len() => (Method::General, g),
        _ => (Method::Stored, rest.to_vec()),
    }
}

/// The payload of `parts` and the bytes around them, coded by `rest_method`.
fn payload(parts: &[Coded], rest_method: Method, coded_rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(parts.len() as u32).to_le_bytes());
    for (r, m, _) in parts {
        out.extend_from_slice(&(r.start as u64).to_le_bytes());
        out.extend_from_slice(&(r.len() as u64).to_le_bytes());
        out.push(*m as u8);
    }
    out.push(rest_method as u8);
    out.extend_from_slice(&(coded_rest.len() as u64).to_le_bytes());
    out.extend_from_slice(coded_rest);
    for (_, _, p) in parts {
        out.extend_from_slice(&(p.len() as u64).to_le_bytes());
        out.extend_from_slice(p);
    }
    out
}

/// Files at least this long code their parts one at a time, and a BMP's bands and models one
/// at a time: the image and audio models run two threads each already, and two parts at
/// once held two sets of tables (a 32 MB mix of pictures and sounds peaked at 640 MB).
const ONE_AT_A_TIME: usize = 16 << 20;

/// Runs `task(0)`, ..., `task(n - 1)` on two threads (on one when not `two`), each taking
/// the next index in turn; the results come back in index order.
fn on_two_threads<T: Send>(n: usize, two: bool, task: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if !two {
        return (0..n).map(task).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= n {
                return done;
            }
            done.push((k, task(k)));
        }
    };
    let mut all = std::thread::scope(|s| {
        let other = s.spawn(work);
        let mut mine = work();
        mine.extend(other.join().expect("worker thread panicked"));
        mine
    });
    all.sort_by_key(|(k, _)| *k);
    all.into_iter().map(|(_, t)| t).collect()
}

/// The bytes of `data` outside `parts` (ordered, disjoint), joined.
pub fn outside(data: &[u8], parts: impl Iterator<Item = Range<usize>> + Clone) -> Vec<u8> {
    let inside: usize = parts.clone().map(|r| r.len()).sum();
    let mut rest = Vec::with_capacity(data.len() - inside);
    let mut at = 0;
    for r in parts {
        rest.extend_from_slice(&data[at..r.start]);
        at = r.end;
    }
    rest.extend_from_slice(&data[at..]);
    rest
}

/// Bytes of a part's entry in the header: offset (8), length (8), method (1).
const PART_ENTRY: usize = 17;

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let mut fields = Fields::new(payload, "embedded-file payload");
    let count = fields.count(PART_ENTRY, "parts")?;
    let mut parts = Vec::new();
    let mut at = 0u64;
    let mut in_parts = 0usize;
    for _ in 0..count {
        let (start, len) = (fields.u64()?, fields.u64()?);
        let end = start
            .checked_add(len)
            .filter(|&e| start >= at && e <= original_len as u64)
            .ok_or_else(|| {
                invalid("embedded-file payload: parts overlap or run past the file".into())
            })?;
        let method = fields.byte()?;
        let method = Method::from_byte(method)
            .filter(|m| {
                matches!(
                    m,
                    Method::General
                        | Method::Audio
                        | Method::Image
                        | Method::Jpeg
                        | Method::ProgressiveJpeg
                )
            })
            .ok_or_else(|| {
                invalid(format!(
                    "embedded-file payload: bad method {method} for a part"
                ))
            })?;
        // Parts lie in order within the file, so their lengths add up to at most its length.
        in_parts += len as usize;
        parts.push((start as usize..end as usize, method));
        at = end;
    }
    let rest_len = original_len - in_parts;
    let rest_method = match Method::from_byte(fields.byte()?) {
        Some(m @ (Method::Stored | Method::General)) => m,
        _ => {
            return Err(invalid(
                "embedded-file payload: bad method for the bytes around the parts".into(),
            ))
        }
    };
    let mut coded = vec![(0..rest_len, rest_method, coded_part(&mut fields, rest_len)?)];
    for (r, m) in parts {
        let bytes = coded_part(&mut fields, r.len())?;
        coded.push((r, m, bytes));
    }
    fields.finish()?;
    let parallel = original_len < ONE_AT_A_TIME;
    let decode = |k: usize| {
        let (r, m, bytes) = &coded[k];
        method::decode_with(*m, bytes, r.len(), parallel)
    };
    let decoded = if parallel {
        on_two_threads(coded.len(), true, decode)
    } else {
        // One at a time (and a BMP's bands too, as the encoder coded them), the parts first:
        // the bytes around them (the largest, from the general model) are then not held
        // while the parts' models run.
        let mut decoded: Vec<_> = (1..coded.len()).map(decode).collect();
        decoded.insert(0, decode(0));
        decoded
    };
    let decoded: Vec<Vec<u8>> = decoded.into_iter().collect::<io::Result<_>>()?;
    if decoded
        .iter()
        .zip(&coded)
        .any(|(d, (r, _, _))| d.len() != r.len())
    {
        return Err(invalid(
            "embedded-file payload: a part decoded to the wrong length".into(),
        ));
    }
    let mut decoded = decoded.into_iter();
    let rest = decoded
        .next()
        .expect("the bytes around the parts come first");
    let mut data = Vec::new();
    let mut from_rest = 0;
    let what = "embedded-file payload";
    // Each part is dropped once it is copied, so the output and the parts together stay
    // within the output's length and the rest's.
    for ((r, _, _), part) in coded[1..].iter().zip(decoded) {
        let gap = r.start - data.len();
        grow::append(
            &mut data,
            &rest[from_rest..from_rest + gap],
            original_len,
            what,
        )?;
        from_rest += gap;
        grow::append(&mut data, &part, original_len, what)?;
    }
    grow::append(&mut data, &rest[from_rest..], original_len, what)?;
    Ok(data)
}

/// A part's coded bytes, preceded by their length, that must be able to decode to `len`
/// bytes.
fn coded_part<'a>(fields: &mut Fields<'a>, len: usize) -> io::Result<&'a [u8]> {
    let coded_len = fields.u64()?;
    let bytes = fields.take(coded_len)?;
    if !possible(len as u64, bytes.len()) {
        return Err(invalid(format!(
            "{}: a part of {len} bytes is impossible for {coded_len} coded bytes",
            fields.what()
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(parts: &[(u64, u64, Method)]) -> Vec<u8> {
        let mut p = (parts.len() as u32).to_le_bytes().to_vec();
        for &(start, len, method) in parts {
            p.extend_from_slice(&start.to_le_bytes());
            p.extend_from_slice(&len.to_le_bytes());
            p.push(method as u8);
        }
        p
    }

    #[test]
    fn candidates_are_found_across_chunk_boundaries() {
        let mut data = vec![b'x'; 200];
        for at in [31, 32, 95, 199] {
            data[at] = b'B';
        }
        let found: Vec<usize> =
            std::iter::successors(next_candidate(&data, 0), |&p| next_candidate(&data, p + 1))
                .collect();
        assert_eq!(found, vec![31, 32, 95, 199]);
        assert_eq!(next_candidate(&data[..31], 0), None);
        assert_eq!(next_candidate(&data, 200), None);
    }

    #[test]
    fn malformed_payloads_are_errors() {
        let message = |payload: &[u8], n: usize| decode(payload, n).unwrap_err().to_string();
        let jpeg = Method::Jpeg;
        assert!(message(&[1, 0], 10).contains("truncated"));
        assert!(message(&header(&[(5, 10, jpeg)]), 10).contains("run past the file"));
        assert!(message(&header(&[(0, 6, jpeg), (4, 2, jpeg)]), 10).contains("overlap"));
        assert!(message(&header(&[(0, u64::MAX, jpeg)]), 10).contains("run past"));
        assert!(message(&header(&[(0, 4, Method::Embedded)]), 10).contains("bad method 6"));
        assert!(message(&header(&[(0, 4, Method::Inflated)]), 10).contains("bad method 4"));
        let mut bad_rest = header(&[]);
        bad_rest.push(Method::Jpeg as u8);
        assert!(message(&bad_rest, 10).contains("bytes around the parts"));
        let mut short_rest = header(&[]);
        short_rest.push(Method::Stored as u8);
        short_rest.extend_from_slice(&5u64.to_le_bytes());
        short_rest.extend_from_slice(&[0; 5]);
        assert!(message(&short_rest, 10).contains("wrong length"));
        let mut missing_part = header(&[(0, 4, jpeg)]);
        missing_part.push(Method::Stored as u8);
        missing_part.extend_from_slice(&6u64.to_le_bytes());
        missing_part.extend_from_slice(&[0; 6]);
        assert!(message(&missing_part, 10).contains("truncated"));
        let mut huge = header(&[]);
        huge.push(Method::General as u8);
        huge.extend_from_slice(&0u64.to_le_bytes());
        assert!(message(&huge, usize::MAX >> 8).contains("impossible"));
    }
}
