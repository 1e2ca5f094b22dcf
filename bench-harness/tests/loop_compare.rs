//! `harness compare`: the keep-or-discard rule on recorded runs, with repeated runs giving
//! medians and a noise estimate.

mod common;

use std::path::{Path, PathBuf};

/// A run directory whose summary has the candidate with these figures.
fn run(dir: &Path, id: &str, ratio: f64, compress_s: f64, failed: u64) -> PathBuf {
    let run = dir.join("runs").join(id);
    std::fs::create_dir_all(&run).unwrap();
    let summary = serde_json::json!({
        "run_id": id,
        "dataset": "default",
        "fingerprint": "fp",
        "scores": {},
        "codecs": [{
            "codec": "candidate",
            "overall": { "ratio": ratio },
            "files_failed": failed,
            "compress_s": compress_s,
            "decompress_s": 1.0,
        }],
    });
    std::fs::write(run.join("summary.json"), summary.to_string()).unwrap();
    run
}

fn compare(dir: &Path, base: &str, attempt: &str, extra: &[&str]) -> (Option<i32>, String) {
    let out = assert_cmd::Command::cargo_bin("harness")
        .unwrap()
        .arg("--results-dir")
        .arg(dir)
        .args(["compare", base, attempt])
        .args(extra)
        .output()
        .unwrap();
    let text = common::output_text(&out);
    (out.status.code(), text)
}

#[test]
fn compare_keeps_only_real_improvements_and_names_noise() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    for (id, c) in [("b1", 1.0), ("b2", 1.1), ("b3", 0.9)] {
        run(d, id, 0.5, c, 0);
    }
    for (id, c) in [("a1", 1.05), ("a2", 1.2), ("a3", 0.95)] {
        run(d, id, 0.4, c, 0);
    }
    for (id, c) in [("s1", 2.0), ("s2", 2.1), ("s3", 1.95)] {
        run(d, id, 0.4, c, 0);
    }
    run(d, "same", 0.5, 1.0, 0);
    run(d, "broken", 0.3, 1.0, 2);

    let limit = ["--max-slowdown", "1.5"];
    let (code, text) = compare(d, "b1,b2,b3", "a1,a2,a3", &limit);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("verdict: keep"), "{text}");
    assert!(
        text.contains("compress    base 1.000 s (median of 3, spread 0.200)"),
        "{text}"
    );
    assert!(text.contains("within noise"), "{text}");

    // Without a limit, speed is shown but never discards.
    let (code, text) = compare(d, "b1,b2,b3", "s1,s2,s3", &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("no relative limit"), "{text}");
    let (code, text) = compare(d, "b1,b2,b3", "s1,s2,s3", &limit);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("compress 2.00x slower than the base"),
        "{text}"
    );
    assert!(text.contains("beyond noise"), "{text}");
    let (code, _) = compare(d, "b1,b2,b3", "s1,s2,s3", &["--max-slowdown", "2.5"]);
    assert_eq!(code, Some(0), "a looser factor keeps it");

    let (code, text) = compare(d, "b1", "same", &limit);
    assert_eq!(code, Some(1));
    assert!(text.contains("total score not better"), "{text}");
    assert!(text.contains("noise unknown (one run each)"), "{text}");

    let broken = d.join("runs/broken");
    let (code, text) = compare(d, "b1", broken.to_str().unwrap(), &[]);
    assert_eq!(code, Some(1));
    assert!(text.contains("the attempt failed 2 file(s)"), "{text}");

    let (code, text) = compare(d, "b1", "missing", &[]);
    assert_eq!(code, Some(2), "{text}");
}

#[test]
fn runs_timed_a_different_number_of_times_are_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "single", 0.5, 1.0, 0);
    let repeated = run(dir.path(), "repeated", 0.4, 1.0, 0);
    let path = repeated.join("summary.json");
    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    summary["repeat"] = 3.into();
    std::fs::write(&path, summary.to_string()).unwrap();

    let (code, text) = compare(dir.path(), "single", "repeated", &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("different number of times (--repeat [1, 3])"),
        "{text}"
    );
}

#[test]
fn runs_timed_codec_only_and_whole_process_are_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    // A summary without `timing` predates the column: it timed whole processes.
    run(dir.path(), "old", 0.5, 1.0, 0);
    let codec_timed = run(dir.path(), "codec-timed", 0.4, 1.0, 0);
    let path = codec_timed.join("summary.json");
    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    summary["timing"] = "codec".into();
    std::fs::write(&path, summary.to_string()).unwrap();

    let (code, text) = compare(dir.path(), "old", "codec-timed", &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(
            "timed different things (--timing process in run old, codec in run codec-timed)"
        ),
        "{text}"
    );
}

#[test]
fn runs_timed_with_repeat_judge_speed_by_their_own_spread() {
    let dir = tempfile::tempdir().unwrap();
    let repeated = |id: &str, ratio: f64, compress_s: f64, spread: f64| {
        let path = run(dir.path(), id, ratio, compress_s, 0).join("summary.json");
        let mut summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        summary["repeat"] = 3.into();
        summary["codecs"][0]["compress_spread"] = spread.into();
        summary["codecs"][0]["decompress_spread"] = 0.0.into();
        std::fs::write(&path, summary.to_string()).unwrap();
    };
    // 1.4x slower than the base's fastest runs, whose slowest took 2.0 s: noise.
    repeated("noisy-base", 0.5, 1.0, 1.0);
    repeated("slower", 0.4, 1.4, 0.05);
    let limit = ["--max-slowdown", "1.2"];
    let (code, text) = compare(dir.path(), "noisy-base", "slower", &limit);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("within noise"), "{text}");
    // The same slowdown against steady repeats discards.
    repeated("steady-base", 0.5, 1.0, 0.05);
    let (code, text) = compare(dir.path(), "steady-base", "slower", &limit);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("compress 1.40x slower"), "{text}");
    // Past 1.5x a slowdown is never noise, however much the base's runs scattered.
    repeated("much-slower", 0.4, 1.7, 0.05);
    let (code, text) = compare(dir.path(), "noisy-base", "much-slower", &limit);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("compress 1.70x slower"), "{text}");
    assert!(text.contains("beyond noise"), "{text}");
}
