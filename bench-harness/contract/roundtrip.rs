//! The round trips every codec of an optimisation loop must pass, whatever its own tests say.
//! `harness loop` writes this file into the codec's tests of every attempt it judges (as
//! `codec/tests/harness_contract.rs`), and `scripts/new-experiment.sh --from stub` starts an
//! experiment with it, so a campaign never runs without tests.
//!
//! Cases: every length from 0 to 4096 bytes of two contents (mixed text, runs and noise; a
//! short repeating pattern), and the edge files of the default dataset (empty, each single
//! byte, zeros, repeats of every period from 3 to 17, incompressible noise). Each must round
//! trip exactly, stay within 1.5 x its length + 64 bytes, and compress deterministically.

use std::io::Cursor;

fn compress(data: &[u8]) -> Vec<u8> {
    let mut packed = Cursor::new(Vec::new());
    codec::compress(Cursor::new(data), &mut packed).expect("compress");
    packed.into_inner()
}

fn decompress(packed: &[u8]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    codec::decompress(Cursor::new(packed), &mut out).expect("decompress");
    out.into_inner()
}

/// Asserts the contract for `data`, naming the case.
fn holds(case: &str, data: &[u8]) {
    let packed = compress(data);
    assert!(
        packed.len() as f64 <= 1.5 * data.len() as f64 + 64.0,
        "{case}: {} bytes compressed to {}",
        data.len(),
        packed.len()
    );
    let back = decompress(&packed);
    if back != data {
        let first = back.iter().zip(data).position(|(a, b)| a != b);
        panic!(
            "{case}: the round trip changed the bytes ({} bytes back for {}, first difference at {:?})",
            back.len(),
            data.len(),
            first.unwrap_or(back.len().min(data.len()))
        );
    }
}

/// Deterministic noise (a 64-bit linear congruential generator's high bytes).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect()
}

/// Text, a run of one byte, noise and a ramp, repeated: every kind of content in 4096 bytes.
fn mixed() -> Vec<u8> {
    let text = b"the codec keeps every byte of a file, and every file of a dataset. ";
    let mut out = Vec::new();
    let mut k = 0u64;
    while out.len() < 4096 {
        out.extend_from_slice(text);
        out.extend(std::iter::repeat(b'a').take(40));
        out.extend(noise(k, 48));
        out.extend((0..32u8).map(|i| i.wrapping_mul(3)));
        k += 1;
    }
    out.truncate(4096);
    out
}

#[test]
fn every_length_up_to_4096_round_trips() {
    let mixed = mixed();
    let pattern: Vec<u8> = (0..4096).map(|i| b"abcab"[i % 5]).collect();
    for len in 0..=4096 {
        holds(&format!("mixed content of {len} bytes"), &mixed[..len]);
        holds(&format!("a repeating pattern of {len} bytes"), &pattern[..len]);
    }
}

#[test]
fn edge_files_round_trip() {
    holds("empty", &[]);
    for byte in 0..=255u8 {
        holds(&format!("the single byte {byte}"), &[byte]);
    }
    holds("64 KiB of zeros", &vec![0; 65536]);
    holds("1 MiB of zeros", &vec![0; 1 << 20]);
    holds("64 KiB of 0xff", &vec![0xff; 65536]);
    for period in 3..=17 {
        let pattern = noise(period as u64, period);
        let data: Vec<u8> = pattern.iter().copied().cycle().take(65536).collect();
        holds(&format!("64 KiB repeating a {period}-byte pattern"), &data);
    }
    holds("64 KiB of noise", &noise(7, 65536));
}

#[test]
fn compression_is_deterministic() {
    for (case, data) in [
        ("mixed", mixed()),
        ("noise", noise(3, 10000)),
        ("zeros", vec![0; 10000]),
    ] {
        assert_eq!(compress(&data), compress(&data), "{case}: two compressions differ");
    }
}
