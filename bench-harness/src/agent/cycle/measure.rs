//! Recorded and timing runs of the judge on a runner, read back from the run directory.
//!
//! A run is a judging step: the judge starts in the judging clone (so the source it charges
//! and the commit it records are the attempt's) with a fixed environment, reads the judging
//! clone, the judge and the runner and the datasets, writes only the results, the dataset
//! cache and its temporary directory, and has no TCP.

use super::judge::{self, Checked};
use super::proc::{self, Ended};
use super::steps::{Rights, Steps};
use super::tsv::Status;
use crate::agent::figures::{self, RunFigures};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How to run the judge: the loop's settings shared by every run.
pub struct Runs {
    pub judging: PathBuf,
    pub results_dir: PathBuf,
    pub data_dir: PathBuf,
    pub scale: f64,
    pub extra: Vec<String>,
    pub timeout: Duration,
}

/// A finished run: the candidate's figures and its failed files (status, reason).
pub struct RunResult {
    pub figures: RunFigures,
    pub failures: Vec<(String, String)>,
    pub run_dir: PathBuf,
}

/// Why a run gave no figures: the loop status and a reason.
pub type RunFailure = (Status, String);

pub enum Kind<'a> {
    /// Appended to the history with this label.
    Recorded(&'a str),
    /// For timing only: no determinism check, not recorded, directory removed afterwards.
    Timing,
}

/// Where a run's data comes from.
pub struct Data<'a> {
    /// The `--dataset` argument.
    pub dataset: &'a str,
    /// `HARNESS_DATA_DIR` of the run, when not the loop's.
    pub data_dir: Option<&'a Path>,
}

impl Runs {
    pub fn run(
        &self,
        steps: &Steps,
        judge: &Checked,
        runner: &Checked,
        data: &Data,
        kind: Kind,
        log: &Path,
    ) -> Result<Result<RunResult, RunFailure>> {
        let data_dir = data.data_dir.unwrap_or(&self.data_dir);
        let mut cmd = steps.judging(judge.verified()?)?;
        judge::use_runner(&mut cmd, runner.verified()?);
        cmd.current_dir(&self.judging)
            .env("HARNESS_RESULTS_DIR", &self.results_dir)
            .env("HARNESS_DATA_DIR", data_dir)
            .args([
                "run",
                "--quiet",
                "--codec",
                "candidate",
                "--dataset",
                data.dataset,
            ])
            .arg("--scale")
            .arg(self.scale.to_string())
            .args(&self.extra);
        match kind {
            Kind::Recorded(label) => cmd.args(["--record", "--label", label]),
            Kind::Timing => cmd.arg("--no-determinism"),
        };
        let mut read = vec![
            self.judging.clone(),
            judge.path.clone(),
            runner.path.clone(),
            data_dir.to_path_buf(),
        ];
        let dataset = PathBuf::from(data.dataset);
        if dataset.is_dir() {
            read.push(dataset);
        }
        // Paths that do not exist get no rule: create what the run writes into.
        std::fs::create_dir_all(&self.results_dir)?;
        std::fs::create_dir_all(data_dir.join("cache"))?;
        let rights = Rights::Judging {
            read,
            write: vec![self.results_dir.clone(), data_dir.join("cache")],
        };
        let start = std::fs::metadata(log).map(|m| m.len()).unwrap_or(0);
        let ended = steps.run(&mut cmd, &rights, self.timeout, log, None)?;
        let dataset = data.dataset;
        if ended == Ended::TimedOut {
            return Ok(Err((
                Status::Timeout,
                format!(
                    "harness run on {dataset} exceeded {} s",
                    self.timeout.as_secs_f64()
                ),
            )));
        }
        // Exit 1 means the candidate failed a file: the summary is there all the same.
        let text = std::fs::read(log).unwrap_or_default();
        let text = String::from_utf8_lossy(&text[(start as usize).min(text.len())..]).to_string();
        let summary = text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("summary: "))
            .map(|p| PathBuf::from(p.trim()));
        let (Some(summary), Ended::Code(0 | 1)) = (summary, ended) else {
            return Ok(Err((
                Status::Crash,
                format!(
                    "harness run on {dataset}: {}: {}",
                    ended.describe(),
                    proc::tail(log, 2)
                ),
            )));
        };
        let run_dir = summary.parent().unwrap_or(Path::new(".")).to_path_buf();
        let figures = figures::load(&run_dir, "candidate")?;
        let failures = failed_rows(&run_dir.join("files.csv"))?;
        if matches!(kind, Kind::Timing) {
            let _ = std::fs::remove_dir_all(&run_dir);
        }
        Ok(Ok(RunResult {
            figures,
            failures,
            run_dir,
        }))
    }

    /// Generates the seed's holdout into `data_dir` with the judge alone (no runner of an
    /// attempt sees the seed) and returns the directory of its files.
    pub fn generate_holdout(
        &self,
        steps: &Steps,
        judge: &Checked,
        seed: &str,
        data_dir: &Path,
        results_dir: &Path,
        log: &Path,
    ) -> Result<Result<PathBuf, RunFailure>> {
        let _ = std::fs::remove_dir_all(data_dir);
        std::fs::create_dir_all(data_dir)?;
        std::fs::create_dir_all(results_dir)?;
        let mut cmd = steps.judging(judge.verified()?)?;
        cmd.current_dir(&self.judging)
            .env("HARNESS_RESULTS_DIR", results_dir)
            .env("HARNESS_DATA_DIR", data_dir)
            .env(crate::dataset::HOLDOUT_SEED_VAR, seed)
            .args(["fetch", "--quiet", "holdout", "--scale"])
            .arg(self.scale.to_string());
        let rights = Rights::Judging {
            read: vec![self.judging.clone(), judge.path.clone()],
            write: vec![data_dir.to_path_buf(), results_dir.to_path_buf()],
        };
        let ended = steps.run(&mut cmd, &rights, self.timeout, log, None)?;
        let _ = std::fs::remove_dir_all(results_dir);
        if !ended.ok() {
            return Ok(Err((
                Status::Crash,
                format!(
                    "generating the holdout: {}: {}",
                    ended.describe(),
                    proc::tail(log, 2)
                ),
            )));
        }
        let generated: Vec<PathBuf> = std::fs::read_dir(data_dir.join("cache"))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        match generated.as_slice() {
            [dir] => Ok(Ok(dir.clone())),
            _ => Ok(Err((
                Status::Crash,
                format!(
                    "generating the holdout made {} directories",
                    generated.len()
                ),
            ))),
        }
    }
}

fn failed_rows(path: &Path) -> Result<Vec<(String, String)>> {
    let mut reader = csv::Reader::from_path(path)?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(codec), Some(status), Some(reason), Some(file)) =
        (col("codec"), col("status"), col("reason"), col("file"))
    else {
        anyhow::bail!("{} lacks the expected columns", path.display());
    };
    let mut out = Vec::new();
    for record in reader.records() {
        let r = record?;
        if &r[codec] == "candidate" && &r[status] != "ok" {
            out.push((
                r[status].to_string(),
                format!("{}: {}", &r[file], &r[reason]),
            ));
        }
    }
    Ok(out)
}

/// The loop status of a run whose candidate failed files: a timeout, a crash, or a discard
/// (wrong bytes, nondeterminism, expansion).
pub fn classify(failures: &[(String, String)]) -> Option<RunFailure> {
    let first = |s: &[&str]| failures.iter().find(|(st, _)| s.contains(&st.as_str()));
    let count = failures.len();
    let say = |(status, reason): &(String, String)| {
        format!("{count} file(s) failed; first {status}: {reason}")
    };
    if let Some(f) = first(&["timeout"]) {
        Some((Status::Timeout, say(f)))
    } else if let Some(f) = first(&["crashed", "error", "harness-error"]) {
        Some((Status::Crash, say(f)))
    } else {
        failures.first().map(|f| (Status::Discard, say(f)))
    }
}
