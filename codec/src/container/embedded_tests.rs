//! JPEG, WAV and BMP files inside other bytes: found exactly, coded by their models, and every
//! odd case (cut, no end marker) still round-trips.

use super::embedded::{encode, encode_in_place, find};
use crate::container::{self, Method};
use crate::jpeg::tests::{jpeg, round_trip};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

/// A grainy photo-like picture (no two pictures of different seeds share their blocks).
pub(super) fn photo(seed: u32) -> Vec<u8> {
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

/// Packs `data`, demands that it went in parts and round-trips, and returns its size beside
/// the general model's.
fn embedded_and_general(data: &[u8]) -> (usize, usize) {
    let packed = container::encode(data);
    assert_eq!(packed[5], Method::Embedded as u8);
    assert_eq!(container::decode(&packed).unwrap(), data);
    (packed.len(), crate::general::encode(data).unwrap().len())
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
    assert_eq!(find(&data), vec![a..a + one.len(), b..b + two.len()]);
    assert!(find(&text(5000)).is_empty());
}

#[test]
fn an_archive_of_jpegs_is_coded_by_the_jpeg_model() {
    let (one, two) = (photo(5), photo(11));
    let (data, _) = archive(&one, &two);
    let (packed, general) = embedded_and_general(&data);
    assert!(
        packed * 100 < general * 95,
        "{packed} bytes, general model {general}"
    );
}

#[test]
fn progressive_cut_and_unterminated_jpegs_round_trip() {
    let baseline = jpeg(|e| e.set_restart_interval(3), ColorType::Rgb);
    let progressive = jpeg(|e| e.set_progressive(true), ColorType::Rgb);
    let (data, [a, b]) = archive(&progressive, &baseline);
    let found = vec![a..a + progressive.len(), b..b + baseline.len()];
    assert_eq!(find(&data), found);
    round_trip(&data);
    // The second JPEG cut in its scan, at the end of the file: it runs to the end.
    let (data, [_, b]) = archive(&baseline, &baseline);
    let cut = &data[..b + baseline.len() - 300];
    assert_eq!(find(cut).last(), Some(&(b..cut.len())));
    round_trip(cut);
    // Without its end marker the first JPEG runs to the second's.
    let mut unterminated = baseline.clone();
    unterminated.truncate(baseline.len() - 2);
    let (data, [a, b]) = archive(&unterminated, &baseline);
    assert_eq!(find(&data), vec![a..b + baseline.len()]);
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
    let whole = crate::jpeg::encode(&data).unwrap().len();
    assert!(
        packed.len() < whole,
        "{} bytes, as one JPEG {whole}",
        packed.len()
    );
}

/// A 16-bit stereo WAV of two tones with a little noise.
fn wav(frames: usize) -> Vec<u8> {
    let mut samples = Vec::new();
    let mut seed = 9u32;
    for i in 0..frames {
        for (c, period) in [(0, 37.0), (1, 53.0)] {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let tone =
                (i as f64 * std::f64::consts::TAU / period).sin() * (6000.0 + 900.0 * c as f64);
            let s = tone as i32 + (seed >> 29) as i32 - 4;
            samples.extend_from_slice(&(s as i16).to_le_bytes());
        }
    }
    let mut w = b"RIFF".to_vec();
    w.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt \x10\0\0\0\x01\0\x02\0");
    w.extend_from_slice(&44_100u32.to_le_bytes());
    w.extend_from_slice(&(44_100u32 * 4).to_le_bytes());
    w.extend_from_slice(b"\x04\0\x10\0data");
    w.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    w.extend_from_slice(&samples);
    w
}

/// A 24-bit bottom-up BMP of shaded noise.
fn bmp(width: u32, height: u32) -> Vec<u8> {
    let stride = (width * 3 + 3) & !3;
    let size = 54 + stride * height;
    let mut b = b"BM".to_vec();
    for v in [size, 0, 54, 40, width, height] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&24u16.to_le_bytes());
    b.extend_from_slice(&[0; 24]);
    let mut seed = 5u32;
    for y in 0..height {
        for x in 0..stride {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let v = if x < width * 3 {
                (x / 3 + y + x % 3 * 40 + (seed >> 28)) as u8
            } else {
                0
            };
            b.push(v);
        }
    }
    b
}

#[test]
fn wavs_and_bmps_inside_an_archive_go_to_their_models() {
    let (sound, picture) = (wav(6_000), bmp(90, 70));
    let mut data = text(1_000);
    let a = data.len();
    data.extend_from_slice(&sound);
    data.extend_from_slice(&text(300));
    let b = data.len();
    data.extend_from_slice(&picture);
    data.extend_from_slice(b"BM is not a bitmap here, nor is RIFF a sound.");
    assert_eq!(find(&data), vec![a..a + sound.len(), b..b + picture.len()]);
    let (packed, general) = embedded_and_general(&data);
    assert!(
        packed * 10 < general * 9,
        "{packed} bytes, general model {general}"
    );
    // Alone, each keeps its whole-file method.
    assert_eq!(container::encode(&sound)[5], Method::Audio as u8);
    assert_eq!(container::encode(&picture)[5], Method::Image as u8);
}

#[test]
fn bytes_around_parts_joined_in_place_give_the_same_payload_and_are_put_back() {
    let (sound, picture) = (wav(6_000), bmp(90, 70));
    // Parts shorter than the bytes around them (joined in place), then longer (copied).
    for around in [60_000, 200] {
        let mut data = text(around);
        data.extend_from_slice(&sound);
        data.extend_from_slice(&text(around / 3));
        data.extend_from_slice(&picture);
        data.extend_from_slice(&text(around / 2 + 7));
        let parts = find(&data);
        assert_eq!(parts.len(), 2);
        let copied = encode(&data, &parts).expect("parts coded");
        let mut owned = data.clone();
        assert!(encode_in_place(&mut owned, &parts).expect("parts coded") == copied);
        assert!(owned == data, "bytes put back");
    }
}
