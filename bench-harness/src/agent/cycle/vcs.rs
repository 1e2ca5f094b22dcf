//! The loop's git operations: committing what the agent left, describing an attempt,
//! discarding it (diff kept in `results/attempts/`), and keeping the loop's own records
//! (`results.csv`, `loop.tsv`) out of the agent's reach and out of resets.

use super::tsv::Status;
use crate::agent::git::Git;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Pathspec of everything but the recorded results.
const NOT_RESULTS: [&str; 3] = ["--", ".", ":!results"];

fn with_rest<'a>(args: &[&'a str]) -> Vec<&'a str> {
    args.iter().chain(NOT_RESULTS.iter()).copied().collect()
}

/// Uncommitted changes (or untracked files) outside `results/`.
pub fn dirty(git: &Git) -> Result<bool> {
    Ok(!git.run(&with_rest(&["status", "--porcelain"]))?.is_empty())
}

/// Commits whatever the agent changed but did not commit.
pub fn commit_leftovers(git: &Git, k: u32) -> Result<()> {
    if !dirty(git)? {
        return Ok(());
    }
    git.run(&with_rest(&["add", "-A"]))?;
    let message = format!("loop iteration {k}: changes the agent left uncommitted");
    git.run(&["commit", "--quiet", "--no-verify", "-m", &message])?;
    Ok(())
}

/// Subjects of the commits from `base` to `head`, oldest first.
pub fn description(git: &Git, base: &str, head: &str) -> String {
    if base == head {
        return "(no commit)".into();
    }
    let log = git
        .run(&[
            "log",
            "--reverse",
            "--format=%s",
            &format!("{base}..{head}"),
        ])
        .unwrap_or_default();
    log.lines().collect::<Vec<_>>().join("; ")
}

pub fn subject(git: &Git, commit: &str) -> String {
    git.run(&["log", "-1", "--format=%s", commit])
        .unwrap_or_default()
}

/// The header and the last `n` rows of the loop's table, for the agent's prompt.
pub fn recent_rows(tsv: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(tsv).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return "(no rows yet)".into();
    }
    let mut out = vec![lines[0]];
    out.extend(&lines[1.max(lines.len().saturating_sub(n))..]);
    out.join("\n")
}

/// The loop's own records, held in memory across an agent session or a reset.
pub struct Snapshot {
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Snapshot {
    pub fn take(results_dir: &Path) -> Snapshot {
        let files = ["results.csv", "loop.tsv"]
            .iter()
            .map(|name| {
                let path = results_dir.join(name);
                let bytes = std::fs::read(&path).ok();
                (path, bytes)
            })
            .collect();
        Snapshot { files }
    }

    /// Writes the records back as they were (removing ones that did not exist).
    pub fn restore(&self) -> Result<()> {
        for (path, bytes) in &self.files {
            match bytes {
                Some(b) => std::fs::write(path, b)
                    .with_context(|| format!("restoring {}", path.display()))?,
                None => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
        Ok(())
    }
}

/// Saves the attempt's diff against `base` as `results/attempts/<k>-<status>.diff` (with a
/// comment header `git apply` skips), then resets the work tree to `base`.
pub fn discard(
    git: &Git,
    results_dir: &Path,
    base: &str,
    k: u32,
    status: Status,
    reason: &str,
) -> Result<PathBuf> {
    git.run(&with_rest(&["add", "-A"]))?;
    let diff = git.raw(&with_rest(&["diff", "--cached", "--binary", base]))?;
    let dir = results_dir.join("attempts");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{k:04}-{}.diff", status.as_str()));
    let mut text = format!(
        "# iteration {k}: {}\n# reason: {}\n# base: {base}\n\n",
        status.as_str(),
        reason.replace('\n', " ")
    )
    .into_bytes();
    text.extend_from_slice(&diff);
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    let records = Snapshot::take(results_dir);
    git.run(&["reset", "--quiet", "--hard", base])?;
    git.run(&with_rest(&["clean", "-fdq"]))?;
    records.restore()?;
    Ok(path)
}
