//! Runs one codec operation through the `codec-runner` binary: a small process of its own
//! that links the codecs, contains everything the codec starts, sandboxes it, and times the
//! codec call from inside. This side starts it with a scrubbed environment, hands it the input
//! and output as open files, keeps the last 8 KiB of its stderr, enforces the time limit and
//! an interrupt, and reads its report.

pub mod locate;
pub mod report;
pub mod sandbox;
pub mod stderr_tail;
pub mod sys;

use crate::codecs::{CodecKind, CodecSpec, Operation};
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
    /// Address space the codec may use, in bytes (beyond the input a built-in codec's worker
    /// already holds).
    pub max_memory: Option<u64>,
    /// Ceiling of any operation's output, in bytes, whatever the input's size.
    pub max_output: u64,
}

/// How operations are run: which runner binary, which sandbox, what external commands may
/// write besides their private directory.
#[derive(Clone, Debug)]
pub struct Runner {
    pub executable: PathBuf,
    pub sandbox: sandbox::Mode,
    pub writable: Vec<PathBuf>,
    /// The sandbox keeps every codec from writing outside its private directory.
    pub confines_writes: bool,
    /// The sources the runner (and the codec it links) was built from.
    pub built_from: crate::history::RunnerSources,
}

/// What one operation did. Seconds and bytes.
#[derive(Clone, Debug)]
pub struct OpOutcome {
    pub result: OpResult,
    /// The runner process's wall time, from spawn to reap.
    pub wall_s: f64,
    pub user_s: f64,
    pub sys_s: f64,
    /// The codec's own peak resident memory (see `codec-runner`'s protocol).
    pub peak_rss_bytes: u64,
    /// Time of the built-in codec's call on in-memory buffers; `None` for external commands.
    pub codec_s: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpResult {
    Ok,
    /// Non-zero exit status, with the telling line of the codec's stderr.
    Failed {
        code: i32,
        message: String,
    },
    /// Killed by a signal (crash, or a limit), with the telling line of its stderr.
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

/// How long the stderr tail is awaited once the runner ended (everything it started is dead
/// by then; only an escaped process could hold the pipe open).
const STDERR_GRACE: Duration = Duration::from_millis(500);

/// One operation: `codec` `op` from `input` into `output`, at most `output_cap` bytes.
pub struct Job<'a> {
    pub codec: &'a CodecSpec,
    pub op: Operation,
    pub input: &'a Path,
    pub output: &'a Path,
    pub output_cap: u64,
}

/// Runs `job` in a runner child within `limits`. `work` is a directory private to the
/// calling worker: it holds the operation's scratch directory and the runner's report.
pub fn run_operation(
    job: &Job,
    runner: &Runner,
    limits: &Limits,
    work: &Path,
) -> std::io::Result<OpOutcome> {
    let scratch = work.join("scratch");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    let report_path = work.join("runner.report");
    let _ = std::fs::remove_file(&report_path);
    let (stderr_reader, stderr_writer) = std::io::pipe()?;
    let mut cmd = Command::new(&runner.executable);
    match &job.codec.kind {
        CodecKind::External {
            compress,
            decompress,
        } => {
            let command = match job.op {
                Operation::Compress => compress,
                Operation::Decompress => decompress,
            };
            cmd.arg("--shell").arg(command);
        }
        _ => {
            // A built-in codec's name is the runner's name for it (`candidate`, `xz:9`).
            cmd.arg("--builtin").arg(&job.codec.name);
        }
    }
    cmd.arg("--op")
        .arg(job.op.as_str())
        .arg("--report")
        .arg(&report_path)
        .arg("--scratch")
        .arg(&scratch)
        .arg("--max-output")
        .arg(job.output_cap.min(limits.max_output).to_string())
        .arg("--sandbox")
        .arg(runner.sandbox.as_str())
        .arg("--parent")
        .arg(std::process::id().to_string());
    for dir in &runner.writable {
        cmd.arg("--writable").arg(dir);
    }
    if let Some(bytes) = limits.max_memory {
        cmd.arg("--max-memory").arg(bytes.to_string());
    }
    scrub_environment(&mut cmd, &scratch);
    cmd.stdin(Stdio::from(File::open(job.input)?))
        .stdout(Stdio::from(File::create(job.output)?))
        .stderr(Stdio::from(stderr_writer))
        .process_group(0);
    let start = Instant::now();
    let child = cmd.spawn()?;
    // Drops this side's copy of the stderr pipe's write end, so the tail sees end of file.
    drop(cmd);
    let tail = stderr_tail::StderrTail::start(stderr_reader);
    let pid = child.id();
    // std's Child is not waited through; `wait_with_usage` reaps the process itself.
    drop(child);
    let (usage, stopped) = wait_within(pid, start + limits.timeout)?;
    let wall_s = start.elapsed().as_secs_f64();
    // The runner's own group (its codec ran in a PID namespace the runner's death ended).
    sys::kill_group(pid);
    let message = tail.finish(STDERR_GRACE);
    let report = report::Report::read(&report_path);
    let _ = std::fs::remove_dir_all(&scratch);
    let result = match (stopped, usage.exit) {
        (Some(stopped), _) => stopped,
        (None, Exit::Code(0)) => report.result(message),
        (None, Exit::Code(code)) => OpResult::Failed {
            code,
            message: format!("codec-runner failed: {message}"),
        },
        (None, Exit::Signal(signal)) => OpResult::Crashed { signal, message },
    };
    Ok(OpOutcome {
        result,
        wall_s,
        user_s: usage.user_s,
        sys_s: usage.sys_s,
        peak_rss_bytes: report.peak_rss_bytes(usage.peak_rss_bytes),
        codec_s: report.codec_s(),
    })
}

/// The codec process sees only these variables: a search path, the C locale, and its private
/// directory as temporary directory and home. Nothing of the harness (`HARNESS_*`, the holdout
/// seed) and nothing of the user's (tokens, keys) reaches it.
fn scrub_environment(cmd: &mut Command, scratch: &Path) {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    cmd.env_clear()
        .env("PATH", path)
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .env("TMPDIR", scratch)
        .env("HOME", scratch);
}

/// Waits for runner `pid` until `deadline` or an interrupt, killing its group at either;
/// returns its usage and, if it was stopped, why.
fn wait_within(
    pid: u32,
    deadline: Instant,
) -> std::io::Result<(sys::ChildUsage, Option<OpResult>)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(sys::wait_with_usage(pid));
    });
    let vanished = || std::io::Error::other("runner waiter thread vanished");
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let stopped = match rx.recv_timeout(left.min(INTERRUPT_POLL)) {
            Ok(usage) => return Ok((usage?, None)),
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(vanished()),
            Err(mpsc::RecvTimeoutError::Timeout) if sys::interrupted() => OpResult::Interrupted,
            Err(mpsc::RecvTimeoutError::Timeout) if left.is_zero() => OpResult::TimedOut,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
        };
        sys::kill_group(pid);
        let usage = rx.recv().map_err(|_| vanished())??;
        return Ok((usage, Some(stopped)));
    }
}
