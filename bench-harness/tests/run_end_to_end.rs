//! `harness run` from the outside on a tiny generated dataset: table, CSV, JSON, history,
//! baseline cache, selection options and parallel jobs.

mod common;
use common::*;
use predicates::prelude::*;
use predicates::str::contains;

#[test]
fn tiny_default_dataset_runs_candidate_and_baselines() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .harness()
        .args(["run", "--scale", "0.001", "--record", "--label", "smoke"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for needle in [
        "OVERALL",
        "candidate",
        "zstd:19",
        "xz:9",
        "bzip2:9",
        "gzip:9",
        "best baseline",
    ] {
        assert!(stdout.contains(needle), "table lacks {needle}:\n{stdout}");
    }
    let rows = sandbox.rows();
    let files = rows.iter().filter(|r| &r[CODEC] == "candidate").count();
    assert!(
        files >= 10,
        "a dataset with every family, got {files} files"
    );
    assert_eq!(rows.len(), files * 5);
    for r in &rows {
        assert_eq!(
            &r[STATUS], "ok",
            "{} {}: {}",
            &r[CODEC], &r[FILE], &r[REASON]
        );
    }
    let categories: std::collections::BTreeSet<_> =
        rows.iter().map(|r| r[CATEGORY].to_string()).collect();
    for c in [
        "text",
        "audio",
        "image",
        "binary",
        "compressed",
        "random",
        "edge",
    ] {
        assert!(categories.contains(c), "no {c} file in {categories:?}");
    }
    let empty = rows
        .iter()
        .find(|r| &r[ORIGINAL] == "0")
        .expect("the edge family has an empty file");
    assert_eq!(&empty[STATUS], "ok");

    let summary = sandbox.summary();
    assert_eq!(
        summary["dataset"], "default@0.001",
        "a scaled run says its scale"
    );
    assert_eq!(summary["label"], "smoke");
    let codecs = summary["codecs"].as_array().unwrap();
    assert_eq!(codecs.len(), 5);
    let total_original: u64 = rows
        .iter()
        .filter(|r| &r[CODEC] == "xz:9")
        .map(|r| r[ORIGINAL].parse::<u64>().unwrap())
        .sum();
    let total_compressed: u64 = rows
        .iter()
        .filter(|r| &r[CODEC] == "xz:9")
        .map(|r| r[COMPRESSED].parse::<u64>().unwrap())
        .sum();
    let xz = codecs.iter().find(|c| c["codec"] == "xz:9").unwrap();
    let ratio = xz["overall"]["ratio"].as_f64().unwrap();
    assert!((ratio - total_compressed as f64 / total_original as f64).abs() < 1e-12);

    let history_path = sandbox.results_dir().join("results.csv");
    let history = rows_of(&history_path);
    assert_eq!(history.len(), 5);
    assert_eq!(&history[0][column(&history_path, "label")], "smoke");
    assert_eq!(&history[0][column(&history_path, "codec")], "candidate");
}

#[test]
fn baselines_are_cached_unless_told_otherwise() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(30_000))]);
    let run = |extra: &[&str]| {
        sandbox
            .harness()
            .args([
                "run",
                "--codec",
                "gzip:6",
                "--codec",
                "candidate",
                "--dataset",
            ])
            .arg(&dataset)
            .args(extra)
            .assert()
            .success();
        let runs = sandbox.results_dir().join("runs");
        let mut dirs: Vec<_> = std::fs::read_dir(&runs)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        let latest = dirs.last().unwrap().join("files.csv");
        let rows = rows_of(&latest);
        std::fs::remove_dir_all(runs).unwrap();
        rows
    };
    let first = run(&[]);
    assert!(first.iter().all(|r| &r[CACHED] == "false"));
    let second = run(&[]);
    let gzip = second.iter().find(|r| &r[CODEC] == "gzip:6").unwrap();
    let candidate = second.iter().find(|r| &r[CODEC] == "candidate").unwrap();
    assert_eq!(&gzip[CACHED], "true");
    assert_eq!(
        &gzip[COMPRESSED],
        &first.iter().find(|r| &r[CODEC] == "gzip:6").unwrap()[COMPRESSED]
    );
    assert_eq!(
        &candidate[CACHED], "false",
        "the candidate is always measured"
    );
    let third = run(&["--no-cache"]);
    assert!(third.iter().all(|r| &r[CACHED] == "false"));
}

#[test]
fn filter_quick_and_jobs_select_and_parallelise() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[
        ("one.txt", prose(1000)),
        ("two.txt", prose(2000)),
        ("three.txt", prose(3000)),
        (
            "data.csv",
            b"id,a,b,c\n1,2,3,4\n2,3,4,5\n3,4,5,6\n4,5,6,7\n5,6,7,8\n".repeat(50),
        ),
    ]);
    sandbox
        .harness()
        .args([
            "run",
            "--codec",
            "gzip",
            "--jobs",
            "2",
            "--filter",
            "t*.txt",
            "--dataset",
        ])
        .arg(&dataset)
        .assert()
        .success();
    let mut names: Vec<_> = sandbox.rows().iter().map(|r| r[FILE].to_string()).collect();
    names.sort();
    assert_eq!(names, ["three.txt", "two.txt"]);
    std::fs::remove_dir_all(sandbox.results_dir().join("runs")).unwrap();

    sandbox
        .harness()
        .args(["run", "--codec", "gzip", "--quick", "--dataset"])
        .arg(&dataset)
        .assert()
        .success();
    let names: Vec<_> = sandbox.rows().iter().map(|r| r[FILE].to_string()).collect();
    assert_eq!(names, ["data.csv", "one.txt", "two.txt"]);
}

#[test]
fn bad_arguments_are_explained() {
    let sandbox = Sandbox::new();
    sandbox
        .harness()
        .args(["run", "--codec", "lz4"])
        .assert()
        .code(2)
        .stderr(contains("unknown codec \"lz4\""));
    sandbox
        .harness()
        .args(["run", "--dataset", "/no/such/place"])
        .assert()
        .code(2)
        .stderr(contains("neither `default`, `holdout` nor a directory"));
    sandbox
        .harness()
        .args(["run", "--dataset", "holdout"])
        .assert()
        .code(2)
        .stderr(contains("HARNESS_HOLDOUT_SEED"));
}

#[test]
fn datasets_lists_generated_sets_and_what_is_on_disk() {
    let sandbox = Sandbox::new();
    sandbox
        .harness()
        .args(["datasets", "--scale", "0.001"])
        .assert()
        .success()
        .stdout(
            contains("default")
                .and(contains("holdout"))
                .and(contains("no")),
        );
    sandbox
        .harness()
        .args(["run", "--scale", "0.001", "--codec", "gzip:1", "--quick"])
        .assert()
        .success();
    sandbox
        .harness()
        .args(["datasets", "--scale", "0.001"])
        .assert()
        .success()
        .stdout(contains("yes"));
}

#[test]
fn holdout_differs_from_default_and_keeps_its_seed_secret() {
    let sandbox = Sandbox::new();
    for (dataset, seed) in [("default", None), ("holdout", Some("secret-seed-42"))] {
        let mut cmd = sandbox.harness();
        cmd.args([
            "run",
            "--scale",
            "0.001",
            "--codec",
            "gzip:1",
            "--filter",
            "*.txt",
            "--dataset",
            dataset,
        ]);
        if let Some(seed) = seed {
            cmd.env("HARNESS_HOLDOUT_SEED", seed);
        }
        cmd.assert().success();
    }
    let runs = sandbox.results_dir().join("runs");
    let mut fingerprints = Vec::new();
    for dir in std::fs::read_dir(&runs).unwrap() {
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.unwrap().path().join("summary.json")).unwrap(),
        )
        .unwrap();
        fingerprints.push(summary["fingerprint"].as_str().unwrap().to_string());
        assert!(!summary.to_string().contains("secret-seed-42"));
    }
    assert_eq!(fingerprints.len(), 2);
    assert_ne!(fingerprints[0], fingerprints[1]);
}
