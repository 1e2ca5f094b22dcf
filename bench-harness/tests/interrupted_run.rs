//! Ctrl-C in the middle of a run: the codec still running is killed with its process group, the
//! pairs already measured are kept and summarised, and the history is left alone.

mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

/// Polls `done` every 50 ms for at most `limit`.
fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

/// Starts `harness run ARGS` with its output captured; external commands may write in the
/// sandbox's directory.
fn start_run(sandbox: &Sandbox, args: &[&str]) -> Child {
    sandbox
        .process()
        .arg("run")
        .arg("--ext-writable")
        .arg(sandbox.dir.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits at most 60 s for `started`, then sends SIGINT to the harness and waits at most 30 s
/// for it to exit (killing it otherwise). Returns whether it had started, whether it exited
/// by itself, and its output.
fn interrupt_once(mut child: Child, started: impl FnMut() -> bool) -> (bool, bool, Output) {
    let started = wait_until(Duration::from_secs(60), started);
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let exited = wait_until(Duration::from_secs(30), || {
        child.try_wait().unwrap().is_some()
    });
    if !exited {
        let _ = child.kill();
    }
    (started, exited, child.wait_with_output().unwrap())
}

/// A codec that hangs as `sleep MARKER`, a process a test can find.
fn hanging_codec(dir: &Path, marker: &str) -> String {
    let path = dir.join("hang.sh");
    let body = format!("#!/bin/sh\nexec sleep {marker}\n");
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("ext:hangs={};cat", path.display())
}

#[test]
fn an_interrupted_run_kills_its_codec_and_keeps_what_it_measured() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(5_000)), ("b.txt", prose(7_000))]);
    let marker = unique_sleep_marker();
    let hangs = hanging_codec(sandbox.dir.path(), &marker);
    let dataset = dataset.to_str().unwrap();
    let child = start_run(
        &sandbox,
        &[
            "--dataset",
            dataset,
            "--codec",
            "ext:good=gzip -c;gzip -dc",
            "--codec",
            &hangs,
            "--jobs",
            "1",
            "--record",
            "--label",
            "cut short",
        ],
    );
    // The first file's pairs run in codec order, so `good` is measured before `hangs` starts.
    let (started, exited, out) = interrupt_once(child, || !processes_with_arg(&marker).is_empty());
    let text = output_text(&out);
    assert!(started, "the hanging codec never started: {text}");
    assert!(
        exited,
        "the harness did not stop within 30 s of SIGINT: {text}"
    );
    assert_eq!(out.status.code(), Some(130), "{text}");
    assert!(text.contains("INTERRUPTED"), "{text}");
    assert!(text.contains("interrupted: 1 of 4"), "{text}");
    let left = survivors_after(&marker, Duration::from_secs(5));
    kill_all(&left);
    assert!(
        left.is_empty(),
        "the hanging codec {left:?} is still running"
    );

    let rows = sandbox.rows();
    assert_eq!(rows.len(), 1, "only the finished pair is kept: {rows:?}");
    assert_eq!((&rows[0][CODEC], &rows[0][STATUS]), ("good", "ok"));
    let summary = sandbox.summary();
    assert_eq!(summary["interrupted"], true);
    assert_eq!(summary["stopped_early"], true);
    let history = std::fs::read_to_string(sandbox.results_dir().join("results.csv"));
    assert!(
        history.map_or(true, |h| !h.contains("cut short")),
        "an interrupted run must not enter the history"
    );
}

/// A codec that copies its input, except that its compression number `hang_on` (counted in
/// `dir/calls`) hangs as `sleep MARKER`.
fn hangs_later(dir: &Path, hang_on: u32, marker: &str) -> String {
    let path = dir.join("hangs-later.sh");
    let calls = dir.join("calls");
    let body = format!(
        "#!/bin/sh\ncount=$(( $(cat '{calls}' 2>/dev/null || echo 0) + 1 ))\necho $count > '{calls}'\n\
         if [ $count = {hang_on} ]; then exec sleep {marker}; fi\nexec cat\n",
        calls = calls.display(),
    );
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("ext:hangs-later={};cat", path.display())
}

#[test]
fn a_run_interrupted_in_a_later_round_keeps_the_rows_of_the_rounds_before() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(5_000))]);
    let marker = unique_sleep_marker();
    let hangs = hangs_later(sandbox.dir.path(), 2, &marker);
    let dataset = dataset.to_str().unwrap();
    let child = start_run(
        &sandbox,
        &[
            "--repeat",
            "3",
            "--dataset",
            dataset,
            "--codec",
            "ext:good=gzip -c;gzip -dc",
            "--codec",
            &hangs,
        ],
    );
    let (started, _, out) = interrupt_once(child, || !processes_with_arg(&marker).is_empty());
    kill_all(&survivors_after(&marker, Duration::from_secs(5)));
    let text = output_text(&out);
    assert!(started, "the second compression never started: {text}");
    assert_eq!(out.status.code(), Some(130), "{text}");
    assert!(
        text.contains("interrupted: 0 of 2") && text.contains("fewer than 3 times"),
        "{text}"
    );
    let rows = sandbox.rows();
    let kept: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (&r[CODEC][..], &r[STATUS][..]))
        .collect();
    assert_eq!(kept, [("good", "ok"), ("hangs-later", "ok")], "{text}");
    assert!(rows[1][COMPRESSED].parse::<u64>().is_ok(), "{rows:?}");
    assert_eq!(sandbox.summary()["stopped_early"], true);
}
