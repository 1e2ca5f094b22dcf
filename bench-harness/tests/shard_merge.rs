//! A run cut into shards (`run --shard K/N`), each measured on its own as a machine or a SLURM
//! array job would, and joined by `harness merge`: the merged run has every pair once, the
//! whole run's figures, and its place in the history; shards that do not fit are refused.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn dataset(sandbox: &Sandbox) -> std::path::PathBuf {
    let random: Vec<u8> = (0u32..6000)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    sandbox.dataset(&[
        ("a.txt", prose(30_000)),
        ("b.txt", prose(9_000)),
        ("c.txt", prose(2_000)),
        ("d.bin", random),
    ])
}

/// `harness ARGS`; the run id from the terminal and the output.
fn harness(sandbox: &Sandbox, args: &[&str]) -> (Option<String>, String, bool) {
    let out = sandbox.harness().args(args).output().unwrap();
    let text = output_text(&out);
    (run_id(&text), text, out.status.success())
}

fn run(sandbox: &Sandbox, data: &Path, codecs: &str, extra: &[&str]) -> String {
    let mut args = vec!["run", "--quiet", "--record", "--codec", codecs, "--dataset"];
    args.push(data.to_str().unwrap());
    args.extend(extra);
    let (id, text, ok) = harness(sandbox, &args);
    assert!(ok, "{text}");
    id.expect("a run line")
}

fn summary(sandbox: &Sandbox, id: &str) -> Value {
    sandbox.summary_of(id)
}

/// `(file, codec) -> compressed bytes` of a run.
fn pairs(sandbox: &Sandbox, id: &str) -> BTreeMap<(String, String), String> {
    compressed_bytes_by_pair(&sandbox.results_dir().join("runs").join(id))
}

fn history_lines(sandbox: &Sandbox) -> usize {
    std::fs::read_to_string(sandbox.results_dir().join("results.csv"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn ratios(summary: &Value) -> Vec<(String, f64)> {
    summary["codecs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let ratio = c["overall"]["ratio"].as_f64().unwrap();
            (c["codec"].as_str().unwrap().to_string(), ratio)
        })
        .collect()
}

#[test]
fn shards_merge_into_the_run_they_cut() {
    let sandbox = Sandbox::new();
    let data = dataset(&sandbox);
    let codecs = "gzip:1,zstd:1,bzip2:1";
    let whole = run(&sandbox, &data, codecs, &["--no-cache"]);
    let recorded = history_lines(&sandbox);

    let mut shards = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let id = run(&sandbox, &data, codecs, &["--no-cache", "--shard", &shard]);
        let s = summary(&sandbox, &id);
        assert_eq!(s["shard"]["shard"], shard.as_str());
        assert_eq!(s["shard"]["run_pairs"], 12);
        assert_eq!(
            s["shard"]["shard_pairs"], 4,
            "every shard a third of the pairs"
        );
        shards.push(id);
    }
    assert_eq!(
        history_lines(&sandbox),
        recorded,
        "shards are not in the history"
    );

    let mut args = vec!["merge", "--record"];
    args.extend(shards.iter().rev().map(String::as_str));
    let (merged, text, ok) = harness(&sandbox, &args);
    assert!(ok, "{text}");
    assert!(text.contains("merged from 3 shards"), "{text}");
    let merged = merged.expect("a run line");
    assert_eq!(pairs(&sandbox, &merged), pairs(&sandbox, &whole));
    let (m, w) = (summary(&sandbox, &merged), summary(&sandbox, &whole));
    assert_eq!(ratios(&m), ratios(&w));
    assert!(m.get("shard").is_none(), "{m}");
    assert_eq!(m["merged_from"].as_array().unwrap().len(), 3);
    assert_eq!(m["fingerprint"], w["fingerprint"]);
    assert_eq!(history_lines(&sandbox), recorded + 3, "one line per codec");
}

#[test]
fn merge_refuses_shards_that_do_not_fit() {
    let sandbox = Sandbox::new();
    let data = dataset(&sandbox);
    let one = run(&sandbox, &data, "gzip:1,zstd:1", &["--shard", "1/2"]);
    let two = run(&sandbox, &data, "gzip:1,zstd:1", &["--shard", "2/2"]);
    let other_codecs = run(&sandbox, &data, "gzip:1,bzip2:1", &["--shard", "2/2"]);
    let whole = run(&sandbox, &data, "gzip:1,zstd:1", &[]);
    let runs_before = std::fs::read_dir(sandbox.results_dir().join("runs"))
        .unwrap()
        .count();
    for (args, expected) in [
        (vec![one.as_str(), one.as_str()], "shard 1/2 appears twice"),
        (vec![one.as_str()], "shard(s) 2/2 missing"),
        (
            vec![one.as_str(), other_codecs.as_str()],
            "their codecs differ",
        ),
        (vec![one.as_str(), whole.as_str()], "is not a shard"),
        (vec![one.as_str(), "no-such-run"], "no-such-run"),
    ] {
        let mut all = vec!["merge"];
        all.extend(args);
        let (_, text, ok) = harness(&sandbox, &all);
        assert!(!ok, "{all:?} merged: {text}");
        assert!(text.contains(expected), "{all:?}: {text}");
    }
    let runs_after = std::fs::read_dir(sandbox.results_dir().join("runs"))
        .unwrap()
        .count();
    assert_eq!(runs_after, runs_before, "a refused merge writes no run");
    let (_, text, ok) = harness(&sandbox, &["merge", &one, &two]);
    assert!(ok, "{text}");

    let (_, text, ok) = harness(&sandbox, &["run", "--shard", "3/2", "--codec", "gzip:1"]);
    assert!(!ok);
    assert!(text.contains("expected K/N"), "{text}");
}
