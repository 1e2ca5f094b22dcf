//! A run: every selected file with every codec, each operation in a child process, rows
//! recorded the moment they finish, then summaries and (optionally) the history.

pub mod cache;
pub mod row;
pub mod select;
pub mod task;
pub mod verify;

use crate::codecs::CodecSpec;
use crate::dataset::{Dataset, DatasetFile};
use crate::history::{self, HistoryRow, RunMeta};
use crate::metrics::{self, CodecSummary};
use crate::progress::Progress;
use crate::runner::sys;
use crate::score::Scores;
use anyhow::{Context, Result};
use cache::BaselineCache;
use row::{FileRow, Status};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
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
}

/// What a finished run reports.
pub struct RunReport {
    pub meta: RunMeta,
    pub run_dir: PathBuf,
    pub rows: Vec<FileRow>,
    pub summaries: Vec<CodecSummary>,
    /// Rows of the candidate that did not pass.
    pub candidate_failures: usize,
    /// True when `--fail-fast` or an interrupt stopped the run before every pair was measured.
    pub stopped_early: bool,
    /// True when SIGINT or SIGTERM stopped the run (it was then not added to the history).
    pub interrupted: bool,
    pub scores: Scores,
}

#[derive(Serialize)]
struct SummaryFile<'a> {
    #[serde(flatten)]
    meta: &'a RunMeta,
    finished_utc: String,
    dataset_files: usize,
    dataset_bytes: u64,
    timeout_s: f64,
    max_memory_bytes: Option<u64>,
    determinism_checked: bool,
    max_expansion: f64,
    jobs: usize,
    stopped_early: bool,
    interrupted: bool,
    scores: &'a Scores,
    codecs: &'a [CodecSummary],
}

/// Measures `files` of `dataset` with every codec of `opts`.
pub fn execute(
    dataset: &Dataset,
    files: &[DatasetFile],
    opts: &RunOptions,
    paths: &Paths,
) -> Result<RunReport> {
    let meta = RunMeta {
        run_id: new_run_id(),
        utc: now_utc(),
        git: history::git_state(&paths.root),
        label: opts.label.clone(),
        dataset: dataset.name.clone(),
        fingerprint: dataset.fingerprint(),
        selection: crate::dataset::fingerprint_of(files),
        repeat: opts.checks.repeat,
    };
    let run_dir = paths.results_dir.join("runs").join(&meta.run_id);
    let work_dir = run_dir.join("work");
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("creating {}", work_dir.display()))?;
    let csv_path = run_dir.join("files.csv");
    let mut csv = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("creating {}", csv_path.display()))?;
    let cache = BaselineCache::open(&paths.results_dir.join("cache").join("baselines.jsonl"));

    let tasks: Vec<(usize, usize)> = (0..files.len())
        .flat_map(|f| (0..opts.codecs.len()).map(move |c| (f, c)))
        .collect();
    let total_bytes = files.iter().map(|f| f.size).sum::<u64>() * opts.codecs.len() as u64;
    let progress = Progress::new(tasks.len(), total_bytes, opts.quiet);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    if let Err(e) = sys::catch_interrupts() {
        progress.log(&format!(
            "warning: Ctrl-C will end the run without a summary: {e}"
        ));
    }
    let mut rows: Vec<(usize, FileRow)> = Vec::with_capacity(tasks.len());
    let (tx, rx) = mpsc::channel::<(usize, FileRow)>();

    std::thread::scope(|scope| -> Result<()> {
        for worker in 0..opts.jobs.max(1) {
            let tx = tx.clone();
            let (tasks, next, stop, progress, cache) = (&tasks, &next, &stop, &progress, &cache);
            let work = work_dir.join(worker.to_string());
            scope.spawn(move || {
                if let Err(e) = std::fs::create_dir_all(&work) {
                    progress.log(&format!("cannot create {}: {e}", work.display()));
                    return;
                }
                while !stop.load(Ordering::SeqCst) && !sys::interrupted() {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&(f, c)) = tasks.get(i) else { break };
                    let (file, codec) = (&files[f], &opts.codecs[c]);
                    progress.started(&file.name, &codec.name);
                    let row =
                        measure_or_reuse(&dataset.name, file, codec, opts, cache, &work, progress);
                    if row.status == Status::Interrupted {
                        break;
                    }
                    if opts.fail_fast && !row.ok() {
                        stop.store(true, Ordering::SeqCst);
                    }
                    if tx.send((i, row)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, row) in rx {
            csv.serialize(&row)?;
            csv.flush()?;
            progress.finished(&row);
            if opts.fail_fast && !row.ok() {
                progress.log(&format!(
                    "--fail-fast: stopping after {} failed on {}",
                    row.codec, row.file
                ));
            }
            rows.push((i, row));
        }
        Ok(())
    })?;
    progress.finish();
    let _ = std::fs::remove_dir_all(&work_dir);

    rows.sort_by_key(|(i, _)| *i);
    let rows: Vec<FileRow> = rows.into_iter().map(|(_, r)| r).collect();
    let stopped_early = rows.len() < tasks.len();
    let interrupted = sys::interrupted();
    if interrupted {
        progress.log(&format!(
            "interrupted: {} of {} (file, codec) pairs were measured; they are kept in {}, \
             the summary covers only them, and the run is not added to the history",
            rows.len(),
            tasks.len(),
            csv_path.display()
        ));
    }
    let order: Vec<String> = opts.codecs.iter().map(|c| c.name.clone()).collect();
    let summaries = metrics::summarize(&rows, &order);
    let history_path = paths.results_dir.join("results.csv");
    let scores = Scores::compute(&paths.root, &history_path, &meta, &summaries);
    let summary = SummaryFile {
        meta: &meta,
        finished_utc: now_utc(),
        dataset_files: files.len(),
        dataset_bytes: files.iter().map(|f| f.size).sum(),
        timeout_s: opts.checks.limits.timeout.as_secs_f64(),
        max_memory_bytes: opts.checks.limits.max_memory,
        determinism_checked: opts.checks.determinism,
        max_expansion: opts.checks.max_expansion,
        jobs: opts.jobs,
        stopped_early,
        interrupted,
        scores: &scores,
        codecs: &summaries,
    };
    let summary_path = run_dir.join("summary.json");
    std::fs::write(&summary_path, serde_json::to_vec_pretty(&summary)?)
        .with_context(|| format!("writing {}", summary_path.display()))?;
    if opts.record && !interrupted {
        let lines: Vec<HistoryRow> = summaries
            .iter()
            .map(|s| {
                let mut line = HistoryRow::from_summary(&meta, s);
                scores.fill(&mut line);
                line
            })
            .collect();
        history::append(&history_path, &lines)?;
    }
    let candidate_failures = rows
        .iter()
        .filter(|r| r.codec == "candidate" && !r.ok())
        .count();
    Ok(RunReport {
        meta,
        run_dir,
        rows,
        summaries,
        candidate_failures,
        stopped_early,
        interrupted,
        scores,
    })
}

fn measure_or_reuse(
    dataset: &str,
    file: &DatasetFile,
    codec: &CodecSpec,
    opts: &RunOptions,
    cache: &BaselineCache,
    work: &Path,
    progress: &Progress,
) -> FileRow {
    let limits = &opts.checks.limits;
    let mut conditions = format!(
        "timeout={:?},memory={:?}",
        limits.timeout, limits.max_memory
    );
    // Fastest-of-N times are not comparable with single ones (and keys of single runs stay
    // those of caches written before repeats existed).
    if opts.checks.repeat > 1 {
        conditions += &format!(",repeat={}", opts.checks.repeat);
    }
    let key = BaselineCache::key(&file.sha256, &codec.identity(), &conditions);
    let cacheable = codec.is_baseline() && opts.use_cache;
    if cacheable {
        if let Some(mut row) = cache.get(&key, opts.checks.determinism) {
            row.dataset = dataset.to_string();
            row.file = file.name.clone();
            row.category = file.category.to_string();
            row.cached = true;
            let limit = opts.checks.expansion_limit(file.size);
            if row.compressed_bytes.is_some_and(|c| c > limit) {
                row.status = Status::Expanded;
                row.reason = format!("compressed size over the limit of {limit} bytes");
            }
            return row;
        }
    }
    let row = task::measure(dataset, file, codec, &opts.checks, work);
    if cacheable && row.ok() {
        if let Err(e) = cache.put(key, opts.checks.determinism, &row) {
            progress.log(&format!("warning: baseline cache not updated: {e:#}"));
        }
    }
    row
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
