//! A run records the commit of the code it measured, which is the codec runner's build: run
//! directly (not through `cargo harness`), the harness may find a runner built before the
//! checkout moved on, and then it says so and records the runner's commit, not HEAD.

mod common;

use common::{prose, runner, Sandbox};
use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A workspace checkout with one commit; returns its HEAD.
fn checkout(dir: &Path) -> String {
    std::fs::create_dir_all(dir.join("codec/src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
    std::fs::write(dir.join("codec/src/lib.rs"), "pub fn v() {}\n").unwrap();
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "one"]);
    git(dir, &["rev-parse", "HEAD"])
}

/// The real runner, but saying at `--probe` that it was built from `commit`, clean.
fn runner_built_from(dir: &Path, commit: &str) -> PathBuf {
    runner_built_with(dir, commit, "clean")
}

/// The real runner, but saying at `--probe` that it was built from `commit` with the
/// uncommitted changes of `digest` (`clean`: none).
fn runner_built_with(dir: &Path, commit: &str, digest: &str) -> PathBuf {
    let path = dir.join("stale-runner");
    let real = runner();
    let dirty = digest != "clean";
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nPATH=/usr/bin:/bin\nif [ \"$1\" = --probe ]; then\n  \
             '{real}' --probe | sed -e 's/^git_commit=.*/git_commit={commit}/' \
             -e 's/^git_dirty=.*/git_dirty={dirty}/' \
             -e 's/^source_digest=.*/source_digest={digest}/'\n  exit 0\nfi\n\
             exec '{real}' \"$@\"\n",
            real = real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path
}

fn run_in(sandbox: &Sandbox, checkout: &Path, runner: &Path) -> (String, serde_json::Value) {
    let file = sandbox.dir.path().join("a.txt");
    std::fs::write(&file, prose(4000)).unwrap();
    let out = sandbox
        .harness()
        .current_dir(checkout)
        .env("HARNESS_RUNNER", runner)
        .args(["run", "--quiet", "--codec", "gzip:1"])
        .arg(&file)
        .output()
        .unwrap();
    let text = common::output_text(&out);
    assert!(out.status.success(), "{text}");
    let summary = sandbox.summary();
    std::fs::remove_dir_all(sandbox.results_dir()).unwrap();
    (text, summary)
}

#[test]
fn a_run_records_the_commit_its_runner_was_built_from() {
    let sandbox = Sandbox::new();
    let repo = sandbox.dir.path().join("checkout");
    let head = checkout(&repo);
    let older = "0123456789abcdef0123456789abcdef01234567";

    let (text, summary) = run_in(
        &sandbox,
        &repo,
        &runner_built_from(sandbox.dir.path(), &head),
    );
    assert!(!text.contains("codec runner was built"), "{text}");
    assert_eq!(summary["git"]["commit"], head.as_str());

    let (text, summary) = run_in(
        &sandbox,
        &repo,
        &runner_built_from(sandbox.dir.path(), older),
    );
    assert!(
        text.contains("the codec runner was built from 0123456789ab, not from the checkout's HEAD"),
        "{text}"
    );
    assert_eq!(summary["git"]["commit"], older, "the commit measured");

    // Uncommitted codec changes the clean runner was not built with.
    std::fs::write(repo.join("codec/src/lib.rs"), "pub fn v() { /* new */ }\n").unwrap();
    let (text, summary) = run_in(
        &sandbox,
        &repo,
        &runner_built_from(sandbox.dir.path(), &head),
    );
    assert!(
        text.contains("uncommitted changes to the codec or the runner"),
        "{text}"
    );
    assert_eq!(summary["git"]["commit"], head.as_str());
    assert_eq!(
        summary["git"]["dirty"], false,
        "the runner's clean build was measured"
    );

    // A runner built with other uncommitted changes than the checkout's.
    let (text, summary) = run_in(
        &sandbox,
        &repo,
        &runner_built_with(sandbox.dir.path(), &head, "0123456789abcdef"),
    );
    assert!(
        text.contains("with uncommitted changes to the codec or the runner that differ"),
        "{text}"
    );
    assert_eq!(summary["git"]["commit"], head.as_str());
    assert_eq!(summary["git"]["dirty"], true);

    // Built with exactly the checkout's changes: the checkout is what was measured.
    let now = Command::new(runner())
        .arg("--sources")
        .arg(&repo)
        .output()
        .unwrap();
    let now = String::from_utf8_lossy(&now.stdout).into_owned();
    let digest = now
        .lines()
        .find_map(|l| l.strip_prefix("source_digest="))
        .expect("a digest");
    assert_ne!(digest, "clean", "{now}");
    let (text, summary) = run_in(
        &sandbox,
        &repo,
        &runner_built_with(sandbox.dir.path(), &head, digest),
    );
    assert!(!text.contains("codec runner was built"), "{text}");
    assert!(!text.contains("uncommitted changes"), "{text}");
    assert_eq!(summary["git"]["commit"], head.as_str());
    assert_eq!(summary["git"]["dirty"], true);
}
