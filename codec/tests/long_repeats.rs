//! Long repeats far apart (issue 28 part 4): a file made of the same bytes several times,
//! gzip members among them, costs little more than one copy, through the public API.

use flate2::{write::GzEncoder, Compression};
use std::io::{Cursor, Write};

fn pack(data: &[u8]) -> Vec<u8> {
    let mut packed = Cursor::new(Vec::new());
    codec::compress(Cursor::new(data), &mut packed).expect("compress");
    let packed = packed.into_inner();
    let mut restored = Cursor::new(Vec::new());
    codec::decompress(Cursor::new(&packed), &mut restored).expect("decompress");
    assert!(
        restored.into_inner() == data,
        "round trip changed the bytes"
    );
    packed
}

/// Words from a small vocabulary and noise bytes, in a mix no model predicts well.
fn mix(n: usize, seed: u64) -> Vec<u8> {
    let words = [
        "delta ", "kilo ", "sierra, ", "tango. ", "x-ray\n", "quebec ",
    ];
    let mut s = seed;
    let mut out = Vec::new();
    while out.len() < n {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        if s >> 62 == 0 {
            out.extend_from_slice(&s.to_le_bytes());
        } else {
            out.extend_from_slice(words[(s >> 33) as usize % words.len()].as_bytes());
        }
    }
    out.truncate(n);
    out
}

#[test]
fn copies_far_apart_cost_little_more_than_one() {
    let mut gz = GzEncoder::new(Vec::new(), Compression::new(6));
    gz.write_all(&mix(200_000, 1)).unwrap();
    let member = gz.finish().unwrap();
    let mut one = mix(500_000, 2);
    one.extend_from_slice(&member);
    one.extend_from_slice(&mix(100_000, 3));
    let alone = pack(&one).len();
    let mut data = Vec::new();
    for _ in 0..3 {
        data.extend_from_slice(&one);
    }
    // The last copy cut short and shifted by a few bytes.
    data.extend_from_slice(b"odd bytes");
    data.extend_from_slice(&one[1000..one.len() - 5000]);
    let packed = pack(&data);
    assert_eq!(packed[5], 8, "method 8: long repeats as references");
    assert!(
        packed.len() < alone + 1000,
        "{} bytes for 3.9 copies of {} bytes coded in {alone}",
        packed.len(),
        one.len()
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::new(6));
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

#[test]
fn copies_inside_deflate_streams_cost_little_more_than_one() {
    let one = mix(600_000, 4);
    let alone = pack(&gzip(&one)).len();
    // Repeats further apart than deflate's window, the same bytes: within one stream, in
    // two members of one gzip file, and as raw bytes after a member.
    let mut twice = one.clone();
    twice.extend_from_slice(&mix(700_000, 5)[..1000]);
    twice.extend_from_slice(&one);
    let within = gzip(&twice);
    let mut members = gzip(&one);
    members.extend_from_slice(&gzip(&mix(700_000, 6)));
    members.extend_from_slice(&gzip(&one));
    let mut raw_after = gzip(&one);
    raw_after.extend_from_slice(&mix(300_000, 7));
    raw_after.extend_from_slice(&one);
    let noise = pack(&mix(700_000, 6)).len() + pack(&mix(300_000, 7)).len();
    for (name, data, extra) in [
        ("one stream", within, 1000),
        ("two members", members, noise),
        ("raw bytes after", raw_after, noise),
    ] {
        let packed = pack(&data);
        assert_eq!(packed[5], 9, "{name}: method 9, deflate with long repeats");
        assert!(
            packed.len() < alone + extra + 2000,
            "{name}: {} bytes for two copies of {} bytes coded in {alone} (and {extra} more)",
            packed.len(),
            one.len()
        );
    }
}
