//! Judging one attempt: the patch applied to the judging clone, the guard, the signature
//! check, the build, the tests, the recorded runs on the dataset and the holdout, and the
//! decision against the base (with timing runs when speed is judged).

use super::base::Base;
use super::clones::Attempt;
use super::judge::{self, Checked};
use super::measure::{self, Data, Kind, RunFailure, RunResult};
use super::steps::Rights;
use super::tsv::{self, Status};
use super::{codec_tests, proc, short, Holdout, Loop};
use crate::agent::decide::{self, FrontPoint, Verdict};
use crate::agent::figures::RunFigures;
use crate::agent::git::Git;
use crate::agent::guard::{self, signature};
use crate::agent::objective::Objective;
use anyhow::{bail, Result};

/// The outcome of judging an attempt.
pub(super) struct Judged {
    pub(super) status: Status,
    pub(super) reason: String,
    /// What the agent is shown of a failure in its next session.
    pub(super) trace: String,
    pub(super) main: Option<RunFigures>,
    pub(super) holdout: Option<f64>,
    /// The attempt's commit in the judging clone, once made.
    pub(super) commit: Option<String>,
}

impl Judged {
    pub(super) fn failed(status: Status, reason: impl Into<String>) -> Judged {
        let reason = reason.into();
        Judged {
            status,
            trace: reason.clone(),
            reason,
            main: None,
            holdout: None,
            commit: None,
        }
    }

    fn with_trace(mut self, trace: String) -> Judged {
        self.trace = trace;
        self
    }
}

impl Loop {
    /// Hand-over, guard, build, tests, recorded runs, then the decision against `base`
    /// (measured again first when the attempt's run measured other files than the base's).
    pub(super) fn judge(
        &self,
        k: u32,
        b: &str,
        attempt: &Attempt,
        description: &str,
        base: &mut Base,
    ) -> Result<Judged> {
        let clones = self.clones();
        if let Err(reason) = clones.apply(b, &attempt.patch)? {
            return Ok(Judged::failed(Status::Crash, reason));
        }
        let judging = self.dir.judging();
        let jgit = Git::new(&judging);
        let mut violations: Vec<String> = attempt
            .outside
            .iter()
            .map(|p| format!("changed outside codec/: {p}"))
            .collect();
        violations.extend(guard::outside_codec(&jgit, b)?);
        violations.extend(guard::codec_violations(&judging, &jgit, b)?);
        let mut seen = std::collections::HashSet::new();
        violations.retain(|v| seen.insert(v.clone()));
        if !violations.is_empty() {
            return Ok(Judged::failed(Status::GuardFail, violations.join("; "))
                .with_trace(violations.join("\n")));
        }
        let commit = clones.commit(description)?;
        if let Some(errors) = self.signature_errors(k)? {
            return Ok(Judged::failed(
                Status::GuardFail,
                format!("the public signature changed (compile check failed): {errors}"),
            ));
        }
        let runner = match judge::build_attempt(
            &self.steps,
            &self.build(),
            &judging,
            &self.dir.attempt_runner(),
            self.step_timeout(),
            &self.dir.log(k, "build"),
        )? {
            Ok(r) => r,
            Err((status, reason)) => {
                return Ok(Judged::failed(status, reason)
                    .with_trace(proc::tail_lines(&self.dir.log(k, "build"), 60)))
            }
        };
        let tests = codec_tests::run(
            &self.steps,
            &judging,
            self.step_timeout(),
            &self.dir.log(k, "test"),
            self.dir.path(),
        )?;
        if let Err(f) = tests {
            return Ok(Judged::failed(f.status, f.reason).with_trace(f.trace));
        }
        let label = format!("loop:{k}");
        let data = Data {
            dataset: &self.args.dataset,
            data_dir: None,
        };
        let main = match self.runs.run(
            &self.steps,
            &self.judge,
            &runner,
            &data,
            Kind::Recorded(&label),
            &self.dir.log(k, "run"),
        )? {
            Ok(m) => m,
            Err((status, reason)) => return Ok(Judged::failed(status, reason)),
        };
        let mut judged = Judged {
            status: Status::Discard,
            reason: String::new(),
            trace: String::new(),
            main: Some(main.figures.clone()),
            holdout: None,
            commit: Some(commit),
        };
        if let Some((status, reason)) = measure::classify(&main.failures) {
            judged.trace = failure_trace(&main.failures);
            judged.status = status;
            judged.reason = reason;
            return Ok(judged);
        }
        if let Some(why) = base.figures.files_differ(&main.figures) {
            println!(
                "loop: the base {} was measured on other files ({why}); measuring it again",
                short(&base.commit)
            );
            *base = self.measure_base(k - 1, &base.commit)?;
        }
        let holdout = match self.holdout_run(&runner, k, &label)? {
            None => None,
            Some(Ok(h)) => match measure::classify(&h.failures) {
                Some((status, reason)) => {
                    judged.status = status;
                    judged.reason = format!("holdout: {reason}");
                    judged.trace = "the holdout run failed (its files are not shown)".into();
                    return Ok(judged);
                }
                None => h.figures.value(self.objective()),
            },
            Some(Err((status, reason))) => {
                judged.status = status;
                judged.reason = format!("holdout: {reason}");
                judged.trace = judged.reason.clone();
                return Ok(judged);
            }
        };
        judged.holdout = holdout;
        let holdouts = (!matches!(self.holdout, Holdout::None)).then_some((base.holdout, holdout));
        let (base_runs, attempt_runs) = if self.rules.judges_speed() && self.args.speed_runs > 0 {
            self.timing_runs(k, &base.runner, &runner, &base.figures, &main.figures)?
        } else {
            (vec![base.figures.clone()], vec![main.figures.clone()])
        };
        let decision = decide::decide(
            &base_runs,
            &attempt_runs,
            holdouts,
            &self.rules,
            &self.front()?,
        );
        let rendered = decision.render();
        println!("{}", rendered.trim_end());
        judged.status = match decision.verdict {
            Verdict::Keep => Status::Keep,
            Verdict::Discard => Status::Discard,
        };
        judged.reason = if decision.verdict == Verdict::Keep {
            rendered
                .lines()
                .filter(|l| l.contains("noise"))
                .collect::<Vec<_>>()
                .join("; ")
        } else {
            decision.reasons.join("; ")
        };
        judged.trace = rendered;
        Ok(judged)
    }

    /// Compiler errors when the attempt's public signature no longer fits the harness.
    fn signature_errors(&self, k: u32) -> Result<Option<String>> {
        let judging = self.dir.judging();
        let probe = signature::write_probe(&judging)?;
        let mut cmd = self.steps.judging("cargo")?;
        cmd.current_dir(&judging)
            .args(signature::cargo_args(&probe))
            .env("CARGO_TARGET_DIR", &probe.target_dir);
        let rights = Rights::building(&judging)?;
        let log = self.dir.log(k, "signature");
        let start = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        let ended = self
            .steps
            .run(&mut cmd, &rights, self.step_timeout(), &log, None)?;
        if ended.ok() {
            return Ok(None);
        }
        let text = std::fs::read(&log).unwrap_or_default();
        let text = String::from_utf8_lossy(&text[(start as usize).min(text.len())..]).to_string();
        Ok(Some(signature::errors(&text)))
    }

    /// The kept points of the loop (base and keep rows of this objective), for `pareto`.
    fn front(&self) -> Result<Vec<FrontPoint>> {
        if self.objective() != Objective::Pareto {
            return Ok(Vec::new());
        }
        Ok(tsv::read(&self.tsv)?
            .into_iter()
            .filter(|r| r.status == Status::Keep && r.objective == self.objective().as_str())
            .filter_map(|r| {
                Some(FrontPoint {
                    name: format!("iteration {}", r.iteration),
                    score: r.score?,
                    compress_s: r.compress_s?,
                })
            })
            .collect())
    }

    /// The base and the attempt, alternated, `speed_runs` times each, in this session;
    /// ratios and failures stay those of the recorded runs.
    fn timing_runs(
        &self,
        k: u32,
        base_runner: &Checked,
        attempt_runner: &Checked,
        base: &RunFigures,
        attempt: &RunFigures,
    ) -> Result<(Vec<RunFigures>, Vec<RunFigures>)> {
        let (mut b, mut a) = (Vec::new(), Vec::new());
        let data = Data {
            dataset: &self.args.dataset,
            data_dir: None,
        };
        for _ in 0..self.args.speed_runs {
            for (runner, out, from) in [
                (base_runner, &mut b, base),
                (attempt_runner, &mut a, attempt),
            ] {
                let log = self.dir.log(k, "timing");
                match self
                    .runs
                    .run(&self.steps, &self.judge, runner, &data, Kind::Timing, &log)?
                {
                    Ok(r) => out.push(RunFigures {
                        compress_s: r.figures.compress_s,
                        decompress_s: r.figures.decompress_s,
                        slowest: r.figures.slowest,
                        ..from.clone()
                    }),
                    Err((_, reason)) => bail!("timing run failed: {reason}"),
                }
            }
        }
        Ok((b, a))
    }

    /// The holdout run, `None` when the loop has no holdout.
    pub(super) fn holdout_run(
        &self,
        runner: &Checked,
        k: u32,
        label: &str,
    ) -> Result<Option<std::result::Result<RunResult, RunFailure>>> {
        let label = format!("{label} holdout");
        let log = self.dir.log(k, "holdout");
        let r = match &self.holdout {
            Holdout::None => return Ok(None),
            Holdout::Directory(dir) => {
                let dataset = dir.display().to_string();
                let data = Data {
                    dataset: &dataset,
                    data_dir: None,
                };
                self.runs.run(
                    &self.steps,
                    &self.judge,
                    runner,
                    &data,
                    Kind::Recorded(&label),
                    &log,
                )?
            }
            Holdout::Generated => {
                let seed = self
                    .steps
                    .secret
                    .value()
                    .expect("a generated holdout has a seed");
                let data_dir = self.dir.holdout_data();
                let generated = self.runs.generate_holdout(
                    &self.steps,
                    &self.judge,
                    seed,
                    &data_dir,
                    &self.dir.holdout_generation(),
                    &log,
                )?;
                let r = match generated {
                    Err(failure) => Err(failure),
                    Ok(files) => {
                        let dataset = files.display().to_string();
                        let data = Data {
                            dataset: &dataset,
                            data_dir: Some(&data_dir),
                        };
                        self.runs.run(
                            &self.steps,
                            &self.judge,
                            runner,
                            &data,
                            Kind::Recorded(&label),
                            &log,
                        )?
                    }
                };
                // A generated holdout exists on disk only while it is measured.
                let _ = std::fs::remove_dir_all(&data_dir);
                r
            }
        };
        // Its history line stays; its per-file rows (holdout names and sizes) do not.
        if let Ok(run) = &r {
            let _ = std::fs::remove_dir_all(&run.run_dir);
        }
        Ok(Some(r))
    }
}

/// The first failed files of a run, one per line.
fn failure_trace(failures: &[(String, String)]) -> String {
    failures
        .iter()
        .take(10)
        .map(|(status, reason)| format!("{status}: {reason}"))
        .collect::<Vec<_>>()
        .join("\n")
}
