//! Records the versions of the baseline compression libraries from Cargo.lock, so cached
//! baseline results are keyed by the exact library that produced them; the versions of the
//! Rust and C compilers, which every run records as its provenance; and the git commit the
//! harness is built from, so that a run made outside the checkout still says which code it
//! ran.

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

/// Workspace paths compiled into the harness: a change to any of them makes the build dirty.
const COMPILED: [&str; 7] = [
    "codec/src",
    "codec/Cargo.toml",
    "bench-harness/src",
    "bench-harness/build.rs",
    "bench-harness/Cargo.toml",
    "Cargo.toml",
    "Cargo.lock",
];

fn main() {
    let workspace = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    library_versions(&workspace);
    git_state(&workspace);
}

/// `HARNESS_BUILD_GIT_COMMIT` (the commit of HEAD, `unknown` without git) and
/// `HARNESS_BUILD_GIT_DIRTY` (`true` when the compiled paths differ from that commit).
fn git_state(workspace: &Path) {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(workspace)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"]);
    // No optional locks: a status that refreshed the index would make this script run again.
    let mut status = vec!["--no-optional-locks", "status", "--porcelain", "--"];
    status.extend(COMPILED);
    let dirty = commit.is_some() && git(&status).is_some_and(|s| !s.is_empty());
    println!(
        "cargo:rustc-env=HARNESS_BUILD_GIT_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );
    println!("cargo:rustc-env=HARNESS_BUILD_GIT_DIRTY={dirty}");
    // Run again when the compiled sources, HEAD, the index or the current branch move.
    let mut watched: Vec<PathBuf> = COMPILED.iter().map(|p| workspace.join(p)).collect();
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        watched.push(Path::new(&dir).join("HEAD"));
        watched.push(Path::new(&dir).join("index"));
    }
    if let Some(common) = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"]) {
        watched.push(Path::new(&common).join("packed-refs"));
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watched.push(Path::new(&common).join(branch));
        }
    }
    // A path that does not exist would make Cargo run this script on every build.
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
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
