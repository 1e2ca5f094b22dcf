//! Deterministic synthetic dataset: a fixed list of files covering every [`Category`],
//! generated from a seed with integer arithmetic only, so the bytes are identical on every
//! machine (pinned by the sha256 table in `tests/sha256.txt`).
//!
//! Sizes: `SynthFile::size` is always the exact length of the generated file, including for
//! already-compressed files, which are fitted to it (see `fit`). The largest file is
//! `prose-large.txt` (53 MiB of prose at scale 1.0); the whole set is about 160.5 MiB.
//!
//! The bytes of the compressed files (`.gz`, `.zst`, `.xz`, `.png`) also depend on the
//! compressor libraries (flate2's backend, zstd, liblzma): upgrading those may change them,
//! while every other file depends only on this module and ChaCha8.

mod bmp;
mod calendar;
mod cut;
mod edge;
mod fit;
mod graphics;
mod jsonl;
mod logs;
mod machine;
mod music;
mod names;
mod orders;
mod photo;
mod plan;
mod png;
mod prose;
mod records;
mod rng;
mod sine;
mod source;
mod speech;
mod wav;
mod words;

#[cfg(test)]
mod tests;

use crate::dataset::category::Category;
use plan::Kind;

/// Seed of the `default` dataset.
pub const DEFAULT_SEED: u64 = 0x5EED_C0DE_2024_0001;

/// One file of the synthetic dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthFile {
    /// Flat file name with an extension, unique within the plan.
    pub name: String,
    pub category: Category,
    /// Exact length in bytes of `generate(seed, self)` for every seed.
    pub size: u64,
}

/// Stable file list; sizes scale with `scale` (1.0 = about 160.5 MiB in all). Every file keeps
/// a minimum size so tiny scales still give valid, non-empty files, except `empty.bin`
/// (always 0 bytes) and `one-byte.bin` (always 1 byte). Sizes are rounded to what the
/// format needs (whole WAV sample frames, xz's 4-byte alignment).
pub fn plan(scale: f64) -> Vec<SynthFile> {
    plan::ENTRIES
        .iter()
        .map(|e| SynthFile {
            name: e.name.to_string(),
            category: e.category,
            size: e.kind.planned_size(e.nominal, e.minimum, scale),
        })
        .collect()
}

/// The bytes of one planned file: a pure function of `(seed, file.name, file.size)`, always
/// exactly `file.size` bytes long. Panics if `file.name` is not in the plan.
pub fn generate(seed: u64, file: &SynthFile) -> Vec<u8> {
    let entry = plan::ENTRIES
        .iter()
        .find(|e| e.name == file.name)
        .unwrap_or_else(|| panic!("{:?} is not a synthetic file", file.name));
    let len = usize::try_from(file.size).expect("file size fits in memory");
    let mut rng = rng::Stream::new(seed, &file.name, "content");
    let out = match entry.kind {
        Kind::Prose => prose::generate(&mut rng, len),
        Kind::Csv => orders::generate(&mut rng, len),
        Kind::Jsonl => jsonl::generate(&mut rng, len),
        Kind::Log => logs::generate(&mut rng, len),
        Kind::SourceC => source::generate_c(&mut rng, len),
        Kind::SourceRust => source::generate_rust(&mut rng, len),
        Kind::Music => music::generate(&mut rng, len),
        Kind::Speech => speech::generate(&mut rng, len),
        Kind::Photo => photo::generate_bmp(&mut rng, len),
        Kind::Graphics => graphics::generate_bmp(&mut rng, len),
        Kind::Machine => machine::generate(&mut rng, len),
        Kind::Records => records::generate(&mut rng, len),
        Kind::Gzip => fit::gzip(&mut rng, len),
        Kind::Zstd => fit::zstd(&mut rng, len),
        Kind::Xz => fit::xz(&mut rng, len),
        Kind::Png => png::generate(&mut rng, len),
        Kind::Random => edge::random(&mut rng, len),
        Kind::Zeros => vec![0; len],
        Kind::Repeats => edge::repeats(&mut rng, len),
        Kind::Fixed => edge::random(&mut rng, len),
    };
    assert_eq!(out.len(), len, "{} has the planned size", file.name);
    out
}
