//! A codec's stderr flood does not grow the harness: only the last 8 KiB are kept. (A file of
//! its own, so that no other test's process shares this test binary's memory figures.)

mod common;
use common::*;

#[test]
// The child is reaped by wait4 below, which std's `wait` cannot do with resource usage.
#[allow(clippy::zombie_processes)]
fn a_stderr_flood_does_not_grow_the_harness() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(2_000))]);
    let flood_bytes = 120_000_000u64;
    let child = sandbox
        .process()
        .args(["run", "--quiet", "--no-determinism", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(format!(
            "ext:flood={} {flood_bytes} fail;cat",
            script("flood.sh")
        ))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid out-pointers; the child is ours and not yet reaped.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    let peak = usage.ru_maxrss as u64 * 1024;
    assert!(
        peak < flood_bytes / 3,
        "the harness peaked at {} MiB",
        peak >> 20
    );
    let rows = sandbox.rows();
    assert_eq!(
        &rows[0][REASON],
        "compress exited with status 1: flooded and failed"
    );
}
