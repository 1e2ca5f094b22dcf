use super::follow::{Follower, Need};
use super::frame;
use super::header::scan_end;
use super::tests::{jpeg, round_trip};
use crate::container::{self, Method};
use jpeg_encoder::{ColorType, SamplingFactor};

/// Made by libjpeg's `cjpeg -progressive` from a 96 x 72 synthetic picture: its default
/// scripts refine coefficients by successive approximation.
const LIBJPEG: [(&str, &[u8]); 3] = [
    ("4:2:0", include_bytes!("testdata/progressive-420.jpg")),
    (
        "4:4:4 optimised",
        include_bytes!("testdata/progressive-444.jpg"),
    ),
    (
        "grey, restart every block",
        include_bytes!("testdata/progressive-grey-restarts.jpg"),
    ),
];

/// Follows every scan the way the model does; per scan, whether it reached its last unit
/// without getting lost.
fn follow(data: &[u8]) -> Vec<bool> {
    let (frame, scans) = frame::walk(data, true).expect("parses");
    let mut f = Follower::new(&frame);
    let mut results = Vec::new();
    for scan in &scans {
        f.start_scan(scan);
        let mut lost = false;
        let mut prev = 0u8;
        for &c in &data[scan.at..scan_end(data, scan.at)] {
            if prev == 0xFF {
                if (0xD0..=0xD7).contains(&c) {
                    f.restart();
                }
            } else {
                for k in (0..8).rev() {
                    f.push((c >> k) as u32 & 1);
                    lost |= f.need == Need::Lost;
                }
            }
            prev = c;
        }
        results.push(!lost && f.finished());
    }
    results
}

fn encoder_made() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("4:4:4", jpeg(|e| e.set_progressive(true), ColorType::Rgb)),
        (
            "4:2:0, 6 scans, restarts",
            jpeg(
                |e| {
                    e.set_progressive_scans(6);
                    e.set_sampling_factor(SamplingFactor::F_2_2);
                    e.set_restart_interval(3);
                },
                ColorType::Rgb,
            ),
        ),
        ("grey", jpeg(|e| e.set_progressive(true), ColorType::Luma)),
    ]
}

#[test]
fn every_scan_is_followed_to_its_last_block() {
    let cases = LIBJPEG
        .iter()
        .map(|&(n, d)| (n, d.to_vec()))
        .chain(encoder_made());
    for (name, data) in cases {
        let scans = follow(&data);
        assert!(scans.len() >= 2, "{name}: {} scans", scans.len());
        assert!(scans.iter().all(|&ok| ok), "{name}: {scans:?}");
    }
}

#[test]
fn progressive_jpegs_round_trip_smaller() {
    let cases = LIBJPEG
        .iter()
        .map(|&(n, d)| (n, d.to_vec()))
        .chain(encoder_made());
    for (name, data) in cases {
        let packed = container::encode(&data);
        assert_eq!(packed[5], Method::ProgressiveJpeg as u8, "{name}");
        let n = round_trip(&data);
        assert!(n * 100 < data.len() * 95, "{name}: {n} of {}", data.len());
    }
}

#[test]
fn damaged_and_cut_progressive_files_round_trip() {
    let data = LIBJPEG[0].1;
    let (_, scans) = frame::walk(data, true).unwrap();
    let mut noisy = data.to_vec();
    let mut seed = 7u32;
    for b in &mut noisy[scans[2].at..scans[2].at + 300] {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        *b = (seed >> 24) as u8 & 0xFE;
    }
    round_trip(&noisy);
    for cut in [
        scans[1].at + 10,
        scans[3].at,
        data.len() / 2,
        data.len() - 2,
    ] {
        round_trip(&data[..cut]);
    }
    let mut appended = data.to_vec();
    appended.extend_from_slice(b"trailing bytes after the image");
    round_trip(&appended);
}

#[test]
fn corrupt_progressive_payloads_are_errors_not_panics() {
    let packed = container::encode(LIBJPEG[1].1);
    assert_eq!(packed[5], Method::ProgressiveJpeg as u8);
    for cut in (0..packed.len()).step_by(37) {
        assert!(container::decode(&packed[..cut]).is_err());
    }
    for i in (18..packed.len()).step_by(11) {
        let mut q = packed.clone();
        q[i] ^= 0x41;
        let _ = container::decode(&q);
    }
    // More scans than the payload could list.
    let general_len = u32::from_le_bytes(packed[18..22].try_into().unwrap()) as usize;
    let mut q = packed.clone();
    q[22 + general_len..26 + general_len].copy_from_slice(&u32::MAX.to_le_bytes());
    let err = container::decode(&q).unwrap_err();
    assert!(err.to_string().contains("more scans"), "{err}");
}

#[test]
fn frames_too_large_for_their_scans_are_not_modelled() {
    // Claim 65535 x 65535 pixels: far more blocks than the scans could hold.
    let mut data = LIBJPEG[0].1.to_vec();
    let sof = data.windows(2).position(|w| w == [0xFF, 0xC2]).unwrap();
    data[sof + 5..sof + 9].copy_from_slice(&[0xFF; 4]);
    assert!(super::encode_progressive(&data).is_none());
    round_trip(&data);
}
