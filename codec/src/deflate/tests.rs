use super::*;
use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::Compression;
use std::io::Write;

fn prose(len: usize) -> Vec<u8> {
    let words = [
        "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "then", "runs",
        "away", "from", "a", "farmer", "who", "keeps", "bees",
    ];
    let mut state = 7u32;
    let mut out = Vec::new();
    while out.len() < len {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        out.extend_from_slice(words[(state >> 16) as usize % words.len()].as_bytes());
        out.push(if state.is_multiple_of(13) {
            b'\n'
        } else {
            b' '
        });
    }
    out.truncate(len);
    out
}

fn gzip(data: &[u8], level: u32) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::new(level));
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn round_trip(data: &[u8]) -> Split {
    let split = split(data).expect("a stream is found");
    assert_eq!(
        join(&split.transformed, &split.side, data.len()).unwrap(),
        data
    );
    split
}

#[test]
fn gzip_at_every_level_is_replaced_by_its_text() {
    let text = prose(200_000);
    // Side information against compressed size: miniz at level 9 looks further down its
    // chains than the token model does, so its choices cost more to describe.
    for (level, share) in [(0, 20), (2, 20), (6, 20), (9, 12)] {
        let gz = gzip(&text, level);
        let split = round_trip(&gz);
        assert!(split.transformed.len() >= text.len(), "level {level}");
        assert!(
            split.side.len() < gz.len() / share,
            "level {level}: side information {} bytes for {} compressed",
            split.side.len(),
            gz.len()
        );
    }
}

#[test]
fn streams_inside_other_data_and_sync_flushes_are_kept_exact() {
    let text = prose(50_000);
    let mut zlib = ZlibEncoder::new(Vec::new(), Compression::new(6));
    for chunk in text.chunks(7000) {
        zlib.write_all(chunk).unwrap();
        zlib.flush().unwrap();
    }
    let mut file = b"%PDF-1.4 some header bytes\nstream\n".to_vec();
    file.extend_from_slice(&zlib.finish().unwrap());
    file.extend_from_slice(b"\nendstream\n");
    file.extend_from_slice(&gzip(&prose(3000), 9));
    file.extend_from_slice(b"trailer");
    let split = round_trip(&file);
    assert!(split.transformed.len() > 53_000);
}

#[test]
fn data_without_streams_is_not_split() {
    assert!(split(&prose(10_000)).is_none());
    let mut fake = vec![0x78, 0x9c];
    fake.extend_from_slice(&[0xff; 200]);
    assert!(split(&fake).is_none());
}

#[test]
fn corrupt_side_information_fails_cleanly() {
    let gz = gzip(&prose(20_000), 6);
    let split = round_trip(&gz);
    for i in 0..split.side.len() {
        let mut side = split.side.clone();
        side[i] ^= 0x10;
        if let Ok(out) = join(&split.transformed, &side, gz.len()) {
            assert!(out.len() <= gz.len());
        }
    }
    let truncated = &split.side[..split.side.len() / 2];
    let _ = join(&split.transformed, truncated, gz.len());
}
