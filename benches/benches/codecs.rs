//! Compress and decompress throughput (MB/s of original bytes) of the candidate codec and the
//! baselines, per data class, on samples of the generated default dataset (and a baseline
//! JPEG made from its photo). Criterion's usual options apply (`cargo bench -- --warm-up-time
//! 1 --measurement-time 3 text`); the run ends with one table per data class, the candidate
//! beside the baselines: ratio, compress MB/s and decompress MB/s.

use bench_harness::dataset::synth;
use criterion::{BenchmarkId, Criterion, Throughput};
use std::fmt::Write as _;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// (class, file of the default dataset, scale giving roughly 1 MiB of it).
const SAMPLES: &[(&str, &str, f64)] = &[
    ("text", "prose-large.txt", 0.02),
    ("structured", "records.csv", 0.11),
    ("audio", "music-stereo-44k.wav", 0.1),
    ("image", "photo.bmp", 0.125),
    ("binary", "program.elf", 0.17),
    ("already-compressed", "photo.png", 0.33),
];

fn sample(name: &str, scale: f64) -> Vec<u8> {
    let file = synth::plan(scale)
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} is not in the default dataset"));
    synth::generate(synth::DEFAULT_SEED, &file)
}

/// A baseline JPEG (quality 90, 4:2:0) of the default dataset's photo.
fn jpeg_sample() -> Vec<u8> {
    let bmp = sample("photo.bmp", 0.125);
    let u32_at = |i: usize| u32::from_le_bytes(bmp[i..i + 4].try_into().expect("4 bytes"));
    let (offset, width, height) = (
        u32_at(10) as usize,
        u32_at(18) as usize,
        u32_at(22) as usize,
    );
    let stride = (width * 3 + 3) & !3;
    // The BMP's rows run bottom-up in BGR order.
    let rgb: Vec<u8> = (0..height)
        .rev()
        .flat_map(|y| bmp[offset + y * stride..][..width * 3].chunks(3))
        .flat_map(|bgr| [bgr[2], bgr[1], bgr[0]])
        .collect();
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    encoder
        .encode(
            &rgb,
            width as u16,
            height as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("JPEG of the photo");
    out
}

type Coder = fn(&[u8]) -> Vec<u8>;

fn candidate_compress(data: &[u8]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    codec::compress(Cursor::new(data), &mut out).expect("candidate compress");
    out.into_inner()
}

fn candidate_decompress(data: &[u8]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    codec::decompress(Cursor::new(data), &mut out).expect("candidate decompress");
    out.into_inner()
}

fn zstd_compress(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 19).expect("zstd")
}

fn zstd_decompress(data: &[u8]) -> Vec<u8> {
    zstd::decode_all(data).expect("zstd -d")
}

fn xz_compress(data: &[u8]) -> Vec<u8> {
    let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 9);
    enc.write_all(data).expect("xz");
    enc.finish().expect("xz")
}

fn xz_decompress(data: &[u8]) -> Vec<u8> {
    read_all(liblzma::read::XzDecoder::new(data))
}

fn bzip2_compress(data: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::new(9));
    enc.write_all(data).expect("bzip2");
    enc.finish().expect("bzip2")
}

fn bzip2_decompress(data: &[u8]) -> Vec<u8> {
    read_all(bzip2::read::BzDecoder::new(data))
}

fn gzip_compress(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}

fn gzip_decompress(data: &[u8]) -> Vec<u8> {
    read_all(flate2::read::GzDecoder::new(data))
}

fn read_all(mut reader: impl Read) -> Vec<u8> {
    let mut out = Vec::new();
    reader.read_to_end(&mut out).expect("decode");
    out
}

const CODECS: &[(&str, Coder, Coder)] = &[
    ("candidate", candidate_compress, candidate_decompress),
    ("zstd-19", zstd_compress, zstd_decompress),
    ("xz-9", xz_compress, xz_decompress),
    ("bzip2-9", bzip2_compress, bzip2_decompress),
    ("gzip-9", gzip_compress, gzip_decompress),
];

/// One data class: its bytes, and each codec's compressed size.
struct Class {
    name: &'static str,
    bytes: usize,
    compressed: Vec<(&'static str, usize)>,
}

fn bench_codecs(c: &mut Criterion) -> Vec<Class> {
    let generated = SAMPLES
        .iter()
        .map(|&(class, name, scale)| (class, sample(name, scale)));
    let mut classes = Vec::new();
    for (class, data) in generated.chain([("jpeg", jpeg_sample())]) {
        let mut group = c.benchmark_group(class);
        group.throughput(Throughput::Bytes(data.len() as u64));
        let mut compressed = Vec::new();
        for &(codec, compress, decompress) in CODECS {
            let packed = compress(&data);
            assert_eq!(decompress(&packed), data, "{codec} round trip on {class}");
            compressed.push((codec, packed.len()));
            group.bench_with_input(BenchmarkId::new("compress", codec), &data, |b, d| {
                b.iter(|| compress(d))
            });
            group.bench_with_input(BenchmarkId::new("decompress", codec), &packed, |b, p| {
                b.iter(|| decompress(p))
            });
        }
        group.finish();
        classes.push(Class {
            name: class,
            bytes: data.len(),
            compressed,
        });
    }
    classes
}

/// Where criterion writes its estimates: `target/criterion`, found from this executable's
/// place (`target/<profile>/deps/`), as criterion itself would.
fn criterion_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir).join("criterion");
    }
    let exe = std::env::current_exe().expect("the bench's own path");
    exe.ancestors()
        .nth(3)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join("criterion")
}

/// Mean seconds per iteration of one benchmark, if this run measured it (estimates written
/// after `since`; a filtered-out benchmark keeps an older file, or none).
fn seconds(dir: &Path, class: &str, op: &str, codec: &str, since: SystemTime) -> Option<f64> {
    let path = dir
        .join(class)
        .join(op)
        .join(codec)
        .join("new/estimates.json");
    let fresh = std::fs::metadata(&path).ok()?.modified().ok()? >= since;
    let text = std::fs::read_to_string(&path).ok().filter(|_| fresh)?;
    let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(estimates["mean"]["point_estimate"].as_f64()? * 1e-9)
}

/// One table per data class measured in this run: codec, ratio, compress and decompress
/// MB/s (10^6 bytes of input per second, criterion's mean time per iteration).
fn tables(classes: &[Class], dir: &Path, since: SystemTime) -> String {
    let mut out = String::new();
    for class in classes {
        let mb = class.bytes as f64 / 1e6;
        let speed = |op: &str, codec: &str| {
            seconds(dir, class.name, op, codec, since)
                .map_or("-".to_string(), |s| format!("{:.2}", mb / s))
        };
        let rows: Vec<String> = class
            .compressed
            .iter()
            .filter_map(|&(codec, size)| {
                let (c, d) = (speed("compress", codec), speed("decompress", codec));
                (c != "-" || d != "-").then(|| {
                    format!(
                        "{codec:<11}{:>8.4}{c:>15}{d:>17}\n",
                        size as f64 / class.bytes as f64
                    )
                })
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{} ({:.2} MiB)\n{:<11}{:>8}{:>15}{:>17}",
            class.name,
            class.bytes as f64 / (1 << 20) as f64,
            "codec",
            "ratio",
            "compress MB/s",
            "decompress MB/s"
        );
        out.extend(rows);
    }
    out
}

fn main() {
    let started = SystemTime::now();
    let dir = criterion_dir();
    // Defaults for a 1 MiB sample at about 1 MB/s; criterion's options override them.
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5))
        .output_directory(&dir)
        .configure_from_args();
    let classes = bench_codecs(&mut criterion);
    criterion.final_summary();
    let summary = tables(&classes, &dir, started);
    if !summary.is_empty() {
        println!(
            "\nper data class: ratio = compressed / original (lower is better), MB/s of \
             input (mean of criterion's samples){summary}"
        );
    }
}
