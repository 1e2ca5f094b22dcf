//! The seed streams of `tests/fuzz_regressions/` (real outputs of the current format, one or
//! more of every method) and containers built around payloads.

use std::path::Path;

pub const HEADER: usize = 18;

/// Every `seed-*.rcz`, by name without the extension, in name order.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("regression directory exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
        })
        .map(|p| {
            let name = p
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("readable seed"))
        })
        .collect();
    found.sort();
    found
}

/// The seed called `name` (`"seed-wav"`).
pub fn seed(name: &str) -> Vec<u8> {
    seeds()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no seed {name}"))
        .1
}

/// A container of this build's format (magic and version as in the seeds) holding
/// `payload` coded with `method`, declaring `declared` bytes (CRC-32 0).
pub fn container(method: u8, declared: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = seed("seed-text")[..5].to_vec();
    out.push(method);
    out.extend_from_slice(&declared.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The largest length the container lets a payload of `len` bytes declare.
pub fn max_declared(len: usize) -> u64 {
    (len as u64 + 64) << 16
}

pub fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

pub fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}
