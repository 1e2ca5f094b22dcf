//! The loop's private directory, `<git dir>/agent-loop/`: outside the work tree, and out of
//! the agent's reach but for its scratch clone and temporary directory. Holds the iteration
//! in progress (for resuming), the clones, the judging harness and runners, logs, the
//! holdout while it is measured.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct InProgress {
    pub iteration: u32,
    /// The commit the iteration started from.
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

    /// The directory itself (denied to the agent, but for its own scratch and temp dirs).
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The agent's clone of the repository: the only tree it may write.
    pub fn scratch(&self) -> PathBuf {
        self.dir.join("scratch")
    }

    /// The agent's temporary directory, emptied before each session.
    pub fn agent_tmp(&self) -> PathBuf {
        self.dir.join("agent-tmp")
    }

    /// The clone where attempts are applied, built, tested and run; the agent cannot write it.
    pub fn judging(&self) -> PathBuf {
        self.dir.join("judging")
    }

    /// The temporary directory of the judging steps.
    pub fn judging_tmp(&self) -> PathBuf {
        self.dir.join("judging-tmp")
    }

    /// Where the judging harness is built and kept.
    pub fn judge_dir(&self) -> PathBuf {
        self.dir.join("judge")
    }

    /// The runner built from the base commit, and the commit it was built from.
    pub fn base_runner(&self) -> PathBuf {
        self.dir.join("runner-base")
    }

    pub fn base_runner_commit(&self) -> Option<String> {
        std::fs::read_to_string(self.dir.join("runner-base.commit"))
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// Copies `built` as the base runner of `commit`.
    pub fn store_base_runner(&self, built: &Path, commit: &str) -> Result<()> {
        let tmp = self.dir.join("runner-base.tmp");
        std::fs::copy(built, &tmp).with_context(|| format!("copying {}", built.display()))?;
        std::fs::rename(&tmp, self.base_runner())?;
        std::fs::write(self.dir.join("runner-base.commit"), commit)?;
        Ok(())
    }

    /// The runner built from the attempt being judged, copied out of the judging clone.
    pub fn attempt_runner(&self) -> PathBuf {
        self.dir.join("runner-attempt")
    }

    /// The attempt's patch as taken from the scratch clone.
    pub fn patch(&self) -> PathBuf {
        self.dir.join("attempt.patch")
    }

    /// What the last attempt's failure looked like, for the next prompt.
    pub fn trace(&self) -> PathBuf {
        self.dir.join("trace.txt")
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

    /// Results of the run that only generates the holdout, removed after it.
    pub fn holdout_generation(&self) -> PathBuf {
        self.dir.join("holdout-generation")
    }
}
