//! `harness loop`: N iterations of agent, guard, codec tests, recorded run, keep or discard,
//! one row of `results/loop.tsv` each. Resumable: an interrupted iteration is reset and
//! recorded as discarded, and the loop goes on to the iteration count it was given.
//!
//! This process is the trusted side: it was built before the agent changed anything, it runs
//! the guard itself, and it measures the attempt with a freshly built harness.

pub mod measure;
pub mod proc;
pub mod state;
pub mod tsv;
mod vcs;

use super::args::LoopArgs;
use super::decide::{self, Verdict};
use super::figures::{self, RunFigures};
use super::git::Git;
use super::guard;
use crate::dataset::HOLDOUT_SEED_VAR;
use anyhow::{bail, Context, Result};
use measure::{Kind, RunResult, Runs};
use state::{InProgress, LoopDir};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tsv::{Row, Status};

/// What an attempt is compared with: the last kept (or base) commit and its figures.
#[derive(Clone, Debug)]
struct Base {
    commit: String,
    figures: RunFigures,
    holdout: Option<f64>,
}

/// The outcome of judging an attempt.
struct Judged {
    status: Status,
    reason: String,
    main: Option<RunFigures>,
    holdout: Option<f64>,
}

impl Judged {
    fn failed(status: Status, reason: impl Into<String>) -> Judged {
        Judged {
            status,
            reason: reason.into(),
            main: None,
            holdout: None,
        }
    }
}

pub struct Loop {
    args: LoopArgs,
    root: PathBuf,
    git: Git,
    dir: LoopDir,
    tsv: PathBuf,
    results_dir: PathBuf,
    runs: Runs,
    prompt: String,
    /// The dataset argument of the holdout run, when there is one.
    holdout: Option<String>,
}

pub fn run(args: LoopArgs, root: PathBuf, results_dir: PathBuf, data_dir: PathBuf) -> Result<()> {
    let git = Git::new(&root);
    let git_dir = PathBuf::from(git.run(&["rev-parse", "--absolute-git-dir"])?);
    let prompt_path = args
        .prompt
        .clone()
        .unwrap_or_else(|| root.join("program.md"));
    let prompt = std::fs::read_to_string(&prompt_path)
        .with_context(|| format!("reading the agent's instructions {}", prompt_path.display()))?;
    let holdout = match args.holdout.as_str() {
        "none" => None,
        "holdout" if std::env::var_os(HOLDOUT_SEED_VAR).is_none() => {
            eprintln!(
                "loop: {HOLDOUT_SEED_VAR} is not set: attempts are judged without a holdout \
                 (set it, secretly, to guard against overfitting)"
            );
            None
        }
        other => Some(other.to_string()),
    };
    let step = Duration::from_secs_f64(args.step_timeout);
    let runs = Runs {
        root: root.clone(),
        results_dir: results_dir.clone(),
        data_dir,
        scale: args.scale,
        extra: args.run_args.clone(),
        timeout: step,
    };
    let mut lp = Loop {
        dir: LoopDir::open(&git_dir)?,
        tsv: results_dir.join("loop.tsv"),
        results_dir,
        git,
        root,
        runs,
        prompt,
        holdout,
        args,
    };
    lp.recover()?;
    if vcs::dirty(&lp.git)? {
        bail!(
            "the work tree has uncommitted changes outside results/: commit or stash them \
             first (the loop resets discarded attempts)"
        );
    }
    let mut base = lp.base()?;
    loop {
        let rows = tsv::read(&lp.tsv)?;
        let done = rows
            .iter()
            .filter(|r| r.status != Status::Base)
            .map(|r| r.iteration)
            .max()
            .unwrap_or(0);
        if done >= lp.args.iterations {
            println!(
                "loop: {done} iteration(s) done; best ratio {} at {}",
                base.figures.ratio.map_or("-".into(), |r| format!("{r:.8}")),
                short(&base.commit)
            );
            return Ok(());
        }
        lp.iteration(done + 1, &mut base)?;
        let report = lp.results_dir.join("report.html");
        if let Err(e) = crate::report::html::write(&lp.results_dir, &report, None) {
            eprintln!("loop: report not updated: {e:#}");
        }
    }
}

impl Loop {
    /// Resets an iteration a previous session left unfinished and records it as discarded.
    fn recover(&mut self) -> Result<()> {
        let Some(ip) = self.dir.load() else {
            return Ok(());
        };
        let rows = tsv::read(&self.tsv)?;
        if !rows
            .iter()
            .any(|r| r.iteration == ip.iteration && r.status != Status::Base)
        {
            eprintln!(
                "loop: iteration {} was interrupted; resetting to {}",
                ip.iteration,
                short(&ip.base)
            );
            vcs::commit_leftovers(&self.git, ip.iteration)?;
            let head = self.git.head()?;
            let description = vcs::description(&self.git, &ip.base, &head);
            let reason = "interrupted; the attempt was reset";
            let judged = Judged::failed(Status::Discard, reason);
            self.finish(ip.iteration, &ip.base, &head, description, judged, None)?;
        }
        self.dir.clear()
    }

    /// The base to beat: the last kept or base row when it is HEAD, else HEAD measured now.
    fn base(&mut self) -> Result<Base> {
        let head = self.git.head()?;
        let rows = tsv::read(&self.tsv)?;
        let last = rows
            .iter()
            .rev()
            .find(|r| matches!(r.status, Status::Base | Status::Keep));
        if let Some(r) = last.filter(|r| r.commit == head && r.ratio.is_some()) {
            self.ensure_base_binary(&head)?;
            // Its recorded run says which files it measured; a row whose run is gone keeps
            // only its times and ratio, and is measured again before anything is judged
            // against it (its files are unknown).
            let figures = self.recorded_figures(&run_label(r)).unwrap_or(RunFigures {
                run_id: String::new(),
                dataset: self.args.dataset.clone(),
                fingerprint: String::new(),
                ratio: r.ratio,
                files_failed: 0,
                compress_s: r.compress_s.unwrap_or(0.0),
                decompress_s: r.decompress_s.unwrap_or(0.0),
                ratio_with_source: r.ratio_with_source,
                holdout_gap: None,
                selection: Default::default(),
                slowest: None,
            });
            return Ok(Base {
                commit: head,
                figures,
                holdout: r.holdout_ratio,
            });
        }
        let iteration = rows.iter().map(|r| r.iteration).max().unwrap_or(0);
        println!("loop: measuring the base {}", short(&head));
        let built = self.build(iteration, "base")?;
        if let Err((_, reason)) = built {
            bail!("the base commit does not build: {reason}");
        }
        self.ensure_base_binary(&head)?;
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

    /// Measures the stored base binary (built from `commit`) on the loop's dataset and
    /// holdout, and appends its base row.
    fn measure_base(&self, iteration: u32, commit: &str) -> Result<Base> {
        let binary = self.base_binary();
        let label = format!("loop:{iteration} base");
        let main = self
            .runs
            .run(
                &binary,
                &self.args.dataset,
                None,
                Kind::Recorded(&label),
                &self.dir.log(iteration, "base-run"),
            )?
            .map_err(|(_, reason)| anyhow::anyhow!("measuring the base: {reason}"))?;
        let holdout = self.holdout_run(&binary, iteration, &label)?;
        let failed = main.failures.len();
        let base = Base {
            commit: commit.to_string(),
            figures: main.figures.clone(),
            holdout: holdout.and_then(|h| h.ok()).and_then(|h| h.figures.ratio),
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
        };
        tsv::append(&self.tsv, &row)?;
        Ok(base)
    }

    fn base_binary(&self) -> PathBuf {
        match &self.args.harness {
            Some(h) => h.clone(),
            None => self.dir.base_binary(),
        }
    }

    fn built_binary(&self) -> PathBuf {
        self.args
            .harness
            .clone()
            .unwrap_or_else(|| self.root.join("target/release/harness"))
    }

    /// Makes sure the stored base harness was built from `commit` (building it if not).
    fn ensure_base_binary(&self, commit: &str) -> Result<()> {
        if self.args.harness.is_some() || self.dir.base_binary_commit().as_deref() == Some(commit) {
            return Ok(());
        }
        if let Err((_, reason)) = self.build(0, "base")? {
            bail!("the base commit does not build: {reason}");
        }
        self.dir.store_base_binary(&self.built_binary(), commit)
    }

    fn iteration(&mut self, k: u32, base: &mut Base) -> Result<()> {
        let b = self.git.head()?;
        self.dir.save(&InProgress {
            iteration: k,
            base: b.clone(),
        })?;
        println!(
            "loop: iteration {k}/{} from {}",
            self.args.iterations,
            short(&b)
        );
        let snapshot = vcs::Snapshot::take(&self.results_dir);
        let ended = self.run_agent(k, base)?;
        snapshot.restore()?;
        vcs::commit_leftovers(&self.git, k)?;
        let head = self.git.head()?;
        let description = vcs::description(&self.git, &b, &head);
        let judged = if ended == proc::Ended::TimedOut {
            Judged::failed(
                Status::Timeout,
                format!(
                    "the agent exceeded its {} s limit and was killed",
                    self.args.agent_timeout
                ),
            )
        } else if head == b {
            Judged::failed(
                Status::Discard,
                format!("no change (agent {})", ended.describe()),
            )
        } else {
            self.judge(k, &b, &mut *base)?
        };
        let kept = judged.status == Status::Keep;
        let figures = judged.main.clone();
        let holdout = judged.holdout;
        self.finish(k, &b, &head, description, judged, Some(&*base))?;
        if kept {
            if self.args.harness.is_none() {
                self.dir.store_base_binary(&self.built_binary(), &head)?;
            }
            *base = Base {
                commit: head,
                figures: figures.expect("a kept attempt was measured"),
                holdout,
            };
        }
        self.dir.clear()
    }

    fn run_agent(&self, k: u32, base: &Base) -> Result<proc::Ended> {
        let prompt = format!(
            "{}\n\n## This session\n\nIteration {k} of {}. Base commit {} with overall ratio {} \
             on the `{}` dataset. Last rows of results/loop.tsv:\n\n{}\n",
            self.prompt,
            self.args.iterations,
            short(&base.commit),
            base.figures.ratio.map_or("-".into(), |r| format!("{r:.8}")),
            self.args.dataset,
            vcs::recent_rows(&self.tsv, 8)
        );
        let mut cmd = Command::new("sh");
        cmd.current_dir(&self.root)
            .arg("-c")
            .arg(format!("{} \"$1\"", self.args.agent))
            .arg("agent-loop")
            .arg(prompt)
            .env_remove(HOLDOUT_SEED_VAR)
            .env("LOOP_ITERATION", k.to_string())
            .env("LOOP_BASE", &base.commit);
        let timeout = Duration::from_secs_f64(self.args.agent_timeout);
        proc::run(&mut cmd, timeout, &self.dir.log(k, "agent"))
    }

    /// Guard, build, tests, recorded runs, then the decision against `base` (measured again
    /// first when the attempt's run measured other files than the base's).
    fn judge(&self, k: u32, b: &str, base: &mut Base) -> Result<Judged> {
        let violations = guard::check(&self.root, b, !self.args.no_compile_check)?;
        if !violations.is_empty() {
            return Ok(Judged::failed(Status::GuardFail, violations.join("; ")));
        }
        if let Err((status, reason)) = self.build(k, "build")? {
            return Ok(Judged::failed(status, reason));
        }
        if let Err((status, reason)) = self.step(k, "test", &self.args.test_cmd)? {
            return Ok(Judged::failed(status, format!("codec tests: {reason}")));
        }
        let binary = self.built_binary();
        let label = format!("loop:{k}");
        let main = match self.runs.run(
            &binary,
            &self.args.dataset,
            None,
            Kind::Recorded(&label),
            &self.dir.log(k, "run"),
        )? {
            Ok(m) => m,
            Err((status, reason)) => return Ok(Judged::failed(status, reason)),
        };
        let mut judged = Judged {
            status: Status::Discard,
            reason: String::new(),
            main: Some(main.figures.clone()),
            holdout: None,
        };
        if let Some((status, reason)) = measure::classify(&main.failures) {
            judged.status = status;
            judged.reason = reason;
            return Ok(judged);
        }
        if let Some(why) = base.figures.files_differ(&main.figures) {
            println!(
                "loop: the base {} was measured on other files ({why}); measuring it again",
                short(&base.commit)
            );
            self.ensure_base_binary(&base.commit)?;
            *base = self.measure_base(k - 1, &base.commit)?;
        }
        let holdout = match self.holdout_run(&binary, k, &label)? {
            None => None,
            Some(Ok(h)) => match measure::classify(&h.failures) {
                Some((status, reason)) => {
                    judged.status = status;
                    judged.reason = format!("holdout: {reason}");
                    return Ok(judged);
                }
                None => h.figures.ratio,
            },
            Some(Err((status, reason))) => {
                judged.status = status;
                judged.reason = format!("holdout: {reason}");
                return Ok(judged);
            }
        };
        judged.holdout = holdout;
        let holdouts = self.holdout.as_ref().map(|_| (base.holdout, holdout));
        let slowdown = self.args.max_slowdown;
        let timed = self.args.speed_runs > 0;
        // With timing runs to come, the first decision judges ratios only.
        let mut decision = decide::decide(
            std::slice::from_ref(&base.figures),
            std::slice::from_ref(&main.figures),
            holdouts,
            if timed { f64::INFINITY } else { slowdown },
        );
        if decision.verdict == Verdict::Keep && timed {
            let (mut base_runs, mut attempt_runs) = self.timing_runs(k, &binary)?;
            // Timing runs measure time only; ratios and failures come from the recorded runs.
            for (runs, from) in [
                (&mut base_runs, &base.figures),
                (&mut attempt_runs, &main.figures),
            ] {
                for r in runs.iter_mut() {
                    *r = RunFigures {
                        compress_s: r.compress_s,
                        decompress_s: r.decompress_s,
                        slowest: r.slowest,
                        ..from.clone()
                    };
                }
            }
            decision = decide::decide(&base_runs, &attempt_runs, holdouts, slowdown);
        }
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
        Ok(judged)
    }

    /// The base and the attempt, alternated, `speed_runs` times each, in this session.
    fn timing_runs(&self, k: u32, attempt: &Path) -> Result<(Vec<RunFigures>, Vec<RunFigures>)> {
        let base_binary = self.base_binary();
        let (mut b, mut a) = (Vec::new(), Vec::new());
        for _ in 0..self.args.speed_runs {
            for (binary, out) in [(&base_binary, &mut b), (&attempt.to_path_buf(), &mut a)] {
                let log = self.dir.log(k, "timing");
                let r = self
                    .runs
                    .run(binary, &self.args.dataset, None, Kind::Timing, &log)?;
                match r {
                    Ok(r) => out.push(r.figures),
                    Err((_, reason)) => bail!("timing run failed: {reason}"),
                }
            }
        }
        Ok((b, a))
    }

    /// The holdout run, `None` when the loop has no holdout.
    fn holdout_run(
        &self,
        binary: &Path,
        k: u32,
        label: &str,
    ) -> Result<Option<std::result::Result<RunResult, measure::RunFailure>>> {
        let Some(dataset) = &self.holdout else {
            return Ok(None);
        };
        // A generated holdout exists on disk only while it is measured.
        let private = (dataset == "holdout").then(|| self.dir.holdout_data());
        let label = format!("{label} holdout");
        let log = self.dir.log(k, "holdout");
        let r = self.runs.run(
            binary,
            dataset,
            private.as_deref(),
            Kind::Recorded(&label),
            &log,
        );
        if let Some(dir) = private {
            let _ = std::fs::remove_dir_all(dir);
        }
        let r = r?;
        // Its history line stays; its per-file rows (holdout names and sizes) do not.
        if let Ok(run) = &r {
            let _ = std::fs::remove_dir_all(&run.run_dir);
        }
        Ok(Some(r))
    }

    fn build(&self, k: u32, name: &str) -> Result<std::result::Result<(), (Status, String)>> {
        Ok(self
            .step(k, name, &self.args.build_cmd)?
            .map_err(|(s, reason)| (s, format!("build: {reason}"))))
    }

    /// Runs a shell command of the loop in the work tree within the step time limit.
    fn step(
        &self,
        k: u32,
        name: &str,
        command: &str,
    ) -> Result<std::result::Result<(), (Status, String)>> {
        let log = self.dir.log(k, name);
        let mut cmd = Command::new("sh");
        cmd.current_dir(&self.root).arg("-c").arg(command);
        let ended = proc::run(
            &mut cmd,
            Duration::from_secs_f64(self.args.step_timeout),
            &log,
        )?;
        Ok(match ended {
            proc::Ended::Code(0) => Ok(()),
            proc::Ended::TimedOut => Err((
                Status::Timeout,
                format!("`{command}` exceeded {} s", self.args.step_timeout),
            )),
            e => Err((
                Status::Crash,
                format!("`{command}` {}: {}", e.describe(), proc::tail(&log, 3)),
            )),
        })
    }

    /// Keeps or resets the attempt, then appends its row.
    fn finish(
        &self,
        k: u32,
        b: &str,
        head: &str,
        description: String,
        judged: Judged,
        base: Option<&Base>,
    ) -> Result<()> {
        if judged.status != Status::Keep {
            vcs::discard(
                &self.git,
                &self.results_dir,
                b,
                k,
                judged.status,
                &judged.reason,
            )?;
        }
        let f = judged.main.as_ref();
        let ratio = f.and_then(|f| f.ratio);
        let row = Row {
            iteration: k,
            utc: crate::run::now_utc(),
            commit: head.to_string(),
            status: judged.status,
            ratio,
            delta: ratio
                .zip(base.and_then(|b| b.figures.ratio))
                .map(|(a, b)| a - b),
            compress_s: f.map(|f| f.compress_s),
            decompress_s: f.map(|f| f.decompress_s),
            description,
            holdout_ratio: judged.holdout,
            ratio_with_source: f.and_then(|f| f.ratio_with_source),
            reason: judged.reason,
        };
        println!(
            "loop: iteration {k}: {} {} {}",
            row.status.as_str(),
            row.ratio.map_or("-".into(), |r| format!("{r:.8}")),
            row.reason
        );
        tsv::append(&self.tsv, &row)
    }
}

/// The label of the recorded run behind a base or kept row.
fn run_label(row: &Row) -> String {
    match row.status {
        Status::Base => format!("loop:{} base", row.iteration),
        _ => format!("loop:{}", row.iteration),
    }
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}
