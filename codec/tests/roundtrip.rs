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
