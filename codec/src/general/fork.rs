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
use super::limit::CodedLimit;
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

/// How the two models' tables are sized: each of [`super`]'s forked layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tables {
    /// For the bytes each model sees (layout 2).
    ForData,
    /// Both models' tables together within the input's length (layout 3), for a fork whose
    /// coded bytes stay within [`coded_allowance`].
    ForMemory,
    /// Within 3/8 of the input's length (layout 5, since session 27), whatever the coded
    /// bytes: with the input, the tables and coded bytes at most as long as the input, a
    /// process holds under 2.5 times the input less an eighth for everything else.
    Lean,
}

/// The table sizes of each of the two models coding `n` bytes, of which each model sees
/// `modelled` ([`seen_by_one_model`]): `2^`[`size_bits`] buckets per table; sized for memory
/// (layouts 3 and 5), the largest base at which both models' tables together fit in `n`
/// bytes (3/8 of them for layout 5), then kinds of [`LARGER_FIRST`] twice that, in turn,
/// while they still fit (never past the uniform size). Then neither side holds more than
/// about twice the input, with the coded bytes within [`coded_allowance`], while the models
/// run: the encoder the input and the tables (the models read the input as their history,
/// [`super::history`]), the decoder what it has decoded and the tables, which it drops
/// before it joins the trunk and halves (at most 1.5 times the input). See [`planned_peak`].
pub fn table_sizes(n: usize, modelled: usize, params: Params, tables: Tables) -> Sizes {
    let uniform = size_bits(modelled);
    let mut sizes = Sizes::uniform(uniform);
    let budget = match tables {
        Tables::ForData => return sizes,
        Tables::ForMemory => n,
        Tables::Lean => n / 8 * 3,
    };
    let fits = |s: Sizes| 2 * Predictor::table_bytes(s, params) <= budget;
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

/// Most coded bytes (the payload after its header) a fork of `n` bytes whose two models hold
/// `tables` bytes gives as layout 3: the decoder holds them with what it has decoded and the
/// tables, then with the output and the longer half while it joins them, and the encoder
/// with the input and the tables; each then stays under 2.5 times the input less an eighth
/// for everything else (code, stacks, the models' small state). 70 MiB of bytes of seven
/// random bits, coded to 0.88 of their length, compressed in 230 MiB and decompressed in 203
/// as layout 3.
pub fn coded_allowance(n: usize, tables: usize) -> usize {
    let [_, first, second] = split(n);
    (n + n / 2)
        .saturating_sub(tables.max(first.max(second)))
        .saturating_sub(n / 8)
}

/// The most bytes of data, histories and tables either side holds at once while the general
/// model codes `n` bytes forked (besides the coded bytes, a few MiB of code and stacks, and
/// the x86 transform, which works in place when the input is owned): the encoder holds the
/// input and both models' tables; the decoder the parts decoded so far and the tables, then,
/// the tables dropped, the output and the longer half's copy while it joins them.
#[cfg(test)]
pub fn planned_peak(n: usize, params: Params, tables: Tables) -> usize {
    let [trunk, first, second] = split(n);
    let bits = table_sizes(n, trunk + first.max(second), params, tables);
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

/// Codes `data` as a trunk and two halves after `head`, the models' tables sized as `tables`
/// says ([`table_sizes`]); the last `remote` contexts of the trunk run on a thread of their
/// own (this never changes the bytes).
pub fn encode(
    head: Vec<u8>,
    data: &[u8],
    params: Params,
    remote: usize,
    tables: Tables,
) -> Vec<u8> {
    encode_limited(head, data, params, remote, tables, false).expect("not limited")
}

/// [`encode`] with the tables sized for memory (layout 3), or `None` if its coded bytes would
/// pass [`coded_allowance`]: given up as soon as they do, or after the trunk if all coded as
/// it is would pass it (so the choice depends on the bytes alone; the trunk, coded first,
/// usually codes worse than the rest, and smaller tables cost such inputs little: 0.01-0.05%
/// on 70 MiB of seven random bits a byte or of float samples).
pub fn encode_within_allowance(
    head: Vec<u8>,
    data: &[u8],
    params: Params,
    remote: usize,
) -> Option<Vec<u8>> {
    encode_limited(head, data, params, remote, Tables::ForMemory, true)
}

fn encode_limited(
    head: Vec<u8>,
    data: &[u8],
    params: Params,
    remote: usize,
    tables: Tables,
    limited: bool,
) -> Option<Vec<u8>> {
    let [trunk, first, second] = parts(data);
    let plans = [
        segments::plan(trunk),
        segments::plan(first),
        segments::plan(second),
    ];
    let modelled = seen_by_one_model(plans.each_ref().map(|p| segments::modelled(p)));
    let bits = table_sizes(data.len(), modelled, params, tables);
    let limit = limited.then(|| {
        let held = if modelled > 0 {
            2 * Predictor::table_bytes(bits, params)
        } else {
            0
        };
        CodedLimit::new(coded_allowance(data.len(), held))
    });
    let mut a = (modelled > 0).then(|| Predictor::with_remote(bits, params, remote));
    let coded_trunk = pipeline::code(a.as_mut(), trunk, &plans[0], params, bits, remote);
    if let Some(limit) = &limit {
        let share = (coded_trunk.len() as u128 * data.len() as u128)
            .checked_div(trunk.len() as u128)
            .unwrap_or(0);
        if !limit.take(coded_trunk.len()) || share > limit.most() as u128 {
            return None;
        }
    }
    let mut b = a.clone();
    // Both models read the input as their history: the trunk, then their own half.
    let limit = limit.as_ref();
    let (coded_first, coded_second) = std::thread::scope(|s| {
        let h = s.spawn(|| segments::code(a.as_mut(), trunk, first, &plans[1], None, limit));
        let second = segments::code(b.as_mut(), trunk, second, &plans[2], None, limit);
        (h.join().expect("lane thread panicked"), second)
    });
    drop((a, b));
    let (coded_first, coded_second) = (coded_first?, coded_second?);
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
    Some(out)
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

/// The decoded trunk and halves of a fork, to be joined once the coded bytes they were
/// decoded from may be dropped.
pub struct Decoded {
    trunk: Vec<u8>,
    first: Vec<u8>,
    second: Vec<u8>,
}

impl Decoded {
    /// The `n` bytes of the trunk and the halves in order (each half dropped once copied).
    pub fn join(self, n: usize) -> io::Result<Vec<u8>> {
        let Decoded {
            trunk: mut out,
            first,
            second,
        } = self;
        grow::append(&mut out, &first, n, "general model output")?;
        drop(first);
        grow::append(&mut out, &second, n, "general model output")?;
        Ok(out)
    }
}

/// Decodes what [`encode`] made of `n` bytes, up to joining the parts ([`Decoded::join`]).
pub fn decode(payload: &[u8], n: usize, params: Params, tables: Tables) -> io::Result<Decoded> {
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
    let bits = table_sizes(n, modelled, params, tables);
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
    Ok(Decoded {
        trunk: out,
        first,
        second: second?,
    })
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
    fn inputs_over_64_mib_plan_under_two_and_a_half_times_their_length_with_the_coded_bytes() {
        // The promise of issue 28, part 4, with an eighth of the input left for everything
        // else: layout 3 while its coded bytes stay within the allowance, layout 5 whatever
        // they are (a payload never exceeds the input: the container would store it).
        const MIB: usize = 1 << 20;
        let mut n = BIG + 1;
        while n < 2048 * MIB {
            let most = 2 * n + n / 2 - n / 8;
            let [t, a, b] = split(n);
            let (longer, modelled) = (a.max(b), t + a.max(b));
            for params in all_params() {
                let peak = planned_peak(n, params, Tables::ForMemory);
                let bits = table_sizes(n, modelled, params, Tables::ForMemory);
                let allowance = coded_allowance(n, 2 * Predictor::table_bytes(bits, params));
                assert!(peak <= 2 * n, "{n} bytes, {params:?}: {peak} bytes planned");
                assert!(peak + allowance <= most, "{n} bytes, {params:?}");
                assert!(
                    n + longer + allowance <= most,
                    "{n} bytes, {params:?}: joined"
                );
                // Inputs that code to under 3/8 of their length keep layout 3.
                assert!(
                    allowance >= n / 8 * 3 - MIB,
                    "{n} bytes, {params:?}: {allowance}"
                );
                // Layout 5's coded bytes are dropped before the parts are joined (at the top
                // level, where they can be as long as the input: `decode_owned`).
                let bits = table_sizes(n, modelled, params, Tables::Lean);
                let lean = n + 2 * Predictor::table_bytes(bits, params);
                assert!(
                    lean + n <= most,
                    "{n} bytes, {params:?}: {lean} bytes planned"
                );
                assert!(n + longer <= most);
            }
            n += n / 7 + 12_345;
        }
        // The largest inputs keep the tables shorter ones had: 2^20 buckets.
        let [t, a, b] = split(1 << 30);
        assert_eq!(
            table_sizes(1 << 30, t + a.max(b), all_params()[7], Tables::ForMemory),
            Sizes::uniform(20)
        );
    }

    #[test]
    fn forks_sized_for_memory_give_up_past_their_coded_allowance() {
        let params = Params {
            record: 0,
            sparse: true,
            columns: false,
        };
        let noise = super::super::seven_bit_noise(3 << 20);
        assert_eq!(encode_within_allowance(vec![], &noise, params, 0), None);
        let lean = encode(vec![], &noise, params, 0, Tables::Lean);
        assert!(lean.len() > noise.len() / 8 * 7, "{}", lean.len());
        let decoded = decode(&lean, noise.len(), params, Tables::Lean).unwrap();
        assert_eq!(decoded.join(noise.len()).unwrap(), noise);
        // Text coded at a small fraction of its length stays within the allowance.
        let text = super::super::lcg_text(3 << 20, 5)
            .chunks(4096)
            .flat_map(|c| [c, c].concat())
            .collect::<Vec<u8>>();
        let params = Params {
            sparse: false,
            columns: true,
            ..params
        };
        let sized = encode_within_allowance(vec![], &text, params, 0).expect("within");
        assert_eq!(sized, encode(vec![], &text, params, 0, Tables::ForMemory));
        let decoded = decode(&sized, text.len(), params, Tables::ForMemory).unwrap();
        assert_eq!(decoded.join(text.len()).unwrap(), text);
    }

    #[test]
    fn layout_2_keeps_its_table_sizes() {
        for n in [4 << 20, 9_000_000, 40 << 20, BIG, 80 << 20] {
            let [t, a, b] = split(n);
            let modelled = t + a.max(b);
            for params in all_params() {
                assert_eq!(
                    table_sizes(n, modelled, params, Tables::ForData),
                    Sizes::uniform(size_bits(modelled))
                );
            }
        }
    }

    #[test]
    fn models_sized_for_memory_round_trip() {
        // Each 4 KiB said four times: coded well within the allowance (a smaller input's
        // smallest tables would not fit in its length).
        let data = super::super::lcg_text(400_000, 7)
            .chunks(4096)
            .flat_map(|c| [c, c, c, c].concat())
            .collect::<Vec<u8>>();
        let params = Params {
            record: 0,
            sparse: false,
            columns: true,
        };
        let sized = encode(Vec::new(), &data, params, 2, Tables::ForMemory);
        assert!(
            sized != encode(Vec::new(), &data, params, 2, Tables::ForData),
            "smaller tables"
        );
        let decoded = decode(&sized, data.len(), params, Tables::ForMemory).unwrap();
        assert_eq!(decoded.join(data.len()).unwrap(), data);
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
