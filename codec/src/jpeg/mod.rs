//! Baseline JPEG: the entropy-coded scan is coded bit by bit with a model that follows its
//! Huffman decoding ([`scan`]), so each bit is predicted from the coefficient it belongs to
//! and the neighbouring blocks ([`model`]); the bytes before and after the scan go through
//! the general model. Nothing is re-encoded: the file's own bits are coded, so any file the
//! header parser accepts round-trips, whatever its scan holds.
//!
//! Payload: `scan start (u32 LE) | scan length (u32 LE) | general payload length (u32 LE) |
//! general payload of the bytes outside the scan | coded scan`.

mod coding;
mod find;
mod follow;
mod frame;
mod header;
mod model;
mod nodes;
mod pmodel;
mod progressive;
#[cfg(test)]
mod progressive_tests;
mod scan;

#[cfg(test)]
pub(crate) mod tests;

use crate::coder::{Decoder, Encoder, MAX_STEPS_PER_BYTE};
use crate::error::invalid;
use crate::{general, grow};
pub use find::extent;
use model::JpegModel;
pub use progressive::{decode as decode_progressive, encode as encode_progressive};
use scan::ScanState;
use std::io;

/// Scans shorter than this are left to the general model.
const MIN_SCAN: usize = 1024;

/// Returns the coded payload, or `None` when `data` is not a baseline JPEG worth modelling.
pub fn encode(data: &[u8]) -> Option<Vec<u8>> {
    let head = header::parse(data)?;
    let start = head.scan_start;
    let end = header::scan_end(data, start);
    if end - start < MIN_SCAN || u32::try_from(data.len()).is_err() {
        return None;
    }
    let mut outside = data[..start].to_vec();
    outside.extend_from_slice(&data[end..]);
    let general = general::encode(&outside)?;
    let mut out = Vec::new();
    out.extend_from_slice(&(start as u32).to_le_bytes());
    out.extend_from_slice(&((end - start) as u32).to_le_bytes());
    out.extend_from_slice(&(general.len() as u32).to_le_bytes());
    out.extend_from_slice(&general);
    let mut state = ScanState::new(&head);
    let mut model = JpegModel::new(end - start);
    let mut enc = Encoder::new();
    coding::encode(&data[start..end], 0, &mut state, &mut model, &mut enc);
    out.extend_from_slice(&enc.finish());
    Some(out)
}

fn u32_at(p: &[u8], i: usize) -> io::Result<usize> {
    p.get(i..i + 4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
        .ok_or_else(|| invalid("jpeg model: payload shorter than its header".into()))
}

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let start = u32_at(payload, 0)?;
    let scan_len = u32_at(payload, 4)?;
    let general_len = u32_at(payload, 8)?;
    start
        .checked_add(scan_len)
        .filter(|&e| e <= original_len)
        .ok_or_else(|| invalid("jpeg model: scan runs past the file".into()))?;
    let general = payload
        .get(12..)
        .and_then(|p| p.get(..general_len))
        .ok_or_else(|| invalid("jpeg model: header payload runs past the end".into()))?;
    let coded = &payload[12 + general_len..];
    // Every byte of the scan takes 8 coder steps.
    if scan_len as u64 > coded.len() as u64 * (MAX_STEPS_PER_BYTE / 8) {
        return Err(invalid(format!(
            "jpeg model: {} coded bytes cannot hold a scan of {scan_len} bytes",
            coded.len()
        )));
    }
    let outside = general::decode(general, original_len - scan_len)?;
    let head = header::parse(&outside[..start.min(outside.len())])
        .filter(|h| h.scan_start == start)
        .ok_or_else(|| invalid("jpeg model: the stored header does not parse".into()))?;
    let mut data = Vec::new();
    let what = "jpeg model output";
    grow::append(&mut data, &outside[..start], original_len, what)?;
    let mut state = ScanState::new(&head);
    let mut model = JpegModel::new(scan_len);
    let mut dec = Decoder::new(coded);
    coding::decode(
        scan_len,
        0,
        &mut state,
        &mut model,
        &mut dec,
        &mut data,
        original_len,
    )?;
    dec.end("jpeg model")?;
    grow::append(&mut data, &outside[start..], original_len, what)?;
    Ok(data)
}
