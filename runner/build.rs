//! Records the git commit the runner (and so the codec it links) is built from, whether the
//! compiled sources differed from it and a digest of the difference ([`sources`]), so that a
//! run still says which code it measured: `codec-runner --probe` prints them.

#[path = "src/sources.rs"]
mod sources;

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let workspace = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    let state = sources::state(&workspace);
    println!("cargo:rustc-env=CODEC_RUNNER_GIT_COMMIT={}", state.commit);
    println!("cargo:rustc-env=CODEC_RUNNER_GIT_DIRTY={}", state.dirty());
    println!(
        "cargo:rustc-env=CODEC_RUNNER_SOURCE_DIGEST={}",
        state.digest
    );
    watch(&workspace);
}

/// Runs this script again when the compiled sources, HEAD, the index or the current branch
/// move.
fn watch(workspace: &Path) {
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
    let mut watched: Vec<PathBuf> = sources::COMPILED
        .iter()
        .map(|p| workspace.join(p))
        .collect();
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
