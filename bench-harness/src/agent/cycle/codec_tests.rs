//! The codec's tests for an attempt, which it cannot remove: every test the package compiles
//! (the guard refuses an attempt that removed or changed a test file of its base) plus the
//! contract's round trips, written into the judging clone as `codec/tests/harness_contract.rs`
//! whatever the attempt holds there.
//!
//! They are built in one judging step (compiling runs none of the attempt's code: the codec
//! can have no build script) and run in another that may write nothing but its temporary
//! directory, so a test cannot leave anything behind for a later build to pick up.

use super::proc::{self, Ended};
use super::steps::{Rights, Steps};
use super::tsv::Status;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The contract's round trips (every length 0..=4096, the edge files, determinism).
pub const CONTRACT: &str = include_str!("../../../contract/roundtrip.rs");
pub const CONTRACT_PATH: &str = "codec/tests/harness_contract.rs";

/// A failure: the loop status, a one-line reason, and the output to show the agent.
pub struct Failure {
    pub status: Status,
    pub reason: String,
    pub trace: String,
}

/// Builds and runs the codec's tests in the judging clone `judging`.
pub fn run(
    steps: &Steps,
    judging: &Path,
    timeout: Duration,
    log: &Path,
    work: &Path,
) -> Result<std::result::Result<usize, Failure>> {
    std::fs::write(judging.join(CONTRACT_PATH), CONTRACT)
        .with_context(|| format!("writing {CONTRACT_PATH}"))?;
    let listing = work.join("test-build.json");
    let mut build = steps.judging("cargo")?;
    build.current_dir(judging).args([
        "test",
        "-p",
        "codec",
        "--no-run",
        "--offline",
        "--message-format=json-render-diagnostics",
    ]);
    let rights = Rights::building(judging)?;
    match steps.run(&mut build, &rights, timeout, log, Some(&listing))? {
        Ended::Code(0) => {}
        e => {
            return Ok(Err(Failure {
                status: if e == Ended::TimedOut {
                    Status::Timeout
                } else {
                    Status::Crash
                },
                reason: format!(
                    "codec tests: building them {}: {}",
                    e.describe(),
                    proc::tail(log, 3)
                ),
                trace: proc::tail_lines(log, 60),
            }))
        }
    }
    let executables = test_executables(&listing)?;
    let rights = Rights::Judging {
        read: vec![judging.to_path_buf()],
        write: Vec::new(),
    };
    for exe in &executables {
        let name = exe
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let mut cmd = steps.judging(exe)?;
        cmd.current_dir(judging.join("codec"))
            .env("CARGO_MANIFEST_DIR", judging.join("codec"));
        let ended = steps.run(&mut cmd, &rights, timeout, log, None)?;
        match ended {
            Ended::Code(0) => {}
            Ended::TimedOut => {
                return Ok(Err(Failure {
                    status: Status::Timeout,
                    reason: format!("codec tests: {name} exceeded {} s", timeout.as_secs_f64()),
                    trace: proc::tail_lines(log, 60),
                }))
            }
            e => {
                return Ok(Err(Failure {
                    status: Status::Crash,
                    reason: format!(
                        "codec tests: {name} {}: {}",
                        e.describe(),
                        failed_tests(log)
                    ),
                    trace: proc::tail_lines(log, 60),
                }))
            }
        }
    }
    Ok(Ok(executables.len()))
}

/// The test executables cargo reported building (one JSON message per line).
fn test_executables(listing: &Path) -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(listing)
        .with_context(|| format!("reading {}", listing.display()))?;
    let mut out = Vec::new();
    for line in text.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] == "compiler-artifact" && message["profile"]["test"] == true {
            if let Some(exe) = message["executable"].as_str() {
                out.push(PathBuf::from(exe));
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The names of the failed tests in a libtest log, or its last lines.
fn failed_tests(log: &Path) -> String {
    let text = String::from_utf8_lossy(&std::fs::read(log).unwrap_or_default()).to_string();
    let failed: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_suffix(" ... FAILED")?.strip_prefix("test "))
        .collect();
    let panicked = text
        .lines()
        .rev()
        .find(|l| l.contains("panicked at") || l.starts_with("thread '"))
        .map(str::trim);
    let first_message = text
        .lines()
        .skip_while(|l| !l.contains("panicked at"))
        .nth(1)
        .map(str::trim);
    match (failed.is_empty(), first_message.or(panicked)) {
        (false, Some(m)) => format!("failed {}: {m}", failed.join(", ")),
        (false, None) => format!("failed {}", failed.join(", ")),
        _ => proc::tail(log, 3),
    }
}
