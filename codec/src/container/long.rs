//! The payload of [`Method::Long`]: long repeats anywhere earlier in the input, found over
//! the whole file before any model sees it, coded as references; the bytes left (the
//! residual, the input with every repeat cut out) go through the usual choice of method.
//!
//! Payload: `reference count (u32 LE) | per reference: start (u64 LE) | length (u64 LE) |
//! distance (u64 LE) | residual method (1, never Long) | residual payload length (u64 LE) |
//! residual payload`. References are in order and apart; reference `k` says that the
//! original's bytes `start..start + length` equal the bytes `distance` before each of them
//! (a forward copy: the source may overlap the target). The residual is the original
//! without the references' bytes.

use super::method::{self, Method};
use super::{embedded, possible};
use crate::anchored;
use crate::deflate;
use crate::error::invalid;
use crate::fields::Fields;
use crate::grow;
use std::io;
use std::ops::Range;

/// Inputs shorter than this are left to the models, which code their repeats themselves.
pub const MIN_INPUT: usize = 1 << 20;
/// Shortest repeat taken: a reference (24 bytes) costs about what the models' coding of a
/// repeat this long does, and cutting the residual there loses them little context.
pub const MIN_REPEAT: usize = 4 << 10;
/// Longest reference: longer repeats are cut into references of this length, so a payload
/// byte stands for at most 43,691 output bytes (24 bytes for 1 MiB), within the container's
/// [`MAX_EXPANSION`](super::MAX_EXPANSION).
pub const MAX_REFERENCE: usize = 1 << 20;
/// Bytes of a reference in the payload: start, length, distance.
const REFERENCE_BYTES: usize = 24;

pub use crate::anchored::Repeat;
/// `(start, length, distance)`: the bytes `start..start + length` equal those `distance`
/// before each of them.
pub type Reference = (usize, usize, usize);

/// The long repeats of `data`, in order and apart, none shorter than [`MIN_REPEAT`]: a
/// rolling hash of 32 bytes remembered at every 128th position ([`anchored`]: a table of
/// 4-byte slots, about 1/32 of the input), past every verified match.
pub fn find(data: &[u8]) -> Vec<Repeat> {
    if data.len() >= u32::MAX as usize {
        return Vec::new();
    }
    anchored::Search {
        window: 32,
        anchor: 128,
        min_repeat: MIN_REPEAT,
        skip_matches: true,
    }
    .find(data)
}

/// `repeats` without the bytes of any part (ordered by start) they only partly cover: a
/// JPEG, WAV or BMP inside the file, or a deflate stream, keeps its bytes together for its
/// model (or goes whole into a reference). Pieces shorter than [`MIN_REPEAT`] are dropped.
pub fn clip(repeats: &[Repeat], parts: &[Range<usize>]) -> Vec<Repeat> {
    let mut out = Vec::new();
    let mut first = 0;
    for r in repeats {
        while first < parts.len() && parts[first].end <= r.start {
            first += 1;
        }
        let mut start = r.start;
        for p in parts[first..].iter().take_while(|p| p.start < r.end) {
            let inside = p.start >= r.start && p.end <= r.end;
            if inside {
                continue;
            }
            if p.start > start {
                push_piece(&mut out, start, p.start, r.distance);
            }
            start = start.max(p.end);
        }
        if r.end > start {
            push_piece(&mut out, start, r.end, r.distance);
        }
    }
    out
}

fn push_piece(out: &mut Vec<Repeat>, start: usize, end: usize, distance: usize) {
    if end - start >= MIN_REPEAT {
        out.push(Repeat {
            start,
            end,
            distance,
        });
    }
}

/// The long repeats of `data` that are taken out of it: none if it is shorter than
/// [`MIN_INPUT`], and none that cuts a JPEG, WAV or BMP inside it (or, if
/// `deflate_streams`, a deflate stream) in two, since a file cut in two would no longer be
/// found in the residual.
pub fn takeable(data: &[u8], deflate_streams: bool) -> Vec<Repeat> {
    if data.len() < MIN_INPUT {
        return Vec::new();
    }
    let repeats = find(data);
    if repeats.is_empty() {
        return repeats;
    }
    let mut parts = embedded::find(data);
    if deflate_streams {
        parts.extend(deflate::spans(data));
        parts.sort_by_key(|r| r.start);
    }
    clip(&repeats, &parts)
}

/// The payload for `data`, when it holds long repeats and is long enough to look for them
/// (else `data` back); the residual is coded by `residual_method`. `data` is dropped once
/// the residual is cut out of it.
pub fn encode(
    data: Vec<u8>,
    residual_method: impl FnOnce(&mut [u8]) -> (Method, Vec<u8>),
) -> Result<Vec<u8>, Vec<u8>> {
    let repeats = takeable(&data, true);
    if repeats.is_empty() {
        return Err(data);
    }
    let references = references(&repeats);
    let mut residual = residual(&data, &repeats);
    let original_len = data.len();
    drop(data);
    let (method, mut coded) = residual_method(&mut residual);
    debug_assert!(method != Method::Long);
    let mut head = Vec::with_capacity(4 + references.len() * REFERENCE_BYTES + 9);
    write_references(&mut head, &references);
    head.push(method as u8);
    head.extend_from_slice(&(coded.len() as u64).to_le_bytes());
    let len = head.len() + coded.len();
    // Each reference stands for at least 4 KiB in 24 bytes and the residual's payload is
    // never longer than the residual, so this holds; should it not, the input is rebuilt.
    if len < original_len && possible(original_len as u64, len) {
        drop(residual);
        // The residual's payload with the references put before it, not copied after them:
        // an incompressible residual's payload is as long as the input.
        coded.reserve_exact(head.len());
        coded.splice(0..0, head);
        Ok(coded)
    } else {
        Err(rebuild(&residual, &references, original_len).expect("references fit"))
    }
}

/// `(start, length, distance)` of each reference standing for `repeats`: a repeat longer
/// than [`MAX_REFERENCE`] takes several.
pub fn references(repeats: &[Repeat]) -> Vec<Reference> {
    let mut out = Vec::new();
    for r in repeats {
        let mut start = r.start;
        while start < r.end {
            let len = (r.end - start).min(MAX_REFERENCE);
            out.push((start, len, r.distance));
            start += len;
        }
    }
    out
}

/// `data` without the bytes of `repeats` (in order and apart).
pub fn residual(data: &[u8], repeats: &[Repeat]) -> Vec<u8> {
    embedded::outside(data, repeats.iter().map(|r| r.start..r.end))
}

/// `reference count (u32 LE) | per reference: start, length, distance (u64 LE each)`.
pub fn write_references(out: &mut Vec<u8>, references: &[Reference]) {
    out.extend_from_slice(&(references.len() as u32).to_le_bytes());
    for &(start, len, distance) in references {
        for v in [start, len, distance] {
            out.extend_from_slice(&(v as u64).to_le_bytes());
        }
    }
}

/// Reads what [`write_references`] wrote, checking that the references lie in order and
/// apart within the first `file_len` bytes, each reaching back no further than the start
/// and no longer than [`MAX_REFERENCE`]; returns them with the bytes they cover.
pub fn read_references(
    fields: &mut Fields,
    file_len: u64,
    what: &str,
) -> io::Result<(Vec<Reference>, u64)> {
    let count = fields.count(REFERENCE_BYTES, "references")?;
    let mut references = Vec::new();
    let mut at = 0u64;
    let mut covered = 0u64;
    for _ in 0..count {
        let (start, len, distance) = (fields.u64()?, fields.u64()?, fields.u64()?);
        let end = start
            .checked_add(len)
            .filter(|&e| start >= at && e <= file_len)
            .ok_or_else(|| invalid(format!("{what}: references overlap or run past the file")))?;
        if distance == 0 || distance > start || len > MAX_REFERENCE as u64 {
            return Err(invalid(format!(
                "{what}: a reference of {len} bytes at {start} from {distance} back"
            )));
        }
        covered += len;
        references.push((start as usize, len as usize, distance as usize));
        at = end;
    }
    Ok((references, covered))
}

/// The original of `original_len` bytes from its residual and its references (in order,
/// checked).
fn rebuild(residual: &[u8], references: &[Reference], original_len: usize) -> io::Result<Vec<u8>> {
    let what = "long-repeat payload";
    let mut out = Vec::new();
    let mut from = 0;
    for &(start, len, distance) in references {
        let gap = start - out.len();
        grow::append(&mut out, &residual[from..from + gap], original_len, what)?;
        from += gap;
        grow::room(&mut out, len, original_len, what)?;
        // The copy repeats every `distance` bytes from `source`: each step copies all that is
        // there so far, so a run of one byte takes log2 steps, not one per byte.
        let source = out.len() - distance;
        let mut left = len;
        while left > 0 {
            let n = left.min(out.len() - source);
            out.extend_from_within(source..source + n);
            left -= n;
        }
    }
    grow::append(&mut out, &residual[from..], original_len, what)?;
    Ok(out)
}

/// [`rebuild`] in the residual's own buffer, grown to the original's length: the residual's
/// pieces move to their places (the last first), then the references are copied (the first
/// first). The decoder then holds the original once, not the residual besides it.
pub fn rebuild_in_place(
    mut data: Vec<u8>,
    references: &[Reference],
    original_len: usize,
) -> io::Result<Vec<u8>> {
    let residual_len = data.len();
    grow::room(
        &mut data,
        original_len - residual_len,
        original_len,
        "long-repeat payload",
    )?;
    data.resize(original_len, 0);
    let (mut from, mut to) = (residual_len, original_len);
    for &(start, len, _) in references.iter().rev() {
        let after = to - (start + len);
        data.copy_within(from - after..from, start + len);
        from -= after;
        to = start;
    }
    debug_assert_eq!(from, to);
    for &(start, len, distance) in references {
        // A forward copy: each step copies all of the repeat that is there so far.
        let source = start - distance;
        let mut done = 0;
        while done < len {
            let n = (len - done).min(distance + done);
            data.copy_within(source..source + n, start + done);
            done += n;
        }
    }
    Ok(data)
}

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let what = "long-repeat payload";
    let mut fields = Fields::new(payload, what);
    let (references, in_references) = read_references(&mut fields, original_len as u64, what)?;
    let method = Method::from_byte(fields.byte()?)
        .filter(|&m| !matches!(m, Method::Long | Method::Pieces))
        .ok_or_else(|| invalid(format!("{what}: bad method for the residual")))?;
    let residual_len = original_len - in_references as usize;
    let coded_len = fields.u64()?;
    let coded = fields.take(coded_len)?;
    fields.finish()?;
    if !possible(residual_len as u64, coded.len()) {
        return Err(invalid(format!(
            "{what}: a residual of {residual_len} bytes is impossible for {coded_len} coded bytes"
        )));
    }
    let residual = method::decode(method, coded, residual_len)?;
    if residual.len() != residual_len {
        return Err(invalid(format!(
            "{what}: the residual decoded to the wrong length"
        )));
    }
    rebuild_in_place(residual, &references, original_len)
}

/// A repeat of `start..end` at distance 1 (each byte the one before it), for tests of
/// ranges.
#[cfg(test)]
pub fn next_byte_repeat(start: usize, end: usize) -> Repeat {
    Repeat {
        start,
        end,
        distance: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_noise::noise;

    fn check(data: &[u8], found: &[Repeat]) {
        let mut last = 0;
        for r in found {
            assert!(r.start >= last && r.end - r.start >= MIN_REPEAT && r.distance >= 1);
            for i in r.start..r.end {
                assert_eq!(data[i], data[i - r.distance], "at {i}");
            }
            last = r.end;
        }
    }

    fn stored(data: &mut [u8]) -> (Method, Vec<u8>) {
        (Method::Stored, data.to_vec())
    }

    #[test]
    fn finds_repeats_far_back_and_their_exact_extent() {
        let block = noise(300_000, 1);
        let mut data = noise(1_003, 2);
        data.extend_from_slice(&block);
        data.extend_from_slice(&noise(2_000_001, 3));
        let at = data.len();
        data.extend_from_slice(&block);
        data.extend_from_slice(&noise(777, 4));
        let found = find(&data);
        check(&data, &found);
        let &[r] = &found[..] else {
            panic!("{found:?}")
        };
        assert_eq!(r.distance, at - 1_003);
        assert!(r.start <= at && at - r.start < 8);
        assert!(r.end >= at + block.len() && r.end - at - block.len() < 8);
    }

    #[test]
    fn repeats_round_trip_and_cost_little() {
        let block = noise(1 << 20, 5);
        let mut data = block.clone();
        data.extend_from_slice(&noise(10_000, 6));
        data.extend_from_slice(&block[1000..]);
        data.extend(std::iter::repeat_n(7u8, 3 << 20));
        data.extend_from_slice(&block[..5000]);
        let p = encode(data.clone(), stored).expect("repeats found");
        assert!(p.len() < block.len() + 10_000 + 4096, "{}", p.len());
        assert_eq!(decode(&p, data.len()).unwrap(), data);
        assert!(encode(data[..MIN_INPUT - 1].to_vec(), stored).is_err());
        assert!(encode(noise(2 << 20, 7), stored).is_err());
    }

    #[test]
    fn parts_partly_covered_are_left_out() {
        let r = next_byte_repeat;
        let parts = [100..200, 10_000..20_000, 30_000..31_000, 45_000..60_000];
        assert_eq!(
            clip(&[r(0, 50_000)], &parts),
            vec![r(0, 45_000)],
            "parts inside stay whole"
        );
        assert_eq!(
            clip(&[r(15_000, 40_000), r(50_000, 70_000)], &parts),
            vec![r(20_000, 40_000), r(60_000, 70_000)],
            "parts partly covered are cut out, and a short piece dropped"
        );
        assert_eq!(clip(&[r(12_000, 19_000)], &parts), vec![]);
    }

    #[test]
    fn malformed_payloads_are_errors() {
        let mut data = noise(1 << 20, 8);
        data.extend_from_within(..200_000);
        let p = encode(data.clone(), stored).unwrap();
        assert_eq!(decode(&p, data.len()).unwrap(), data);
        let message = |q: &[u8]| decode(q, data.len()).unwrap_err().to_string();
        for cut in [0, 3, 20, 28, 29, 40, p.len() - 1] {
            assert!(decode(&p[..cut], data.len()).is_err(), "{cut}");
        }
        let field = |k: usize, v: u64| {
            let mut q = p.clone();
            q[4 + 8 * k..12 + 8 * k].copy_from_slice(&v.to_le_bytes());
            q
        };
        assert!(message(&field(0, u64::MAX)).contains("run past"));
        assert!(message(&field(1, u64::MAX)).contains("run past"));
        assert!(message(&field(2, 0)).contains("back"));
        assert!(message(&field(2, u64::MAX)).contains("back"));
        let mut nested = p.clone();
        nested[4 + REFERENCE_BYTES] = Method::Long as u8;
        assert!(message(&nested).contains("bad method"));
        let mut count = p.clone();
        count[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(message(&count).contains("cannot fit"));
        let mut extra = p.clone();
        extra.push(0);
        assert!(decode(&extra, data.len()).is_err());
    }
}
