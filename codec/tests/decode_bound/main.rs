//! The decoder's bound (issue 28 part 2; stated in `src/container/mod.rs`), on the streams
//! the issue crafted to break it: work is counted in coder steps and memory by a counting
//! allocator, never timed.

#[path = "../support/meter.rs"]
mod meter;
#[path = "../support/streams.rs"]
mod streams;

use std::io::ErrorKind;
use streams::{container, max_declared, seed, u32_at, u64_at, HEADER};

#[global_allocator]
static ALLOCATOR: meter::Counting = meter::Counting;

const MIB: usize = 1 << 20;

/// The error of a decode that must fail, with its cost.
fn failure(packed: &[u8], limit: usize) -> (std::io::Error, meter::Cost) {
    let mut cost = meter::decode(packed, limit);
    match std::mem::replace(&mut cost.result, Ok(Vec::new())) {
        Ok(data) => panic!("a crafted stream decoded to {} bytes", data.len()),
        Err(err) => (err, cost),
    }
}

/// A general-model payload of one stored byte repeated to `len` bytes.
fn general_repeat(len: u32) -> Vec<u8> {
    let mut p = vec![0, 0, 0, 1];
    p.extend_from_slice(&[0, 1, 0, 0, 0, 1, 0, 0, 0, b'x']);
    p.push(2);
    p.extend_from_slice(&(len - 1).to_le_bytes());
    p.extend_from_slice(&4u32.to_le_bytes());
    p.extend_from_slice(&1u32.to_le_bytes());
    p
}

/// Method 4 with `count` segments, each a 27-byte general payload standing for as many
/// bytes as one part's allowance permits, declaring `declared` bytes.
fn many_segments(count: u32, declared: impl Fn(usize) -> u64) -> Vec<u8> {
    let segment_len = max_declared(general_repeat(1).len());
    let inner = general_repeat(segment_len as u32);
    let mut p = 0u32.to_le_bytes().to_vec();
    p.extend_from_slice(&count.to_le_bytes());
    for _ in 0..count {
        p.extend_from_slice(&segment_len.to_le_bytes());
        p.push(1);
        p.extend_from_slice(&(inner.len() as u64).to_le_bytes());
        p.extend_from_slice(&inner);
    }
    container(4, declared(p.len()), &p)
}

#[test]
fn segments_adding_up_past_the_declared_length_are_refused_before_decoding() {
    let _alone = meter::alone();
    // The 12,926- and 43,026-byte streams (here 13,226 and 44,026 bytes): 300 and
    // 1000 segments of 5.96 MB each, declaring 0 bytes, took 1.7 GB and aborted on 6.04 GB.
    for count in [300, 1000] {
        for most in [false, true] {
            let packed = many_segments(count, |n| if most { max_declared(n) } else { 0 });
            let (err, cost) = failure(&packed, usize::MAX);
            assert_eq!(err.kind(), ErrorKind::InvalidData);
            assert!(
                err.to_string().contains("in all are impossible"),
                "{count}: {err}"
            );
            assert_eq!(cost.steps, 0, "nothing decoded");
            assert!(cost.peak < 4 * packed.len(), "{count}: {} bytes", cost.peak);
        }
    }
}

/// Method 1 declaring 4,294,967,295 bytes in 66,031: a stored segment, then one byte
/// repeated to the declared length.
fn repeat_to_u32_max() -> Vec<u8> {
    let total = u32::MAX;
    let pad = 66_031 - HEADER - 4 - 10 - 13 - 9;
    let mut p = vec![0, 0, 0, 1, 0];
    p.extend_from_slice(&(pad as u32).to_le_bytes());
    p.extend_from_slice(&(pad as u32).to_le_bytes());
    p.resize(p.len() + pad, 0);
    p.extend_from_slice(&[0, 1, 0, 0, 0, 1, 0, 0, 0, b'x', 2]);
    p.extend_from_slice(&(total - pad as u32 - 1).to_le_bytes());
    p.extend_from_slice(&4u32.to_le_bytes());
    p.extend_from_slice(&1u32.to_le_bytes());
    container(1, total.into(), &p)
}

#[test]
fn memory_refused_is_an_error_not_an_abort() {
    let _alone = meter::alone();
    // The method-1 stream declaring 4,294,967,295 bytes in 66,031 aborted on its
    // first allocation under a 4 GB limit; here 256 MiB are allowed.
    let packed = repeat_to_u32_max();
    assert_eq!(packed.len(), 66_031);
    let (err, cost) = failure(&packed, 256 * MIB);
    assert_eq!(err.kind(), ErrorKind::OutOfMemory, "{err}");
    assert!(err.to_string().contains("general model output"), "{err}");
    assert!(cost.peak <= 256 * MIB);
}

#[test]
fn a_coded_segment_cannot_claim_more_than_its_bytes_can_hold() {
    let _alone = meter::alone();
    // The same length claimed by one coded segment of 66,000 bytes (at most 45,427 bytes of
    // output per coded byte).
    let coded = 66_031 - HEADER - 4 - 9;
    let mut p = vec![0, 0, 0, 1, 1];
    p.extend_from_slice(&u32::MAX.to_le_bytes());
    p.extend_from_slice(&(coded as u32).to_le_bytes());
    p.extend((0..coded).map(|i| i as u8));
    let (err, cost) = failure(&container(1, u32::MAX.into(), &p), usize::MAX);
    assert!(err.to_string().contains("cannot hold a segment"), "{err}");
    assert_eq!(cost.steps, 0);
    assert!(cost.peak < 4 * MIB, "{} bytes", cost.peak);
}

/// `seed` with a length field at `at` (of `width` bytes) raised by `extra`, and the declared
/// length with it.
fn inflated(seed: &[u8], at: usize, width: usize, extra: u64) -> Vec<u8> {
    let mut packed = seed.to_vec();
    let mut field = [0u8; 8];
    field[..width].copy_from_slice(&packed[at..at + width]);
    let raised = u64::from_le_bytes(field) + extra;
    packed[at..at + width].copy_from_slice(&raised.to_le_bytes()[..width]);
    let declared = u64_at(&packed, 6) + extra;
    packed[6..14].copy_from_slice(&declared.to_le_bytes());
    packed
}

/// The streams of methods 1, 2, 3, 5 and 7 from the third case: a real payload of
/// about 1 KB whose declared length (and the length inside that it rests on) is raised as
/// far as the payload's coded bytes allow. Each with the message its decoder must give.
fn declared_far_past_the_coded_bytes() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut out = Vec::new();
    // General model: the last segment (coded) made as long as its coded bytes can hold.
    let records = seed("seed-records");
    let (mut at, mut last) = (HEADER + 4, 0);
    while at < records.len() {
        let coded = u32_at(&records, at + 5) as usize;
        if records[at] == 1 {
            last = at;
        }
        at += 9 + coded;
    }
    let coded = u32_at(&records, last + 5) as u64;
    let raw = u32_at(&records, last + 1) as u64;
    let extra = coded * (meter::STEPS_PER_BYTE / 8) - raw;
    out.push((
        "general",
        inflated(&records, last + 1, 4, extra),
        "general model: coded stream ended before the data",
    ));
    // Audio: as many frames as the container allows; the coded stream becomes the first of
    // two halves (which so many frames take), the second is empty.
    let wav = seed("seed-wav");
    let payload = &wav[HEADER..];
    let verbatim = 12 + (u32_at(payload, 4) + u32_at(payload, 8)) as usize;
    let coded = &payload[verbatim..];
    let mut halves = payload[..verbatim].to_vec();
    halves.extend_from_slice(&(coded.len() as u32).to_le_bytes());
    halves.extend_from_slice(coded);
    let declared =
        max_declared(halves.len()) - (max_declared(halves.len()) - verbatim as u64 + 12) % 4;
    out.push((
        "audio",
        container(2, declared, &halves),
        "audio model: coded stream ended before the samples",
    ));
    // Image: the stored BMP header's height raised, keeping the image in one band (as far
    // as 2^17 pixels).
    let bmp = seed("seed-bmp");
    let head = HEADER + 5;
    let width = u32_at(&bmp, head + 18) as i64;
    let height = u32_at(&bmp, head + 22) as i32 as i64;
    let stride = (width * 3 + 3) & !3;
    let rows = (1 << 17) / width - height.abs() - 1;
    let mut image = bmp.clone();
    let raised = height.signum() * (height.abs() + rows);
    image[head + 22..head + 26].copy_from_slice(&(raised as i32).to_le_bytes());
    let declared = u64_at(&bmp, 6) + (rows * stride) as u64;
    image[6..14].copy_from_slice(&declared.to_le_bytes());
    out.push((
        "image",
        image,
        "image model: coded band ended before its pixels",
    ));
    // Baseline JPEG: the scan made as long as its coded bytes can hold.
    let jpeg = seed("seed-jpeg");
    let p = HEADER;
    let coded = (jpeg.len() - p - 12 - u32_at(&jpeg, p + 8) as usize) as u64;
    let extra = coded * (meter::STEPS_PER_BYTE / 8) - u32_at(&jpeg, p + 4) as u64;
    out.push((
        "jpeg",
        inflated(&jpeg, p + 4, 4, extra),
        "jpeg model: coded scan ended before the data",
    ));
    // Progressive JPEG: the last scan made as long as the coded bytes can hold.
    let progressive = seed("seed-progressive");
    let general = u32_at(&progressive, p) as usize;
    let count_at = p + 4 + general;
    let count = u32_at(&progressive, count_at) as usize;
    let lengths = (0..count).map(|k| u32_at(&progressive, count_at + 4 + 4 * k) as u64);
    let total: u64 = lengths.sum();
    let coded = (progressive.len() - count_at - 4 - 4 * count) as u64;
    let extra = coded * (meter::STEPS_PER_BYTE / 8) - total;
    out.push((
        "progressive jpeg",
        inflated(&progressive, count_at + 4 * count, 4, extra),
        "jpeg model: coded scan ended before the data",
    ));
    out
}

#[test]
fn a_model_decoder_stops_where_its_coded_bytes_end() {
    let _alone = meter::alone();
    // Before, these decoded to their declared lengths (72-115 MB) before the CRC failed:
    // 15-312 s of CPU and up to 787 MB.
    for (name, packed, message) in declared_far_past_the_coded_bytes() {
        let declared = u64_at(&packed, 6);
        let intact = meter::decode(&seed_of(name), usize::MAX);
        intact.result.as_ref().expect("the seed decodes");
        let (err, cost) = failure(&packed, usize::MAX);
        eprintln!(
            "{name}: {} bytes declaring {declared}: {} steps ({} intact), {} bytes of memory ({} intact)",
            packed.len(),
            cost.steps,
            intact.steps,
            cost.peak,
            intact.peak
        );
        assert!(err.to_string().contains(message), "{name}: {err}");
        // Where the coded bytes end, the coder's interval holds at most 2^32 values: at most
        // four bytes' worth of steps before it needs a byte it does not have.
        assert!(
            cost.steps <= intact.steps + 4 * meter::STEPS_PER_BYTE,
            "{name}: {} steps, {} intact",
            cost.steps,
            intact.steps
        );
        // Beyond what the intact stream takes, only the larger tables the declared length
        // sizes (their caps in the container's documentation).
        assert!(
            cost.peak <= intact.peak + most_table_bytes(name),
            "{name}: {} bytes of memory, {} intact",
            cost.peak,
            intact.peak
        );
    }
}

/// The caps of each model's tables stated in the container's documentation (with one chunk
/// of buffers reserved ahead of the bytes produced), and the address space past them that
/// table regions of 8 to 34 MiB reserve (34 MiB each, `src/model/huge.rs`; counted here
/// as allocated, though their pages past the tables are never written).
fn most_table_bytes(name: &str) -> usize {
    const RESERVED: usize = 26 * MIB;
    match name {
        "general" => 140 * MIB + 2 * RESERVED,
        // Two halves at once, each its tables and its first chunk of 64 Ki values.
        "audio" => 4 * MIB,
        "image" => 2 * 66 * MIB,
        "jpeg" => 16 * MIB,
        _ => 20 * MIB,
    }
}

fn seed_of(name: &str) -> Vec<u8> {
    seed(match name {
        "general" => "seed-records",
        "audio" => "seed-wav",
        "image" => "seed-bmp",
        "jpeg" => "seed-jpeg",
        _ => "seed-progressive",
    })
}

#[test]
fn bytes_after_a_stream_are_refused_in_every_method() {
    let _alone = meter::alone();
    // `cat a.rcz b.rcz | decompress` returned a's bytes for methods 2 to 7.
    let mut methods = [false; 11];
    for (name, packed) in streams::seeds() {
        methods[packed[5] as usize] = true;
        let mut twice = packed.clone();
        twice.extend_from_slice(&packed);
        let (err, _) = failure(&twice, usize::MAX);
        assert_eq!(err.kind(), ErrorKind::InvalidData, "{name}");
        let message = err.to_string();
        assert!(
            message.contains("bytes after the") || message.contains("header declares"),
            "{name}: {message}"
        );
    }
    assert!(methods.iter().all(|&m| m), "a seed of every method");
}

/// A gzip file of `data` whose one fixed-Huffman block codes every byte (all below 144) as a
/// literal: a valid deflate stream, though no encoder searching for matches writes one.
fn gzip_of_literals(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let (mut acc, mut bits) = (0u64, 0u32);
    let mut put = |out: &mut Vec<u8>, value: u64, n: u32| {
        acc |= value << bits;
        bits += n;
        while bits >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            bits -= 8;
        }
    };
    // The last block, of fixed codes (BTYPE 01).
    put(&mut out, 0b011, 3);
    for &byte in data {
        assert!(byte < 144, "one 8-bit code");
        // Huffman codes go most significant bit first.
        let code = u64::from(byte) + 0x30;
        put(&mut out, u64::from((code as u8).reverse_bits()), 8);
    }
    // End of block (code 256: seven 0 bits), then padding to a byte.
    put(&mut out, 0, 7 + 7);
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// 4 MiB of `a` and `b` repeating with a period of 2 KiB: every position's hash chain holds
/// thousands of earlier positions within deflate's window, and the models code the data in
/// under a kilobyte. A gzip of it as literals walks at least 16 links per byte to rebuild (the
/// token model's floor): more than a payload of under 1,024 bytes may walk, so the encoder
/// must leave it deflated.
fn short_period_of_two_letters() -> Vec<u8> {
    let mut s = 12_345u32;
    let period: Vec<u8> = (0..2048)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            b"ab"[(s >> 31) as usize]
        })
        .collect();
    period.iter().copied().cycle().take(4 << 20).collect()
}

#[test]
fn rebuilding_deflate_streams_walks_a_bounded_number_of_chain_links_per_byte() {
    let _alone = meter::alone();
    let gzip = gzip_of_literals(&short_period_of_two_letters());
    let mut packed = std::io::Cursor::new(Vec::new());
    codec::compress(std::io::Cursor::new(&gzip), &mut packed).expect("compresses");
    let packed = packed.into_inner();
    let cost = meter::decode(&packed, usize::MAX);
    assert_eq!(cost.result.expect("round trip"), gzip);
    eprintln!(
        "{} bytes of gzip -> {} bytes: {} chain links to decode",
        gzip.len(),
        packed.len(),
        cost.links
    );
    assert!(
        cost.links <= meter::LINKS_PER_BYTE * packed.len() as u64,
        "{} links for {} bytes",
        cost.links,
        packed.len()
    );
}

#[test]
fn a_stream_whose_rebuild_walks_more_chain_links_than_its_bytes_allow_is_refused() {
    let _alone = meter::alone();
    // Written by an encoder without the check against the bound: the gzip file above in
    // 872 bytes, whose rebuild walks 67 million links (76,959 per byte; the real streams
    // measured walk at most 652).
    let packed = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz_regressions/issue28-chain-walk.rcz"),
    )
    .expect("regression stream");
    let (err, cost) = failure(&packed, usize::MAX);
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    assert!(err.to_string().contains("chain links"), "{err}");
    assert!(
        cost.links <= meter::LINKS_PER_BYTE * packed.len() as u64,
        "{} links for {} bytes",
        cost.links,
        packed.len()
    );
}
