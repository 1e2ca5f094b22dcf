//! General-purpose context-mixing model for text, source, structured and binary data.
//!
//! Payload: `flags (1) | record length (u16 LE) | layout (1) | lanes`. Flag bit 0: the x86
//! CALL/JMP transform was applied. Layout 1 is one lane of [`segments`] coded by one predictor
//! (whose encoder may run part of the contexts on a second thread, [`pipeline`]; that never
//! changes the bytes); layout 2 is a trunk and two halves coded in parallel ([`fork`]); layout
//! 3, written for inputs over 64 MiB, is layout 2 with the models' tables sized for memory;
//! layout 4, written for parts of inputs over 64 MiB, is layout 1 likewise.

mod analyze;
mod bank;
mod cm;
mod fork;
mod hashes;
mod history;
mod limit;
mod matcher;
mod pipeline;
mod predictor;
mod repeats;
mod segments;
mod x86;

use crate::error::invalid;
use fork::Tables;
use predictor::{Params, Predictor};
use std::io;

/// Inputs at least this long fork into two lanes after a shared trunk ([`fork`]). Below, a
/// file decodes in a few seconds on one core; above, forking costs 0.04-0.9% on most real
/// files (2% on a table whose later rows repeat earlier ones). Smaller files gain as much
/// speed but lose more: forked from 256 KiB, files of 0.4-1 MB decoded 1.25-1.5x faster for
/// 0.9-2.3% more bytes (`codec/STRATEGY.md`, session 14).
const FORK_MIN: usize = 4 << 20;
const FLAG_X86: u8 = 1;
const FLAG_SPARSE: u8 = 2;
const FLAG_COLUMNS: u8 = 4;
const LAYOUT_ONE: u8 = 1;
const LAYOUT_FORKED: u8 = 2;
/// Forked, the models' tables sized for memory ([`fork::table_sizes`]): written for inputs
/// over [`fork::BIG`] (64 MiB) since session 21. Older builds refuse it by number.
const LAYOUT_FORKED_SIZED: u8 = 3;
/// One lane, its tables sized for memory ([`lane_sizes`]): written since session 26 for
/// parts of inputs over 64 MiB (their pieces and segments) whose tables that caps. Older
/// builds refuse it by number.
const LAYOUT_ONE_SIZED: u8 = 4;
/// Most bytes of tables a lane sized for memory holds. A lane of 2-4 MiB held 52 MiB (2^19
/// buckets a table), most of what a piece of an input over 64 MiB held; so 26 MiB (2^18):
/// 64.4 MiB of zipped libraries compressed in 134 MiB instead of 160, 0.007% larger.
const SIZED_LANE_TABLES: usize = 32 << 20;
/// Forked, the models' tables within 3/8 of the input ([`fork::Tables::Lean`]): written since
/// session 27 where layout 3 would pass its coded bytes' allowance. Older builds refuse it
/// by number.
const LAYOUT_FORKED_LEAN: u8 = 5;

/// The blocks of `data` the model classifies, each with whether it looks incompressible
/// (which the model would store): near 8 bits a byte of order-0 entropy and few repeats.
pub fn classified_blocks(data: &[u8]) -> Vec<(std::ops::Range<usize>, bool)> {
    analyze::incompressible_blocks(data)
        .into_iter()
        .enumerate()
        .map(|(i, stored)| {
            let start = i * analyze::BLOCK;
            (start..(start + analyze::BLOCK).min(data.len()), stored)
        })
        .collect()
}

/// Returns the coded payload (always applicable; the container stores if it is not smaller).
pub fn encode(data: &[u8]) -> Option<Vec<u8>> {
    Some(encode_with(data, data.len() >= FORK_MIN, false))
}

/// [`encode`], forked as layout 3 (tables sized for memory) whatever the length: for a part
/// of an input over 64 MiB, whose memory is bounded by the whole input's length.
pub fn encode_for_memory(data: &[u8]) -> Option<Vec<u8>> {
    Some(encode_with(data, data.len() >= FORK_MIN, true))
}

/// [`encode`] of bytes the caller owns: the x86 transform, when it applies, works on them in
/// place rather than on a copy, and is undone before this returns (same bytes as [`encode`]).
pub fn encode_in_place(data: &mut [u8]) -> Option<Vec<u8>> {
    let forked = data.len() >= FORK_MIN;
    if !x86::looks_like_x86(data) {
        return Some(encode_transformed(data, 0, forked, false));
    }
    x86::forward(data);
    let coded = encode_transformed(data, FLAG_X86, forked, false);
    x86::inverse(data);
    Some(coded)
}

/// The payload of `data`, forked when `forked`.
fn encode_with(data: &[u8], forked: bool, for_memory: bool) -> Vec<u8> {
    if x86::looks_like_x86(data) {
        let mut t = data.to_vec();
        x86::forward(&mut t);
        encode_transformed(&t, FLAG_X86, forked, for_memory)
    } else {
        encode_transformed(data, 0, forked, for_memory)
    }
}

/// The payload of `data`, already transformed as `flags` say, forked when `forked`; the fork's
/// tables sized for memory (layout 3) when `for_memory` or when `data` is over [`fork::BIG`].
fn encode_transformed(data: &[u8], mut flags: u8, forked: bool, for_memory: bool) -> Vec<u8> {
    let record = analyze::record_length(data);
    let sparse = !analyze::looks_like_text(data);
    if sparse {
        flags |= FLAG_SPARSE;
    }
    let columns = !sparse;
    if columns {
        flags |= FLAG_COLUMNS;
    }
    let params = Params {
        record,
        sparse,
        columns,
    };
    let mut out = vec![flags];
    out.extend_from_slice(&(record as u16).to_le_bytes());
    if forked {
        let remote = pipeline::remote_contexts(params, fork::split(data.len())[0]);
        let with_layout = |layout| {
            let mut head = out.clone();
            head.push(layout);
            head
        };
        if data.len() <= fork::BIG {
            let (layout, tables) = if for_memory {
                (LAYOUT_FORKED_SIZED, Tables::ForMemory)
            } else {
                (LAYOUT_FORKED, Tables::ForData)
            };
            return fork::encode(with_layout(layout), data, params, remote, tables);
        }
        let head = with_layout(LAYOUT_FORKED_SIZED);
        if let Some(coded) = fork::encode_within_allowance(head, data, params, remote) {
            return coded;
        }
        let head = with_layout(LAYOUT_FORKED_LEAN);
        out = fork::encode(head, data, params, remote, Tables::Lean);
    } else {
        let segs = segments::plan(data);
        let modelled = segments::modelled(&segs);
        let sizes = lane_sizes(modelled, params, for_memory);
        out.push(if sizes == lane_sizes(modelled, params, false) {
            LAYOUT_ONE
        } else {
            LAYOUT_ONE_SIZED
        });
        let remote = pipeline::remote_contexts(params, modelled);
        out.extend_from_slice(&code_lane(data, &segs, params, sizes, remote));
    }
    out
}

/// The table sizes of one lane modelling `modelled` bytes: `2^`[`bank::size_bits`] buckets
/// per table, and when `for_memory` (layout 4) fewer, until the tables take at most
/// [`SIZED_LANE_TABLES`] bytes.
fn lane_sizes(modelled: usize, params: Params, for_memory: bool) -> bank::Sizes {
    let mut sizes = bank::Sizes::uniform(bank::size_bits(modelled));
    while for_memory && sizes.base > 10 && Predictor::table_bytes(sizes, params) > SIZED_LANE_TABLES
    {
        sizes.base -= 1;
    }
    sizes
}

/// Codes a lane's segments with tables of `bits`, the last `remote` contexts run on a thread
/// of their own. The output does not depend on `remote`.
fn code_lane(
    data: &[u8],
    segs: &[segments::Planned],
    params: Params,
    bits: bank::Sizes,
    remote: usize,
) -> Vec<u8> {
    let modelled = segments::modelled(segs);
    let mut predictor = (modelled > 0).then(|| Predictor::with_remote(bits, params, remote));
    pipeline::code(predictor.as_mut(), data, segs, params, bits, remote)
}

fn decode_lane(lane: &[u8], n: usize, params: Params, for_memory: bool) -> io::Result<Vec<u8>> {
    let segs = segments::parse(lane, n)?;
    let modelled = segments::parsed_modelled(&segs);
    let bits = lane_sizes(modelled, params, for_memory);
    let mut predictor = (modelled > 0).then(|| Predictor::new(bits, params));
    let mut out = Vec::new();
    segments::decode(predictor.as_mut(), &segs, &[], &mut out)?;
    Ok(out)
}

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let (flags, params, layout) = header(payload)?;
    let body = &payload[4..];
    let data = match layout {
        LAYOUT_ONE => decode_lane(body, original_len, params, false)?,
        LAYOUT_ONE_SIZED => decode_lane(body, original_len, params, true)?,
        _ => {
            let tables = forked_tables(layout)?;
            fork::decode(body, original_len, params, tables)?.join(original_len)?
        }
    };
    Ok(untransformed(flags, data))
}

/// [`decode`] of a payload it is given, which a forked layout drops before it joins its
/// parts: the decoder then holds the output and one half's copy, not the coded bytes too
/// (bytes coded at nearly their length would pass 2.5 times the input).
pub fn decode_owned(payload: Vec<u8>, original_len: usize) -> io::Result<Vec<u8>> {
    let (flags, params, layout) = header(&payload)?;
    if let LAYOUT_ONE | LAYOUT_ONE_SIZED = layout {
        return decode(&payload, original_len);
    }
    let decoded = fork::decode(&payload[4..], original_len, params, forked_tables(layout)?)?;
    drop(payload);
    Ok(untransformed(flags, decoded.join(original_len)?))
}

/// The flags, the model's parameters and the layout of a payload.
fn header(payload: &[u8]) -> io::Result<(u8, Params, u8)> {
    let head = payload
        .get(..4)
        .ok_or_else(|| invalid("general model: payload shorter than its header".into()))?;
    let flags = head[0];
    if flags & !(FLAG_X86 | FLAG_SPARSE | FLAG_COLUMNS) != 0 {
        return Err(invalid(format!(
            "general model: unknown flags {flags:#04x}"
        )));
    }
    let record = u16::from_le_bytes([head[1], head[2]]) as usize;
    if record == 1 {
        return Err(invalid(
            "general model: record length 1 is never written".into(),
        ));
    }
    let params = Params {
        record,
        sparse: flags & FLAG_SPARSE != 0,
        columns: flags & FLAG_COLUMNS != 0,
    };
    Ok((flags, params, head[3]))
}

/// How the tables of a forked `layout` are sized.
fn forked_tables(layout: u8) -> io::Result<Tables> {
    match layout {
        LAYOUT_FORKED => Ok(Tables::ForData),
        LAYOUT_FORKED_SIZED => Ok(Tables::ForMemory),
        LAYOUT_FORKED_LEAN => Ok(Tables::Lean),
        l => Err(invalid(format!("general model: unknown layout {l}"))),
    }
}

/// `data` with the x86 transform undone if `flags` say it was applied.
fn untransformed(flags: u8, mut data: Vec<u8>) -> Vec<u8> {
    if flags & FLAG_X86 != 0 {
        x86::inverse(&mut data);
    }
    data
}

/// `len` bytes of a 27-letter alphabet drawn by an LCG from `seed`: text-like, with no
/// structure beyond its letter frequencies.
#[cfg(test)]
fn lcg_text(len: usize, seed: u64) -> Vec<u8> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            b"abcdefghij klmnop, qrstuvw.\n"[(s >> 59) as usize % 27]
        })
        .collect()
}

/// `len` bytes of seven random bits each: coded at about 7/8 of their length, and not
/// stored (their order-0 entropy is 7 bits a byte).
#[cfg(test)]
fn seven_bit_noise(len: usize) -> Vec<u8> {
    let mut bytes = crate::test_noise::noise(len, 0x9E37_79B9_7F4A_7C15);
    bytes.iter_mut().for_each(|b| *b &= 0x7f);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lean_forks_decode_from_borrowed_or_given_payloads() {
        let noise = seven_bit_noise(2 << 20);
        let params = Params {
            record: 0,
            sparse: true,
            columns: false,
        };
        let head = vec![FLAG_SPARSE, 0, 0, LAYOUT_FORKED_LEAN];
        let payload = fork::encode(head, &noise, params, 0, Tables::Lean);
        assert_eq!(decode(&payload, noise.len()).unwrap(), noise);
        assert_eq!(decode_owned(payload, noise.len()).unwrap(), noise);
    }

    fn round_trip(data: &[u8]) -> usize {
        let p = encode(data).expect("applies");
        assert_eq!(decode(&p, data.len()).expect("decodes"), data);
        p.len()
    }

    #[test]
    fn text_compresses_well() {
        let mut text = Vec::new();
        let words = [
            "alpha ",
            "beta ",
            "gamma ",
            "delta, ",
            "epsilon. ",
            "zeta\n",
        ];
        let mut s = 11u32;
        while text.len() < 30_000 {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            text.extend_from_slice(words[(s >> 29) as usize % words.len()].as_bytes());
        }
        let n = round_trip(&text);
        assert!(n < text.len() / 6, "{n}");
    }

    #[test]
    fn zeros_cost_almost_nothing() {
        let n = round_trip(&vec![0u8; 1 << 20]);
        assert!(n < 400, "{n}");
    }

    #[test]
    fn noise_is_stored_and_its_repeats_are_matched() {
        let mut s = 5u64;
        let noise: Vec<u8> = (0..2 * analyze::BLOCK)
            .map(|_| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (s >> 56) as u8
            })
            .collect();
        let mut data = b"a little text first. ".repeat(500);
        data.extend_from_slice(&noise);
        data.extend_from_slice(&noise[..analyze::BLOCK]);
        let n = round_trip(&data);
        // The noise costs its size once (stored); text and the repeat cost little.
        assert!(n < noise.len() + 2000, "{n}");
    }

    #[test]
    fn long_repeats_cost_a_distance_and_bad_distances_are_errors() {
        let text = lcg_text(100_000, 11);
        let mut data = text.clone();
        data.extend_from_slice(&text[12_345..52_345]);
        let p = encode(&data).unwrap();
        assert_eq!(decode(&p, data.len()).expect("decodes"), data);
        let alone = encode(&text).unwrap().len();
        assert!(p.len() < alone + 40, "{} {alone}", p.len());
        // Segments start after the 4-byte header: kind, raw length, coded length, bytes.
        let mut at = 4;
        let repeat = loop {
            let coded = u32::from_le_bytes(p[at + 5..at + 9].try_into().unwrap()) as usize;
            if p[at] == 2 {
                break at + 9;
            }
            at += 9 + coded;
        };
        for wrong in [0u32, 100_001, u32::MAX] {
            let mut q = p.clone();
            q[repeat..repeat + 4].copy_from_slice(&wrong.to_le_bytes());
            let err = decode(&q, data.len()).unwrap_err();
            assert!(err.to_string().contains("outside its run"), "{err}");
        }
    }

    #[test]
    fn short_period_repeats_cost_almost_nothing() {
        let data = b"abcdefg".repeat(100_000);
        let n = round_trip(&data);
        assert!(n < 300, "{n}");
    }

    #[test]
    fn contexts_on_a_second_thread_give_the_same_bytes() {
        let mut s = 9u64;
        let mut noise = || {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (s >> 56) as u8
        };
        let mut text = b"Records: 0042;name=alpha;\n".repeat(800);
        text.extend((0..3 * analyze::BLOCK).map(|_| noise()));
        text.extend_from_slice(&b"more words after the noise, and a table:\t1\t2\n".repeat(300));
        let binary: Vec<u8> = (0..40_000u32)
            .map(|i| ((i * i) >> 7) as u8 ^ noise())
            .collect();
        let params = [
            Params {
                record: 27,
                sparse: false,
                columns: true,
            },
            Params {
                record: 0,
                sparse: true,
                columns: false,
            },
        ];
        for (data, params) in [(&text, params[0]), (&binary, params[1])] {
            let segs = segments::plan(data);
            assert!(segs.len() > 1 || data == &binary);
            let bits = lane_sizes(segments::modelled(&segs), params, false);
            let alone = code_lane(data, &segs, params, bits, 0);
            let forked = fork::encode(Vec::new(), data, params, 0, Tables::ForData);
            for remote in [1, 3, hashes::kinds(params).len()] {
                let split = code_lane(data, &segs, params, bits, remote);
                assert!(
                    split == alone,
                    "{remote} remote contexts changed the output"
                );
                assert!(
                    fork::encode(Vec::new(), data, params, remote, Tables::ForData) == forked,
                    "{remote} remote contexts changed the forked output"
                );
            }
        }
    }

    #[test]
    fn forked_halves_learn_from_the_trunk_and_bad_lane_lengths_are_errors() {
        let third = lcg_text(30_000, 3);
        // Each half repeats the trunk: halves that start from the trunk's model code little.
        let data = third.repeat(3);
        let p = encode_with(&data, true, false);
        assert_eq!(p[3], LAYOUT_FORKED);
        assert_eq!(decode(&p, data.len()).expect("decodes"), data);
        let trunk_alone = encode_with(&third, false, false).len();
        assert!(
            p.len() < trunk_alone + trunk_alone / 4,
            "{} {trunk_alone}",
            p.len()
        );
        for at in [4, 12] {
            let len = u64::from_le_bytes(p[at..at + 8].try_into().unwrap());
            for wrong in [0, len - 1, len + 1, p.len() as u64, u64::MAX] {
                let mut q = p.clone();
                q[at..at + 8].copy_from_slice(&wrong.to_le_bytes());
                assert!(decode(&q, data.len()).is_err(), "length {wrong} at {at}");
            }
        }
    }

    #[test]
    fn lanes_sized_for_memory_hold_at_most_their_share_of_tables() {
        // 2 MiB: 2^19 buckets a table, 52 MiB, as a lane of a file of its own.
        let data = lcg_text(2 << 20, 9);
        let whole = encode(&data).unwrap();
        assert_eq!(whole[3], LAYOUT_ONE);
        let part = encode_for_memory(&data).unwrap();
        assert_eq!(part[3], LAYOUT_ONE_SIZED);
        assert_eq!(decode(&part, data.len()).unwrap(), data);
        let params = Params {
            record: 0,
            sparse: false,
            columns: true,
        };
        let sizes = |for_memory| lane_sizes(data.len(), params, for_memory);
        assert!(Predictor::table_bytes(sizes(false), params) > SIZED_LANE_TABLES);
        assert!(Predictor::table_bytes(sizes(true), params) <= SIZED_LANE_TABLES);
        // A lane whose tables are within the cap keeps layout 1, and its bytes.
        let small = lcg_text(100 << 10, 9);
        assert_eq!(encode_for_memory(&small).unwrap(), encode(&small).unwrap());
    }

    #[test]
    fn every_small_length_forks_and_round_trips() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let p = encode_with(&data, true, false);
            assert_eq!(decode(&p, data.len()).expect("decodes"), data, "{len}");
            assert_eq!(fork::split(len).iter().sum::<usize>(), len);
        }
    }

    #[test]
    fn small_and_empty_inputs() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            round_trip(&data);
        }
    }

    #[test]
    fn forged_record_lengths_do_not_panic() {
        let data = b"0123456789abcdef".repeat(40);
        let p = encode(&data).unwrap();
        for r in [1u16, 2, 3, 639, 640, 641, 65535] {
            let mut q = p.clone();
            q[1..3].copy_from_slice(&r.to_le_bytes());
            let _ = decode(&q, data.len());
        }
    }

    #[test]
    fn corrupt_payloads_are_errors_not_panics() {
        let data = b"some data some data some data".repeat(20);
        let p = encode(&data).unwrap();
        for cut in 0..p.len() {
            let _ = decode(&p[..cut], data.len());
        }
        for i in 0..p.len() {
            let mut q = p.clone();
            q[i] ^= 0x55;
            let _ = decode(&q, data.len());
        }
    }
}
