//! Progressive JPEG: every scan's entropy-coded bits are coded by a model that follows their
//! decoding ([`follow`](super::follow)) and keeps each block's coefficients as the scans
//! refine them, so a bit is predicted from what earlier scans and neighbouring blocks hold;
//! the bytes between the scans (headers, tables) go through the general model. As for
//! baseline files, nothing is re-encoded: any file whose markers parse round-trips.
//!
//! Payload: `general payload length (u32 LE) | general payload of the bytes outside the scans |
//! scan count (u32 LE) | each scan's length (u32 LE) | the scans, coded as one stream`.
//! The decoder finds each scan's place and parameters by walking the bytes outside them.

use super::coding;
use super::follow::Follower;
use super::frame::{self, Frame, Scan};
use super::header::scan_end;
use super::pmodel::ProgressiveModel;
use super::MIN_SCAN;
use crate::coder::{Decoder, Encoder, MAX_STEPS_PER_BYTE};
use crate::error::invalid;
use crate::fields::Fields;
use crate::{general, grow};
use std::io;

/// Returns the coded payload, or `None` when `data` is not a progressive JPEG worth modelling.
pub fn encode(data: &[u8]) -> Option<Vec<u8>> {
    u32::try_from(data.len()).ok()?;
    let (_, found) = frame::walk(data, true)?;
    let ranges: Vec<(usize, usize)> = found.iter().map(|s| (s.at, scan_end(data, s.at))).collect();
    let total: usize = ranges.iter().map(|(a, b)| b - a).sum();
    if total < MIN_SCAN {
        return None;
    }
    let mut outside = Vec::with_capacity(data.len() - total);
    let mut pos = 0;
    for &(a, b) in &ranges {
        outside.extend_from_slice(&data[pos..a]);
        pos = b;
    }
    outside.extend_from_slice(&data[pos..]);
    // The decoder sees only the bytes outside the scans: they must show the same scans.
    let (frame, scans) = frame::walk(&outside, false)?;
    if scans.len() != ranges.len() || places(&scans, &ranges).is_none() || !fits(&frame, total) {
        return None;
    }
    let general = general::encode(&outside)?;
    let mut out = Vec::new();
    out.extend_from_slice(&(general.len() as u32).to_le_bytes());
    out.extend_from_slice(&general);
    out.extend_from_slice(&(ranges.len() as u32).to_le_bytes());
    for (a, b) in &ranges {
        out.extend_from_slice(&((b - a) as u32).to_le_bytes());
    }
    let mut follower = Follower::new(&frame);
    let mut model = ProgressiveModel::new(total);
    let mut enc = Encoder::new();
    let mut first = 0u64;
    for (scan, &(a, b)) in scans.iter().zip(&ranges) {
        follower.start_scan(scan);
        coding::encode(&data[a..b], first, &mut follower, &mut model, &mut enc);
        first += (b - a) as u64;
    }
    out.extend_from_slice(&enc.finish());
    Some(out)
}

/// Whether `total` bytes of scans can hold the frame's blocks: a first DC scan alone takes at
/// least one bit per block. This bounds what a decoder allocates by what it has read.
fn fits(frame: &Frame, total: usize) -> bool {
    frame.blocks() <= total.saturating_mul(8).saturating_add(4096)
}

/// Checks that each scan of the cut-out bytes sits where the whole file's scan did, less the
/// scan data before it.
fn places(scans: &[Scan], ranges: &[(usize, usize)]) -> Option<()> {
    let mut cut = 0;
    for (s, &(a, b)) in scans.iter().zip(ranges) {
        (s.at + cut == a).then_some(())?;
        cut += b - a;
    }
    Some(())
}

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let mut f = Fields::new(payload, "progressive jpeg payload");
    let general_len = f.u32()?;
    let general = f.take(general_len)?;
    let count = f.u32()? as usize;
    // Each scan length takes 4 bytes of payload, so the count is bounded by what was read.
    if count > f.remaining() / 4 {
        return Err(invalid(
            "progressive jpeg payload: more scans than it holds".into(),
        ));
    }
    let lengths = (0..count)
        .map(|_| f.u32().map(|n| n as usize))
        .collect::<io::Result<Vec<_>>>()?;
    let total = lengths
        .iter()
        .try_fold(0usize, |t, &n| t.checked_add(n))
        .filter(|&t| t <= original_len)
        .ok_or_else(|| invalid("progressive jpeg payload: scans longer than the file".into()))?;
    let coded = f.rest();
    // Every byte of the scans takes 8 coder steps.
    if total as u64 > coded.len() as u64 * (MAX_STEPS_PER_BYTE / 8) {
        return Err(invalid(format!(
            "progressive jpeg payload: {} coded bytes cannot hold scans of {total} bytes",
            coded.len()
        )));
    }
    let outside = general::decode(general, original_len - total)?;
    let (frame, scans) = frame::walk(&outside, false)
        .filter(|(f, s)| s.len() == count && fits(f, total))
        .ok_or_else(|| {
            invalid("progressive jpeg payload: the stored headers do not parse".into())
        })?;
    let mut data = Vec::new();
    let what = "progressive jpeg model output";
    let mut follower = Follower::new(&frame);
    let mut model = ProgressiveModel::new(total);
    let mut dec = Decoder::new(coded);
    let mut pos = 0;
    let mut first = 0u64;
    for (scan, &n) in scans.iter().zip(&lengths) {
        grow::append(&mut data, &outside[pos..scan.at], original_len, what)?;
        pos = scan.at;
        follower.start_scan(scan);
        coding::decode(
            n,
            first,
            &mut follower,
            &mut model,
            &mut dec,
            &mut data,
            original_len,
        )?;
        first += n as u64;
    }
    dec.end("progressive jpeg model")?;
    grow::append(&mut data, &outside[pos..], original_len, what)?;
    Ok(data)
}
