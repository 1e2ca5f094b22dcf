//! Forked lanes: one predictor codes a short trunk, then a copy of it is made and the two code
//! the two halves of the rest at once, one per thread. Both halves start from everything
//! learned on the trunk, so they lose far less than independent halves. The trunk is
//! decoded on one core while the other waits, so a shorter trunk decodes faster: 1/16 of the
//! input, but at least [`MIN_TRUNK`] and at most 1/3 (format 7; formats 5-6 used 1/3).
//! Against a trunk of 1/3 this cost 0.14% on 55 MB of prose (decoded 11% faster),
//! 0.14-0.38% on 5-9 MB of text, source, records and machine code and 0.9% on 9 MB of JSON
//! lines. The copy doubles the model's memory, so each model's tables are sized for the
//! trunk and one half (format 8): on 9 MB inputs, 2^19 rather than 2^20 buckets per table,
//! which cost 0.07-0.27% and made decoding 3-28% faster (minimum of 4-5 alternating runs).
//!
//! Layout: `trunk coded length (u64 LE) | first half coded length (u64 LE) | trunk | first
//! half | second half`, each a run of [`segments`]. The raw lengths follow from the data length
//! alone ([`split`]).

use super::pipeline;
use super::predictor::{Params, Predictor};
use super::segments;
use crate::error::invalid;
use crate::grow;
use std::io;

/// The shortest trunk (bytes): a model needs about this much to learn the data's statistics.
const MIN_TRUNK: usize = 1 << 20;

/// Raw lengths of the trunk and the two halves of `n` bytes.
pub fn split(n: usize) -> [usize; 3] {
    let trunk = (n / 16).max(MIN_TRUNK).min(n / 3);
    let first = (n - trunk) / 2;
    [trunk, first, n - trunk - first]
}

/// How many modelled bytes one predictor codes, given those of the trunk and the two halves:
/// its tables are sized for these (format 8; formats 5-7 sized them for all three parts, so
/// two models of twice the size shared the memory system).
fn seen_by_one_model([trunk, first, second]: [usize; 3]) -> usize {
    trunk + first.max(second)
}

/// The three parts of `data`, as cut by [`split`].
fn parts(data: &[u8]) -> [&[u8]; 3] {
    let [t, a, _] = split(data.len());
    let (trunk, rest) = data.split_at(t);
    let (first, second) = rest.split_at(a);
    [trunk, first, second]
}

/// Codes `data` as a trunk and two halves; the last `remote` contexts of the trunk run on a
/// thread of their own (this never changes the bytes).
pub fn encode(data: &[u8], params: Params, remote: usize) -> Vec<u8> {
    let [trunk, first, second] = parts(data);
    let plans = [
        segments::plan(trunk),
        segments::plan(first),
        segments::plan(second),
    ];
    let modelled = seen_by_one_model(plans.each_ref().map(|p| segments::modelled(p)));
    let mut a = (modelled > 0).then(|| Predictor::with_remote(modelled, params, remote));
    let coded_trunk = pipeline::code(a.as_mut(), trunk, &plans[0], params, modelled, remote);
    let mut b = a.clone();
    let (coded_first, coded_second) = std::thread::scope(|s| {
        let h = s.spawn(|| segments::code(a.as_mut(), first, &plans[1], None));
        let second = segments::code(b.as_mut(), second, &plans[2], None);
        (h.join().expect("lane thread panicked"), second)
    });
    let mut out = Vec::new();
    out.extend_from_slice(&(coded_trunk.len() as u64).to_le_bytes());
    out.extend_from_slice(&(coded_first.len() as u64).to_le_bytes());
    out.extend_from_slice(&coded_trunk);
    out.extend_from_slice(&coded_first);
    out.extend_from_slice(&coded_second);
    out
}

/// Reads a coded length at `at` that must fit in the `room` bytes left.
fn coded_length(payload: &[u8], at: usize, room: usize) -> io::Result<usize> {
    let raw = payload
        .get(at..at + 8)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
        .ok_or_else(|| invalid("general model: missing lane length".into()))?;
    usize::try_from(raw)
        .ok()
        .filter(|&l| l <= room)
        .ok_or_else(|| {
            invalid(format!(
                "general model: lane length {raw} too large for the {room} bytes left"
            ))
        })
}

/// Decodes what [`encode`] made of `n` bytes.
pub fn decode(payload: &[u8], n: usize, params: Params) -> io::Result<Vec<u8>> {
    let room = payload.len().saturating_sub(16);
    let trunk_len = coded_length(payload, 0, room)?;
    let first_len = coded_length(payload, 8, room - trunk_len)?;
    let (trunk, rest) = payload[16..].split_at(trunk_len);
    let (first, second) = rest.split_at(first_len);
    let [nt, na, nb] = split(n);
    let segs = [
        segments::parse(trunk, nt)?,
        segments::parse(first, na)?,
        segments::parse(second, nb)?,
    ];
    let modelled = seen_by_one_model(segs.each_ref().map(|s| segments::parsed_modelled(s)));
    let mut a = (modelled > 0).then(|| Predictor::new(modelled, params));
    let mut out = Vec::new();
    segments::decode(a.as_mut(), &segs[0], &mut out)?;
    let mut b = a.clone();
    let (first, second) = std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut out = Vec::new();
            segments::decode(a.as_mut(), &segs[1], &mut out).map(|()| out)
        });
        let mut out = Vec::new();
        let second = segments::decode(b.as_mut(), &segs[2], &mut out).map(|()| out);
        (h.join(), second)
    });
    let first = first.map_err(|_| invalid("general model: lane decoder failed".into()))??;
    let second = second?;
    grow::append(&mut out, &first, n, "general model output")?;
    grow::append(&mut out, &second, n, "general model output")?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trunk_is_a_sixteenth_within_its_bounds() {
        assert_eq!(split(90_000), [30_000, 30_000, 30_000]);
        assert_eq!(split(4 << 20)[0], MIN_TRUNK);
        assert_eq!(split(64 << 20)[0], 4 << 20);
        for n in [0, 1, 5, 3 << 20, (4 << 20) + 1, 55_574_528, 100 << 20] {
            let [t, a, b] = split(n);
            assert_eq!(t + a + b, n);
            assert!(t <= n / 3 && a.abs_diff(b) <= 1, "{n}");
        }
    }

    #[test]
    fn each_model_is_sized_for_the_trunk_and_its_longer_half() {
        assert_eq!(seen_by_one_model([10, 3, 5]), 15);
        assert_eq!(seen_by_one_model([10, 5, 3]), 15);
        assert_eq!(seen_by_one_model([0, 0, 0]), 0);
    }

    #[test]
    fn the_two_models_never_share_a_cache_line() {
        // Each is written every bit by its own thread; a shared line would bounce between cores.
        assert_eq!(std::mem::align_of::<Predictor>() % 128, 0);
    }
}
