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

use super::bank::{size_bits, Sizes};
use super::hashes;
use super::pipeline;
use super::predictor::{Params, Predictor};
use super::segments;
use crate::error::invalid;
use crate::grow;
use std::io;

/// The shortest trunk (bytes): a model needs about this much to learn the data's statistics.
const MIN_TRUNK: usize = 1 << 20;

/// Inputs longer than this (64 MiB) are forked with their models sized for memory
/// ([`table_sizes`], layout 3); shorter ones keep layout 2, and so their bytes (session 21).
pub const BIG: usize = 64 << 20;

/// Context kinds whose tables grow first when the budget has room past the base size
/// (so80: orders 3 and 4 at 2^19 buckets gained 0.45%, orders 2 and 3 0.35%, the sparse
/// contexts 0.02%; session 21).
const LARGER_FIRST: [usize; 10] = [2, 3, 1, 5, 9, 11, 8, 10, 6, 7];

/// The table sizes of each of the two models coding `n` bytes, of which each model sees
/// `modelled` ([`seen_by_one_model`]): `2^`[`size_bits`] buckets per table; when `for_memory`
/// (layout 3), the largest base at which both models' tables together fit in `n` bytes,
/// then kinds of [`LARGER_FIRST`] twice that, in turn, while they still fit (never past the
/// uniform size). Then neither side holds more than about twice the input while the models
/// run: the encoder the input and the tables (the models read the input as their history,
/// [`super::history`]), the decoder what it has decoded and the tables, which it drops
/// before it joins the trunk and halves (at most 1.5 times the input). See [`planned_peak`].
pub fn table_sizes(n: usize, modelled: usize, params: Params, for_memory: bool) -> Sizes {
    let uniform = size_bits(modelled);
    let mut sizes = Sizes::uniform(uniform);
    if !for_memory {
        return sizes;
    }
    let fits = |s: Sizes| 2 * Predictor::table_bytes(s, params) <= n;
    while sizes.base > 10 && !fits(sizes) {
        sizes.base -= 1;
    }
    if sizes.base < uniform {
        let kinds = hashes::kinds(params);
        for k in LARGER_FIRST.into_iter().filter(|k| kinds.contains(k)) {
            if fits(sizes.with_larger(k)) {
                sizes = sizes.with_larger(k);
            }
        }
    }
    sizes
}

/// The most bytes of data, histories and tables either side holds at once while the general
/// model codes `n` bytes forked (besides the coded bytes, a few MiB of code and stacks, and
/// the x86 transform, which works in place when the input is owned): the encoder holds the
/// input and both models' tables; the decoder the parts decoded so far and the tables, then,
/// the tables dropped, the output and the longer half's copy while it joins them.
#[cfg(test)]
pub fn planned_peak(n: usize, params: Params) -> usize {
    let [trunk, first, second] = split(n);
    let bits = table_sizes(n, trunk + first.max(second), params, n > BIG);
    let tables = 2 * Predictor::table_bytes(bits, params);
    let encoder = n + tables;
    let decoder = (n + tables).max(n + first.max(second));
    encoder.max(decoder)
}

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

/// Codes `data` as a trunk and two halves after `head`, the models' tables sized for memory
/// when `for_memory` ([`table_sizes`]); the last `remote` contexts of the trunk run on a
/// thread of their own (this never changes the bytes).
pub fn encode(
    head: Vec<u8>,
    data: &[u8],
    params: Params,
    remote: usize,
    for_memory: bool,
) -> Vec<u8> {
    let [trunk, first, second] = parts(data);
    let plans = [
        segments::plan(trunk),
        segments::plan(first),
        segments::plan(second),
    ];
    let modelled = seen_by_one_model(plans.each_ref().map(|p| segments::modelled(p)));
    let bits = table_sizes(data.len(), modelled, params, for_memory);
    let mut a = (modelled > 0).then(|| Predictor::with_remote(bits, params, remote));
    let coded_trunk = pipeline::code(a.as_mut(), trunk, &plans[0], params, bits, remote);
    let mut b = a.clone();
    // Both models read the input as their history: the trunk, then their own half.
    let (coded_first, coded_second) = std::thread::scope(|s| {
        let h = s.spawn(|| segments::code(a.as_mut(), trunk, first, &plans[1], None));
        let second = segments::code(b.as_mut(), trunk, second, &plans[2], None);
        (h.join().expect("lane thread panicked"), second)
    });
    drop((a, b));
    let [first_len, second_len] = [&coded_first, &coded_second].map(segments::parts_len);
    let mut out = head;
    out.reserve_exact(16 + coded_trunk.len() + first_len + second_len);
    out.extend_from_slice(&(coded_trunk.len() as u64).to_le_bytes());
    out.extend_from_slice(&(first_len as u64).to_le_bytes());
    // Each part dropped once copied, and stored bytes copied from the input: the coded bytes
    // are held about once, not twice.
    out.extend_from_slice(&coded_trunk);
    drop(coded_trunk);
    segments::append(&mut out, coded_first);
    segments::append(&mut out, coded_second);
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
pub fn decode(payload: &[u8], n: usize, params: Params, for_memory: bool) -> io::Result<Vec<u8>> {
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
    let bits = table_sizes(n, modelled, params, for_memory);
    let mut a = (modelled > 0).then(|| Predictor::new(bits, params));
    let mut out = Vec::new();
    segments::decode(a.as_mut(), &segs[0], &[], &mut out)?;
    let mut b = a.clone();
    // Both models read the decoded trunk, then their own half, as their history.
    let trunk = &out[..];
    let (first, second) = std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut out = Vec::new();
            segments::decode(a.as_mut(), &segs[1], trunk, &mut out).map(|()| out)
        });
        let mut out = Vec::new();
        let second = segments::decode(b.as_mut(), &segs[2], trunk, &mut out).map(|()| out);
        (h.join(), second)
    });
    drop((a, b));
    let first = first.map_err(|_| invalid("general model: lane decoder failed".into()))??;
    let second = second?;
    grow::append(&mut out, &first, n, "general model output")?;
    drop(first);
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

    /// Every combination of the parameters that size the model (the record length only
    /// counts as present or not).
    fn all_params() -> Vec<Params> {
        (0..8)
            .map(|i| Params {
                record: if i & 1 != 0 { 64 } else { 0 },
                sparse: i & 2 != 0,
                columns: i & 4 != 0,
            })
            .collect()
    }

    #[test]
    fn inputs_over_64_mib_plan_at_most_twice_their_length() {
        // With the coded bytes (the compressor's output, the decompressor's input), a process
        // then peaks under 2.5 times the input: the promise of issue 28, part 4.
        const MIB: usize = 1 << 20;
        let mut n = BIG + 1;
        while n < 2048 * MIB {
            for params in all_params() {
                let peak = planned_peak(n, params);
                assert!(peak <= 2 * n, "{n} bytes, {params:?}: {peak} bytes planned");
            }
            n += n / 7 + 12_345;
        }
        // The largest inputs keep the tables shorter ones had: 2^20 buckets.
        let [t, a, b] = split(1 << 30);
        assert_eq!(
            table_sizes(1 << 30, t + a.max(b), all_params()[7], true),
            Sizes::uniform(20)
        );
    }

    #[test]
    fn layout_2_keeps_its_table_sizes() {
        for n in [4 << 20, 9_000_000, 40 << 20, BIG, 80 << 20] {
            let [t, a, b] = split(n);
            let modelled = t + a.max(b);
            for params in all_params() {
                assert_eq!(
                    table_sizes(n, modelled, params, false),
                    Sizes::uniform(size_bits(modelled))
                );
            }
        }
    }

    #[test]
    fn models_sized_for_memory_round_trip() {
        let data = super::super::lcg_text(200_000, 7);
        let params = Params {
            record: 0,
            sparse: false,
            columns: true,
        };
        let sized = encode(Vec::new(), &data, params, 2, true);
        assert!(
            sized != encode(Vec::new(), &data, params, 2, false),
            "smaller tables"
        );
        assert_eq!(decode(&sized, data.len(), params, true).unwrap(), data);
    }

    #[test]
    fn predictors_allocate_the_tables_the_plan_counts() {
        for params in all_params() {
            for base in [10, 12, 14, 15, 16] {
                let bits = Sizes::uniform(base).with_larger(2).with_larger(4);
                let p = Predictor::new(bits, params);
                assert_eq!(
                    p.allocated_table_bytes(),
                    Predictor::table_bytes(bits, params),
                    "{bits:?} {params:?}"
                );
            }
        }
    }

    #[test]
    fn the_two_models_never_share_a_cache_line() {
        // Each is written every bit by its own thread; a shared line would bounce between cores.
        assert_eq!(std::mem::align_of::<Predictor>() % 128, 0);
    }
}
