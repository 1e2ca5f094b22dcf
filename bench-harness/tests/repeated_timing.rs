//! `--repeat N`: every operation runs N times, in N rounds over the whole selection, each run
//! is checked, and the fastest run's times are reported and recorded.

mod common;
use common::*;
use std::path::Path;

/// An external codec that copies its input and counts its calls in `dir/NAME.c` and
/// `dir/NAME.d`; `compress_args` / `decompress_args` go to `counted.sh` after the counter.
fn counted_with(dir: &Path, name: &str, compress_args: &str, decompress_args: &str) -> String {
    let counter = |op: &str| dir.join(format!("{name}.{op}")).display().to_string();
    format!(
        "ext:{name}={s} {} {compress_args};{s} {} {decompress_args}",
        counter("c"),
        counter("d"),
        s = script("counted.sh"),
    )
}

/// `bad_compress` / `bad_decompress` name a call that appends a byte.
fn counted(dir: &Path, name: &str, bad_compress: u32, bad_decompress: u32) -> String {
    counted_with(
        dir,
        name,
        &bad_compress.to_string(),
        &bad_decompress.to_string(),
    )
}

/// A codec whose second decompression sleeps half a second.
fn slow_once(dir: &Path, name: &str) -> String {
    counted_with(dir, name, "", "0 2")
}

fn calls(dir: &Path, name: &str, op: &str) -> u32 {
    std::fs::read_to_string(dir.join(format!("{name}.{op}")))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Runs a codec whose third compression differs, with `args`, on one file; requires that
/// the row passed and returns its (compress, decompress) calls.
fn drifting_codec_calls(sandbox: &Sandbox, args: &[&str]) -> (u32, u32) {
    let dataset = sandbox.dataset(&[("book.txt", prose(10_000))]);
    let counters = sandbox.dir.path();
    let output = sandbox
        .harness()
        .arg("run")
        .arg("--ext-writable")
        .arg(counters)
        .args(args)
        .arg("--dataset")
        .arg(&dataset)
        .arg("--codec")
        .arg(counted(counters, "drifts", 3, 0))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", output_text(&output));
    assert_eq!(&sandbox.rows()[0][STATUS], "ok");
    (
        calls(counters, "drifts", "c"),
        calls(counters, "drifts", "d"),
    )
}

#[test]
fn every_run_is_checked_and_the_fastest_is_recorded() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("book.txt", prose(30_000))]);
    let counters = sandbox.dir.path();
    let codecs = [
        counted(counters, "steady", 0, 0),
        // Its third compression differs: one extra compression (no --repeat) would not see it.
        counted(counters, "drifts", 3, 0),
        counted(counters, "decodes-badly-once", 0, 2),
    ];
    let mut cmd = sandbox.harness();
    cmd.args(["run", "--ext-writable"])
        .arg(sandbox.dir.path())
        .args(["--repeat", "3", "--record", "--dataset"])
        .arg(&dataset);
    for c in &codecs {
        cmd.arg("--codec").arg(c);
    }
    let output = cmd.output().unwrap();
    assert!(output.status.success(), "{}", output_text(&output));

    let rows = sandbox.rows();
    let status = |codec: &str| {
        let row = rows.iter().find(|r| &r[CODEC] == codec).unwrap();
        (row[STATUS].to_string(), row[REASON].to_string())
    };
    assert_eq!(status("steady"), ("ok".into(), String::new()));
    let (drift, why) = status("drifts");
    assert_eq!(drift, "nondeterministic");
    assert!(
        why.starts_with("run 3 of 3: compressing again gave different bytes from byte 30000"),
        "{why}"
    );
    let (bad, why) = status("decodes-badly-once");
    assert_eq!(bad, "mismatch");
    assert!(
        why.starts_with("run 2 of 3: decompressed output differs from the original at byte 30000"),
        "{why}"
    );
    assert_eq!(
        (
            calls(counters, "steady", "c"),
            calls(counters, "steady", "d")
        ),
        (3, 3),
        "three compressions (the determinism check among them) and three decompressions"
    );
    assert_eq!(calls(counters, "decodes-badly-once", "d"), 2);

    let files = sandbox.run_dir().join("files.csv");
    let steady = rows.iter().find(|r| &r[CODEC] == "steady").unwrap();
    for name in ["compress_s", "decompress_s", "compress_user_s"] {
        let seconds: f64 = steady[column(&files, name)].parse().unwrap();
        assert!(seconds > 0.0, "{name} {seconds}");
    }
    assert_eq!(sandbox.summary()["repeat"], 3);
    let history = sandbox.results_dir().join("results.csv");
    let repeat = column(&history, "repeat");
    let recorded: Vec<String> = rows_of(&history)
        .iter()
        .map(|r| r[repeat].to_string())
        .collect();
    assert_eq!(recorded, ["3", "3", "3"]);
}

#[test]
fn without_repeat_each_operation_runs_once_plus_the_determinism_check() {
    let sandbox = Sandbox::new();
    assert_eq!(drifting_codec_calls(&sandbox, &[]), (2, 1));
    assert_eq!(sandbox.summary()["repeat"], 1);
    let files = sandbox.run_dir().join("files.csv");
    let row = &sandbox.rows()[0];
    assert_eq!(&row[column(&files, "decompress_slowest_s")], "", "one run");
    assert!(sandbox.summary()["codecs"][0]["decompress_spread"].is_null());
}

#[test]
fn the_slowest_run_is_kept_beside_the_fastest_and_the_spread_reported() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("book.txt", prose(10_000))]);
    let output = sandbox
        .harness()
        .args(["run", "--ext-writable"])
        .arg(sandbox.dir.path())
        .args(["--repeat", "3", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(slow_once(sandbox.dir.path(), "jittery"))
        .output()
        .unwrap();
    let text = output_text(&output);
    assert!(output.status.success(), "{text}");
    let files = sandbox.run_dir().join("files.csv");
    let row = &sandbox.rows()[0];
    let seconds = |name: &str| -> f64 { row[column(&files, name)].parse().unwrap() };
    assert!(
        seconds("decompress_slowest_s") - seconds("decompress_s") >= 0.45,
        "the half-second pause is in the slowest run only: {} vs {}",
        seconds("decompress_slowest_s"),
        seconds("decompress_s")
    );
    assert!(seconds("compress_slowest_s") >= seconds("compress_s"));
    let summary = &sandbox.summary()["codecs"][0];
    let spread = summary["decompress_spread"].as_f64().unwrap();
    let expected = seconds("decompress_slowest_s") / seconds("decompress_s") - 1.0;
    assert!((spread - expected).abs() < 1e-9, "{spread} vs {expected}");
    assert!(
        text.contains("the slowest runs took longer by") && text.contains("  jittery "),
        "{text}"
    );
}

#[test]
fn a_repeat_of_zero_is_refused() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("book.txt", prose(100))]);
    let output = sandbox
        .harness()
        .args(["run", "--repeat", "0", "--codec", "gzip", "--dataset"])
        .arg(&dataset)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        output_text(&output).contains("--repeat"),
        "{}",
        output_text(&output)
    );
}

#[test]
fn with_no_determinism_repeated_compressions_are_timed_but_not_compared() {
    let sandbox = Sandbox::new();
    assert_eq!(
        drifting_codec_calls(&sandbox, &["--repeat", "3", "--no-determinism"]),
        (3, 3)
    );
}

#[test]
fn the_repeats_of_a_pair_lie_a_whole_round_apart() {
    let sandbox = Sandbox::new();
    let with_start = |start: &str| [start.as_bytes(), &prose(3_000)].concat();
    let dataset = sandbox.dataset(&[
        ("a.txt", with_start("alpha")),
        ("b.txt", with_start("bravo")),
    ]);
    let log = sandbox.dir.path().join("order.log");
    let logged = format!(
        "ext:logged={s} {log} compress;{s} {log} decompress",
        s = script("logged.sh"),
        log = log.display()
    );
    let output = sandbox
        .harness()
        .args(["run", "--ext-writable"])
        .arg(sandbox.dir.path())
        .args(["--repeat", "2", "--codec", &logged, "--dataset"])
        .arg(&dataset)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", output_text(&output));
    let order = std::fs::read_to_string(&log).unwrap();
    let round = "compress alpha\ndecompress alpha\ncompress bravo\ndecompress bravo\n";
    assert_eq!(order, round.repeat(2));
    let rows = sandbox.rows();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| &r[STATUS] == "ok"), "{rows:?}");
}
