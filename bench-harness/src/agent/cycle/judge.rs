//! The judging harness and the runners it measures.
//!
//! The judge is built once per loop from the operator's commit (or given with `--judge`) and
//! copied into the loop's directory, out of every clone; its sha256 is taken then and checked
//! before every use, so nothing an agent or an attempt wrote can stand in for it. It is never
//! rebuilt from an attempt. What an attempt builds is its runner: the executable the judge
//! starts for every codec operation ([`build_attempt`]: the `codec-runner` binary of the
//! judging clone, which links the attempt's codec, handed over as `HARNESS_RUNNER`).

use super::proc::Ended;
use super::steps::{Rights, Steps};
use super::tsv::Status;
use crate::agent::git::Git;
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// An executable the loop trusts as it was when it was checksummed.
#[derive(Clone, Debug)]
pub struct Checked {
    pub path: PathBuf,
    pub sha256: String,
}

impl Checked {
    /// Copies `source` to `dest` (read-only, executable) and takes its checksum.
    pub fn install(source: &Path, dest: &Path) -> Result<Checked> {
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = dest.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        std::fs::copy(source, &tmp)
            .with_context(|| format!("copying {} to {}", source.display(), tmp.display()))?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o555))?;
        std::fs::rename(&tmp, dest)?;
        Ok(Checked {
            path: dest.to_path_buf(),
            sha256: sha256_of(dest)?,
        })
    }

    /// Takes the checksum of an executable already in the loop's directory.
    pub fn adopt(path: &Path) -> Result<Checked> {
        Ok(Checked {
            path: path.to_path_buf(),
            sha256: sha256_of(path)?,
        })
    }

    /// The path, after checking the file is still what was installed.
    pub fn verified(&self) -> Result<&Path> {
        let now = sha256_of(&self.path)?;
        if now != self.sha256 {
            bail!(
                "{} changed since the loop checksummed it (sha256 {} then, {now} now): \
                 refusing to judge with it",
                self.path.display(),
                self.sha256
            );
        }
        Ok(&self.path)
    }
}

fn sha256_of(path: &Path) -> Result<String> {
    let mut hasher = Sha256::new();
    crate::dataset::for_each_chunk(path, |chunk| hasher.update(chunk))
        .with_context(|| format!("checksumming {}", path.display()))?;
    Ok(hex::encode(hasher.finalize()))
}

/// The judge of this loop: `given`, or the harness built from `commit` of the operator's
/// repository at `root` in a clone of its own under `dir`.
pub fn judge(
    given: Option<&Path>,
    root: &Path,
    commit: &str,
    dir: &Path,
    log: &Path,
) -> Result<Checked> {
    let dest = dir.join("harness");
    let source = match given {
        Some(path) => path.to_path_buf(),
        None => build_judge(root, commit, dir, log)?,
    };
    Checked::install(&source, &dest)
}

fn build_judge(root: &Path, commit: &str, dir: &Path, log: &Path) -> Result<PathBuf> {
    let src = dir.join("src");
    if !src.join(".git").exists() {
        let status = Command::new("git")
            .args(["clone", "-q", "--no-hardlinks"])
            .arg(root)
            .arg(&src)
            .status()
            .context("cloning the repository to build the judging harness")?;
        if !status.success() {
            bail!("cloning {} for the judging harness failed", root.display());
        }
    }
    let git = Git::new(&src);
    // The operator's commit is the repository's HEAD when the loop starts.
    git.run(&["fetch", "-q", &root.display().to_string(), "HEAD"])?;
    if git.run(&["rev-parse", "FETCH_HEAD"])? != commit {
        bail!("the repository's HEAD moved while the judging harness was built");
    }
    git.run(&["checkout", "-q", "-f", "--detach", commit])?;
    git.run(&["clean", "-q", "-f", "-d", "-x", "-e", "/target"])?;
    println!(
        "loop: building the judging harness from {} (once per loop; log {})",
        &commit[..commit.len().min(12)],
        log.display()
    );
    let mut cmd = Command::new("cargo");
    cmd.current_dir(&src).args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "bench-harness",
        "--bin",
        "harness",
    ]);
    let ended = super::proc::run(&mut cmd, Duration::from_secs(4 * 3600), log)?;
    if !ended.ok() {
        bail!(
            "building the judging harness {}: {}",
            ended.describe(),
            super::proc::tail(log, 3)
        );
    }
    Ok(src.join("target/release/harness"))
}

/// How the attempt is built: a command in the judging clone and the runner it makes.
pub struct Build<'a> {
    pub command: &'a str,
    pub runner: &'a Path,
}

/// Builds the attempt in the judging clone `judging` and copies its runner to `dest`, out of
/// the clone: the one place that knows what an attempt's executable is.
pub fn build_attempt(
    steps: &Steps,
    build: &Build,
    judging: &Path,
    dest: &Path,
    timeout: Duration,
    log: &Path,
) -> Result<std::result::Result<Checked, (Status, String)>> {
    let mut cmd = steps.judging("sh")?;
    cmd.current_dir(judging).arg("-c").arg(build.command);
    let rights = Rights::building(judging)?;
    let ended = steps.run(&mut cmd, &rights, timeout, log, None)?;
    match ended {
        Ended::Code(0) => {}
        Ended::TimedOut => {
            return Ok(Err((
                Status::Timeout,
                format!(
                    "build: `{}` exceeded {} s",
                    build.command,
                    timeout.as_secs_f64()
                ),
            )))
        }
        e => {
            return Ok(Err((
                Status::Crash,
                format!(
                    "build: `{}` {}: {}",
                    build.command,
                    e.describe(),
                    super::proc::tail(log, 3)
                ),
            )))
        }
    }
    let built = judging.join(build.runner);
    if !built.is_file() {
        return Ok(Err((
            Status::Crash,
            format!(
                "build: `{}` made no {}",
                build.command,
                build.runner.display()
            ),
        )));
    }
    Ok(Ok(Checked::install(&built, dest)?))
}

/// Tells a judge command to run codecs with `runner` (`harness run --runner`'s variable).
pub fn use_runner(cmd: &mut Command, runner: &Path) {
    cmd.env("HARNESS_RUNNER", runner);
}
