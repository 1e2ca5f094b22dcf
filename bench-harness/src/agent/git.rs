//! A thin wrapper over the `git` command line for one work tree.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[derive(Clone, Debug)]
pub struct Git {
    root: PathBuf,
}

impl Git {
    pub fn new(root: &Path) -> Self {
        Git {
            root: root.to_path_buf(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn output(&self, args: &[&str]) -> Result<Output> {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&self.root);
        if args.first() == Some(&"commit") && !self.has_identity() {
            cmd.args([
                "-c",
                "user.name=agent-loop",
                "-c",
                "user.email=agent-loop@localhost",
            ]);
        }
        cmd.args(args)
            .output()
            .with_context(|| format!("running git {}", args.join(" ")))
    }

    fn has_identity(&self) -> bool {
        Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(["config", "user.email"])
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
    }

    /// Runs git and returns its trimmed stdout; fails with git's stderr.
    pub fn run(&self, args: &[&str]) -> Result<String> {
        let stdout = self.raw(args)?;
        Ok(String::from_utf8_lossy(&stdout).trim_end().to_string())
    }

    /// Runs git and returns its raw stdout, without trimming (for diffs).
    pub fn raw(&self, args: &[&str]) -> Result<Vec<u8>> {
        let out = self.output(args)?;
        if !out.status.success() {
            bail!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(out.stdout)
    }

    /// True when git exits successfully.
    pub fn succeeds(&self, args: &[&str]) -> bool {
        self.output(args).is_ok_and(|o| o.status.success())
    }

    pub fn head(&self) -> Result<String> {
        self.run(&["rev-parse", "HEAD"])
    }

    /// The full hash of `rev`, which must name a commit.
    pub fn commit_of(&self, rev: &str) -> Result<String> {
        self.run(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .with_context(|| format!("{rev:?} is not a commit"))
    }

    /// Paths changed between `base` and the work tree (tracked, staged or not), plus untracked
    /// files that are not ignored.
    pub fn changed_since(&self, base: &str) -> Result<Vec<String>> {
        let diff = self.run(&["diff", "--name-only", "--no-renames", base, "--"])?;
        let untracked = self.run(&["ls-files", "--others", "--exclude-standard"])?;
        let mut paths: Vec<String> = diff
            .lines()
            .chain(untracked.lines())
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// The content of `path` at `rev`, `None` when it does not exist there.
    pub fn show(&self, rev: &str, path: &str) -> Option<String> {
        self.run(&["show", &format!("{rev}:{path}")]).ok()
    }
}
