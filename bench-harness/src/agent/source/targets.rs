//! The root file of every target cargo builds for the package: the library (`[lib] path` or
//! `src/lib.rs`), binaries, tests, examples and benches, declared or discovered by cargo's
//! conventions.

use super::{Problem, Tier};
use std::path::{Path, PathBuf};

/// Target roots of the package at `codec_dir`, the library first.
pub fn roots(codec_dir: &Path, problems: &mut Vec<Problem>) -> Vec<(PathBuf, Tier)> {
    let manifest: toml::Table = std::fs::read_to_string(codec_dir.join("Cargo.toml"))
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    let declared_path = |table: &toml::Value| {
        table
            .get("path")
            .and_then(toml::Value::as_str)
            .map(|p| codec_dir.join(p))
    };
    let mut out = Vec::new();
    let lib = manifest
        .get("lib")
        .and_then(declared_path)
        .unwrap_or_else(|| codec_dir.join("src/lib.rs"));
    if lib.exists() {
        out.push((lib, Tier::Library));
    } else {
        problems.push(Problem {
            shown: "codec/Cargo.toml".into(),
            line: 0,
            what: format!("the library root {} does not exist", lib.display()),
        });
    }
    for kind in ["bin", "test", "example", "bench"] {
        if let Some(toml::Value::Array(targets)) = manifest.get(kind) {
            out.extend(
                targets
                    .iter()
                    .filter_map(declared_path)
                    .map(|p| (p, Tier::Test)),
            );
        }
    }
    let main = codec_dir.join("src/main.rs");
    if main.exists() {
        out.push((main, Tier::Test));
    }
    for dir in ["src/bin", "tests", "examples", "benches"] {
        out.extend(
            conventional(&codec_dir.join(dir))
                .into_iter()
                .map(|p| (p, Tier::Test)),
        );
    }
    out.sort_by(|a, b| (a.1 != Tier::Library, &a.0).cmp(&(b.1 != Tier::Library, &b.0)));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// `dir/*.rs` and `dir/*/main.rs`, as cargo discovers targets.
fn conventional(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "rs") && !path.is_dir() {
            out.push(path);
        } else if path.join("main.rs").exists() {
            out.push(path.join("main.rs"));
        }
    }
    out.sort();
    out
}
