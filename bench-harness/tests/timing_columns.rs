//! Two timings per operation: the process's wall time, and the codec call's own time measured
//! inside the child on in-memory buffers; `--timing` picks which one the MB/s figures use, and
//! external commands, which have only process time, say so.

mod common;
use common::*;

#[test]
fn built_in_codecs_have_codec_times_and_external_ones_only_process_times() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(300_000))]);
    let out = sandbox
        .harness()
        .args([
            "run",
            "--codec",
            "zstd:3",
            "--codec",
            "ext:cat=cat;cat",
            "--dataset",
        ])
        .arg(&dataset)
        .output()
        .unwrap();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("process time"), "{text}");
    let path = sandbox.run_dir().join("files.csv");
    let rows = rows_of(&path);
    let (cw, cc) = (
        column(&path, "compress_s"),
        column(&path, "compress_codec_s"),
    );
    let (dw, dc) = (
        column(&path, "decompress_s"),
        column(&path, "decompress_codec_s"),
    );
    let zstd = rows.iter().find(|r| &r[CODEC] == "zstd:3").unwrap();
    for (wall, codec) in [(cw, cc), (dw, dc)] {
        let wall: f64 = zstd[wall].parse().unwrap();
        let codec: f64 = zstd[codec].parse().unwrap();
        assert!(
            codec > 0.0 && codec <= wall,
            "codec {codec} s, process {wall} s"
        );
    }
    let cat = rows.iter().find(|r| &r[CODEC] == "cat").unwrap();
    assert_eq!((&cat[cc], &cat[dc]), ("", ""));
    let summary = sandbox.summary();
    assert_eq!(summary["timing"], "codec");
    let zstd_summary = summary["codecs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["codec"] == "zstd:3")
        .unwrap();
    let codec_s: f64 = zstd[cc].parse().unwrap();
    let seconds = zstd_summary["overall"]["compress_s"].as_f64().unwrap();
    assert!((seconds - codec_s).abs() < 1e-9, "{seconds} vs {codec_s}");
}

#[test]
fn timing_process_reports_the_process_times() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(300_000))]);
    let out = sandbox
        .harness()
        .args([
            "run",
            "--quiet",
            "--timing",
            "process",
            "--codec",
            "zstd:3",
            "--dataset",
        ])
        .arg(&dataset)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", output_text(&out));
    let path = sandbox.run_dir().join("files.csv");
    let row = &rows_of(&path)[0];
    let wall: f64 = row[column(&path, "compress_s")].parse().unwrap();
    let summary = sandbox.summary();
    assert_eq!(summary["timing"], "process");
    let seconds = summary["codecs"][0]["overall"]["compress_s"]
        .as_f64()
        .unwrap();
    assert!((seconds - wall).abs() < 1e-9, "{seconds} vs {wall}");
}
