//! The file table: names, categories, nominal sizes at scale 1.0 and per-format rounding.

use crate::dataset::category::Category;

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Prose,
    Csv,
    Jsonl,
    Log,
    SourceC,
    SourceRust,
    Music,
    Speech,
    Photo,
    Graphics,
    Machine,
    Records,
    Gzip,
    Zstd,
    Xz,
    Png,
    Random,
    Zeros,
    Repeats,
    /// Random bytes of a size that does not scale.
    Fixed,
}

pub struct Entry {
    pub name: &'static str,
    pub category: Category,
    pub kind: Kind,
    /// Bytes at scale 1.0.
    pub nominal: u64,
    /// Bytes at any scale (before format rounding).
    pub minimum: u64,
}

const fn entry(
    name: &'static str,
    category: Category,
    kind: Kind,
    nominal: u64,
    minimum: u64,
) -> Entry {
    Entry {
        name,
        category,
        kind,
        nominal,
        minimum,
    }
}

use Category as C;

/// Order is part of the dataset's identity: append, never reorder.
pub const ENTRIES: &[Entry] = &[
    entry("prose-large.txt", C::Text, Kind::Prose, 53 * MIB, 8 * KIB),
    entry("prose-small.txt", C::Text, Kind::Prose, MIB, 2 * KIB),
    entry("note.txt", C::Text, Kind::Prose, 12 * KIB, 512),
    entry("records.csv", C::Structured, Kind::Csv, 9 * MIB, 4 * KIB),
    entry("events.jsonl", C::Structured, Kind::Jsonl, 9 * MIB, 4 * KIB),
    entry("access.log", C::Structured, Kind::Log, 9 * MIB, 4 * KIB),
    entry("module.c", C::Source, Kind::SourceC, 5 * MIB, 4 * KIB),
    entry("module.rs", C::Source, Kind::SourceRust, 5 * MIB, 4 * KIB),
    entry(
        "music-stereo-44k.wav",
        C::Audio,
        Kind::Music,
        10 * MIB,
        8 * KIB,
    ),
    entry(
        "speech-mono-16k.wav",
        C::Audio,
        Kind::Speech,
        4 * MIB,
        8 * KIB,
    ),
    entry("photo.bmp", C::Image, Kind::Photo, 8 * MIB, 8 * KIB),
    entry(
        "graphics-odd-width.bmp",
        C::Image,
        Kind::Graphics,
        3 * MIB,
        8 * KIB,
    ),
    entry("program.elf", C::Binary, Kind::Machine, 6 * MIB, 4 * KIB),
    entry(
        "sensor-table.bin",
        C::Binary,
        Kind::Records,
        5 * MIB,
        4 * KIB,
    ),
    entry("prose.txt.gz", C::Compressed, Kind::Gzip, 3 * MIB, 4 * KIB),
    entry(
        "records.csv.zst",
        C::Compressed,
        Kind::Zstd,
        2 * MIB,
        4 * KIB,
    ),
    entry(
        "prose.txt.xz",
        C::Compressed,
        Kind::Xz,
        3 * MIB / 2,
        4 * KIB,
    ),
    entry("photo.png", C::Compressed, Kind::Png, 3 * MIB, 4 * KIB),
    entry("random-small.rnd", C::Random, Kind::Random, MIB, KIB),
    entry(
        "random-large.rnd",
        C::Random,
        Kind::Random,
        16 * MIB,
        16 * KIB,
    ),
    entry("empty.bin", C::Edge, Kind::Fixed, 0, 0),
    entry("one-byte.bin", C::Edge, Kind::Fixed, 1, 1),
    entry("zeros.bin", C::Edge, Kind::Zeros, 4 * MIB, 64),
    entry("repeats.bin", C::Edge, Kind::Repeats, 3 * MIB, 64),
];

impl Kind {
    /// `nominal * scale`, at least `minimum`, rounded down to a size the format can fill exactly.
    pub fn planned_size(self, nominal: u64, minimum: u64, scale: f64) -> u64 {
        if self == Kind::Fixed {
            return nominal;
        }
        // A product and a truncating cast are exact IEEE operations: identical everywhere.
        let scaled = (nominal as f64 * scale + 0.5) as u64;
        let size = scaled.max(minimum);
        match self {
            Kind::Music => super::wav::round_size(size, 4),
            Kind::Speech => super::wav::round_size(size, 2),
            Kind::Photo => super::bmp::round_size(size, super::photo::width_for),
            Kind::Graphics => super::bmp::round_size(size, super::graphics::width_for),
            Kind::Xz => size & !3,
            _ => size,
        }
    }
}
