//! How the loop runs a step: with whose rights (the agent's, or a judging step's), in which
//! environment, within which time; its output goes to a log from which the seed is redacted
//! afterwards.

use super::jail::{self, Policy};
use super::proc::{self, Ended};
use super::secret::Secret;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Whose rights a step runs with.
pub enum Rights {
    /// The agent's: read everything but `hidden`, write only `writable`.
    Agent {
        hidden: Vec<PathBuf>,
        writable: Vec<PathBuf>,
    },
    /// A judging step's: read the system, the toolchain and `read`, write only `write`, no TCP.
    Judging {
        read: Vec<PathBuf>,
        write: Vec<PathBuf>,
    },
}

impl Rights {
    /// A build in the judging clone `judging`: it reads the clone and writes its `target/`
    /// (created first: cargo cannot create it in a clone it may not write) and `Cargo.lock`
    /// (a version bump of the codec changes it).
    pub fn building(judging: &Path) -> Result<Rights> {
        std::fs::create_dir_all(judging.join("target"))?;
        Ok(Rights::Judging {
            read: vec![judging.to_path_buf()],
            write: vec![judging.join("target"), judging.join("Cargo.lock")],
        })
    }
}

pub struct Steps {
    /// Landlock on (false with `--no-sandbox`).
    pub sandbox: bool,
    pub toolchain: Vec<PathBuf>,
    pub secret: Secret,
    /// Temporary directory and home of judging steps.
    pub judging_tmp: PathBuf,
}

impl Steps {
    /// Runs `cmd` with `rights` and returns how it ended; stdout goes to `stdout` when given,
    /// else with stderr to `log`.
    pub fn run(
        &self,
        cmd: &mut Command,
        rights: &Rights,
        timeout: Duration,
        log: &Path,
        stdout: Option<&Path>,
    ) -> Result<Ended> {
        if self.sandbox {
            self.policy(rights).apply(cmd)?;
        }
        let ended = match stdout {
            Some(out) => proc::capture(cmd, timeout, log, out),
            None => proc::run(cmd, timeout, log),
        };
        self.secret.redact_file(log)?;
        ended
    }

    fn policy(&self, rights: &Rights) -> Policy {
        match rights {
            Rights::Agent { hidden, writable } => Policy {
                read_all_but: Some(hidden.clone()),
                write: writable.clone(),
                ..Policy::default()
            },
            Rights::Judging { read, write } => Policy {
                read: jail::SYSTEM
                    .iter()
                    .map(PathBuf::from)
                    .chain(self.toolchain.iter().cloned())
                    .chain(read.iter().cloned())
                    .chain(read.iter().flat_map(|p| cargo_configs_above(p)))
                    .collect(),
                write: write
                    .iter()
                    .cloned()
                    .chain([self.judging_tmp.clone()])
                    .collect(),
                deny_tcp: true,
                ..Policy::default()
            },
        }
    }

    /// A command for a judging step, in a fixed environment: a search path, the toolchain's
    /// homes, a private home and temporary directory, and nothing of the operator's (no seed,
    /// no keys).
    pub fn judging(&self, program: impl AsRef<std::ffi::OsStr>) -> Result<Command> {
        let home = self.judging_tmp.join("home");
        std::fs::create_dir_all(&home)?;
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LANG", "C")
            .env("HOME", &home)
            .env("TMPDIR", &self.judging_tmp);
        for var in ["RUSTUP_TOOLCHAIN", "CARGO_HOME", "RUSTUP_HOME"] {
            if let Some(v) = std::env::var_os(var) {
                cmd.env(var, v);
            }
        }
        let operator_home = std::env::var_os("HOME").map(PathBuf::from);
        for (var, dir) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
            if std::env::var_os(var).is_none() {
                if let Some(h) = &operator_home {
                    cmd.env(var, h.join(dir));
                }
            }
        }
        Ok(cmd)
    }
}

/// The `.cargo` directories above `path`: cargo reads their configuration from every
/// directory up from where it runs (the operator's own, for clones inside the repository).
fn cargo_configs_above(path: &Path) -> Vec<PathBuf> {
    path.ancestors()
        .skip(1)
        .map(|a| a.join(".cargo"))
        .filter(|c| c.is_dir())
        .collect()
}

/// The agent's environment: the operator's, without any `HARNESS_*` variable.
pub fn agent_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HARNESS_") {
            cmd.env_remove(key);
        }
    }
}
