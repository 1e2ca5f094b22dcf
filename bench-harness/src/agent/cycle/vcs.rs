//! The loop's records around git: whether the operator's tree is clean, a commit's subject,
//! the recent rows shown to the agent, and a discarded attempt's diff kept in
//! `results/attempts/`.

use super::secret::Secret;
use super::tsv::Status;
use crate::agent::git::Git;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Uncommitted changes (or untracked files) outside `results/`.
pub fn dirty(git: &Git) -> Result<bool> {
    Ok(!git
        .run(&["status", "--porcelain", "--", ".", ":!results"])?
        .is_empty())
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

/// What a discarded attempt leaves in `results/attempts/<k>-<status>.diff`.
pub struct Discarded<'a> {
    pub iteration: u32,
    pub status: Status,
    pub reason: &'a str,
    pub base: &'a str,
    pub patch: &'a Path,
    pub outside: &'a [String],
}

/// Writes the attempt's diff with a comment header (which `git apply` skips), the seed
/// redacted.
pub fn keep_diff(results_dir: &Path, d: &Discarded, secret: &Secret) -> Result<PathBuf> {
    let dir = results_dir.join("attempts");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{:04}-{}.diff", d.iteration, d.status.as_str()));
    let mut text = format!(
        "# iteration {}: {}\n# reason: {}\n# base: {}\n",
        d.iteration,
        d.status.as_str(),
        d.reason.replace('\n', " "),
        d.base
    );
    for p in d.outside {
        text.push_str(&format!(
            "# changed outside codec/ (not carried over): {p}\n"
        ));
    }
    text.push('\n');
    let patch = std::fs::read(d.patch).unwrap_or_default();
    text.push_str(&String::from_utf8_lossy(&patch));
    std::fs::write(&path, secret.redact(&text))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}
