//! Baseline JPEGs inside other files (archives of photos, PDF images, game data): where each
//! one starts and ends, so it can be coded by the JPEG model while the bytes around it go to
//! the general model.

use super::{header, MIN_SCAN};
use std::ops::Range;

/// The baseline JPEGs in `data` worth modelling, in order and disjoint. Each range runs from
/// the start-of-image marker through the end-of-image marker that follows its first scan (or
/// to the end of `data` when none does).
pub fn embedded(data: &[u8]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = next_start(data, at) {
        match extent(&data[start..]) {
            Some(len) => {
                found.push(start..start + len);
                at = start + len;
            }
            None => at = start + 1,
        }
    }
    found
}

/// Offset of the next `FF D8 FF` (start of image, then a marker) at or after `from`.
fn next_start(data: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(k) = data.get(i..)?.iter().position(|&b| b == 0xFF) {
        let p = i + k;
        if data.get(p + 1..p + 3)? == [0xD8, 0xFF] {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

/// Length of the JPEG at the start of `d`, if it parses and its scan is long enough.
fn extent(d: &[u8]) -> Option<usize> {
    let head = header::parse(d)?;
    let end = header::scan_end(d, head.scan_start);
    if end - head.scan_start < MIN_SCAN {
        return None;
    }
    // Later scans of a non-interleaved file, if any, run to the end-of-image marker.
    let eoi = d[end..]
        .windows(2)
        .position(|w| w == [0xFF, 0xD9])
        .map_or(d.len(), |k| end + k + 2);
    Some(eoi)
}
