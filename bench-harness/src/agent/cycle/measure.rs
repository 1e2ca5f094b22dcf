//! Recorded and timing runs of a built harness, read back from the run directory.

use super::proc::{self, Ended};
use super::tsv::Status;
use crate::agent::figures::{self, RunFigures};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How to run the harness: the loop's settings shared by every run.
pub struct Runs {
    pub root: PathBuf,
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

impl Runs {
    pub fn run(
        &self,
        binary: &Path,
        dataset: &str,
        data_dir: Option<&Path>,
        kind: Kind,
        log: &Path,
    ) -> Result<Result<RunResult, RunFailure>> {
        let mut cmd = Command::new(binary);
        cmd.current_dir(&self.root)
            .env("HARNESS_RESULTS_DIR", &self.results_dir)
            .env("HARNESS_DATA_DIR", data_dir.unwrap_or(&self.data_dir))
            .args(["run", "--quiet", "--dataset", dataset, "--scale"])
            .arg(self.scale.to_string())
            .args(&self.extra);
        match kind {
            Kind::Recorded(label) => cmd.args(["--record", "--label", label]),
            Kind::Timing => cmd.arg("--no-determinism"),
        };
        let start = std::fs::metadata(log).map(|m| m.len()).unwrap_or(0);
        let ended = proc::run(&mut cmd, self.timeout, log)?;
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
        let text = String::from_utf8_lossy(&text[start as usize..]).to_string();
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
