//! Where the runner binary is, and what it can enforce on this kernel.

use crate::history::{GitState, RunnerSources};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// File name of the runner binary, beside the harness's.
pub const RUNNER_NAME: &str = "codec-runner";

/// The runner: `explicit` (`--runner` / `HARNESS_RUNNER`) when given, else `codec-runner`
/// beside this executable. Launched by cargo from the workspace (`cargo harness ...`), the
/// harness first has cargo bring that runner up to date, since cargo builds only the binary
/// it was asked to run; cargo then prints its own progress.
pub fn find(explicit: Option<PathBuf>, workspace: &Path) -> Result<PathBuf> {
    if let Some(path) = explicit {
        if !path.is_file() {
            bail!("runner {} does not exist", path.display());
        }
        return Ok(path);
    }
    let exe = std::env::current_exe().context("locating the harness executable")?;
    let beside = exe.with_file_name(RUNNER_NAME);
    if let Some(cargo) = std::env::var_os("CARGO") {
        if workspace.join("runner/Cargo.toml").is_file() {
            build_with_cargo(&cargo, &exe, workspace)?;
        }
    }
    if !beside.is_file() {
        bail!(
            "no codec runner at {}: build it with `cargo build --release -p codec-runner`, \
             or pass --runner PATH",
            beside.display()
        );
    }
    Ok(beside)
}

fn build_with_cargo(cargo: &std::ffi::OsStr, exe: &Path, workspace: &Path) -> Result<()> {
    let profile = exe
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or("release");
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .arg("build")
        .arg("-p")
        .arg("codec-runner");
    match profile {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.arg("--profile").arg(other);
        }
    }
    let status = cmd
        .status()
        .context("running cargo to build the codec runner")?;
    if !status.success() {
        bail!("cargo could not build the codec runner ({status})");
    }
    Ok(())
}

/// The runner's answer to `--probe`.
#[derive(Clone, Debug)]
pub struct Probe {
    pub support: Support,
    /// The sources the runner (and the codec it links) was built from.
    pub built_from: RunnerSources,
}

/// What the runner can enforce here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Support {
    /// Landlock ABI version, `None` when the kernel lacks or disables Landlock.
    pub landlock_abi: Option<i32>,
    pub seccomp: bool,
    /// The runner can put each operation's processes in a PID namespace of their own.
    pub pid_namespace: bool,
    /// The runner caps the processes and threads of an operation (a fork bomb stops there).
    pub task_cap: bool,
}

pub fn probe(runner: &Path) -> Result<Probe> {
    let out = Command::new(runner)
        .arg("--probe")
        .env_clear()
        .output()
        .with_context(|| format!("running {} --probe", runner.display()))?;
    if !out.status.success() {
        bail!(
            "{} --probe failed: {}",
            runner.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let report = super::report::Report::parse(&String::from_utf8_lossy(&out.stdout));
    Ok(Probe {
        support: Support {
            landlock_abi: report.value("landlock_abi").and_then(|v| v.parse().ok()),
            seccomp: report.value("seccomp") == Some("true"),
            pid_namespace: report.value("pid_namespace") == Some("true"),
            task_cap: report
                .value("task_cap")
                .is_some_and(|v| !v.starts_with("unlimited")),
        },
        built_from: runner_sources(&report),
    })
}

/// The state of the sources compiled into `runner` in the checkout at `root` now, as the
/// runner computes it (`None` if it cannot tell).
pub fn sources_now(runner: &Path, root: &Path) -> Option<RunnerSources> {
    let out = Command::new(runner)
        .arg("--sources")
        .arg(root)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let report = super::report::Report::parse(&String::from_utf8_lossy(&out.stdout));
    report
        .value("source_digest")
        .is_some()
        .then(|| runner_sources(&report))
}

fn runner_sources(report: &super::report::Report) -> RunnerSources {
    RunnerSources {
        git: GitState {
            commit: report.value("git_commit").unwrap_or("unknown").to_string(),
            dirty: report.value("git_dirty") == Some("true"),
        },
        digest: report.value("source_digest").unwrap_or("").to_string(),
    }
}
