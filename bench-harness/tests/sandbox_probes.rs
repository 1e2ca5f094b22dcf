//! The runner's sandbox: a built-in codec that opens a dataset file or a socket fails its
//! row with a clear reason; without the sandbox the same codec passes. On a kernel without
//! Landlock the run says so once and continues, and `--require-sandbox` refuses.

mod common;
use bench_harness::runner::locate;
use common::*;

fn run(sandbox: &Sandbox, dir: &std::path::Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = sandbox
        .harness()
        .arg("run")
        .arg("--dataset")
        .arg(dir)
        .args([
            "--codec",
            "__probe-open-file",
            "--codec",
            "__probe-socket",
            "--codec",
            "candidate",
            "--quiet",
        ])
        .args(extra)
        .output()
        .unwrap();
    let text = common::output_text(&out);
    (out.status.code(), text)
}

fn status_of(sandbox: &Sandbox, codec: &str) -> (String, String) {
    let rows = rows_of(&latest_run(sandbox).join("files.csv"));
    let row = rows.iter().find(|r| &r[CODEC] == codec).unwrap();
    (row[STATUS].to_string(), row[REASON].to_string())
}

fn latest_run(sandbox: &Sandbox) -> std::path::PathBuf {
    let mut runs: Vec<_> = std::fs::read_dir(sandbox.results_dir().join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    runs.sort();
    runs.pop().unwrap()
}

#[test]
fn forbidden_access_fails_the_row_only_inside_the_sandbox() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dataset(&[("words.txt", prose(5000))]);
    let support = locate::probe(&runner()).unwrap().support;
    let (_, text) = run(&sandbox, &dir, &[]);
    if !support.complete() {
        eprintln!(
            "kernel lacks part of the sandbox ({}); checking the degraded path",
            support.describe()
        );
        assert_eq!(text.matches("unsandboxed").count(), 1, "said once:\n{text}");
        let (code, text) = run(&sandbox, &dir, &["--require-sandbox"]);
        assert_eq!(code, Some(2));
        assert!(text.contains("--require-sandbox"), "{text}");
        return;
    }
    assert!(!text.contains("unsandboxed"), "{text}");
    for probe in ["__probe-open-file", "__probe-socket"] {
        let (status, reason) = status_of(&sandbox, probe);
        assert_eq!(status, "error", "{probe}: {reason}");
        assert!(
            reason.contains("denied by the sandbox"),
            "{probe}: {reason}"
        );
        assert!(reason.contains("Permission denied"), "{probe}: {reason}");
    }
    let (status, reason) = status_of(&sandbox, "candidate");
    assert_eq!(
        status, "ok",
        "the real codec needs nothing but its descriptors: {reason}"
    );

    let (code, text) = run(&sandbox, &dir, &["--require-sandbox"]);
    assert!(!text.contains("--require-sandbox"), "{text}");
    assert_eq!(code, Some(0), "{text}");

    let (code, text) = run(&sandbox, &dir, &["--no-sandbox"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("sandbox: off"), "{text}");
    for probe in ["__probe-open-file", "__probe-socket"] {
        assert_eq!(
            status_of(&sandbox, probe).0,
            "ok",
            "{probe} passes unsandboxed"
        );
    }
}
