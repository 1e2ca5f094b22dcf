//! Runs a step of the loop (the agent, a build, the tests, a harness run) in its own process
//! group with a time limit, its output appended to a log file.

use crate::runner::sys::{self, Exit};
use anyhow::{Context, Result};
use std::fs::OpenOptions;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Code(i32),
    Signal(i32),
    TimedOut,
}

impl Ended {
    pub fn ok(self) -> bool {
        self == Ended::Code(0)
    }

    pub fn describe(self) -> String {
        match self {
            Ended::Code(c) => format!("exit status {c}"),
            Ended::Signal(s) => format!("killed by {}", sys::signal_name(s)),
            Ended::TimedOut => "time limit exceeded".into(),
        }
    }
}

/// Runs `cmd` (stdin closed, stdout and stderr appended to `log`) and kills its whole
/// process group at `timeout`.
pub fn run(cmd: &mut Command, timeout: Duration, log: &Path) -> Result<Ended> {
    run_into(cmd, timeout, log, None)
}

/// Like [`run`], with stdout written to `stdout` (truncated first) instead of the log.
pub fn capture(cmd: &mut Command, timeout: Duration, log: &Path, stdout: &Path) -> Result<Ended> {
    run_into(cmd, timeout, log, Some(stdout))
}

fn run_into(
    cmd: &mut Command,
    timeout: Duration,
    log: &Path,
    stdout: Option<&Path>,
) -> Result<Ended> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("opening {}", log.display()))?;
    let stdout = match stdout {
        Some(path) => {
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?
        }
        None => out.try_clone()?,
    };
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(out))
        .process_group(0)
        .spawn()
        .with_context(|| format!("starting {cmd:?}"))?;
    let pid = child.id();
    // `wait_with_usage` reaps the child itself.
    drop(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(sys::wait_with_usage(pid));
    });
    let ended = match rx.recv_timeout(timeout) {
        Ok(usage) => match usage?.exit {
            Exit::Code(c) => Ended::Code(c),
            Exit::Signal(s) => Ended::Signal(s),
        },
        Err(_) => {
            sys::kill_group(pid);
            let _ = rx.recv();
            Ended::TimedOut
        }
    };
    sys::kill_group(pid);
    end_leftovers();
    Ok(ended)
}

/// Makes this process the reaper of its orphaned descendants, so a step's processes that
/// left its process group (`setsid`, double forks) can still be found and ended.
pub fn adopt_orphans() {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes an integer argument only.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
}

/// Kills and reaps every child process left (orphans adopted after a step ended), until none
/// is left; the loop has no other children between steps.
pub fn end_leftovers() {
    let me = std::process::id() as i32;
    for _ in 0..100 {
        let children = children_of(me);
        if children.is_empty() {
            return;
        }
        for pid in children {
            // SAFETY: plain system calls on a process id; waitpid reaps our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
        }
    }
}

/// Processes whose parent is `parent`, from /proc.
fn children_of(parent: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                // The fields after the command name (which may hold spaces) start after ')'.
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<i32>().ok())
                    == Some(parent)
            })
        })
        .collect()
}

/// The last `n` non-empty lines of `log`, joined with ` | ` (for one-line reasons).
pub fn tail(log: &Path, n: usize) -> String {
    let text = std::fs::read(log).unwrap_or_default();
    let text = String::from_utf8_lossy(&text[text.len().saturating_sub(16384)..]).to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

/// The last `n` lines of `log` (for traces shown to the agent).
pub fn tail_lines(log: &Path, n: usize) -> String {
    let text = std::fs::read(log).unwrap_or_default();
    let text = String::from_utf8_lossy(&text[text.len().saturating_sub(65536)..]).to_string();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
