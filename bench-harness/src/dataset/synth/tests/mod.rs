mod formats;
mod pinned;
mod properties;

use super::{generate, plan, SynthFile};

/// The planned file called `name` at `scale`.
fn planned(scale: f64, name: &str) -> SynthFile {
    plan(scale)
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} is planned"))
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

/// Deflate (level 6) size over input size.
fn deflate_ratio(data: &[u8]) -> f64 {
    use std::io::Write;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(data).unwrap();
    e.finish().unwrap().len() as f64 / data.len() as f64
}

fn generate_named(seed: u64, scale: f64, name: &str) -> Vec<u8> {
    generate(seed, &planned(scale, name))
}
