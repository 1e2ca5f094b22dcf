use crate::container;
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

/// A 3-channel picture with smooth shading, edges and a little grain.
pub(crate) fn picture(w: usize, h: usize) -> Vec<u8> {
    let mut seed = 17u32;
    let mut px = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let grain = (seed >> 28) as i32 - 8;
            let disc = ((x as i32 - 40).pow(2) + (y as i32 - 30).pow(2) < 600) as i32 * 90;
            for c in 0..3 {
                let v = (x * (c + 1) + y * (3 - c)) as i32 / 2 + disc + grain;
                px.push(v.clamp(0, 255) as u8);
            }
        }
    }
    px
}

pub(crate) fn jpeg(setup: impl FnOnce(&mut Encoder<&mut Vec<u8>>), color: ColorType) -> Vec<u8> {
    let (w, h) = (120u16, 88u16);
    let mut px = picture(w as usize, h as usize);
    if matches!(color, ColorType::Luma) {
        px = px.chunks(3).map(|p| p[1]).collect();
    }
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, 85);
    setup(&mut enc);
    enc.encode(&px, w, h, color).expect("encodes");
    out
}

pub(crate) fn round_trip(data: &[u8]) -> usize {
    let packed = container::encode(data);
    assert_eq!(container::decode(&packed).expect("decodes"), data);
    packed.len()
}

#[test]
fn baseline_jpegs_round_trip_smaller() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("4:4:4", jpeg(|_| {}, ColorType::Rgb)),
        (
            "4:2:0",
            jpeg(
                |e| e.set_sampling_factor(SamplingFactor::F_2_2),
                ColorType::Rgb,
            ),
        ),
        (
            "4:2:2 restarts",
            jpeg(
                |e| {
                    e.set_sampling_factor(SamplingFactor::F_2_1);
                    e.set_restart_interval(3);
                },
                ColorType::Rgb,
            ),
        ),
        ("grey", jpeg(|_| {}, ColorType::Luma)),
        (
            "optimised tables",
            jpeg(|e| e.set_optimized_huffman_tables(true), ColorType::Rgb),
        ),
    ];
    for (name, data) in cases {
        assert!(super::encode(&data).is_some(), "{name}: not modelled");
        let n = round_trip(&data);
        assert!(n * 100 < data.len() * 95, "{name}: {n} of {}", data.len());
    }
}

#[test]
fn damaged_and_cut_scans_round_trip() {
    let data = jpeg(|e| e.set_restart_interval(2), ColorType::Rgb);
    let start = super::header::parse(&data).unwrap().scan_start;
    let mut seed = 3u32;
    let mut noisy = data.clone();
    for b in &mut noisy[start + 200..start + 900] {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        *b = (seed >> 24) as u8 & 0xFE;
    }
    round_trip(&noisy);
    round_trip(&data[..start + 1500]);
    round_trip(&data[..data.len() / 2]);
}

#[test]
fn corrupt_payloads_are_errors_not_panics() {
    let data = jpeg(|e| e.set_restart_interval(4), ColorType::Rgb);
    let packed = container::encode(&data);
    assert_eq!(packed[5], container::Method::Jpeg as u8);
    for cut in (0..packed.len()).step_by(97) {
        let _ = container::decode(&packed[..cut]);
    }
    for i in (18..packed.len()).step_by(13) {
        let mut q = packed.clone();
        q[i] ^= 0x24;
        let _ = container::decode(&q);
    }
    // A payload whose header region no longer parses as a JPEG.
    let mut q = packed.clone();
    q[18..22].copy_from_slice(&3u32.to_le_bytes());
    assert!(container::decode(&q).is_err());
}

/// Follows a whole scan the way the model does and returns the MCUs completed.
fn follow(data: &[u8]) -> (usize, super::scan::Phase) {
    let head = super::header::parse(data).unwrap();
    let end = super::header::scan_end(data, head.scan_start);
    let mut s = super::scan::ScanState::new(&head);
    let mut prev = 0u8;
    for &c in &data[head.scan_start..end] {
        if prev == 0xFF {
            if (0xD0..=0xD7).contains(&c) {
                s.restart();
            }
        } else {
            for k in (0..8).rev() {
                s.push((c >> k) as u32 & 1);
            }
        }
        prev = c;
    }
    (s.mcus(), s.phase)
}

#[test]
fn the_scan_is_followed_to_its_last_block() {
    // 120 x 88 pixels: 15 x 11 MCUs of 8 x 8, or 8 x 6 of 16 x 16.
    for (sampling, mcus) in [(SamplingFactor::F_1_1, 165), (SamplingFactor::F_2_2, 48)] {
        for restart in [0, 5] {
            let data = jpeg(
                |e| {
                    e.set_sampling_factor(sampling);
                    e.set_restart_interval(restart);
                },
                ColorType::Rgb,
            );
            let (done, phase) = follow(&data);
            assert_ne!(phase, super::scan::Phase::Lost, "{sampling:?} {restart}");
            assert_eq!(done, mcus, "{sampling:?} restart {restart}");
        }
    }
}

#[test]
fn four_component_jpegs_round_trip_smaller() {
    let (w, h) = (72u16, 56u16);
    let rgb = picture(w as usize, h as usize);
    let cmyk: Vec<u8> = rgb
        .chunks(3)
        .flat_map(|p| [p[0], p[1], p[2], 255 - p[1] / 2])
        .collect();
    let mut data = Vec::new();
    let mut enc = Encoder::new(&mut data, 80);
    enc.set_sampling_factor(SamplingFactor::F_2_1);
    enc.encode(&cmyk, w, h, ColorType::Cmyk).expect("encodes");
    assert!(super::encode(&data).is_some());
    let n = round_trip(&data);
    assert!(n * 100 < data.len() * 95, "{n} of {}", data.len());
}

#[test]
fn broken_headers_are_not_modelled_and_round_trip() {
    let data = jpeg(|_| {}, ColorType::Rgb);
    let sos = data.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    // A Huffman table whose counts overflow, a frame with 16-bit samples, a scan naming a
    // component the frame lacks.
    let dht = data.windows(2).position(|w| w == [0xFF, 0xC4]).unwrap();
    let sof = data.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    let mut bad_counts = data.clone();
    bad_counts[dht + 5] = 0xFF;
    let mut deep = data.clone();
    deep[sof + 4] = 16;
    let mut stranger = data.clone();
    stranger[sos + 5] = 0x77;
    for bad in [bad_counts, deep, stranger] {
        assert!(super::encode(&bad).is_none());
        round_trip(&bad);
    }
}
