//! Segments: a run of bytes is a sequence of `kind (1) | raw length (u32 LE) | coded length
//! (u32 LE) | bytes`. Kind 0 stores bytes, kind 1 is a fresh arithmetic-coder stream driven
//! by the run's predictor, kind 2 is a long repeat: its 4 bytes are the distance (u32 LE)
//! back to the bytes it repeats, within the run. Stored and repeated bytes still join the
//! predictor's history (uncoded), so the match model finds later repeats of them.

use super::analyze;
use super::cm;
use super::history::History;
use super::limit::CodedLimit;
use super::pipeline::RemoteInputs;
use super::predictor::Predictor;
use super::repeats;
use crate::coder::MAX_STEPS_PER_BYTE;
use crate::error::invalid;
use crate::grow;
use std::borrow::Cow;
use std::io;

/// Longest segment, so raw lengths fit a u32 comfortably.
const MAX_SEGMENT: usize = 1 << 30;
const KIND_STORED: u8 = 0;
const KIND_CM: u8 = 1;
const KIND_REPEAT: u8 = 2;

/// How a planned segment is coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Modelled,
    Stored,
    /// A repeat of the bytes this far back in the run.
    Repeat {
        distance: usize,
    },
}

/// A planned segment: `(start, end, coding)`.
pub type Planned = (usize, usize, Coding);

/// The segments of `data`: its long repeats, and between them runs of blocks of equal
/// classification (modelled or stored), each at most `MAX_SEGMENT` long.
pub fn plan(data: &[u8]) -> Vec<Planned> {
    let flags = analyze::incompressible_blocks(data);
    let mut segs: Vec<Planned> = Vec::new();
    let mut at = 0;
    let end_mark = (data.len(), data.len(), 0);
    for (start, end, distance) in repeats::find(data).into_iter().chain([end_mark]) {
        while at < start {
            let block = at / analyze::BLOCK;
            let stop = ((block + 1) * analyze::BLOCK).min(start);
            let coding = if flags[block] {
                Coding::Stored
            } else {
                Coding::Modelled
            };
            match segs.last_mut() {
                Some(last) if last.2 == coding && stop - last.0 <= MAX_SEGMENT => last.1 = stop,
                _ => segs.push((at, stop, coding)),
            }
            at = stop;
        }
        let mut from = start;
        while from < end {
            let to = (from + repeats::MAX_REPEAT).min(end);
            segs.push((from, to, Coding::Repeat { distance }));
            from = to;
        }
        at = at.max(end);
    }
    segs
}

/// Bytes of `segs` that are modelled rather than stored or repeated.
pub fn modelled(segs: &[Planned]) -> usize {
    segs.iter()
        .filter(|s| s.2 == Coding::Modelled)
        .map(|s| s.1 - s.0)
        .sum()
}

/// A run's coded bytes in parts, in order: a stored segment's part is the data's own bytes,
/// not a copy (an incompressible input's run held a copy of it beside it, and its joined
/// layout a third).
pub type Parts<'a> = Vec<Cow<'a, [u8]>>;

/// Codes the segments `segs` of `data` with `predictor` (none when nothing is modelled), the
/// inputs of any contexts run elsewhere taken from `remote`. The predictor's history is `head`
/// followed by `data`: it has seen `head` (a forked half's trunk) and nothing else. `None`
/// once the coded bytes (headers and stored bytes included) pass `limit`.
pub fn code<'a>(
    mut predictor: Option<&mut Predictor>,
    head: &[u8],
    data: &'a [u8],
    segs: &[Planned],
    mut remote: Option<&mut RemoteInputs>,
    limit: Option<&CodedLimit>,
) -> Option<Parts<'a>> {
    let mut parts = Vec::with_capacity(2 * segs.len());
    for &(start, end, coding) in segs {
        let raw = &data[start..end];
        let (kind, coded) = match (coding, predictor.as_deref_mut()) {
            (Coding::Modelled, Some(p)) => (
                KIND_CM,
                Cow::Owned(cm::encode(
                    p,
                    head,
                    data,
                    start..end,
                    remote.as_deref_mut(),
                    limit,
                )?),
            ),
            (Coding::Modelled | Coding::Stored, _) => (KIND_STORED, Cow::Borrowed(raw)),
            (Coding::Repeat { distance }, _) => {
                let distance = u32::try_from(distance).expect("repeats lie within 4 GiB");
                (KIND_REPEAT, Cow::Owned(distance.to_le_bytes().to_vec()))
            }
        };
        if let (KIND_STORED | KIND_REPEAT, Some(p)) = (kind, predictor.as_deref_mut()) {
            p.observe(History::new(head, &data[..end]));
        }
        let mut header = Vec::with_capacity(9);
        header.push(kind);
        header.extend_from_slice(&(raw.len() as u32).to_le_bytes());
        header.extend_from_slice(&(coded.len() as u32).to_le_bytes());
        let counted = header.len() + if kind == KIND_CM { 0 } else { coded.len() };
        if limit.is_some_and(|l| !l.take(counted)) {
            return None;
        }
        parts.push(Cow::Owned(header));
        parts.push(coded);
    }
    Some(parts)
}

/// Bytes of `parts`.
pub fn parts_len(parts: &Parts) -> usize {
    parts.iter().map(|p| p.len()).sum()
}

/// Appends `parts` to `out`, each dropped once copied.
pub fn append(out: &mut Vec<u8>, parts: Parts) {
    out.reserve(parts_len(&parts));
    for part in parts {
        out.extend_from_slice(&part);
    }
}

/// One parsed segment.
pub struct Segment<'a> {
    kind: u8,
    raw_len: usize,
    bytes: &'a [u8],
}

/// Splits `run` into segments whose raw lengths add up to exactly `n`, each within what its
/// coded bytes can hold.
pub fn parse(run: &[u8], n: usize) -> io::Result<Vec<Segment<'_>>> {
    let mut segs = Vec::new();
    let mut rest = run;
    let mut total = 0usize;
    while total < n {
        let (head, after) = rest
            .split_first_chunk::<9>()
            .ok_or_else(|| invalid("general model: truncated segment header".into()))?;
        let kind = head[0];
        let raw_len = u32::from_le_bytes(head[1..5].try_into().expect("4 bytes")) as usize;
        let coded_len = u32::from_le_bytes(head[5..9].try_into().expect("4 bytes")) as usize;
        if raw_len == 0 || raw_len > n - total {
            return Err(invalid(format!(
                "general model: segment length {raw_len} does not fit the {} bytes left",
                n - total
            )));
        }
        let bytes = after.get(..coded_len).ok_or_else(|| {
            invalid(format!(
                "general model: a segment of {coded_len} coded bytes runs past the {} left",
                after.len()
            ))
        })?;
        match kind {
            KIND_STORED if coded_len != raw_len => {
                return Err(invalid(
                    "general model: stored segment length mismatch".into(),
                ))
            }
            KIND_REPEAT if coded_len != 4 => {
                return Err(invalid(
                    "general model: a repeat segment's distance is not 4 bytes".into(),
                ))
            }
            // Every byte of a coded segment takes 8 coder steps.
            KIND_CM if raw_len as u64 > coded_len as u64 * (MAX_STEPS_PER_BYTE / 8) => {
                return Err(invalid(format!(
                    "general model: {coded_len} coded bytes cannot hold a segment of {raw_len} bytes"
                )))
            }
            KIND_STORED | KIND_CM | KIND_REPEAT => {}
            _ => {
                return Err(invalid(format!(
                    "general model: unknown segment kind {kind}"
                )))
            }
        }
        rest = &after[coded_len..];
        total += raw_len;
        segs.push(Segment {
            kind,
            raw_len,
            bytes,
        });
    }
    if !rest.is_empty() {
        return Err(invalid(format!(
            "general model: {} bytes after the last segment",
            rest.len()
        )));
    }
    Ok(segs)
}

/// Bytes of parsed `segs` that are modelled rather than stored.
pub fn parsed_modelled(segs: &[Segment]) -> usize {
    segs.iter()
        .filter(|s| s.kind == KIND_CM)
        .map(|s| s.raw_len)
        .sum()
}

/// Appends the decoded bytes of `segs` to `out`, with `predictor` (none when nothing is
/// modelled: then every segment must be stored), whose history is `head` followed by `out`.
/// Buffers grow as bytes are decoded.
pub fn decode(
    mut predictor: Option<&mut Predictor>,
    segs: &[Segment],
    head: &[u8],
    out: &mut Vec<u8>,
) -> io::Result<()> {
    let run_start = out.len();
    // Parsing checked that the raw lengths add up to the run's length.
    let run_len: usize = segs.iter().map(|s| s.raw_len).sum();
    let out_limit = run_start + run_len;
    debug_assert!(predictor
        .as_ref()
        .is_none_or(|p| p.history_len() == head.len() + out.len()));
    for seg in segs {
        match (seg.kind, predictor.as_deref_mut()) {
            (KIND_CM, Some(p)) => cm::decode(p, seg.bytes, seg.raw_len, head, out, out_limit)?,
            (KIND_CM, None) => {
                return Err(invalid(
                    "general model: a coded segment without a model".into(),
                ))
            }
            (KIND_REPEAT, _) => repeat(seg, run_start, out, out_limit)?,
            _ => grow::append(out, seg.bytes, out_limit, "general model output")?,
        }
        if let (KIND_STORED | KIND_REPEAT, Some(p)) = (seg.kind, predictor.as_deref_mut()) {
            p.observe(History::new(head, out));
        }
    }
    Ok(())
}

/// Appends a repeat segment's bytes: a forward copy from its distance back, which must lie
/// within the run (that starts at `run_start` of `out`).
fn repeat(seg: &Segment, run_start: usize, out: &mut Vec<u8>, limit: usize) -> io::Result<()> {
    let distance = u32::from_le_bytes(seg.bytes.try_into().expect("checked by parse")) as usize;
    if distance == 0 || distance > out.len() - run_start {
        return Err(invalid(format!(
            "general model: a repeat {distance} bytes back reaches outside its run"
        )));
    }
    grow::room(out, seg.raw_len, limit, "general model output")?;
    let from = out.len() - distance;
    let mut left = seg.raw_len;
    // The bytes from `from` on repeat with period `distance`, so each copy may take twice
    // as many as the one before.
    while left > 0 {
        let take = left.min(out.len() - from);
        out.extend_from_within(from..from + take);
        left -= take;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_cover_every_byte_and_cut_long_repeats() {
        let mut data = b"a short head, then zeros".to_vec();
        data.resize(3 * repeats::MAX_REPEAT, 0);
        data.extend_from_slice(b"and a tail");
        let segs = plan(&data);
        let mut at = 0;
        for &(start, end, coding) in &segs {
            assert_eq!(start, at);
            assert!(end > start);
            if let Coding::Repeat { distance } = coding {
                assert!(end - start <= repeats::MAX_REPEAT);
                assert!((start..end).all(|i| data[i] == data[i - distance]));
            }
            at = end;
        }
        assert_eq!(at, data.len());
        let repeated: usize = segs
            .iter()
            .filter(|s| matches!(s.2, Coding::Repeat { .. }))
            .map(|s| s.1 - s.0)
            .sum();
        assert!(repeated > data.len() - 100, "{segs:?}");
        assert!(modelled(&segs) < 100);
    }
}
