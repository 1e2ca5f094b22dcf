//! A results directory as a loop leaves it: history lines, loop.tsv rows and one run
//! directory with the candidate beside baselines.

#![allow(dead_code)]

use bench_harness::agent::cycle::tsv::{self, Row, Status};
use bench_harness::history::{self, HistoryRow};
use std::path::Path;

pub const CATEGORIES: [&str; 3] = ["text", "audio", "random"];
pub const CODECS: [(&str, f64, f64); 3] = [
    ("candidate", 0.31, 0.8),
    ("xz:9", 0.42, 1.6),
    ("zstd:19", 0.45, 2.5),
];

fn line(i: usize, label: &str, ratio: f64, dataset: &str) -> HistoryRow {
    HistoryRow {
        run_id: format!("run-{i}"),
        utc: format!("2026-01-01T00:{i:02}:00Z"),
        git_commit: format!("{i:040}"),
        git_dirty: false,
        label: label.into(),
        dataset: dataset.into(),
        dataset_fingerprint: format!("fp-{dataset}"),
        codec: "candidate".into(),
        overall_ratio: Some(ratio),
        compressible_ratio: None,
        already_compressed_ratio: None,
        mean_file_ratio: None,
        compress_s: 1.0,
        decompress_s: 1.0,
        max_peak_rss_bytes: 1,
        files_failed: 0,
        dataset_bytes: 1000,
        source_xz_bytes: Some(4000),
        ratio_with_source: Some(ratio + 0.01),
        holdout_gap: (dataset == "holdout").then_some(0.002),
        repeat: 1,
        selection_fingerprint: format!("fp-{dataset}"),
        host: "bench-host".into(),
        cpu: "Test CPU 3000".into(),
        cores: Some(2),
        kernel: "Linux 6.1.0".into(),
        rustc: "rustc 1.95.0".into(),
        c_compiler: "cc (Debian 12.2.0-14) 12.2.0".into(),
        harness_version: "0.1.0".into(),
        baseline_libraries: "bzip2-0.5.2,zstd-0.13.3".into(),
        timing: "codec".into(),
        source_bytes: None,
    }
}

fn row(
    iteration: u32,
    minute: usize,
    status: Status,
    ratio: Option<f64>,
    description: &str,
) -> Row {
    Row {
        iteration,
        utc: format!("2026-01-01T00:{minute:02}:30Z"),
        commit: format!("{minute:040}"),
        status,
        ratio,
        delta: None,
        compress_s: Some(1.0),
        decompress_s: Some(1.0),
        description: description.into(),
        holdout_ratio: None,
        ratio_with_source: None,
        reason: String::new(),
        objective: "total".into(),
        score: ratio,
        score_delta: None,
        category_deltas: String::new(),
    }
}

/// Base 0.5, keep 0.45, discard 0.47, guard-fail, keep 0.40, crash, plus one hand-recorded
/// run and a holdout run.
pub fn populate(results: &Path) {
    let h = results.join("results.csv");
    let lines = [
        line(1, "by hand", 0.52, "default"),
        line(2, "loop:0 base", 0.5, "default"),
        line(3, "loop:0 base holdout", 0.51, "holdout"),
        line(4, "loop:1", 0.45, "default"),
        line(5, "loop:2", 0.47, "default"),
        line(7, "loop:4", 0.40, "default"),
    ];
    history::append(&h, &lines).unwrap();
    let t = results.join("loop.tsv");
    let rows = [
        row(0, 2, Status::Base, Some(0.5), "start"),
        row(1, 4, Status::Keep, Some(0.45), "order-2 <context> & mixing"),
        row(2, 5, Status::Discard, Some(0.47), "bigger tables"),
        row(3, 6, Status::GuardFail, None, "edited the README"),
        row(4, 7, Status::Keep, Some(0.40), "SSE stage"),
        row(5, 8, Status::Crash, None, "panics on empty input"),
    ];
    for r in &rows {
        tsv::append(&t, r).unwrap();
    }
    write_run(results, "20260101T000700Z-1-000", "default", None);
    // A newer quick run of a scaled dataset: another dataset, and part of it.
    write_run(
        results,
        "20260101T000800Z-1-000",
        "default@0.03",
        Some("fp-quick-part"),
    );
}

pub const MACHINE_CPU: &str = "Test CPU 3000";

/// A run directory: a summary with the candidate beside two baselines in every category of
/// [`CATEGORIES`] and two edge files, and its `files.csv`.
pub fn write_run(results: &Path, id: &str, dataset: &str, selection: Option<&str>) {
    let run = results.join("runs").join(id);
    std::fs::create_dir_all(&run).unwrap();
    let fingerprint = format!("fp-{dataset}");
    let codecs: Vec<serde_json::Value> = CODECS
        .iter()
        .map(|(name, ratio, mb_s)| {
            let mut cats: serde_json::Map<String, serde_json::Value> = CATEGORIES
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let r = category_ratio(c, *ratio, i);
                    let speeds = (*c != "random").then_some(i as f64 + mb_s);
                    (
                        c.to_string(),
                        serde_json::json!({
                            "ratio": r,
                            "compress_mb_s": speeds,
                            "decompress_mb_s": speeds.map(|v| 2.0 * v),
                        }),
                    )
                })
                .collect();
            // Summaries written before edge files stood apart had them as a category.
            cats.insert("edge".into(), serde_json::json!({ "ratio": 40.0 }));
            serde_json::json!({
                "codec": name,
                "overall": { "ratio": ratio },
                "categories": cats,
                "compress_mb_s": mb_s,
                "decompress_mb_s": 4.0 * mb_s,
                "compress_s": 1.0,
                "decompress_s": 1.0,
                "files_failed": 0,
                "compress_spread": (*name == "candidate").then_some(0.125),
                "decompress_spread": (*name == "candidate").then_some(0.25),
                "edge_files": [
                    { "file": "empty.bin", "original_bytes": 0, "compressed_bytes": edge_bytes(name), "status": "ok" },
                    { "file": "one-byte.bin", "original_bytes": 1, "compressed_bytes": edge_bytes(name) + 1, "status": "ok" },
                ],
            })
        })
        .collect();
    let summary = serde_json::json!({
        "run_id": id,
        "dataset": dataset,
        "fingerprint": fingerprint,
        "selection": selection.unwrap_or(&fingerprint),
        "dataset_files": CATEGORIES.len() + 2,
        "repeat": 3,
        "scores": {},
        "git": { "commit": "0123456789abcdef0123", "dirty": false },
        "machine": {
            "host": "bench-host", "cpu": MACHINE_CPU, "cores": 2, "kernel": "Linux 6.1.0",
            "rustc": "rustc 1.95.0", "c_compiler": "cc (Debian 12.2.0-14) 12.2.0",
            "harness_version": "0.1.0", "baseline_libraries": "bzip2-0.5.2,zstd-0.13.3",
        },
        "codecs": codecs,
    });
    std::fs::write(run.join("summary.json"), summary.to_string()).unwrap();
    let mut csv = csv::Writer::from_path(run.join("files.csv")).unwrap();
    csv.write_record(FILE_COLUMNS).unwrap();
    for (i, category) in CATEGORIES.iter().enumerate() {
        for (name, ratio, _) in CODECS {
            let r = category_ratio(category, ratio, i);
            let original = 10_000u64;
            let compressed = (r * original as f64).round() as u64;
            let file = format!("{category}-file.bin");
            let (status, ratio_cell) = if *category == "random" && name == "zstd:19" {
                ("crashed", String::new())
            } else {
                ("ok", (compressed as f64 / original as f64).to_string())
            };
            csv.write_record([
                dataset,
                &file,
                category,
                name,
                &original.to_string(),
                &compressed.to_string(),
                &ratio_cell,
                "0.1",
                "0.1",
                "",
                "",
                status,
                "",
                "",
                "",
                "",
                "",
                "false",
                "",
                "",
            ])
            .unwrap();
        }
    }
    for (name, _, _) in CODECS {
        let bytes = edge_bytes(name).to_string();
        let mut record = vec![dataset, "one-byte.bin", "edge", name, "1", &bytes, &bytes];
        record.extend([
            "0.1", "0.1", "", "", "ok", "", "", "", "", "", "false", "", "",
        ]);
        csv.write_record(record).unwrap();
    }
    csv.flush().unwrap();
}

fn category_ratio(category: &str, overall: f64, index: usize) -> f64 {
    if category == "random" {
        1.001
    } else {
        overall + 0.05 * index as f64
    }
}

fn edge_bytes(codec: &str) -> u64 {
    match codec {
        "candidate" => 12,
        "xz:9" => 32,
        _ => 13,
    }
}

const FILE_COLUMNS: [&str; 20] = [
    "dataset",
    "file",
    "category",
    "codec",
    "original_bytes",
    "compressed_bytes",
    "ratio",
    "compress_s",
    "decompress_s",
    "compress_peak_rss_bytes",
    "decompress_peak_rss_bytes",
    "status",
    "reason",
    "compress_user_s",
    "compress_sys_s",
    "decompress_user_s",
    "decompress_sys_s",
    "cached",
    "compress_slowest_s",
    "decompress_slowest_s",
];

/// Writes the report for `results` with the real binary and returns the HTML.
pub fn report(results: &Path) -> String {
    report_with(results, &[])
}

/// Like [`report`], with more arguments of `harness report`.
pub fn report_with(results: &Path, args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("harness")
        .unwrap()
        .arg("--results-dir")
        .arg(results)
        .arg("report")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(results.join("report.html")).unwrap()
}

/// Every inline `<svg>…</svg>` of a page.
pub fn svgs(html: &str) -> Vec<String> {
    html.split("<svg ")
        .skip(1)
        .map(|rest| format!("<svg {}</svg>", rest.split("</svg>").next().unwrap()))
        .collect()
}
