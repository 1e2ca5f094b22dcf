//! No codec can damage the dataset: each operation reads a private copy, a codec that changes
//! what it was given fails its own row as `tampered`, a change to the dataset itself stops the
//! run naming the file and the codec, and a file changed by anything else is reported as
//! changed data, never blamed on a codec. The baseline cache is never fed such results.

mod common;
use common::*;

fn ext(name: &str, compress: &str, decompress: &str) -> String {
    format!("ext:{name}={compress};{decompress}")
}

fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![("a.txt", prose(20_000)), ("b.txt", prose(30_000))]
}

/// Runs gzip and a codec that truncates the file behind its stdin; returns the rows and the
/// output, having checked that the dataset is intact and gzip's rows correct.
fn truncating_run(sandbox: &Sandbox, extra: &[&str]) -> (Vec<csv::StringRecord>, String) {
    let dataset = sandbox.dataset(&files());
    let before = snapshot(&dataset);
    let out = sandbox
        .harness()
        .args(["run", "--quiet", "--dataset"])
        .arg(&dataset)
        .args(["--codec", "gzip", "--codec"])
        .arg(ext("truncates", &script("truncate-input.sh"), "cat"))
        .args(extra)
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(snapshot(&dataset), before, "the dataset changed:\n{text}");
    let rows = sandbox.rows();
    assert_eq!(rows.len(), 4, "{text}");
    for row in rows.iter().filter(|r| &r[CODEC] == "gzip:9") {
        assert_eq!(&row[STATUS], "ok", "{text}");
        let ratio: f64 = row[6].parse().unwrap();
        assert!(ratio > 0.0 && ratio < 0.1, "gzip ratio {ratio}");
    }
    (rows, text)
}

#[test]
fn a_codec_that_truncates_its_input_is_stopped_by_the_sandbox() {
    let sandbox = Sandbox::new();
    let (rows, text) = truncating_run(&sandbox, &[]);
    if text.contains("unsandboxed") {
        return;
    }
    for row in rows.iter().filter(|r| &r[CODEC] == "truncates") {
        assert_eq!(&row[STATUS], "error", "{text}");
        assert!(row[REASON].contains("Permission denied"), "{text}");
    }
}

#[test]
fn a_codec_that_truncates_its_input_fails_its_own_rows_and_the_dataset_survives() {
    let sandbox = Sandbox::new();
    let (rows, text) = truncating_run(&sandbox, &["--no-sandbox"]);
    for row in rows.iter().filter(|r| &r[CODEC] == "truncates") {
        assert_eq!(&row[STATUS], "tampered", "{text}");
        assert!(
            row[REASON].contains("compress of truncates changed its input"),
            "{:?}",
            &row[REASON]
        );
    }
    // The cache holds gzip's true figures: a second run reuses them unchanged.
    let first: Vec<String> = rows
        .iter()
        .filter(|r| &r[CODEC] == "gzip:9")
        .map(|r| r[COMPRESSED].to_string())
        .collect();
    let again = Sandbox::new();
    copy_dir(
        &sandbox.results_dir().join("cache"),
        &again.results_dir().join("cache"),
    );
    let out = again
        .harness()
        .args(["run", "--quiet", "--codec", "gzip", "--dataset"])
        .arg(sandbox.dir.path().join("files"))
        .output()
        .unwrap();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    let rows = again.rows();
    let second: Vec<String> = rows.iter().map(|r| r[COMPRESSED].to_string()).collect();
    assert_eq!(second, first);
    assert!(rows.iter().all(|r| &r[CACHED] == "true"));
    // The terminal table marks the cached figures and says what the mark means.
    let overall = text.lines().find(|l| l.starts_with("OVERALL")).unwrap();
    assert!(
        overall.trim_end().ends_with('*') || overall.contains("* "),
        "{text}"
    );
    assert!(
        text.contains("* includes figures reused from the baseline cache"),
        "{text}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn a_sandboxed_codec_cannot_write_a_dataset_file_by_its_path() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&files());
    let before = snapshot(&dataset);
    let target = dataset.join("b.txt");
    let vandal = format!("{} {}", script("vandal.sh"), target.display());
    let out = sandbox
        .harness()
        .args(["run", "--quiet", "--filter", "a.txt", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(ext("vandal", &vandal, "cat"))
        .output()
        .unwrap();
    let text = output_text(&out);
    if !text.contains("unsandboxed") {
        assert_eq!(snapshot(&dataset), before, "{text}");
        let rows = sandbox.rows();
        assert_eq!(&rows[0][STATUS], "error", "{text}");
        assert!(rows[0][REASON].contains("ermission denied"), "{text}");
    }
}

#[test]
fn an_unsandboxed_codec_that_writes_the_dataset_stops_the_run_and_is_named() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&files());
    let before = snapshot(&dataset);
    let target = dataset.join("a.txt");
    let vandal = format!("{} {}", script("vandal.sh"), target.display());
    let out = sandbox
        .harness()
        .args(["run", "--quiet", "--no-sandbox", "--dataset"])
        .arg(&dataset)
        .args(["--codec", "gzip", "--codec"])
        .arg(ext("vandal", &vandal, "cat"))
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("a.txt") && text.contains("vandal") && text.contains("changed"),
        "{text}"
    );
    // Restored from the harness's verified private copy.
    assert_eq!(snapshot(&dataset), before, "{text}");
    let rows = sandbox.rows();
    let statuses: Vec<(&str, &str)> = rows.iter().map(|r| (&r[CODEC], &r[STATUS])).collect();
    assert_eq!(
        statuses,
        [("gzip:9", "ok"), ("vandal", "tampered")],
        "the run stops at the tampering:\n{text}"
    );
    assert_eq!(sandbox.summary()["stopped_early"], true);
    let cache = std::fs::read_to_string(sandbox.results_dir().join("cache/baselines.jsonl"))
        .unwrap_or_default();
    assert!(!cache.contains("vandal"));
}

#[test]
fn a_file_changed_by_something_else_is_reported_as_changed_data_not_as_a_codec_failure() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&files());
    let flags = sandbox.dir.path().join("flags");
    std::fs::create_dir_all(&flags).unwrap();
    let flag = flags.join("gate");
    let gate = format!("{} {}", script("gate.sh"), flag.display());
    let child = sandbox
        .process()
        .args(["run", "--quiet", "--ext-writable"])
        .arg(&flags)
        .arg("--dataset")
        .arg(&dataset)
        .arg("--codec")
        .arg(ext("gated", &gate, "cat"))
        .args(["--codec", "gzip"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = flags.join("gate.started");
    let t0 = std::time::Instant::now();
    while !started.exists() {
        assert!(t0.elapsed().as_secs() < 60, "the gated codec never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // While a.txt is being compressed, someone edits b.txt.
    std::fs::write(dataset.join("b.txt"), prose(31_000)).unwrap();
    std::fs::write(flags.join("gate.go"), b"").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = output_text(&out);
    let rows = sandbox.rows();
    for row in rows.iter().filter(|r| &r[FILE] == "a.txt") {
        assert_eq!(&row[STATUS], "ok", "{text}");
    }
    let b_rows: Vec<_> = rows.iter().filter(|r| &r[FILE] == "b.txt").collect();
    assert!(!b_rows.is_empty(), "{text}");
    for row in b_rows {
        assert_eq!(&row[STATUS], "changed", "{text}");
        assert!(row[REASON].contains("changed since"), "{:?}", &row[REASON]);
    }
    assert!(text.contains("b.txt"), "{text}");
    assert_eq!(out.status.code(), Some(2), "{text}");
}
