//! General-purpose context-mixing model for text, source, structured and binary data.
//!
//! Payload: `flags (1) | record length (u16 LE) | lane count (1) | lane 0 byte length (u64 LE,
//! only with 2 lanes) | lanes`. Flag bit 0: the x86 CALL/JMP transform was applied. Lanes split
//! the (transformed) data at `len / 2` and are coded independently (in parallel). A lane is a
//! sequence of segments `kind (1) | raw length (u32 LE) | coded length (u32 LE) | bytes`:
//! kind 0 stores bytes, kind 1 is a fresh arithmetic-coder stream driven by the lane's single
//! predictor. Stored bytes still join the predictor's history (uncoded), so later repeats of
//! them are found by the match model. The encoder of a single lane may run part of the
//! contexts on a second thread ([`pipeline`]); that never changes the bytes.

mod analyze;
mod bank;
mod cm;
mod hashes;
mod matcher;
mod pipeline;
mod predictor;
mod x86;

use crate::container::invalid;
use predictor::{Params, Predictor};
use std::io;

/// Inputs at least this long are coded as two independent lanes on two threads. Each lane
/// then learns without the other's bytes: halves of 1-2 MB of real text, source and XML
/// cost 2.7-10% more than one lane, halves of 8 MB 1-2%, so lanes start at 8 MiB.
const PARALLEL_MIN: usize = 8 << 20;
/// Longest segment, so raw lengths fit a u32 comfortably.
const MAX_SEGMENT: usize = 1 << 30;
const FLAG_X86: u8 = 1;
const FLAG_SPARSE: u8 = 2;
const FLAG_COLUMNS: u8 = 4;
const KIND_STORED: u8 = 0;
const KIND_CM: u8 = 1;

/// Returns the coded payload (always applicable; the container stores if it is not smaller).
pub fn encode(data: &[u8]) -> Option<Vec<u8>> {
    Some(encode_lanes(data, data.len() >= PARALLEL_MIN))
}

/// The payload of `data`, coded as two lanes when `split`.
fn encode_lanes(data: &[u8], split: bool) -> Vec<u8> {
    let mut flags = 0;
    let transformed;
    let data = if x86::looks_like_x86(data) {
        flags |= FLAG_X86;
        let mut t = data.to_vec();
        x86::forward(&mut t);
        transformed = t;
        &transformed[..]
    } else {
        data
    };
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
    if split {
        let (a, b) = data.split_at(data.len() / 2);
        let (la, lb) = std::thread::scope(|s| {
            let h = s.spawn(|| encode_lane(a, params, false));
            let lb = encode_lane(b, params, false);
            (h.join().expect("lane thread panicked"), lb)
        });
        out.push(2);
        out.extend_from_slice(&(la.len() as u64).to_le_bytes());
        out.extend_from_slice(&la);
        out.extend_from_slice(&lb);
    } else {
        out.push(1);
        out.extend_from_slice(&encode_lane(data, params, true));
    }
    out
}

/// Runs of equal classification, as `(start, end, stored)`, at most `MAX_SEGMENT` long.
fn segments(data: &[u8]) -> Vec<(usize, usize, bool)> {
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

/// Codes one lane; `spare_core` allows running part of the contexts on a second thread.
fn encode_lane(data: &[u8], params: Params, spare_core: bool) -> Vec<u8> {
    let segs = segments(data);
    let modelled: usize = segs.iter().filter(|s| !s.2).map(|s| s.1 - s.0).sum();
    let remote = if spare_core {
        pipeline::remote_contexts(params, modelled)
    } else {
        0
    };
    code_lane(data, &segs, modelled, params, remote)
}

/// Codes a lane's segments, the last `remote` contexts run on a thread of their own. The
/// output does not depend on `remote`.
fn code_lane(
    data: &[u8],
    segs: &[(usize, usize, bool)],
    modelled: usize,
    params: Params,
    remote: usize,
) -> Vec<u8> {
    if remote == 0 || modelled == 0 {
        return code_segments(data, segs, modelled, params, None);
    }
    std::thread::scope(|s| {
        let (run, mut inputs) = pipeline::feed(data, segs, params, modelled, remote);
        s.spawn(run);
        code_segments(data, segs, modelled, params, Some(&mut inputs))
    })
}

/// Codes the segments of a lane, the inputs of any contexts run elsewhere taken from `remote`.
fn code_segments(
    data: &[u8],
    segs: &[(usize, usize, bool)],
    modelled: usize,
    params: Params,
    mut remote: Option<&mut pipeline::RemoteInputs>,
) -> Vec<u8> {
    let remote_contexts = remote.as_ref().map_or(0, |r| r.per_bit());
    // Stored bytes still join the model's history (without coding) once it exists.
    let mut predictor =
        (modelled > 0).then(|| Predictor::with_remote(modelled, params, remote_contexts));
    let mut out = Vec::new();
    for &(start, end, stored) in segs {
        let raw = &data[start..end];
        let (kind, coded) = match predictor.as_mut() {
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

/// One parsed segment of a lane.
struct Segment<'a> {
    kind: u8,
    raw_len: usize,
    bytes: &'a [u8],
}

/// Splits a lane into segments whose raw lengths add up to exactly `n`.
fn parse_lane(lane: &[u8], n: usize) -> io::Result<Vec<Segment<'_>>> {
    let mut segs = Vec::new();
    let mut pos = 0;
    let mut total = 0usize;
    while total < n {
        let head = lane
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
        let bytes = lane
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
    if pos != lane.len() {
        return Err(invalid(
            "general model: trailing bytes after the last segment".into(),
        ));
    }
    Ok(segs)
}

fn decode_lane(lane: &[u8], n: usize, params: Params) -> io::Result<Vec<u8>> {
    let segs = parse_lane(lane, n)?;
    let modelled: usize = segs
        .iter()
        .filter(|s| s.kind == KIND_CM)
        .map(|s| s.raw_len)
        .sum();
    let mut predictor = (modelled > 0).then(|| Predictor::new(modelled, params));
    let mut out = Vec::with_capacity(n);
    for seg in segs {
        match predictor.as_mut() {
            Some(p) if seg.kind == KIND_CM => cm::decode(p, seg.bytes, seg.raw_len, &mut out)?,
            Some(p) => {
                p.observe(seg.bytes);
                out.extend_from_slice(seg.bytes);
            }
            None => out.extend_from_slice(seg.bytes),
        }
    }
    Ok(out)
}

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
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
    let mut data = match head[3] {
        1 => decode_lane(&payload[4..], original_len, params)?,
        2 => {
            let len0 = payload
                .get(4..12)
                .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
                .ok_or_else(|| invalid("general model: missing lane length".into()))?;
            let rest = &payload[12..];
            let len0 = usize::try_from(len0)
                .ok()
                .filter(|&l| l <= rest.len())
                .ok_or_else(|| invalid(format!("general model: lane length {len0} too large")))?;
            let (a, b) = rest.split_at(len0);
            let na = original_len / 2;
            let (da, db) = std::thread::scope(|s| {
                let h = s.spawn(|| decode_lane(a, na, params));
                let db = decode_lane(b, original_len - na, params);
                (h.join(), db)
            });
            let mut da = da.map_err(|_| invalid("general model: lane decoder failed".into()))??;
            da.extend_from_slice(&db?);
            da
        }
        l => {
            return Err(invalid(format!(
                "general model: unsupported lane count {l}"
            )))
        }
    };
    if flags & FLAG_X86 != 0 {
        x86::inverse(&mut data);
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let segs = segments(data);
            assert!(segs.len() > 1 || data == &binary);
            let modelled = segs.iter().filter(|s| !s.2).map(|s| s.1 - s.0).sum();
            let alone = code_lane(data, &segs, modelled, params, 0);
            for remote in [1, 3, hashes::kinds(params).len()] {
                let split = code_lane(data, &segs, modelled, params, remote);
                assert!(
                    split == alone,
                    "{remote} remote contexts changed the output"
                );
            }
        }
    }

    #[test]
    fn two_lanes_round_trip_and_refuse_a_wrong_lane_length() {
        let data = b"lane one text, then lane two text; ".repeat(300);
        let p = encode_lanes(&data, true);
        assert_eq!(p[3], 2, "two lanes");
        assert_eq!(decode(&p, data.len()).expect("decodes"), data);
        assert!(
            p.len() > encode_lanes(&data, false).len(),
            "halves learn less"
        );
        let len0 = u64::from_le_bytes(p[4..12].try_into().unwrap());
        for wrong in [0, len0 - 1, len0 + 1, p.len() as u64, u64::MAX] {
            let mut q = p.clone();
            q[4..12].copy_from_slice(&wrong.to_le_bytes());
            assert!(decode(&q, data.len()).is_err(), "lane length {wrong}");
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
