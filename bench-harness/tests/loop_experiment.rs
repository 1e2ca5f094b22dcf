//! `scripts/new-experiment.sh` in a tiny repository: a branch whose codec is the byte-copy
//! stub with the contract's round trips as its tests (or the current codec), and the stub
//! passes the guard's signature check.

mod loop_fixtures;
use loop_fixtures::*;
use std::process::Command;

fn new_experiment(repo: &Repo, args: &[&str]) -> std::process::Output {
    let scripts = repo.root().join("scripts");
    std::fs::create_dir_all(&scripts).unwrap();
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        here.join("../scripts/new-experiment.sh"),
        scripts.join("new-experiment.sh"),
    )
    .unwrap();
    let contract = repo.root().join("bench-harness/contract");
    std::fs::create_dir_all(&contract).unwrap();
    std::fs::copy(
        here.join("contract/roundtrip.rs"),
        contract.join("roundtrip.rs"),
    )
    .unwrap();
    Command::new("bash")
        .arg(scripts.join("new-experiment.sh"))
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@localhost")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@localhost")
        .output()
        .unwrap()
}

#[test]
fn experiments_start_from_the_stub_or_the_current_codec() {
    let repo = Repo::new();
    repo.write(
        "codec/src/lib.rs",
        &STUB.replace("The byte-copy stub.", "A real codec."),
    );
    repo.write("codec/src/model.rs", "pub fn p() {}\n");
    repo.git(&["add", "-A"]);
    repo.commit("a real codec");
    // The script is copied in for the test; keep the work tree clean as the script requires.
    repo.write(".git/info/exclude", "scripts/\nbench-harness/\n");

    let out = new_experiment(&repo, &["replay", "--from", "stub"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(repo.git(&["branch", "--show-current"]), "experiment/replay");
    let lib = std::fs::read_to_string(repo.root().join("codec/src/lib.rs")).unwrap();
    assert!(lib.contains("byte-copy stub"), "{lib}");
    assert!(!repo.root().join("codec/src/model.rs").exists());
    assert!(repo.root().join("codec/STRATEGY.md").exists());
    assert!(!repo.root().join("codec/tests/roundtrip.rs").exists());
    let contract = std::fs::read_to_string(repo.root().join("codec/tests/contract.rs")).unwrap();
    assert!(
        contract.contains("fn every_length_up_to_4096_round_trips"),
        "the experiment keeps tests"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let guard = repo
        .harness()
        .args(["guard", "--base", "HEAD"])
        .output()
        .unwrap();
    assert!(
        guard.status.success(),
        "{}",
        String::from_utf8_lossy(&guard.stdout)
    );

    repo.git(&["switch", "-q", "main"]);
    let out = new_experiment(&repo, &["tune"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(repo.git(&["branch", "--show-current"]), "experiment/tune");
    assert!(
        repo.root().join("codec/src/model.rs").exists(),
        "current codec kept"
    );

    let out = new_experiment(&repo, &["x", "--from", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));
}
