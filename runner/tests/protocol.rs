//! The runner as the harness uses it: one operation per process, input on stdin, output on
//! stdout, and a report of `key=value` lines.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

fn runner() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_codec-runner"));
    cmd.env_clear().env("PATH", "/usr/bin:/bin");
    cmd
}

/// Runs one operation of `codec` (`--builtin` or `--shell` and its value) from `input` into
/// `output`; returns the report.
fn operate(
    dir: &Path,
    codec: [&str; 2],
    op: &str,
    input: &Path,
    output: &Path,
) -> HashMap<String, String> {
    operate_with_stderr(dir, codec, op, input, output).0
}

/// [`operate`], and what the runner and the codec wrote on stderr.
fn operate_with_stderr(
    dir: &Path,
    codec: [&str; 2],
    op: &str,
    input: &Path,
    output: &Path,
) -> (HashMap<String, String>, String) {
    let report = dir.join("report");
    let scratch = dir.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let out = runner()
        .args(codec)
        .args(["--op", op, "--report"])
        .arg(&report)
        .arg("--scratch")
        .arg(&scratch)
        .stdin(Stdio::from(std::fs::File::open(input).unwrap()))
        .stdout(Stdio::from(std::fs::File::create(output).unwrap()))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(out.status.success(), "the runner itself failed: {out:?}");
    let report = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (report, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_built_in_codec_round_trips_and_reports_its_own_time_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let text: Vec<u8> = b"the quick brown fox jumps over the lazy dog. "
        .iter()
        .copied()
        .cycle()
        .take(200_000)
        .collect();
    std::fs::write(p("in"), &text).unwrap();
    let report = operate(
        dir.path(),
        ["--builtin", "zstd:3"],
        "compress",
        &p("in"),
        &p("z"),
    );
    assert_eq!(report["exit"], "0", "{report:?}");
    let codec_s: f64 = report["codec_s"].parse().unwrap();
    let wall_s: f64 = report["wall_s"].parse().unwrap();
    assert!(codec_s > 0.0 && codec_s <= wall_s, "{report:?}");
    assert!(report.contains_key("codec_peak_rss_bytes"), "{report:?}");
    assert!(std::fs::metadata(p("z")).unwrap().len() < 2_000);
    let report = operate(
        dir.path(),
        ["--builtin", "zstd:3"],
        "decompress",
        &p("z"),
        &p("out"),
    );
    assert_eq!(report["exit"], "0", "{report:?}");
    assert_eq!(std::fs::read(p("out")).unwrap(), text);
}

#[test]
fn a_quick_codec_call_is_timed_warm_as_well_as_cold() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("in"), b"abc".repeat(50_000)).unwrap();
    let report = operate(
        dir.path(),
        ["--builtin", "zstd:3"],
        "compress",
        &p("in"),
        &p("z"),
    );
    assert_eq!(report["exit"], "0", "{report:?}");
    let calls: u32 = report["codec_calls"].parse().unwrap();
    let first: f64 = report["codec_first_s"].parse().unwrap();
    let fastest: f64 = report["codec_s"].parse().unwrap();
    assert!(calls >= 2, "{report:?}");
    assert!(fastest <= first, "{report:?}");

    // A call that takes longer than the warm-up budget is made once.
    let report = operate(
        dir.path(),
        ["--builtin", "__probe-slow"],
        "compress",
        &p("in"),
        &p("copy"),
    );
    assert_eq!(report["exit"], "0", "{report:?}");
    assert_eq!(report["codec_calls"], "1", "{report:?}");
    assert_eq!(report["codec_s"], report["codec_first_s"], "{report:?}");
    assert_eq!(std::fs::read(p("copy")).unwrap(), b"abc".repeat(50_000));
}

#[test]
fn an_external_command_reports_how_it_ended_and_its_containment() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::write(&input, b"abc").unwrap();
    let output = dir.path().join("out");
    let report = operate(
        dir.path(),
        ["--shell", "cat; exit 7"],
        "compress",
        &input,
        &output,
    );
    assert_eq!(report["exit"], "7", "{report:?}");
    assert_eq!(std::fs::read(&output).unwrap(), b"abc");
    assert!(!report.contains_key("codec_s"), "{report:?}");
    let containment = &report["containment"];
    assert!(
        containment == "pid-namespace" || containment.starts_with("subreaper"),
        "{containment}"
    );
}

#[test]
fn a_fork_bomb_stops_at_the_task_cap() {
    // Each `sleep` waits to be killed; the shell counts them on stderr until a fork fails.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::write(&input, b"abc").unwrap();
    let bomb = "n=0; while [ $n -lt 3000 ]; do sleep 600 & n=$((n+1)); echo $n >&2; done";
    let (report, stderr) = operate_with_stderr(
        dir.path(),
        ["--shell", bomb],
        "compress",
        &input,
        &dir.path().join("out"),
    );
    let started: usize = stderr
        .lines()
        .rev()
        .find_map(|l| l.trim().parse().ok())
        .unwrap_or(0);
    let tasks = report.get("tasks").map_or("", String::as_str);
    if tasks.starts_with("unlimited: ") {
        eprintln!("no task cap on this machine ({tasks}); {started} processes started");
        return;
    }
    assert!(
        (100..1024).contains(&started),
        "{started} processes started under the cap '{tasks}'"
    );
    assert!(tasks.starts_with("1024 ("), "{report:?}");
}

#[test]
fn probe_says_what_the_kernel_enforces() {
    let out = runner().arg("--probe").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for key in ["landlock_abi=", "seccomp=", "pid_namespace=", "task_cap="] {
        assert!(text.contains(key), "{text}");
    }
}

#[test]
fn bad_arguments_exit_2_with_the_usage() {
    let out = runner().args(["--op", "sideways"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: codec-runner"));
}
