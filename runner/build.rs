//! Records the git commit the runner (and so the codec it links) is built from, and whether the
//! compiled sources differed from it, so that a run made outside the checkout still says which
//! code it measured: `codec-runner --probe` prints both.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let workspace = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    git_state(&workspace);
}

/// Workspace paths compiled into the runner: a change to any of them makes the build dirty.
const COMPILED: [&str; 7] = [
    "codec/src",
    "codec/Cargo.toml",
    "runner/src",
    "runner/build.rs",
    "runner/Cargo.toml",
    "Cargo.toml",
    "Cargo.lock",
];

/// `CODEC_RUNNER_GIT_COMMIT` (the commit of HEAD, `unknown` without git) and
/// `CODEC_RUNNER_GIT_DIRTY` (`true` when the compiled paths differ from that commit).
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
        "cargo:rustc-env=CODEC_RUNNER_GIT_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );
    println!("cargo:rustc-env=CODEC_RUNNER_GIT_DIRTY={dirty}");
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
