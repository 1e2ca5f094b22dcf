//! The loop's private directory, `<git dir>/agent-loop/`: outside the work tree (the agent
//! does not see it in `git status`, `cargo clean` does not remove it). Holds the iteration in
//! progress (for resuming), the harness built from the base commit, logs, holdout data.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct InProgress {
    pub iteration: u32,
    /// The commit the iteration started from; an interrupted attempt is reset to it.
    pub base: String,
}

pub struct LoopDir {
    dir: PathBuf,
}

impl LoopDir {
    pub fn open(git_dir: &Path) -> Result<LoopDir> {
        let dir = git_dir.join("agent-loop");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(LoopDir { dir })
    }

    fn state_path(&self) -> PathBuf {
        self.dir.join("in-progress.json")
    }

    pub fn load(&self) -> Option<InProgress> {
        let text = std::fs::read_to_string(self.state_path()).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn save(&self, state: &InProgress) -> Result<()> {
        let tmp = self.dir.join("in-progress.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(state)?)?;
        std::fs::rename(&tmp, self.state_path()).context("saving the loop state")
    }

    pub fn clear(&self) -> Result<()> {
        match std::fs::remove_file(self.state_path()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// The harness built from the base commit, and the commit it was built from.
    pub fn base_binary(&self) -> PathBuf {
        self.dir.join("harness-base")
    }

    pub fn base_binary_commit(&self) -> Option<String> {
        std::fs::read_to_string(self.dir.join("harness-base.commit"))
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// Copies `built` as the base harness of `commit`, with the codec runner built beside it
    /// (which holds the base's codec).
    pub fn store_base_binary(&self, built: &Path, commit: &str) -> Result<()> {
        let runner = crate::runner::locate::RUNNER_NAME;
        for (from, to) in [
            (built.to_path_buf(), self.base_binary()),
            (built.with_file_name(runner), self.dir.join(runner)),
        ] {
            let tmp = to.with_extension("tmp");
            std::fs::copy(&from, &tmp).with_context(|| format!("copying {}", from.display()))?;
            std::fs::rename(&tmp, &to)?;
        }
        std::fs::write(self.dir.join("harness-base.commit"), commit)?;
        Ok(())
    }

    pub fn log(&self, iteration: u32, step: &str) -> PathBuf {
        self.dir
            .join("logs")
            .join(format!("{iteration:04}-{step}.log"))
    }

    /// Where the holdout is generated for one run, and removed after it.
    pub fn holdout_data(&self) -> PathBuf {
        self.dir.join("holdout-data")
    }
}
