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
    let run = results.join("runs/20260101T000700Z-1-000");
    std::fs::create_dir_all(&run).unwrap();
    let codecs: Vec<serde_json::Value> = CODECS
        .iter()
        .map(|(name, ratio, mb_s)| {
            let cats: serde_json::Map<String, serde_json::Value> = CATEGORIES
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let r = if *c == "random" {
                        1.001
                    } else {
                        ratio + 0.05 * i as f64
                    };
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
            serde_json::json!({
                "codec": name,
                "overall": { "ratio": ratio },
                "categories": cats,
                "compress_mb_s": mb_s,
                "compress_s": 1.0,
                "decompress_s": 1.0,
                "files_failed": 0,
                "compress_spread": (*name == "candidate").then_some(0.125),
                "decompress_spread": (*name == "candidate").then_some(0.25),
            })
        })
        .collect();
    let summary = serde_json::json!({
        "run_id": "20260101T000700Z-1-000",
        "dataset": "default",
        "fingerprint": "fp-default",
        "repeat": 3,
        "scores": {},
        "codecs": codecs,
    });
    std::fs::write(run.join("summary.json"), summary.to_string()).unwrap();
}

/// Writes the report for `results` with the real binary and returns the HTML.
pub fn report(results: &Path) -> String {
    let out = assert_cmd::Command::cargo_bin("harness")
        .unwrap()
        .arg("--results-dir")
        .arg(results)
        .arg("report")
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
