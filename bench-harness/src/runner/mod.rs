//! Runs one codec operation in its own child process: the harness re-executes itself as a
//! runner (`harness __exec`), handing it the input as its stdin and the output file as its
//! stdout, both open, seekable files. The runner applies limits, then codes in-process
//! (candidate, baselines) or execs the external command, so every codec is measured the same way.

pub mod child;
pub mod probe_codecs;
pub mod sandbox;
pub mod sys;

use crate::codecs::{CodecSpec, Operation};
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
pub use sys::Exit;

/// Limits applied to every operation.
#[derive(Clone, Debug)]
pub struct Limits {
    pub timeout: Duration,
    /// Address-space limit of the child, in bytes.
    pub max_memory: Option<u64>,
}

/// What one operation did. Seconds and bytes.
#[derive(Clone, Debug)]
pub struct OpOutcome {
    pub result: OpResult,
    pub wall_s: f64,
    pub user_s: f64,
    pub sys_s: f64,
    pub peak_rss_bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpResult {
    Ok,
    /// Non-zero exit status, with the last line the child wrote to stderr.
    Failed {
        code: i32,
        message: String,
    },
    /// Killed by a signal (crash, or a limit), with the last stderr line.
    Crashed {
        signal: i32,
        message: String,
    },
    /// Killed by the harness at the time limit.
    TimedOut,
    /// Killed by the harness because the run was interrupted (SIGINT or SIGTERM).
    Interrupted,
}

/// How often a waiting operation checks whether the run was interrupted.
const INTERRUPT_POLL: Duration = Duration::from_millis(100);

/// Runs `op` of `codec` from `input` into `output` in a runner child, within `limits`.
/// `scratch` is a directory for the child's stderr capture.
pub fn run_operation(
    codec: &CodecSpec,
    op: Operation,
    input: &Path,
    output: &Path,
    file_size_limit: u64,
    limits: &Limits,
    scratch: &Path,
) -> std::io::Result<OpOutcome> {
    let stdin = File::open(input)?;
    let stdout = File::create(output)?;
    let stderr_path = scratch.join(format!(
        "{}.stderr",
        output.file_name().unwrap_or_default().to_string_lossy()
    ));
    let stderr = File::create(&stderr_path)?;
    let mut cmd = Command::new(runner_executable()?);
    cmd.arg("__exec")
        .arg("--codec")
        .arg(codec.to_string())
        .arg("--op")
        .arg(op.as_str())
        .arg("--max-output")
        .arg(file_size_limit.to_string());
    if let Some(bytes) = limits.max_memory {
        cmd.arg("--max-memory").arg(bytes.to_string());
    }
    cmd.stdin(Stdio::from(stdin))
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr))
        .process_group(0);
    let start = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id();
    // std's Child is not waited through; `wait_with_usage` reaps the process itself.
    drop(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(sys::wait_with_usage(pid));
    });
    let deadline = start + limits.timeout;
    let mut ended = None;
    let mut stopped = None;
    while ended.is_none() && stopped.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.min(INTERRUPT_POLL)) {
            Ok(usage) => ended = Some(usage?),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(std::io::Error::other("runner waiter thread vanished"))
            }
            Err(mpsc::RecvTimeoutError::Timeout) if sys::interrupted() => {
                stopped = Some(OpResult::Interrupted)
            }
            Err(mpsc::RecvTimeoutError::Timeout) if left.is_zero() => {
                stopped = Some(OpResult::TimedOut)
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
    let usage = match ended {
        Some(usage) => usage,
        None => {
            sys::kill_group(pid);
            rx.recv()
                .map_err(|_| std::io::Error::other("runner waiter thread vanished"))??
        }
    };
    let wall_s = start.elapsed().as_secs_f64();
    // Grandchildren of an external command may outlive the shell; end the whole group.
    sys::kill_group(pid);
    let message = last_line(&stderr_path);
    let _ = std::fs::remove_file(&stderr_path);
    let result = match (stopped, usage.exit) {
        (Some(stopped), _) => stopped,
        (None, Exit::Code(0)) => OpResult::Ok,
        (None, Exit::Code(code)) => OpResult::Failed { code, message },
        (None, Exit::Signal(signal)) => OpResult::Crashed { signal, message },
    };
    Ok(OpOutcome {
        result,
        wall_s,
        user_s: usage.user_s,
        sys_s: usage.sys_s,
        peak_rss_bytes: usage.peak_rss_bytes,
    })
}

fn runner_executable() -> std::io::Result<PathBuf> {
    match std::env::var_os("HARNESS_RUNNER") {
        Some(path) => Ok(PathBuf::from(path)),
        None => std::env::current_exe(),
    }
}

/// The last non-empty line of a file, cut to 300 characters.
fn last_line(path: &Path) -> String {
    let text = std::fs::read(path).unwrap_or_default();
    let tail = &text[text.len().saturating_sub(8192)..];
    let text = String::from_utf8_lossy(tail);
    let line = text
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    line.chars().take(300).collect()
}
