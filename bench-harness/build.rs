//! Records the versions of the baseline compression libraries from Cargo.lock, so cached
//! baseline results are keyed by the exact library that produced them; and the versions of
//! the Rust and C compilers, which every run records as its provenance. (The git commit of
//! the measured code is recorded by `codec-runner`'s build, which compiles the codec.)

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

const LIBRARIES: [&str; 6] = [
    "zstd",
    "zstd-sys",
    "liblzma",
    "liblzma-sys",
    "bzip2",
    "flate2",
];

fn main() {
    let workspace = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    library_versions(&workspace);
}

fn library_versions(workspace: &Path) {
    let lock = workspace.join("Cargo.lock");
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
    record_compiler_versions();
}

/// `HARNESS_RUSTC_VERSION` and `HARNESS_CC_VERSION`: the first line each compiler prints for
/// `--version` (empty when it cannot be run). The C compiler is the one the `cc` crate picks
/// for the baseline libraries: `$CC`, else `cc`.
fn record_compiler_versions() {
    println!("cargo:rerun-if-env-changed=CC");
    let version = |program: &str| {
        Command::new(program)
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .map(|l| l.trim().to_string())
            })
            .unwrap_or_default()
    };
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let cc = env::var("CC").unwrap_or_else(|_| "cc".into());
    println!("cargo:rustc-env=HARNESS_RUSTC_VERSION={}", version(&rustc));
    println!("cargo:rustc-env=HARNESS_CC_VERSION={}", version(&cc));
}
