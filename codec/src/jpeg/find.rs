//! Where a baseline JPEG that starts a run of bytes ends, so a JPEG inside another file (an
//! archive of photos, a PDF image, game data) can be coded by the JPEG model.

use super::{header, MIN_SCAN};

/// Length of the JPEG at the start of `d` if it parses as a baseline JPEG with a scan worth
/// modelling: through the end-of-image marker after its scan, or to the end of `d` when none
/// follows.
pub fn extent(d: &[u8]) -> Option<usize> {
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
