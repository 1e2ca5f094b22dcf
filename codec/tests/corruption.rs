//! Damaged real outputs (truncated, bit-flipped, spliced) must decode to Ok or Err, never panic,
//! and within the decoder's bound on work (coder steps, counted, not timed).

#[path = "support/meter.rs"]
#[allow(dead_code)]
mod meter;

use proptest::prelude::*;
use std::io::Cursor;

#[global_allocator]
static ALLOCATOR: meter::Counting = meter::Counting;

fn pack(data: &[u8]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    codec::compress(Cursor::new(data), &mut out).expect("compress");
    out.into_inner()
}

/// Decodes `packed`, asserting it neither panics nor takes more coder steps than the bound
/// allows. The caller holds [`meter::alone`] (an encoder may decode to check its work).
fn try_decode(packed: &[u8]) {
    let cost = meter::decode(packed, usize::MAX);
    assert!(
        cost.steps <= meter::STEPS_PER_BYTE * packed.len() as u64,
        "{} coder steps for {} bytes",
        cost.steps,
        packed.len()
    );
}

/// Progressive JPEGs made by libjpeg's `cjpeg -progressive`.
const PROGRESSIVE: [&[u8]; 3] = [
    include_bytes!("../src/jpeg/testdata/progressive-420.jpg"),
    include_bytes!("../src/jpeg/testdata/progressive-444.jpg"),
    include_bytes!("../src/jpeg/testdata/progressive-grey-restarts.jpg"),
];

/// Inputs of varied kinds: text, records, runs, noise, x86-like code, gzip of numbered text
/// (so the deflate recompressor's side information is damaged too), baseline and progressive
/// JPEGs (some from libjpeg, refined by successive approximation), and a JPEG between two
/// runs of text.
fn sample(kind: u8, seed: u64, len: usize) -> Vec<u8> {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    match kind % 8 {
        0 => {
            let words = ["the ", "cat ", "sat ", "on ", "a ", "mat. ", "And\n"];
            let mut v = Vec::new();
            while v.len() < len {
                v.extend_from_slice(words[(next() % 7) as usize].as_bytes());
            }
            v
        }
        1 => (0..len)
            .map(|i| if i % 12 < 4 { (i / 12) as u8 } else { b'r' })
            .collect(),
        2 => (0..len).map(|i| (i / 97) as u8).collect(),
        3 => (0..len).map(|_| next() as u8).collect(),
        5 => {
            let mut text = Vec::new();
            while text.len() < len * 3 {
                text.extend_from_slice(
                    format!("line {} of {}\n", next() % 1000, next() % 77).as_bytes(),
                );
            }
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            std::io::Write::write_all(&mut gz, &text).expect("write to a Vec");
            gz.finish().expect("finish a Vec")
        }
        6 if seed % 4 == 3 => PROGRESSIVE[(seed / 4 % 3) as usize].to_vec(),
        6 => {
            let (w, h) = (48 + (len % 64) as u16, 40u16);
            let px: Vec<u8> = (0..w as usize * h as usize * 3)
                .map(|i| (i % 97) as u8 ^ (next() % 16) as u8)
                .collect();
            let mut out = Vec::new();
            let mut enc = jpeg_encoder::Encoder::new(&mut out, 80);
            enc.set_restart_interval((seed % 3) as u16 * 2);
            enc.set_progressive(seed % 4 == 2);
            enc.encode(&px, w, h, jpeg_encoder::ColorType::Rgb)
                .expect("encodes");
            out
        }
        7 => {
            let mut v = sample(0, seed, len / 4 + 1);
            v.extend(sample(6, seed, len));
            v.extend(sample(0, seed ^ 9, 300));
            v
        }
        _ => {
            let mut v = Vec::new();
            while v.len() < len.max(5000) {
                v.push(0xE8);
                let d = (next() % 4096) as i32 - 2048;
                v.extend_from_slice(&d.to_le_bytes());
                v.extend_from_slice(&[0x55, 0x89, 0xE5]);
            }
            v
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn truncated_outputs_fail_cleanly(kind in 0u8..8, seed in any::<u64>(), len in 1usize..6000, cut in any::<prop::sample::Index>()) {
        let _alone = meter::alone();
        let packed = pack(&sample(kind, seed, len));
        try_decode(&packed[..cut.index(packed.len())]);
    }

    #[test]
    fn bit_flipped_outputs_fail_cleanly(kind in 0u8..8, seed in any::<u64>(), len in 1usize..6000, flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..4)) {
        let _alone = meter::alone();
        let mut packed = pack(&sample(kind, seed, len));
        for (at, bit) in flips {
            let i = at.index(packed.len());
            packed[i] ^= 1 << bit;
        }
        try_decode(&packed);
    }

    #[test]
    fn spliced_outputs_fail_cleanly(k1 in 0u8..8, k2 in 0u8..8, seed in any::<u64>(), len in 1usize..4000, a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let _alone = meter::alone();
        let p1 = pack(&sample(k1, seed, len));
        let p2 = pack(&sample(k2, seed ^ 0x5555, len / 2 + 1));
        let mut spliced = p1[..a.index(p1.len())].to_vec();
        spliced.extend_from_slice(&p2[b.index(p2.len())..]);
        try_decode(&spliced);
    }
}
