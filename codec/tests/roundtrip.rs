//! Round trips through the public, fixed-signature API.

use proptest::prelude::*;
use std::io::Cursor;

fn roundtrip(data: &[u8]) -> Vec<u8> {
    let mut packed = Cursor::new(Vec::new());
    codec::compress(Cursor::new(data), &mut packed).expect("compress");
    let packed = packed.into_inner();
    let mut restored = Cursor::new(Vec::new());
    codec::decompress(Cursor::new(&packed), &mut restored).expect("decompress");
    assert_eq!(restored.into_inner(), data, "round trip changed the bytes");
    packed
}

#[test]
fn empty_input() {
    roundtrip(b"");
}

#[test]
fn one_byte() {
    roundtrip(b"x");
}

#[test]
fn large_mixed_input() {
    let mut data = Vec::with_capacity(3 << 20);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    while data.len() < 3 << 20 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        match (state >> 60) % 3 {
            0 => data.extend_from_slice(b"the quick brown fox jumps over the lazy dog. "),
            1 => data.extend_from_slice(&state.to_le_bytes()),
            _ => data.extend_from_slice(&[(state & 0xff) as u8; 100]),
        }
    }
    roundtrip(&data);
}

#[test]
fn gzip_inside_a_file_is_recompressed() {
    let mut text = Vec::new();
    let mut state = 99u32;
    while text.len() < 300_000 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let word =
            ["alpha", "beta", "gamma", "delta", "of", "the", "and"][(state >> 16) as usize % 7];
        text.extend_from_slice(word.as_bytes());
        text.push(if state.is_multiple_of(11) {
            b'\n'
        } else {
            b' '
        });
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &text).unwrap();
    let mut file = b"header bytes before the member\n".to_vec();
    file.extend_from_slice(&gz.finish().unwrap());
    file.extend_from_slice(b"and a trailer after it");
    let packed = roundtrip(&file);
    // Without recompression the member would be stored as it is; its text codes to well
    // under what deflate made of it.
    assert!(
        packed.len() * 3 < file.len() * 2,
        "{} of {}",
        packed.len(),
        file.len()
    );
}

#[test]
fn never_expands_beyond_the_header() {
    let mut state = 1u64;
    let noise: Vec<u8> = (0..100_000)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect();
    let packed = roundtrip(&noise);
    assert!(packed.len() <= noise.len() + 64, "{} bytes", packed.len());
}

proptest! {
    #[test]
    fn arbitrary_bytes_round_trip(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        roundtrip(&data);
    }

    #[test]
    fn decompress_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut out = Cursor::new(Vec::new());
        let _ = codec::decompress(Cursor::new(&data), &mut out);
    }
}
