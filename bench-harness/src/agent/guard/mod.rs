//! `harness guard --base REF`: the boundary of an optimisation loop, checked rather than
//! requested. It parses every file the codec crate compiles (see [`crate::agent::source`])
//! and names each violation; none means the attempt changed only the codec, within the rules
//! it gives agents:
//!
//! - only `codec/` (and the loop's `results/`) changed;
//! - `codec/Cargo.toml` changed at most its version, and no `codec/build.rs` appeared;
//! - every test file the base had under `codec/tests/` is there unchanged;
//! - no symbolic link under `codec/`;
//! - library code names only allowed `std` modules, no file- or environment-reading macro,
//!   no foreign code, only allowed attributes ([`rules`], [`tokens`]);
//! - the public signature compiles against the harness's use of it ([`signature`]), checked
//!   last and only when nothing else was found (it compiles the attempt).

pub mod manifest;
mod names;
pub mod rules;
pub mod signature;
mod tokens;

use super::git::Git;
use crate::agent::source::CrateSource;
use anyhow::{Context, Result};
use std::path::Path;

/// Paths an attempt may change: the codec, and the results the loop records.
const ALLOWED: [&str; 2] = ["codec/", "results/"];

/// Every violation of the work tree at `root` against commit `base`.
pub fn check(root: &Path, base: &str, compile: bool) -> Result<Vec<String>> {
    let git = Git::new(root);
    let base = git.commit_of(base)?;
    let mut violations = outside_codec(&git, &base)?;
    violations.extend(codec_violations(root, &git, &base)?);
    let mut seen = std::collections::HashSet::new();
    violations.retain(|v| seen.insert(v.clone()));
    if compile && violations.is_empty() {
        if let Some(errors) = signature::check(root)? {
            violations.push(format!(
                "the public signature changed (compile check failed): {errors}"
            ));
        }
    }
    Ok(violations)
}

/// Changed or new paths outside `codec/` and `results/`.
pub fn outside_codec(git: &Git, base: &str) -> Result<Vec<String>> {
    Ok(git
        .changed_since(base)?
        .into_iter()
        .filter(|p| !ALLOWED.iter().any(|a| p.starts_with(a)))
        .map(|p| format!("changed outside codec/: {p}"))
        .collect())
}

/// Every violation inside `codec/` (all but the compile check).
pub fn codec_violations(root: &Path, git: &Git, base: &str) -> Result<Vec<String>> {
    let codec = root.join("codec");
    let manifest_now =
        std::fs::read_to_string(codec.join("Cargo.toml")).context("reading codec/Cargo.toml")?;
    let mut violations =
        manifest::violations(git.show(base, "codec/Cargo.toml").as_deref(), &manifest_now);
    let had_build_script = git.succeeds(&["cat-file", "-e", &format!("{base}:codec/build.rs")]);
    if codec.join("build.rs").exists() && !had_build_script {
        violations.push("codec/build.rs: a build script (cargo would run it)".into());
    }
    violations.extend(base_tests(root, git, base)?);
    violations.extend(links(root, git)?);
    let source = CrateSource::discover(&codec);
    for p in &source.problems {
        violations.push(located(&p.shown, p.line, &p.what));
    }
    for file in &source.files {
        for f in rules::check(file, &codec) {
            violations.push(located(&file.shown, f.line, &f.what));
        }
    }
    Ok(violations)
}

fn located(shown: &str, line: usize, what: &str) -> String {
    if line == 0 {
        format!("{shown}: {what}")
    } else {
        format!("{shown}:{line}: {what}")
    }
}

/// The base's test files (`codec/tests/**.rs`) that are gone or changed.
fn base_tests(root: &Path, git: &Git, base: &str) -> Result<Vec<String>> {
    let listed = git.run(&["ls-tree", "-r", "--name-only", base, "--", "codec/tests"])?;
    let mut out = Vec::new();
    for path in listed.lines().filter(|p| p.ends_with(".rs")) {
        let then = git.raw(&["show", &format!("{base}:{path}")])?;
        match std::fs::read(root.join(path)) {
            Err(_) => out.push(format!(
                "{path}: a test of the base was removed (tests cannot be removed)"
            )),
            Ok(now) if now != then => out.push(format!(
                "{path}: a test of the base was changed (the base's tests run unchanged; add tests in new files)"
            )),
            Ok(_) => {}
        }
    }
    Ok(out)
}

/// Symbolic links among the files under `codec/` git tracks or would track.
fn links(root: &Path, git: &Git) -> Result<Vec<String>> {
    let listed = git.run(&[
        "ls-files",
        "--cached",
        "--others",
        "--exclude-standard",
        "--",
        "codec",
    ])?;
    Ok(listed
        .lines()
        .filter(|p| {
            std::fs::symlink_metadata(root.join(p)).is_ok_and(|m| m.file_type().is_symlink())
        })
        .map(|p| format!("{p}: a symbolic link (may reach outside codec/)"))
        .collect())
}

#[cfg(test)]
mod tests;
