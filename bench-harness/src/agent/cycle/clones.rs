//! The patch-only hand-over. The agent works in a scratch clone of its own; every git command
//! run there runs with the agent's rights (the clone's configuration and hooks are the
//! agent's to write). What leaves it is text: `git diff` of `codec/` against the base. The
//! loop applies that text to the judging clone, which only the loop writes, commits it there,
//! and on keep fast-forwards the operator's repository to that commit.

use super::proc::Ended;
use super::steps::{agent_env, Rights, Steps};
use crate::agent::git::Git;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// What an agent session left, as the loop takes it.
pub struct Attempt {
    /// `git diff --binary` of `codec/` against the base (the whole hand-over).
    pub patch: PathBuf,
    /// Paths it changed outside `codec/` (and `results/`), which are not carried over.
    pub outside: Vec<String>,
    /// Subjects of the commits it made, oldest first.
    pub subjects: Vec<String>,
}

impl Attempt {
    pub fn is_empty(&self) -> bool {
        self.outside.is_empty() && std::fs::metadata(&self.patch).map_or(true, |m| m.len() == 0)
    }

    pub fn description(&self) -> String {
        if self.subjects.is_empty() {
            "(uncommitted changes)".into()
        } else {
            self.subjects.join("; ")
        }
    }
}

pub struct Clones<'a> {
    pub root: &'a Path,
    pub scratch: PathBuf,
    pub agent_tmp: PathBuf,
    pub judging: PathBuf,
    /// How the agent may use the machine (the scratch commands run with it).
    pub agent_rights: &'a Rights,
}

const SCRATCH_TIMEOUT: Duration = Duration::from_secs(600);

impl Clones<'_> {
    /// Clones the repository into the scratch and judging clones when they are missing.
    pub fn create(&self) -> Result<()> {
        for dir in [&self.scratch, &self.judging] {
            if dir.join(".git").exists() {
                continue;
            }
            let _ = std::fs::remove_dir_all(dir);
            let out = Command::new("git")
                .args(["clone", "-q", "--no-hardlinks"])
                .arg(self.root)
                .arg(dir)
                .output()
                .context("running git clone")?;
            if !out.status.success() {
                bail!(
                    "cloning {} into {}: {}",
                    self.root.display(),
                    dir.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
        Ok(())
    }

    /// Runs a shell script in the scratch clone with the agent's rights; its stdout goes to
    /// `stdout` when given.
    fn in_scratch(
        &self,
        steps: &Steps,
        script: &str,
        args: &[&str],
        log: &Path,
        stdout: Option<&Path>,
    ) -> Result<Ended> {
        let mut cmd = Command::new("sh");
        agent_env(&mut cmd);
        cmd.current_dir(&self.scratch)
            .env("TMPDIR", &self.agent_tmp)
            .arg("-c")
            .arg(script)
            .arg("scratch")
            .args(args);
        steps.run(&mut cmd, self.agent_rights, SCRATCH_TIMEOUT, log, stdout)
    }

    /// Resets the scratch clone to the repository's HEAD (the base) and gives it the loop's
    /// table and earlier attempts to read; a rework leaves it as the last session left it.
    pub fn prepare_scratch(&self, steps: &Steps, rework: bool, log: &Path) -> Result<()> {
        let _ = std::fs::remove_dir_all(&self.agent_tmp);
        std::fs::create_dir_all(&self.agent_tmp)?;
        let reset = if rework {
            ""
        } else {
            "git fetch -q \"$1\" HEAD && git checkout -q -f -B loop FETCH_HEAD && \
             git clean -q -f -d -x -e /target -e /datasets/cache && "
        };
        let script = format!(
            "set -e; {reset}mkdir -p results && rm -rf results/attempts && \
             if [ -d \"$1/results/attempts\" ]; then cp -R \"$1/results/attempts\" results/; fi && \
             if [ -f \"$1/results/loop.tsv\" ]; then cp \"$1/results/loop.tsv\" results/; fi && \
             if [ -d \"$1/datasets/cache\" ] && [ ! -e datasets/cache ]; then \
               mkdir -p datasets && ln -s \"$1/datasets/cache\" datasets/cache; fi && \
             if ! grep -qx /datasets/cache .git/info/exclude 2>/dev/null; then \
               echo /datasets/cache >> .git/info/exclude; fi"
        );
        let root = self.root.display().to_string();
        let ended = self.in_scratch(steps, &script, &[&root], log, None)?;
        if !ended.ok() {
            bail!(
                "preparing the scratch clone {}: {}",
                ended.describe(),
                super::proc::tail(log, 3)
            );
        }
        Ok(())
    }

    /// Takes the attempt from the scratch clone: its diff of `codec/` against `base`, what
    /// it changed elsewhere, and its commit subjects.
    pub fn take(&self, steps: &Steps, base: &str, patch: &Path, log: &Path) -> Result<Attempt> {
        let stage = "git add -A -- . ':!results' >/dev/null 2>&1 || true; ";
        let diff = format!("{stage}git diff --cached --binary \"$1\" -- codec");
        if !self
            .in_scratch(steps, &diff, &[base], log, Some(patch))?
            .ok()
        {
            bail!(
                "taking the attempt's diff from the scratch clone: {}",
                super::proc::tail(log, 3)
            );
        }
        let listing = patch.with_extension("outside");
        let outside =
            format!("{stage}git diff --cached --name-only \"$1\" -- . ':!results' ':!codec'");
        self.in_scratch(steps, &outside, &[base], log, Some(&listing))?;
        let outside = lines(&listing);
        let subjects_file = patch.with_extension("subjects");
        let log_cmd = "git log --reverse --format=%s \"$1\"..HEAD";
        self.in_scratch(steps, log_cmd, &[base], log, Some(&subjects_file))?;
        let subjects = lines(&subjects_file);
        let _ = std::fs::remove_file(listing);
        let _ = std::fs::remove_file(subjects_file);
        Ok(Attempt {
            patch: patch.to_path_buf(),
            outside,
            subjects,
        })
    }

    /// The judging clone at `base` with `patch` applied to `codec/`; `Err` with git's reason
    /// when it does not apply.
    pub fn apply(&self, base: &str, patch: &Path) -> Result<std::result::Result<(), String>> {
        let git = Git::new(&self.judging);
        git.run(&["fetch", "-q", &self.root.display().to_string(), "HEAD"])?;
        git.run(&["checkout", "-q", "-f", "-B", "judging", base])?;
        git.run(&["clean", "-q", "-f", "-d", "-x", "-e", "/target"])?;
        if std::fs::metadata(patch).map_or(true, |m| m.len() == 0) {
            return Ok(Ok(()));
        }
        let patch = patch.display().to_string();
        match git.run(&["apply", "--binary", "--include=codec/*", &patch]) {
            Ok(_) => Ok(Ok(())),
            Err(e) => Ok(Err(format!("the attempt's diff does not apply: {e:#}"))),
        }
    }

    /// Commits what was applied in the judging clone; returns the commit.
    pub fn commit(&self, message: &str) -> Result<String> {
        let git = Git::new(&self.judging);
        git.run(&["add", "-A", "--", "codec"])?;
        git.run(&[
            "commit",
            "-q",
            "--no-verify",
            "--allow-empty",
            "-m",
            message,
        ])?;
        git.head()
    }

    /// Fast-forwards the operator's repository to `commit` of the judging clone.
    pub fn keep(&self, commit: &str) -> Result<()> {
        let git = Git::new(self.root);
        git.run(&[
            "fetch",
            "-q",
            &self.judging.display().to_string(),
            "judging",
        ])?;
        if git.run(&["rev-parse", "FETCH_HEAD"])? != commit {
            bail!("the judging clone moved past the kept attempt {commit}");
        }
        git.run(&["merge", "-q", "--ff-only", commit])
            .context("fast-forwarding the repository to the kept attempt")?;
        Ok(())
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}
