//! JPEGs inside other bytes: found exactly, coded by the JPEG model, and every odd case (cut,
//! progressive, no end marker) still round-trips.

use super::tests::{jpeg, round_trip};
use crate::container::{self, Method};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

/// A grainy photo-like picture (no two pictures of different seeds share their blocks).
fn photo(seed: u32) -> Vec<u8> {
    let (w, h) = (160u16, 120u16);
    let mut state = seed;
    let mut px = Vec::new();
    for y in 0..h as i32 {
        for x in 0..w as i32 {
            for c in 0..3 {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let grain = (state >> 26) as i32 - 32;
                let shade = (x * (c + 2) + y * (4 - c) + (seed as i32 % 97)) / 3;
                px.push((shade + grain).clamp(0, 255) as u8);
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, 90);
    enc.set_sampling_factor(SamplingFactor::F_2_2);
    enc.encode(&px, w, h, ColorType::Rgb).expect("encodes");
    out
}

fn text(n: usize) -> Vec<u8> {
    b"Records of a photo archive: name, size, camera, exposure; "
        .iter()
        .copied()
        .cycle()
        .take(n)
        .collect()
}

/// Text, a JPEG, noise-free text, a second JPEG, text; with each JPEG's offset.
fn archive(first: &[u8], second: &[u8]) -> (Vec<u8>, [usize; 2]) {
    let mut data = text(700);
    let a = data.len();
    data.extend_from_slice(first);
    data.extend_from_slice(&text(513));
    let b = data.len();
    data.extend_from_slice(second);
    data.extend_from_slice(&text(900));
    (data, [a, b])
}

fn sub_420() -> Vec<u8> {
    jpeg(
        |e| e.set_sampling_factor(SamplingFactor::F_2_2),
        ColorType::Rgb,
    )
}

#[test]
fn each_jpeg_is_found_from_its_start_to_its_end_marker() {
    let (one, two) = (jpeg(|_| {}, ColorType::Rgb), sub_420());
    let (data, [a, b]) = archive(&one, &two);
    assert_eq!(
        super::embedded(&data),
        vec![a..a + one.len(), b..b + two.len()]
    );
    assert!(super::embedded(&text(5000)).is_empty());
}

#[test]
fn an_archive_of_jpegs_is_coded_by_the_jpeg_model() {
    let (one, two) = (photo(5), photo(11));
    let (data, _) = archive(&one, &two);
    let packed = container::encode(&data);
    assert_eq!(packed[5], Method::Embedded as u8);
    assert_eq!(container::decode(&packed).unwrap(), data);
    let general = crate::general::encode(&data).unwrap().len();
    assert!(
        packed.len() * 100 < general * 95,
        "{} bytes, general model {general}",
        packed.len()
    );
}

#[test]
fn progressive_cut_and_unterminated_jpegs_round_trip() {
    let baseline = jpeg(|e| e.set_restart_interval(3), ColorType::Rgb);
    let progressive = jpeg(|e| e.set_progressive(true), ColorType::Rgb);
    let (data, _) = archive(&progressive, &baseline);
    assert_eq!(super::embedded(&data).len(), 1);
    round_trip(&data);
    // The second JPEG cut in its scan, at the end of the file: it runs to the end.
    let (data, [_, b]) = archive(&baseline, &baseline);
    let cut = &data[..b + baseline.len() - 300];
    assert_eq!(super::embedded(cut).last(), Some(&(b..cut.len())));
    round_trip(cut);
    // Without its end marker the first JPEG runs to the second's.
    let mut unterminated = baseline.clone();
    unterminated.truncate(baseline.len() - 2);
    let (data, [a, b]) = archive(&unterminated, &baseline);
    assert_eq!(super::embedded(&data), vec![a..b + baseline.len()]);
    round_trip(&data);
}

#[test]
fn corrupt_embedded_payloads_are_errors_not_panics() {
    let (data, _) = archive(&sub_420(), &jpeg(|_| {}, ColorType::Luma));
    let packed = container::encode(&data);
    assert_eq!(packed[5], Method::Embedded as u8);
    for cut in (0..packed.len()).step_by(89) {
        assert!(container::decode(&packed[..cut]).is_err());
    }
    for i in (18..packed.len()).step_by(11) {
        let mut q = packed.clone();
        q[i] ^= 0x41;
        let _ = container::decode(&q);
    }
}

#[test]
fn a_jpeg_with_another_appended_is_coded_in_parts() {
    let mut data = photo(3);
    data.extend_from_slice(&photo(8));
    let packed = container::encode(&data);
    assert_eq!(packed[5], Method::Embedded as u8);
    assert_eq!(container::decode(&packed).unwrap(), data);
    let whole = super::encode(&data).unwrap().len();
    assert!(
        packed.len() < whole,
        "{} bytes, as one JPEG {whole}",
        packed.len()
    );
}
