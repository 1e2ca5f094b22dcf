//! `harness loop`: N iterations of agent, hand-over, guard, build, tests, recorded runs, keep
//! or discard, one row of `results/loop.tsv` each. Resumable: an interrupted iteration is
//! recorded as discarded, and the loop goes on to the iteration count it was given.
//!
//! This process is the trusted side. The agent works in a scratch clone under Landlock and
//! hands over a patch ([`clones`]); the patch is applied, guarded, built, tested and measured
//! in a judging clone the agent cannot write, by steps that see a fixed environment and read
//! only that clone and the toolchain ([`steps`], [`jail`]); the harness that measures was
//! built before any agent ran and is checksummed before every use ([`judge`]). The operator's
//! repository changes only when an attempt is kept: it is fast-forwarded to it.

pub mod clones;
pub mod codec_tests;
pub mod jail;
pub mod judge;
pub mod measure;
pub mod proc;
pub mod prompt;
pub mod secret;
pub mod state;
pub mod steps;
pub mod tsv;
mod vcs;

use super::args::LoopArgs;
use super::decide::{self, FrontPoint, Rules, Verdict};
use super::figures::{self, RunFigures};
use super::git::Git;
use super::guard::{self, signature};
use super::objective::Objective;
use anyhow::{bail, Context, Result};
use clones::{Attempt, Clones};
use judge::Checked;
use measure::{Data, Kind, RunFailure, RunResult, Runs};
use state::{InProgress, LoopDir};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use steps::{Rights, Steps};
use tsv::{Row, Status};

/// What an attempt is compared with: the last kept (or base) commit, its figures and runner.
struct Base {
    commit: String,
    figures: RunFigures,
    /// The objective's value on the holdout.
    holdout: Option<f64>,
    runner: Checked,
}

/// The outcome of judging an attempt.
struct Judged {
    status: Status,
    reason: String,
    /// What the agent is shown of a failure in its next session.
    trace: String,
    main: Option<RunFigures>,
    holdout: Option<f64>,
    /// The attempt's commit in the judging clone, once made.
    commit: Option<String>,
}

impl Judged {
    fn failed(status: Status, reason: impl Into<String>) -> Judged {
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

/// The holdout of the loop.
enum Holdout {
    None,
    /// Generated from the secret seed for each measurement.
    Generated,
    /// Real files the operator keeps outside the repository.
    Directory(PathBuf),
}

pub struct Loop {
    args: LoopArgs,
    root: PathBuf,
    git: Git,
    dir: LoopDir,
    tsv: PathBuf,
    results_dir: PathBuf,
    runs: Runs,
    program: String,
    holdout: Holdout,
    steps: Steps,
    judge: Checked,
    rules: Rules,
    agent_rights: Rights,
}

pub fn run(args: LoopArgs, root: PathBuf, results_dir: PathBuf, data_dir: PathBuf) -> Result<()> {
    // First, before any thread or child: the seed leaves this process's environment.
    let secret = secret::Secret::take_from_env();
    proc::adopt_orphans();
    let rules = rules_of(&args)?;
    let git = Git::new(&root);
    let git_dir = PathBuf::from(git.run(&["rev-parse", "--absolute-git-dir"])?);
    let prompt_path = args
        .prompt
        .clone()
        .unwrap_or_else(|| root.join("program.md"));
    let program = std::fs::read_to_string(&prompt_path)
        .with_context(|| format!("reading the agent's instructions {}", prompt_path.display()))?;
    let holdout = match args.holdout.as_str() {
        "none" => Holdout::None,
        "holdout" if secret.value().is_none() => {
            eprintln!(
                "loop: {} is not set: attempts are judged without a holdout (set it, \
                 secretly, or pass --holdout DIR with real files kept outside the repository)",
                crate::dataset::HOLDOUT_SEED_VAR
            );
            Holdout::None
        }
        "holdout" => Holdout::Generated,
        dir => {
            let path = PathBuf::from(dir)
                .canonicalize()
                .with_context(|| format!("--holdout {dir}: not a directory"))?;
            if path.starts_with(&root) {
                eprintln!(
                    "loop: warning: the holdout {} is inside the repository; keep it outside, \
                     where the agent cannot read it",
                    path.display()
                );
            }
            Holdout::Directory(path)
        }
    };
    if !args.no_sandbox && jail::supported().is_none() {
        bail!(
            "this kernel has no Landlock: the agent could write the judging clone and the \
             loop's records. Pass --no-sandbox to run the loop without it"
        );
    }
    let dir = LoopDir::open(&git_dir)?;
    if vcs::dirty(&git)? {
        bail!(
            "the work tree has uncommitted changes outside results/: commit or stash them \
             first (kept attempts fast-forward it)"
        );
    }
    let head = git.head()?;
    let judge = judge::judge(
        args.judge.as_deref(),
        &root,
        &head,
        &dir.judge_dir(),
        &dir.log(0, "judge-build"),
    )?;
    std::fs::create_dir_all(dir.judging_tmp())?;
    let steps = Steps {
        sandbox: !args.no_sandbox,
        toolchain: jail::toolchain(),
        secret,
        judging_tmp: dir.judging_tmp(),
    };
    let mut hidden = vec![dir.path().to_path_buf()];
    if let Holdout::Directory(d) = &holdout {
        hidden.push(d.clone());
    }
    let agent_rights = Rights::Agent {
        hidden,
        writable: [dir.scratch(), dir.agent_tmp()]
            .into_iter()
            .chain(args.agent_writable.iter().cloned())
            .collect(),
    };
    let runs = Runs {
        judging: dir.judging(),
        results_dir: results_dir.clone(),
        data_dir,
        scale: args.scale,
        extra: args.run_args.clone(),
        timeout: Duration::from_secs_f64(args.step_timeout),
    };
    let mut lp = Loop {
        tsv: results_dir.join("loop.tsv"),
        results_dir,
        git,
        root,
        runs,
        program,
        holdout,
        steps,
        judge,
        rules,
        agent_rights,
        dir,
        args,
    };
    lp.clones().create()?;
    lp.recover()?;
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
                "loop: {done} iteration(s) done; best {} score {} at {}",
                lp.rules.objective,
                score_text(base.figures.score(lp.rules.objective)),
                short(&base.commit)
            );
            return Ok(());
        }
        lp.iteration(done + 1, &mut base)?;
        let report = lp.results_dir.join("report.html");
        if let Err(e) = crate::report::html::write(&lp.results_dir, &report) {
            eprintln!("loop: report not updated: {e:#}");
        }
    }
}

/// The acceptance rules the options ask for, checked.
fn rules_of(args: &LoopArgs) -> Result<Rules> {
    if !(0.0..=1.0).contains(&args.min_holdout_share) {
        bail!("--min-holdout-share must be between 0 and 1");
    }
    if args.max_slowdown.is_some_and(|f| f.is_nan() || f < 1.0) {
        bail!("--max-slowdown must be at least 1.0");
    }
    if args.min_speed.is_some_and(|s| s.is_nan() || s <= 0.0) {
        bail!("--min-speed must be a positive number of MB/s");
    }
    for (name, v) in [
        ("--agent-timeout", args.agent_timeout),
        ("--step-timeout", args.step_timeout),
    ] {
        if !(v > 0.0 && v <= 7.0 * 86400.0) {
            bail!("{name} must be a positive number of seconds, at most a week");
        }
    }
    let max_rss = args
        .max_rss
        .as_deref()
        .map(crate::cli::parse_size)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--max-rss: {e}"))?;
    Ok(Rules {
        objective: args.objective,
        max_slowdown: args.max_slowdown,
        min_speed: args.min_speed,
        max_rss,
        min_holdout_share: args.min_holdout_share,
    })
}

impl Loop {
    fn clones(&self) -> Clones<'_> {
        Clones {
            root: &self.root,
            scratch: self.dir.scratch(),
            agent_tmp: self.dir.agent_tmp(),
            judging: self.dir.judging(),
            agent_rights: &self.agent_rights,
        }
    }

    fn objective(&self) -> Objective {
        self.rules.objective
    }

    fn step_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.args.step_timeout)
    }

    /// Records an iteration a previous session left unfinished as discarded.
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
                "loop: iteration {} was interrupted; recording it as discarded",
                ip.iteration
            );
            let row = Row {
                iteration: ip.iteration,
                utc: crate::run::now_utc(),
                commit: ip.base.clone(),
                status: Status::Discard,
                ratio: None,
                delta: None,
                compress_s: None,
                decompress_s: None,
                description: "(interrupted)".into(),
                holdout_ratio: None,
                ratio_with_source: None,
                reason: "interrupted; the attempt was not judged".into(),
                objective: self.objective().as_str().into(),
                score: None,
                score_delta: None,
                category_deltas: String::new(),
            };
            tsv::append(&self.tsv, &row)?;
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
    fn base_runner(&self, commit: &str) -> Result<Checked> {
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

    fn build(&self) -> judge::Build<'_> {
        judge::Build {
            command: &self.args.build_cmd,
            runner: &self.args.runner_path,
        }
    }

    /// Measures the base `commit` on the loop's dataset and holdout, and appends its row.
    fn measure_base(&self, iteration: u32, commit: &str) -> Result<Base> {
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

    /// The iteration a session should rework: the last one, when it failed the guard, its
    /// build or its tests and was not itself a rework.
    fn rework_of(&self, rows: &[Row]) -> Option<u32> {
        if self.args.no_rework {
            return None;
        }
        let last = rows.iter().rev().find(|r| r.status != Status::Base)?;
        let failed_checks = last.status == Status::GuardFail
            || (matches!(last.status, Status::Crash | Status::Timeout)
                && (last.reason.starts_with("codec tests") || last.reason.starts_with("build")));
        (failed_checks && !last.description.starts_with("rework of")).then_some(last.iteration)
    }

    /// Discards in a row at the end of the table, when at least `--stuck-after`.
    fn stuck(&self, rows: &[Row]) -> Option<u32> {
        let n = rows
            .iter()
            .rev()
            .filter(|r| r.status != Status::Base)
            .take_while(|r| r.status != Status::Keep)
            .count() as u32;
        (self.args.stuck_after > 0 && n >= self.args.stuck_after).then_some(n)
    }

    fn iteration(&mut self, k: u32, base: &mut Base) -> Result<()> {
        let b = base.commit.clone();
        let rows = tsv::read(&self.tsv)?;
        let rework_of = self.rework_of(&rows);
        self.dir.save(&InProgress {
            iteration: k,
            base: b.clone(),
        })?;
        println!(
            "loop: iteration {k}/{} from {}{}",
            self.args.iterations,
            short(&b),
            rework_of.map_or(String::new(), |r| format!(" (rework of {r})"))
        );
        let clones = self.clones();
        clones.prepare_scratch(
            &self.steps,
            rework_of.is_some(),
            &self.dir.log(k, "scratch"),
        )?;
        let prompt = prompt::render(
            &self.program,
            &prompt::Session {
                iteration: k,
                iterations: self.args.iterations,
                base: &b,
                objective: self.objective(),
                base_score: base.figures.score(self.objective()),
                dataset: &self.args.dataset,
                min_holdout_share: (!matches!(self.holdout, Holdout::None))
                    .then_some(self.rules.min_holdout_share),
                recent_rows: &vcs::recent_rows(&self.tsv, 8),
                last_failure: self.last_failure(),
                rework_of,
                stuck: self.stuck(&rows),
            },
        );
        let ended = self.run_agent(k, &b, &self.steps.secret.redact(&prompt))?;
        let attempt = clones.take(&self.steps, &b, &self.dir.patch(), &self.dir.log(k, "take"))?;
        let mut description = attempt.description();
        if let Some(r) = rework_of {
            description = format!("rework of {r}: {description}");
        }
        let judged = if ended == proc::Ended::TimedOut {
            Judged::failed(
                Status::Timeout,
                format!(
                    "the agent exceeded its {} s limit and was killed",
                    self.args.agent_timeout
                ),
            )
        } else if attempt.is_empty() {
            Judged::failed(
                Status::Discard,
                format!("no change (agent {})", ended.describe()),
            )
        } else {
            self.judge(k, &b, &attempt, &description, base)?
        };
        self.finish(k, &b, description, judged, base, &attempt)?;
        self.dir.clear()
    }

    /// The last attempt's failure as the trace file holds it: status, reason, trace.
    fn last_failure(&self) -> Option<(String, String, String)> {
        let text = std::fs::read_to_string(self.dir.trace()).ok()?;
        let mut lines = text.splitn(3, '\n');
        Some((
            lines.next()?.to_string(),
            lines.next().unwrap_or_default().to_string(),
            lines.next().unwrap_or_default().to_string(),
        ))
    }

    fn run_agent(&self, k: u32, base: &str, prompt: &str) -> Result<proc::Ended> {
        let mut cmd = Command::new("sh");
        steps::agent_env(&mut cmd);
        cmd.current_dir(self.dir.scratch())
            .arg("-c")
            .arg(format!("{} \"$1\"", self.args.agent))
            .arg("agent-loop")
            .arg(prompt)
            .env("LOOP_ITERATION", k.to_string())
            .env("LOOP_BASE", base)
            .env("TMPDIR", self.dir.agent_tmp());
        let timeout = Duration::from_secs_f64(self.args.agent_timeout);
        self.steps.run(
            &mut cmd,
            &self.agent_rights,
            timeout,
            &self.dir.log(k, "agent"),
            None,
        )
    }

    /// Hand-over, guard, build, tests, recorded runs, then the decision against `base`
    /// (measured again first when the attempt's run measured other files than the base's).
    fn judge(
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
    fn holdout_run(
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

    /// Appends the attempt's row, keeps its diff when it is not kept, leaves its trace for
    /// the next prompt, and on keep fast-forwards the repository to it.
    fn finish(
        &self,
        k: u32,
        b: &str,
        description: String,
        judged: Judged,
        base: &mut Base,
        attempt: &Attempt,
    ) -> Result<()> {
        let secret = &self.steps.secret;
        let reason = secret.redact(&judged.reason);
        if judged.status != Status::Keep {
            vcs::keep_diff(
                &self.results_dir,
                &vcs::Discarded {
                    iteration: k,
                    status: judged.status,
                    reason: &reason,
                    base: b,
                    patch: &attempt.patch,
                    outside: &attempt.outside,
                },
                secret,
            )?;
        }
        let objective = self.objective();
        let f = judged.main.as_ref();
        let ratio = f.and_then(|f| f.ratio);
        let score = f.and_then(|f| f.score(objective));
        let row = Row {
            iteration: k,
            utc: crate::run::now_utc(),
            commit: judged.commit.clone().unwrap_or_default(),
            status: judged.status,
            ratio,
            delta: ratio.zip(base.figures.ratio).map(|(a, b)| a - b),
            compress_s: f.map(|f| f.compress_s),
            decompress_s: f.map(|f| f.decompress_s),
            description: secret.redact(&description),
            holdout_ratio: judged.holdout,
            ratio_with_source: f.and_then(|f| f.ratio_with_source),
            reason: reason.clone(),
            objective: objective.as_str().into(),
            score,
            score_delta: score.zip(base.figures.score(objective)).map(|(a, b)| a - b),
            category_deltas: f
                .map(|f| tsv::category_deltas(&base.figures.categories, &f.categories))
                .unwrap_or_default(),
        };
        println!(
            "loop: iteration {k}: {} {} {}",
            row.status.as_str(),
            score_text(row.score),
            row.reason
        );
        tsv::append(&self.tsv, &row)?;
        if judged.status == Status::Keep {
            let _ = std::fs::remove_file(self.dir.trace());
            let commit = judged.commit.expect("a kept attempt was committed");
            self.clones().keep(&commit)?;
            self.dir
                .store_base_runner(&self.dir.attempt_runner(), &commit)?;
            *base = Base {
                runner: self.base_runner(&commit)?,
                commit,
                figures: judged.main.expect("a kept attempt was measured"),
                holdout: judged.holdout,
            };
        } else {
            let text = format!("{}\n{}\n{}", judged.status.as_str(), reason, judged.trace);
            std::fs::write(self.dir.trace(), secret.redact(&text))?;
        }
        Ok(())
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

/// The label of the recorded run behind a base or kept row.
fn run_label(row: &Row) -> String {
    match row.status {
        Status::Base => format!("loop:{} base", row.iteration),
        _ => format!("loop:{}", row.iteration),
    }
}

fn score_text(score: Option<f64>) -> String {
    score.map_or("-".into(), |r| format!("{r:.8}"))
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}
