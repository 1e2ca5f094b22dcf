//! Runs of part of a dataset (`--filter`, `--quick`): they say so in the terminal, the
//! summary and the history, `compare` refuses to set them against runs of other files, and
//! the report prefers runs of whole datasets.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

/// Runs the candidate and gzip on `dataset`, recorded, with `extra` arguments; returns the
/// run id and the terminal output.
fn run(sandbox: &Sandbox, dataset: &Path, extra: &[&str]) -> (String, String) {
    let out = sandbox
        .harness()
        .args([
            "run",
            "--codec",
            "candidate",
            "--codec",
            "gzip:1",
            "--record",
        ])
        .args(extra)
        .arg("--dataset")
        .arg(dataset)
        .output()
        .unwrap();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    (run_id(&text).expect("a run line"), text)
}

fn summary(sandbox: &Sandbox, id: &str) -> Value {
    sandbox.summary_of(id)
}

fn compare(sandbox: &Sandbox, base: &str, attempt: &str) -> (Option<i32>, String) {
    let out = sandbox
        .harness()
        .args(["compare", base, attempt])
        .output()
        .unwrap();
    (out.status.code(), output_text(&out))
}

#[test]
fn partial_runs_are_marked_kept_apart_and_not_compared_with_whole_ones() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[
        ("one.txt", prose(3000)),
        ("two.txt", prose(5000)),
        ("table.csv", b"id,a,b\n1,2,3\n2,3,4\n3,4,5\n".repeat(80)),
    ]);
    let (whole, whole_text) = run(&sandbox, &dataset, &[]);
    let (part, part_text) = run(&sandbox, &dataset, &["--filter", "*.txt"]);
    let (part_again, _) = run(&sandbox, &dataset, &["--filter", "*.txt"]);
    let (other_part, _) = run(&sandbox, &dataset, &["--filter", "t*"]);

    assert!(!whole_text.contains("files: "), "{whole_text}");
    assert!(
        part_text.contains("files: 2 of the dataset's 3 (--filter, --quick)"),
        "{part_text}"
    );

    let (w, p) = (summary(&sandbox, &whole), summary(&sandbox, &part));
    assert_eq!(w["selection"], w["fingerprint"], "a whole run");
    assert_eq!(w["fingerprint"], p["fingerprint"], "one dataset");
    assert_ne!(p["selection"], p["fingerprint"], "part of it");
    assert_eq!(
        summary(&sandbox, &part_again)["selection"],
        p["selection"],
        "the same files give the same selection"
    );
    assert_ne!(summary(&sandbox, &other_part)["selection"], p["selection"]);

    let history = csv::Reader::from_path(sandbox.results_dir().join("results.csv"))
        .unwrap()
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(Result::unwrap)
        .filter(|r| r["codec"] == "candidate")
        .map(|r| (r["run_id"].clone(), r["selection_fingerprint"].clone()))
        .collect::<Vec<_>>();
    assert_eq!(history.len(), 4);
    assert_eq!(
        history[0],
        (whole.clone(), w["selection"].as_str().unwrap().into())
    );
    assert_eq!(
        history[1],
        (part.clone(), p["selection"].as_str().unwrap().into())
    );

    for (base, attempt) in [(&whole, &part), (&part, &other_part)] {
        let (code, text) = compare(&sandbox, base, attempt);
        assert_eq!(code, Some(2), "{text}");
        assert!(text.contains("measured different files"), "{text}");
    }
    let (code, text) = compare(&sandbox, &part, &part_again);
    assert_ne!(code, Some(2), "same files compare: {text}");
    assert!(text.contains("ratio"), "{text}");

    sandbox.harness().arg("report").assert().success();
    let page = std::fs::read_to_string(sandbox.results_dir().join("report.html")).unwrap();
    assert!(
        page.contains(&format!("run {whole} on ")),
        "the per-category charts come from the newest whole run"
    );
    assert!(
        page.contains("(fingerprint"),
        "the progress chart names its files"
    );
}
