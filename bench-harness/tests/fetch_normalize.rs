//! Normalization of already-compressed media into raw BMP and WAV: decoded pixels and
//! samples are checked, not just the absence of errors.

mod fetch_support;
use bench_harness::dataset::normalize::{self, Media};
use fetch_support::fixture;
use image::{ImageEncoder, RgbImage, RgbaImage};
use std::path::Path;

struct Wav {
    channels: u16,
    rate: u32,
    samples: Vec<i16>,
}

fn read_wav(path: &Path) -> Wav {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[0..4], b"RIFF");
    assert_eq!(&b[8..16], b"WAVEfmt ");
    assert_eq!(u16::from_le_bytes([b[20], b[21]]), 1, "PCM");
    assert_eq!(u16::from_le_bytes([b[34], b[35]]), 16, "16-bit");
    assert_eq!(&b[36..40], b"data");
    let data_len = u32::from_le_bytes(b[40..44].try_into().unwrap()) as usize;
    assert_eq!(data_len, b.len() - 44);
    assert_eq!(
        u32::from_le_bytes(b[4..8].try_into().unwrap()) as usize,
        b.len() - 8
    );
    Wav {
        channels: u16::from_le_bytes([b[22], b[23]]),
        rate: u32::from_le_bytes(b[24..28].try_into().unwrap()),
        samples: b[44..]
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect(),
    }
}

fn derive(src: &Path) -> (Media, tempfile::TempDir, std::path::PathBuf) {
    let media = normalize::sniff_file(src)
        .unwrap()
        .expect("decodable media");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("out.{}", media.raw_extension()));
    assert!(
        normalize::derive(media, src, &out).unwrap(),
        "{}",
        src.display()
    );
    (media, dir, out)
}

fn derive_bytes(src: &Path) -> Vec<u8> {
    let (_, _dir, out) = derive(src);
    std::fs::read(out).unwrap()
}

#[test]
fn flac_decodes_to_the_exact_samples() {
    let (media, _dir, out) = derive(&fixture("saw-stereo-8k.flac"));
    assert_eq!(media, Media::Flac);
    let wav = read_wav(&out);
    assert_eq!((wav.channels, wav.rate), (2, 8000));
    let expected: Vec<i16> = (0..2000i32)
        .flat_map(|n| {
            [
                ((n * 97) % 2001 - 1000) as i16,
                ((n * 13) % 501 * 3 - 750) as i16,
            ]
        })
        .collect();
    assert_eq!(wav.samples, expected);
}

/// Level and pitch of 1 s of a 440 Hz sine of amplitude 10000 at 8 kHz after a lossy codec.
fn assert_sine_440(wav: &Wav) {
    assert_eq!((wav.channels, wav.rate), (1, 8000));
    let n = wav.samples.len();
    assert!((7000..=9700).contains(&n), "{n} samples for 1 s at 8 kHz");
    let mid = &wav.samples[1000..7000];
    let rms = (mid.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / mid.len() as f64).sqrt();
    assert!(
        (6000.0..8200.0).contains(&rms),
        "rms {rms}, a full sine has 7071"
    );
    let crossings = mid.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count();
    // 0.75 s of 440 Hz crosses zero 660 times.
    assert!(
        (640..=680).contains(&crossings),
        "{crossings} zero crossings"
    );
    let power = |f: f64| {
        let (mut re, mut im) = (0.0, 0.0);
        for (i, &s) in mid.iter().enumerate() {
            let phase = 2.0 * std::f64::consts::PI * f * i as f64 / 8000.0;
            re += f64::from(s) * phase.cos();
            im += f64::from(s) * phase.sin();
        }
        re * re + im * im
    };
    assert!(power(440.0) > 100.0 * power(1000.0));
}

#[test]
fn ogg_vorbis_mp3_and_the_audio_track_of_mp4_decode_to_the_sine() {
    for (name, media) in [
        ("sine440-8k.ogg", Media::Ogg),
        ("sine440-8k.mp3", Media::Mp3),
        ("sine440-8k.mp4", Media::Mp4),
    ] {
        let (got, _dir, out) = derive(&fixture(name));
        assert_eq!(got, media, "{name}");
        assert_sine_440(&read_wav(&out));
    }
}

#[test]
fn decoding_is_deterministic() {
    for name in [
        "sine440-8k.ogg",
        "sine440-8k.mp3",
        "sine440-8k.mp4",
        "saw-stereo-8k.flac",
    ] {
        assert_eq!(
            derive_bytes(&fixture(name)),
            derive_bytes(&fixture(name)),
            "{name}"
        );
    }
}

fn pattern(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 7 + y) as u8, (y * 11) as u8, ((x ^ y) * 5) as u8])
    })
}

fn write(dir: &Path, name: &str, bytes: Vec<u8>) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Pixels of a 24-bit BMP, read from its bytes (bottom-up rows of BGR, padded to 4 bytes).
fn bmp_pixels(bmp: &[u8]) -> RgbImage {
    assert_eq!(&bmp[0..2], b"BM");
    assert_eq!(
        u16::from_le_bytes([bmp[28], bmp[29]]),
        24,
        "24 bits per pixel"
    );
    let offset = u32::from_le_bytes(bmp[10..14].try_into().unwrap()) as usize;
    let w = i32::from_le_bytes(bmp[18..22].try_into().unwrap()) as u32;
    let h = i32::from_le_bytes(bmp[22..26].try_into().unwrap());
    assert!(h > 0, "bottom-up");
    let h = h as u32;
    let stride = (w as usize * 3).div_ceil(4) * 4;
    assert_eq!(bmp.len(), offset + stride * h as usize);
    RgbImage::from_fn(w, h, |x, y| {
        let at = offset + (h - 1 - y) as usize * stride + x as usize * 3;
        image::Rgb([bmp[at + 2], bmp[at + 1], bmp[at]])
    })
}

#[test]
fn png_and_lossless_webp_become_the_exact_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let img = pattern(37, 23);
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(img.as_raw(), 37, 23, image::ExtendedColorType::Rgb8)
        .unwrap();
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .write_image(img.as_raw(), 37, 23, image::ExtendedColorType::Rgb8)
        .unwrap();
    for (name, bytes, media) in [("p.png", png, Media::Png), ("p.webp", webp, Media::Webp)] {
        let src = write(dir.path(), name, bytes);
        let (got, _d, out) = derive(&src);
        assert_eq!(got, media);
        assert_eq!(bmp_pixels(&std::fs::read(out).unwrap()), img, "{name}");
    }
}

#[test]
fn alpha_is_dropped_from_rgba_png() {
    let dir = tempfile::tempdir().unwrap();
    let rgba = RgbaImage::from_fn(5, 3, |x, y| {
        image::Rgba([x as u8 * 40, y as u8 * 80, 7, (x * 50) as u8])
    });
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(rgba.as_raw(), 5, 3, image::ExtendedColorType::Rgba8)
        .unwrap();
    let src = write(dir.path(), "a.png", png);
    let (_, _d, out) = derive(&src);
    let px = bmp_pixels(&std::fs::read(out).unwrap());
    assert_eq!(px.get_pixel(4, 2), &image::Rgb([160, 160, 7]));
}

#[test]
fn jpeg_becomes_pixels_close_to_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let img = RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .write_image(img.as_raw(), 64, 48, image::ExtendedColorType::Rgb8)
        .unwrap();
    let src = write(dir.path(), "p.jpg", jpeg);
    let (media, _d, out) = derive(&src);
    assert_eq!(media, Media::Jpeg);
    let bmp = std::fs::read(out).unwrap();
    let px = bmp_pixels(&bmp);
    assert_eq!(px.dimensions(), (64, 48));
    let diffs: Vec<i32> = px
        .as_raw()
        .iter()
        .zip(img.as_raw())
        .map(|(&a, &b)| (i32::from(a) - i32::from(b)).abs())
        .collect();
    let mean = diffs.iter().sum::<i32>() as f64 / diffs.len() as f64;
    assert!(mean < 3.0, "mean error {mean}");
    assert!(
        diffs.iter().all(|&d| d < 40),
        "max error {:?}",
        diffs.iter().max()
    );
    assert_eq!(derive_bytes(&src), bmp, "deterministic");
}

#[test]
fn a_video_without_audio_has_no_raw_version() {
    let src = fixture("video-only.mp4");
    assert_eq!(normalize::sniff_file(&src).unwrap(), Some(Media::Mp4));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v.wav");
    assert!(!normalize::derive(Media::Mp4, &src, &out).unwrap());
    assert!(!out.exists());
}
