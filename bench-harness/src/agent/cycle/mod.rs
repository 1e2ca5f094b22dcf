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

mod attempt;
mod base;
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
use super::decide::Rules;
use super::git::Git;
use super::objective::Objective;
use anyhow::{bail, Context, Result};
use attempt::Judged;
use base::Base;
use clones::{Attempt, Clones};
use judge::Checked;
use measure::Runs;
use state::{InProgress, LoopDir};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use steps::{Rights, Steps};
use tsv::{Row, Status};

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
        if let Err(e) = crate::report::html::write(&lp.results_dir, &report, None) {
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

    fn build(&self) -> judge::Build<'_> {
        judge::Build {
            command: &self.args.build_cmd,
            runner: &self.args.runner_path,
        }
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

fn score_text(score: Option<f64>) -> String {
    score.map_or("-".into(), |r| format!("{r:.8}"))
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}
