//! `harness guard` on a tiny repository: every kind of violation is named, a clean attempt
//! passes, and the compile check catches a changed signature.

mod common;
mod loop_fixtures;
use loop_fixtures::*;

fn guard(repo: &Repo, base: &str, compile: bool) -> (bool, String) {
    let mut cmd = repo.harness();
    cmd.args(["guard", "--base", base]);
    if !compile {
        cmd.arg("--no-compile");
    }
    let out = cmd.output().unwrap();
    let text = common::output_text(&out);
    (out.status.success(), text)
}

#[test]
fn codec_only_changes_pass_and_each_violation_is_named() {
    let repo = Repo::new();
    let base = repo.head();
    repo.write(
        "codec/src/lib.rs",
        &STUB.replace("//! The byte-copy stub.", "//! A better stub.\nmod tables;"),
    );
    repo.write("codec/src/tables.rs", "pub const T: &[u8] = b\"table\";\n");
    repo.write("codec/src/notes.txt", "not compiled, not judged: std::fs\n");
    repo.write("codec/tests/more.rs", "#[test]\nfn more() {}\n");
    repo.write("results/results.csv", "run_id\n");
    let (ok, text) = guard(&repo, &base, false);
    assert!(ok, "{text}");
    assert!(text.contains("guard: OK"), "{text}");

    repo.write("README.md", "# changed\n");
    repo.write(
        "bench-harness/src/new.rs",
        "// untracked and outside codec/\n",
    );
    repo.write(
        "codec/Cargo.toml",
        &format!("{CODEC_MANIFEST}zstd = \"0.13\"\n"),
    );
    repo.write("codec/build.rs", "fn main() {}\n");
    std::fs::remove_file(repo.root().join("codec/tests/roundtrip.rs")).unwrap();
    std::os::unix::fs::symlink("/etc", repo.root().join("codec/src/etc")).unwrap();
    repo.write(
        "codec/src/lib.rs",
        &STUB.replace(
            "//! The byte-copy stub.",
            "//! A better stub.\nmod tables;\nmod cheat;",
        ),
    );
    repo.write(
        "codec/src/cheat.rs",
        "use std::{io, fs};\nfn peek() { let _ = std::net::TcpStream::connect(\"x:1\"); }\n\
         static D: &[u8] = include_bytes!(\"../../datasets/cache/x\");\n\
         extern \"C\" { fn getpid() -> i32; }\nconst S: &str = env!(\"HOME\");\n",
    );
    let (ok, text) = guard(&repo, &base, false);
    assert!(!ok, "violations must fail the guard:\n{text}");
    for needle in [
        "changed outside codec/: README.md",
        "changed outside codec/: bench-harness/src/new.rs",
        "codec/Cargo.toml changed beyond its version: dependencies.zstd",
        "codec/build.rs: a build script",
        "codec/tests/roundtrip.rs: a test of the base was removed (tests cannot be removed)",
        "codec/src/etc: a symbolic link",
        "codec/src/cheat.rs:1: uses std::fs (not on the allow-list of std modules)",
        "codec/src/cheat.rs:2: uses std::net",
        "codec/src/cheat.rs:3: include_bytes! is not allowed in library code",
        "codec/src/cheat.rs:4: declares an `extern` block",
        "codec/src/cheat.rs:5: env! is not allowed in library code",
        "guard: 11 violation(s)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(
        !text.contains("notes.txt"),
        "an uncompiled file is not judged:\n{text}"
    );
    assert!(
        !text.contains("results/"),
        "recorded results are allowed:\n{text}"
    );
}

#[test]
fn compile_check_catches_a_changed_signature() {
    let repo = Repo::new();
    let base = repo.head();
    let (ok, text) = guard(&repo, &base, true);
    assert!(ok, "the stub keeps the signature:\n{text}");
    repo.write(
        "codec/src/lib.rs",
        &STUB.replace(
            "pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W)",
            "pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W, _level: u8)",
        ),
    );
    let (ok, text) = guard(&repo, &base, true);
    assert!(!ok, "{text}");
    assert!(text.contains("the public signature changed"), "{text}");
}

#[test]
fn an_unknown_base_is_an_error_not_a_pass() {
    let repo = Repo::new();
    let out = repo
        .harness()
        .args(["guard", "--base", "no-such-ref"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a commit"));
}
