//! Segments: a run of bytes is a sequence of `kind (1) | raw length (u32 LE) | coded length
//! (u32 LE) | bytes`. Kind 0 stores bytes, kind 1 is a fresh arithmetic-coder stream driven
//! by the run's predictor. Stored bytes still join the predictor's history (uncoded), so the
//! match model finds later repeats of them.

use super::analyze;
use super::cm;
use super::pipeline::RemoteInputs;
use super::predictor::Predictor;
use crate::container::invalid;
use std::io;

/// Longest segment, so raw lengths fit a u32 comfortably.
const MAX_SEGMENT: usize = 1 << 30;
const KIND_STORED: u8 = 0;
const KIND_CM: u8 = 1;

/// Runs of equal classification, as `(start, end, stored)`, at most `MAX_SEGMENT` long.
pub fn plan(data: &[u8]) -> Vec<(usize, usize, bool)> {
    let flags = analyze::incompressible_blocks(data);
    let mut segs: Vec<(usize, usize, bool)> = Vec::new();
    for (i, &stored) in flags.iter().enumerate() {
        let start = i * analyze::BLOCK;
        let end = (start + analyze::BLOCK).min(data.len());
        match segs.last_mut() {
            Some(last) if last.2 == stored && last.1 - last.0 + (end - start) <= MAX_SEGMENT => {
                last.1 = end
            }
            _ => segs.push((start, end, stored)),
        }
    }
    segs
}

/// Bytes of `segs` that are modelled rather than stored.
pub fn modelled(segs: &[(usize, usize, bool)]) -> usize {
    segs.iter().filter(|s| !s.2).map(|s| s.1 - s.0).sum()
}

/// Codes the segments `segs` of `data` with `predictor` (none when nothing is modelled), the
/// inputs of any contexts run elsewhere taken from `remote`.
pub fn code(
    mut predictor: Option<&mut Predictor>,
    data: &[u8],
    segs: &[(usize, usize, bool)],
    mut remote: Option<&mut RemoteInputs>,
) -> Vec<u8> {
    let mut out = Vec::new();
    for &(start, end, stored) in segs {
        let raw = &data[start..end];
        let (kind, coded) = match predictor.as_deref_mut() {
            Some(p) if !stored => (KIND_CM, cm::encode(p, raw, remote.as_deref_mut())),
            Some(p) => {
                p.observe(raw);
                (KIND_STORED, raw.to_vec())
            }
            None => (KIND_STORED, raw.to_vec()),
        };
        out.push(kind);
        out.extend_from_slice(&(raw.len() as u32).to_le_bytes());
        out.extend_from_slice(&(coded.len() as u32).to_le_bytes());
        out.extend_from_slice(&coded);
    }
    out
}

/// One parsed segment.
pub struct Segment<'a> {
    kind: u8,
    raw_len: usize,
    bytes: &'a [u8],
}

/// Splits `run` into segments whose raw lengths add up to exactly `n`.
pub fn parse(run: &[u8], n: usize) -> io::Result<Vec<Segment<'_>>> {
    let mut segs = Vec::new();
    let mut pos = 0;
    let mut total = 0usize;
    while total < n {
        let head = run
            .get(pos..pos + 9)
            .ok_or_else(|| invalid("general model: truncated segment header".into()))?;
        let kind = head[0];
        let raw_len = u32::from_le_bytes(head[1..5].try_into().expect("4 bytes")) as usize;
        let coded_len = u32::from_le_bytes(head[5..9].try_into().expect("4 bytes")) as usize;
        pos += 9;
        if raw_len == 0 || raw_len > n - total {
            return Err(invalid(format!(
                "general model: segment length {raw_len} does not fit the {} bytes left",
                n - total
            )));
        }
        let bytes = run
            .get(pos..)
            .and_then(|rest| rest.get(..coded_len))
            .ok_or_else(|| invalid("general model: segment runs past the payload".into()))?;
        match kind {
            KIND_STORED if coded_len != raw_len => {
                return Err(invalid(
                    "general model: stored segment length mismatch".into(),
                ))
            }
            KIND_STORED | KIND_CM => {}
            _ => {
                return Err(invalid(format!(
                    "general model: unknown segment kind {kind}"
                )))
            }
        }
        pos += coded_len;
        total += raw_len;
        segs.push(Segment {
            kind,
            raw_len,
            bytes,
        });
    }
    if pos != run.len() {
        return Err(invalid(
            "general model: trailing bytes after the last segment".into(),
        ));
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
/// modelled: then every segment must be stored).
pub fn decode(
    mut predictor: Option<&mut Predictor>,
    segs: &[Segment],
    out: &mut Vec<u8>,
) -> io::Result<()> {
    for seg in segs {
        match predictor.as_deref_mut() {
            Some(p) if seg.kind == KIND_CM => cm::decode(p, seg.bytes, seg.raw_len, out)?,
            Some(p) => {
                p.observe(seg.bytes);
                out.extend_from_slice(seg.bytes);
            }
            None if seg.kind == KIND_CM => {
                return Err(invalid(
                    "general model: a coded segment without a model".into(),
                ))
            }
            None => out.extend_from_slice(seg.bytes),
        }
    }
    Ok(())
}
