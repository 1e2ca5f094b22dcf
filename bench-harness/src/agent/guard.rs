//! `harness guard --base REF`: the boundary of an optimisation loop, checked rather than
//! requested. Every violation is named; none means the attempt only touched the codec.

use super::git::Git;
use super::{manifest, scan, signature};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Paths an attempt may change: the codec, and the results the loop records.
const ALLOWED: [&str; 2] = ["codec/", "results/"];

/// Every violation of the work tree at `root` against commit `base`.
pub fn check(root: &Path, base: &str, compile: bool) -> Result<Vec<String>> {
    let git = Git::new(root);
    let base = git.commit_of(base)?;
    let mut violations: Vec<String> = git
        .changed_since(&base)?
        .into_iter()
        .filter(|p| !ALLOWED.iter().any(|a| p.starts_with(a)))
        .map(|p| format!("changed outside codec/: {p}"))
        .collect();

    let manifest_now = std::fs::read_to_string(root.join("codec/Cargo.toml"))
        .context("reading codec/Cargo.toml")?;
    let manifest_base = git.show(&base, "codec/Cargo.toml");
    let build_rs_base = git.succeeds(&["cat-file", "-e", &format!("{base}:codec/build.rs")]);
    violations.extend(manifest::violations(
        manifest_base.as_deref().map(|m| (m, build_rs_base)),
        (&manifest_now, root.join("codec/build.rs").exists()),
    ));

    let src = root.join("codec").join("src");
    let (mut files, mut links) = (Vec::new(), Vec::new());
    rust_files(&src, &mut files, &mut links)?;
    files.sort();
    links.sort();
    for link in links {
        let shown = link
            .strip_prefix(root)
            .unwrap_or(&link)
            .display()
            .to_string();
        violations.push(format!(
            "{shown}: a symbolic link (may reach outside codec/src)"
        ));
    }
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for f in scan::scan(&text, &file, &src) {
            violations.push(format!("{shown}:{}: {}", f.line, f.what));
        }
    }

    if compile {
        if let Some(errors) = signature::check(root)? {
            violations.push(format!(
                "the public signature changed (compile check failed): {errors}"
            ));
        }
    }
    Ok(violations)
}

/// The `.rs` files under `dir` into `out`, and every symbolic link into `links`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>, links: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            links.push(path);
        } else if kind.is_dir() {
            rust_files(&path, out, links)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}
