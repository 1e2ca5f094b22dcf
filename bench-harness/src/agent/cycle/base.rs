//! The base an attempt is compared with: the last kept (or base) row's commit with its
//! recorded figures and runner, or the repository's HEAD measured now.

use super::judge::{self, Checked};
use super::measure::{Data, Kind};
use super::tsv::{self, Row, Status};
use super::{short, vcs, Loop};
use crate::agent::figures::{self, RunFigures};
use anyhow::{bail, Result};

/// What an attempt is compared with: the last kept (or base) commit, its figures and runner.
pub(super) struct Base {
    pub(super) commit: String,
    pub(super) figures: RunFigures,
    /// The objective's value on the holdout.
    pub(super) holdout: Option<f64>,
    pub(super) runner: Checked,
}

impl Loop {
    /// The base to beat: the last kept or base row when it is HEAD, else HEAD measured now.
    pub(super) fn base(&mut self) -> Result<Base> {
        let head = self.git.head()?;
        let rows = tsv::read(&self.tsv)?;
        let last = rows
            .iter()
            .rev()
            .find(|r| matches!(r.status, Status::Base | Status::Keep));
        let same_objective =
            |r: &&Row| r.objective.is_empty() || r.objective == self.objective().as_str();
        if let Some(r) = last
            .filter(|r| r.commit == head && r.ratio.is_some())
            .filter(same_objective)
        {
            let runner = self.base_runner(&head)?;
            // Its recorded run says which files it measured; a row whose run is gone keeps
            // only its times and ratio, and is measured again before anything is judged
            // against it (its files are unknown).
            let figures = self.recorded_figures(&run_label(r)).unwrap_or(RunFigures {
                dataset: self.args.dataset.clone(),
                ratio: r.ratio,
                compress_s: r.compress_s.unwrap_or(0.0),
                decompress_s: r.decompress_s.unwrap_or(0.0),
                ratio_with_source: r.ratio_with_source,
                ..Default::default()
            });
            return Ok(Base {
                commit: head,
                figures,
                holdout: r.holdout_ratio,
                runner,
            });
        }
        let iteration = rows.iter().map(|r| r.iteration).max().unwrap_or(0);
        println!("loop: measuring the base {}", short(&head));
        self.measure_base(iteration, &head)
    }

    /// The candidate's figures in the newest recorded run labelled `label`, when its
    /// summary is still there.
    fn recorded_figures(&self, label: &str) -> Option<RunFigures> {
        let history = crate::history::read(&self.results_dir.join("results.csv")).ok()?;
        let row = history
            .iter()
            .rev()
            .find(|h| h.label == label && h.codec == "candidate")?;
        let dir = self.results_dir.join("runs").join(&row.run_id);
        figures::load(&dir, "candidate").ok()
    }

    /// The runner of `commit`: the stored one, or built now in the judging clone.
    pub(super) fn base_runner(&self, commit: &str) -> Result<Checked> {
        let stored = self.dir.base_runner();
        if self.dir.base_runner_commit().as_deref() == Some(commit) && stored.is_file() {
            return Checked::adopt(&stored);
        }
        let clones = self.clones();
        let empty = self.dir.patch().with_extension("empty");
        std::fs::write(&empty, "")?;
        if let Err(reason) = clones.apply(commit, &empty)? {
            bail!("preparing the judging clone at the base: {reason}");
        }
        println!("loop: building the base's runner ({})", self.args.build_cmd);
        let built = judge::build_attempt(
            &self.steps,
            &self.build(),
            &self.dir.judging(),
            &stored,
            self.step_timeout(),
            &self.dir.log(0, "base-build"),
        )?;
        let runner =
            built.map_err(|(_, reason)| anyhow::anyhow!("the base does not build: {reason}"))?;
        std::fs::write(self.dir.path().join("runner-base.commit"), commit)?;
        Ok(runner)
    }

    /// Measures the base `commit` on the loop's dataset and holdout, and appends its row.
    pub(super) fn measure_base(&self, iteration: u32, commit: &str) -> Result<Base> {
        let runner = self.base_runner(commit)?;
        let label = format!("loop:{iteration} base");
        let data = Data {
            dataset: &self.args.dataset,
            data_dir: None,
        };
        let main = self
            .runs
            .run(
                &self.steps,
                &self.judge,
                &runner,
                &data,
                Kind::Recorded(&label),
                &self.dir.log(iteration, "base-run"),
            )?
            .map_err(|(_, reason)| anyhow::anyhow!("measuring the base: {reason}"))?;
        let objective = self.objective();
        let holdout = match self.holdout_run(&runner, iteration, &label)? {
            None => None,
            Some(Ok(h)) => h.figures.value(objective),
            Some(Err((_, reason))) => bail!("measuring the base on the holdout: {reason}"),
        };
        let failed = main.failures.len();
        let base = Base {
            commit: commit.to_string(),
            holdout,
            figures: main.figures.clone(),
            runner,
        };
        let row = Row {
            iteration,
            utc: crate::run::now_utc(),
            commit: commit.to_string(),
            status: Status::Base,
            ratio: main.figures.ratio,
            delta: None,
            compress_s: Some(main.figures.compress_s),
            decompress_s: Some(main.figures.decompress_s),
            description: vcs::subject(&self.git, commit),
            holdout_ratio: base.holdout,
            ratio_with_source: main.figures.ratio_with_source,
            reason: if failed > 0 {
                format!("the base fails {failed} file(s)")
            } else {
                String::new()
            },
            objective: objective.as_str().into(),
            score: main.figures.score(objective),
            score_delta: None,
            category_deltas: String::new(),
        };
        tsv::append(&self.tsv, &row)?;
        Ok(base)
    }
}

/// The label of the recorded run behind a base or kept row.
fn run_label(row: &Row) -> String {
    match row.status {
        Status::Base => format!("loop:{} base", row.iteration),
        _ => format!("loop:{}", row.iteration),
    }
}
