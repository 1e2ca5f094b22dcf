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
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("opening {}", log.display()))?;
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(out.try_clone()?))
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
    Ok(ended)
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
