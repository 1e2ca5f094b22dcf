//! Nothing a codec starts outlives its operation: not a grandchild in a session of its own
//! after a successful run, not one of a codec killed at its time limit, and nothing at all once
//! the harness dies by SIGKILL, SIGHUP or a second Ctrl-C.

mod common;
use common::*;
use std::process::{Child, Stdio};
use std::time::Duration;

/// Time the kernel gets to end a process tree after its root died.
const CLEAN_UP: Duration = Duration::from_secs(10);

fn daemon_codec(marker: &str, mode: &str) -> String {
    format!("ext:daemon={} {marker} {mode};cat", script("daemon.sh"))
}

fn assert_no_survivor(marker: &str, context: &str) {
    let left = survivors_after(marker, CLEAN_UP);
    kill_all(&left);
    assert!(left.is_empty(), "processes {left:?} outlived it: {context}");
}

#[test]
fn a_double_forked_session_leader_dies_with_a_successful_operation() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(5_000))]);
    let marker = unique_sleep_marker();
    let out = sandbox
        .harness()
        .args(["run", "--quiet", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(daemon_codec(&marker, "copy"))
        .output()
        .unwrap();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert_eq!(&sandbox.rows()[0][STATUS], "ok", "{text}");
    assert_no_survivor(&marker, &text);
}

#[test]
fn the_daemons_of_a_codec_killed_at_its_time_limit_die_with_it() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(5_000))]);
    let marker = unique_sleep_marker();
    let out = sandbox
        .harness()
        .args(["run", "--quiet", "--timeout", "1", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(daemon_codec(&marker, "hang"))
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(&sandbox.rows()[0][STATUS], "timeout", "{text}");
    assert_no_survivor(&marker, &text);
}

/// Starts a run whose codec leaves daemons and hangs; returns once they exist.
fn start_hanging_run(sandbox: &Sandbox, marker: &str) -> Child {
    let dataset = sandbox.dataset(&[("a.txt", prose(5_000))]);
    let child = sandbox
        .process()
        .args(["run", "--quiet", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(daemon_codec(marker, "hang"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while processes_with_arg(marker).len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the codec never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn signal(child: &Child, signal: libc::c_int) {
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
}

#[test]
fn nothing_survives_a_harness_killed_with_sigkill() {
    let sandbox = Sandbox::new();
    let marker = unique_sleep_marker();
    let mut child = start_hanging_run(&sandbox, &marker);
    signal(&child, libc::SIGKILL);
    child.wait().unwrap();
    assert_no_survivor(&marker, "harness killed with SIGKILL");
}

#[test]
fn nothing_survives_a_harness_ended_by_sighup() {
    let sandbox = Sandbox::new();
    let marker = unique_sleep_marker();
    let mut child = start_hanging_run(&sandbox, &marker);
    signal(&child, libc::SIGHUP);
    child.wait().unwrap();
    assert_no_survivor(&marker, "harness ended by SIGHUP");
}

#[test]
fn nothing_survives_a_double_ctrl_c() {
    let sandbox = Sandbox::new();
    let marker = unique_sleep_marker();
    let mut child = start_hanging_run(&sandbox, &marker);
    signal(&child, libc::SIGINT);
    // Two signals sent at once may arrive as one; the second must come after the first.
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, libc::SIGINT);
    child.wait().unwrap();
    assert_no_survivor(&marker, "harness ended by a second SIGINT");
}
