//! Where a JPEG that starts a run of bytes ends, so a JPEG inside another file (an archive of
//! photos, a PDF image, game data) can be coded by the JPEG models.

use super::header::{self, scan_end};
use super::{frame, MIN_SCAN};

/// Length of the JPEG at the start of `d` if it parses as a baseline or progressive JPEG with
/// scans worth modelling: through the end-of-image marker after its (last modelled) scan, or
/// to the end of `d` when none follows.
pub fn extent(d: &[u8]) -> Option<usize> {
    let end = match header::parse(d) {
        Some(head) => {
            let end = scan_end(d, head.scan_start);
            (end - head.scan_start >= MIN_SCAN).then_some(end)?
        }
        None => {
            let (_, scans) = frame::walk(d, true)?;
            let ends: Vec<usize> = scans.iter().map(|s| scan_end(d, s.at)).collect();
            let total: usize = scans.iter().zip(&ends).map(|(s, e)| e - s.at).sum();
            (total >= MIN_SCAN).then_some(*ends.last()?)?
        }
    };
    // Later scans of a non-interleaved baseline file, if any, run to the end-of-image marker.
    let eoi = d[end..]
        .windows(2)
        .position(|w| w == [0xFF, 0xD9])
        .map_or(d.len(), |k| end + k + 2);
    Some(eoi)
}
