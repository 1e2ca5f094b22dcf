//! Records the versions of the baseline compression libraries from Cargo.lock, so cached
//! baseline results are keyed by the exact library that produced them.

use std::{env, fs, path::PathBuf};

const LIBRARIES: [&str; 6] = [
    "zstd",
    "zstd-sys",
    "liblzma",
    "liblzma-sys",
    "bzip2",
    "flate2",
];

fn main() {
    let lock = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = fs::read_to_string(&lock).unwrap_or_default();
    let mut found = Vec::new();
    let mut name: Option<&str> = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"'));
        } else if let (Some(n), Some(v)) = (name, line.strip_prefix("version = ")) {
            if LIBRARIES.contains(&n) {
                found.push(format!("{n}-{}", v.trim_matches('"')));
            }
            name = None;
        }
    }
    found.sort();
    println!("cargo:rustc-env=HARNESS_LIB_VERSIONS={}", found.join(","));
}
