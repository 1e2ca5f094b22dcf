//! A run: every selected file with every codec, each operation in a child process, rows
//! recorded the moment they finish, then summaries and (optionally) the history.

pub mod cache;
pub mod custody;
pub mod merge;
pub mod rounds;
pub mod row;
pub mod select;
pub mod shard;
pub mod task;
pub mod verify;

use crate::codecs::CodecSpec;
use crate::dataset::{Dataset, DatasetFile};
use crate::history::{self, HistoryRow, RunMeta};
use crate::metrics::{self, CodecSummary};
use crate::progress::forecast::PlannedPair;
use crate::progress::speeds::Speeds;
use crate::progress::Progress;
use crate::runner::sys;
use crate::score::Scores;
use anyhow::{Context, Result};
use cache::BaselineCache;
use row::{FileRow, Status, Timing};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
pub use task::Checks;

/// Where the harness reads and writes.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The workspace root (for git state); the current directory outside a checkout.
    pub root: PathBuf,
    /// Holds `results.csv`, `runs/<id>/` and the baseline cache.
    pub results_dir: PathBuf,
}

#[derive(Clone, Debug)]
pub struct RunOptions {
    pub codecs: Vec<CodecSpec>,
    pub checks: Checks,
    pub jobs: usize,
    pub fail_fast: bool,
    pub use_cache: bool,
    pub label: String,
    pub record: bool,
    pub quiet: bool,
    /// Which seconds the speed figures use.
    pub timing: Timing,
    /// Measure only this shard of the pairs (not added to the history: see `merge`).
    pub shard: Option<shard::Shard>,
}

/// What a finished run reports.
pub struct RunReport {
    pub meta: RunMeta,
    pub run_dir: PathBuf,
    pub rows: Vec<FileRow>,
    pub summaries: Vec<CodecSummary>,
    /// Rows of the candidate that did not pass.
    pub candidate_failures: usize,
    pub ending: Ending,
    pub scores: Scores,
}

#[derive(Serialize)]
struct SummaryFile<'a> {
    #[serde(flatten)]
    meta: &'a RunMeta,
    finished_utc: String,
    #[serde(flatten)]
    conditions: &'a Conditions,
    #[serde(flatten)]
    ending: &'a Ending,
    /// The shard runs a merged run was joined from (`harness merge`).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    merged_from: &'a [String],
    scores: &'a Scores,
    codecs: &'a [CodecSummary],
}

/// What a run measured and under which limits, as `summary.json` states them (and `merge`
/// reads them back).
#[derive(Serialize, Deserialize)]
struct Conditions {
    dataset_files: usize,
    dataset_bytes: u64,
    /// Files of the dataset's manifest absent from this partial run (`--partial`).
    dataset_missing: Vec<String>,
    timeout_s: f64,
    max_memory_bytes: Option<u64>,
    determinism_checked: bool,
    max_expansion: f64,
    jobs: usize,
}

/// How a run ended, as `summary.json` states it.
#[derive(Serialize, Deserialize, Default)]
pub struct Ending {
    /// True when `--fail-fast` or an interrupt stopped the run before every pair was measured.
    pub stopped_early: bool,
    /// True when SIGINT or SIGTERM stopped the run (it was then not added to the history).
    pub interrupted: bool,
    /// Why the run stopped when a codec changed the dataset (it was then not added to the
    /// history).
    pub halted: Option<String>,
    /// Files whose bytes changed by another cause than a codec; their pairs were not measured
    /// and the run was not added to the history.
    pub data_changed: Vec<String>,
}

/// Measures `files` of `dataset` with every codec of `opts`.
pub fn execute(
    dataset: &Dataset,
    files: &[DatasetFile],
    opts: &RunOptions,
    paths: &Paths,
) -> Result<RunReport> {
    let runner = &opts.checks.runner;
    let now = crate::runner::locate::sources_now(&runner.executable, &paths.root);
    let (git, stale_runner) = history::git_state(&paths.root, &runner.built_from, now.as_ref());
    if let Some(warning) = stale_runner {
        eprintln!("{warning}");
    }
    let all_pairs = files.len() * opts.codecs.len();
    let sizes: Vec<(&str, u64)> = files.iter().map(|f| (f.name.as_str(), f.size)).collect();
    let ranks = shard::size_ranks(&sizes);
    let pairs: Vec<(usize, usize)> = (0..files.len())
        .flat_map(|f| (0..opts.codecs.len()).map(move |c| (f, c)))
        .filter(|&(f, c)| opts.shard.is_none_or(|s| s.takes(ranks[f], c)))
        .collect();
    let meta = RunMeta {
        run_id: new_run_id(),
        utc: now_utc(),
        git,
        label: opts.label.clone(),
        dataset: dataset.name.clone(),
        fingerprint: dataset.fingerprint(),
        selection: crate::dataset::fingerprint_of(files),
        repeat: opts.checks.repeat,
        timing: opts.timing,
        machine: crate::provenance::Provenance::of_this_machine(),
        shard: opts.shard.map(|s| shard::ShardInfo {
            shard: s.to_string(),
            codecs: opts.codecs.iter().map(|c| c.name.clone()).collect(),
            run_pairs: all_pairs,
            shard_pairs: pairs.len(),
        }),
    };
    let run_dir = paths.results_dir.join("runs").join(&meta.run_id);
    let work_dir = run_dir.join("work");
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("creating {}", work_dir.display()))?;
    let csv_path = run_dir.join("files.csv");
    let cache = BaselineCache::open(&paths.results_dir.join("cache").join("baselines.jsonl"));
    let custody = custody::Custody::new(&dataset.files, opts.checks.runner.confines_writes);

    let repeat = opts.checks.repeat.max(1);
    let plan = plan(files, &pairs, opts, &cache, paths);
    let progress = Progress::new(&plan, repeat, opts.quiet);
    if let Err(e) = sys::catch_interrupts() {
        progress.log(&format!(
            "warning: Ctrl-C will end the run without a summary: {e}"
        ));
    }
    let measured = rounds::measure_all(
        rounds::Selection {
            dataset,
            files,
            pairs: &pairs,
        },
        opts,
        rounds::Places {
            cache: &cache,
            custody: &custody,
            work_dir: &work_dir,
            csv_path: &csv_path,
        },
        &progress,
    )?;
    progress.finish();
    let _ = std::fs::remove_dir_all(&work_dir);

    let complete = measured.complete;
    let stopped_early = complete < pairs.len();
    let rows = measured.rows;
    let interrupted = sys::interrupted();
    if interrupted {
        let runs = match repeat {
            1 => String::new(),
            _ => format!(
                " (those measured fewer than {repeat} times report the fastest of their runs)"
            ),
        };
        progress.log(&format!(
            "interrupted: {complete} of {} (file, codec) pairs were fully measured; the {} \
             rows measured are kept in {}{runs}, the summary covers only them, and the run is \
             not added to the history",
            pairs.len(),
            rows.len(),
            csv_path.display()
        ));
    }
    let mut data_changed: Vec<String> = rows
        .iter()
        .filter(|r| r.status == Status::Changed)
        .map(|r| r.file.clone())
        .collect();
    data_changed.dedup();
    let ending = Ending {
        stopped_early,
        interrupted,
        halted: custody.halted(),
        data_changed,
    };
    let order: Vec<String> = opts.codecs.iter().map(|c| c.name.clone()).collect();
    let (summaries, scores) = figures(&rows, &order, &meta, paths);
    let history_path = paths.results_dir.join("results.csv");
    let summary = SummaryFile {
        meta: &meta,
        finished_utc: now_utc(),
        conditions: &Conditions {
            dataset_files: files.len(),
            dataset_bytes: files.iter().map(|f| f.size).sum(),
            dataset_missing: dataset.missing.clone(),
            timeout_s: opts.checks.limits.timeout.as_secs_f64(),
            max_memory_bytes: opts.checks.limits.max_memory,
            determinism_checked: opts.checks.determinism,
            max_expansion: opts.checks.max_expansion,
            jobs: opts.jobs,
        },
        ending: &ending,
        merged_from: &[],
        scores: &scores,
        codecs: &summaries,
    };
    let summary_path = run_dir.join("summary.json");
    std::fs::write(&summary_path, serde_json::to_vec_pretty(&summary)?)
        .with_context(|| format!("writing {}", summary_path.display()))?;
    let trustworthy =
        !ending.interrupted && ending.halted.is_none() && ending.data_changed.is_empty();
    if opts.record && !trustworthy {
        progress
            .log("not added to the history: the run did not measure the whole selection intact");
    }
    if opts.record && trustworthy && opts.shard.is_none() {
        record(&history_path, &meta, &summaries, &scores)?;
    }
    let candidate_failures = rows
        .iter()
        .filter(|r| r.codec == "candidate" && !r.ok() && r.status != Status::Changed)
        .count();
    Ok(RunReport {
        meta,
        run_dir,
        rows,
        summaries,
        candidate_failures,
        ending,
        scores,
    })
}

/// Each codec's figures over `rows`, in `order`, and the candidate's scores.
fn figures(
    rows: &[FileRow],
    order: &[String],
    meta: &RunMeta,
    paths: &Paths,
) -> (Vec<CodecSummary>, Scores) {
    // Pairs whose data changed under them blame no codec: they are left out of every figure.
    let timed: Vec<FileRow> = rows
        .iter()
        .filter(|r| r.status != Status::Changed)
        .map(|r| r.with_timing(meta.timing))
        .collect();
    let summaries = metrics::summarize(&timed, order);
    let history_path = paths.results_dir.join("results.csv");
    let scores = Scores::compute(&paths.root, &history_path, meta, &summaries);
    (summaries, scores)
}

/// Appends a run's lines to the history at `history_path`.
fn record(
    history_path: &std::path::Path,
    meta: &RunMeta,
    summaries: &[CodecSummary],
    scores: &Scores,
) -> Result<()> {
    let lines: Vec<HistoryRow> = summaries
        .iter()
        .map(|s| {
            let mut line = HistoryRow::from_summary(meta, s);
            scores.fill(&mut line);
            line
        })
        .collect();
    history::append(history_path, &lines)
}

/// Each pair's expected seconds per round, from the speeds this machine measured before;
/// baselines whose results the cache holds cost nothing.
fn plan(
    files: &[DatasetFile],
    pairs: &[(usize, usize)],
    opts: &RunOptions,
    cache: &BaselineCache,
    paths: &Paths,
) -> Vec<PlannedPair> {
    let speeds = Speeds::load(
        &paths.results_dir.join("results.csv"),
        &paths.results_dir.join("cache").join("baselines.jsonl"),
    );
    // A single round compresses twice to check determinism; repeated rounds compare their
    // compressions instead.
    let compressions = match (opts.checks.determinism, opts.checks.repeat > 1) {
        (true, false) => 2,
        _ => 1,
    };
    pairs
        .iter()
        .map(|&(f, c)| {
            let (file, codec) = (&files[f], &opts.codecs[c]);
            let cached = codec.is_baseline()
                && opts.use_cache
                && cache
                    .get(
                        &rounds::cache_key(file, codec, opts),
                        opts.checks.determinism,
                    )
                    .is_some();
            PlannedPair {
                file: file.name.clone(),
                codec: codec.name.clone(),
                bytes: file.size,
                seconds: match cached {
                    true => 0.0,
                    false => speeds.seconds(&codec.name, file.size, compressions),
                },
            }
        })
        .collect()
}

/// Sortable and unique: UTC time to the second, then the process id.
fn new_run_id() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z-{}-{:03}",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        std::process::id(),
        now.millisecond()
    )
}

pub fn now_utc() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
