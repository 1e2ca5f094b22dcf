//! The rounds of a run: every (file, codec) pair measured once per round, rows recorded the
//! moment they finish. With `--repeat N` there are N rounds, so that the repeats of one pair
//! lie a whole round apart and a machine slowed down for a few seconds slows only one of them.

use super::cache::BaselineCache;
use super::custody::Custody;
use super::row::{FileRow, Status};
use super::{task, RunOptions};
use crate::codecs::CodecSpec;
use crate::dataset::{Dataset, DatasetFile};
use crate::progress::Progress;
use crate::runner::sys;
use anyhow::{Context, Result};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// What a run measures: `pairs` are (index into `files`, index into the run's codecs).
#[derive(Clone, Copy)]
pub struct Selection<'a> {
    pub dataset: &'a Dataset,
    pub files: &'a [DatasetFile],
    pub pairs: &'a [(usize, usize)],
}

/// The rows of the pairs measured, in pair order.
pub struct Measured {
    pub rows: Vec<FileRow>,
    /// Pairs measured in every round (or failed, or taken from the cache).
    pub complete: usize,
}

/// Where a run keeps what it writes and what it watches.
#[derive(Clone, Copy)]
pub struct Places<'a> {
    pub cache: &'a BaselineCache,
    pub custody: &'a Custody,
    pub work_dir: &'a Path,
    pub csv_path: &'a Path,
}

/// Runs the rounds, writing `csv_path` after every row and temporaries under `work_dir`, and
/// caches the baselines' rows measured in every round (each of whose operations was followed
/// by a check that the original is intact). The rounds stop early at an interrupt, at the
/// first failure with `--fail-fast`, and when a codec changed the dataset.
pub fn measure_all(
    selection: Selection,
    opts: &RunOptions,
    places: Places,
    progress: &Progress,
) -> Result<Measured> {
    let Places {
        cache,
        custody,
        work_dir,
        csv_path,
    } = places;
    let repeat = opts.checks.repeat.max(1);
    let count = selection.pairs.len();
    let mut state = RoundState {
        rows: vec![None; count],
        rounds: vec![0; count],
        csv_path,
    };
    let stop = AtomicBool::new(false);
    for number in 1..=repeat {
        if stop.load(Ordering::SeqCst) || sys::interrupted() || custody.halted().is_some() {
            break;
        }
        let round = Round {
            number,
            selection,
            opts,
            cache,
            custody,
            work_dir,
            progress,
            stop: &stop,
        };
        let due = state.due(number, progress);
        round.run(&due, &mut state)?;
    }
    let complete = (0..count)
        .filter(|&i| {
            state.rows[i]
                .as_ref()
                .is_some_and(|r| !r.ok() || r.cached || state.rounds[i] == repeat)
        })
        .count();
    if opts.use_cache {
        for (i, row) in state.rows.iter().enumerate() {
            let Some(row) = row else { continue };
            let (f, c) = selection.pairs[i];
            let codec = &opts.codecs[c];
            if codec.is_baseline() && row.ok() && !row.cached && state.rounds[i] == repeat {
                let key = cache_key(&selection.files[f], codec, opts);
                if let Err(e) = cache.put(key, opts.checks.determinism, row) {
                    progress.log(&format!("warning: baseline cache not updated: {e:#}"));
                }
            }
        }
    }
    Ok(Measured {
        rows: state.rows.into_iter().flatten().collect(),
        complete,
    })
}

/// What the rounds have measured so far, by pair index.
struct RoundState<'a> {
    rows: Vec<Option<FileRow>>,
    /// Rounds each pair has been measured in.
    rounds: Vec<usize>,
    csv_path: &'a Path,
}

impl RoundState<'_> {
    /// The pairs round `number` measures: all of them first, then those that passed every
    /// earlier round (a cached baseline row already holds the fastest of its runs).
    fn due(&self, number: usize, progress: &Progress) -> Vec<usize> {
        (0..self.rows.len())
            .filter(|&i| {
                let due = number == 1
                    || self.rows[i]
                        .as_ref()
                        .is_some_and(|r| r.ok() && !r.cached && self.rounds[i] == number - 1);
                if !due {
                    if let Some(row) = &self.rows[i] {
                        progress.skipped(row);
                    }
                }
                due
            })
            .collect()
    }

    /// Keeps a measured row and rewrites `files.csv`, so that an interrupted run leaves every
    /// row measured so far.
    fn record(&mut self, i: usize, row: FileRow, number: usize) -> Result<()> {
        self.rows[i] = Some(row);
        self.rounds[i] = number;
        let partial = self.csv_path.with_extension("csv.partial");
        let mut csv = csv::Writer::from_path(&partial)
            .with_context(|| format!("creating {}", partial.display()))?;
        for row in self.rows.iter().flatten() {
            csv.serialize(row)?;
        }
        csv.flush()?;
        drop(csv);
        std::fs::rename(&partial, self.csv_path)
            .with_context(|| format!("writing {}", self.csv_path.display()))
    }
}

/// One round of a run: each due pair measured once, by `opts.jobs` workers.
#[derive(Clone, Copy)]
struct Round<'a> {
    number: usize,
    selection: Selection<'a>,
    opts: &'a RunOptions,
    cache: &'a BaselineCache,
    custody: &'a Custody,
    work_dir: &'a Path,
    progress: &'a Progress,
    stop: &'a AtomicBool,
}

impl Round<'_> {
    fn run(self, due: &[usize], state: &mut RoundState) -> Result<()> {
        // Workers measure from these copies while the state takes their results.
        let earlier: Vec<Option<FileRow>> = due.iter().map(|&i| state.rows[i].clone()).collect();
        let next = AtomicUsize::new(0);
        let (tx, rx) = mpsc::channel::<(usize, FileRow)>();
        std::thread::scope(|scope| -> Result<()> {
            for worker in 0..self.opts.jobs.max(1) {
                let tx = tx.clone();
                let (next, earlier) = (&next, &earlier);
                let work = self.work_dir.join(worker.to_string());
                scope.spawn(move || {
                    if let Err(e) = std::fs::create_dir_all(&work) {
                        self.progress
                            .log(&format!("cannot create {}: {e}", work.display()));
                        return;
                    }
                    while !self.stop.load(Ordering::SeqCst)
                        && !sys::interrupted()
                        && self.custody.halted().is_none()
                    {
                        let k = next.fetch_add(1, Ordering::SeqCst);
                        let Some(&i) = due.get(k) else { break };
                        let row = self.measure(i, earlier[k].clone(), &work);
                        if row.status == Status::Interrupted {
                            break;
                        }
                        if self.opts.fail_fast && !row.ok() {
                            self.stop.store(true, Ordering::SeqCst);
                        }
                        if tx.send((i, row)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            for (i, row) in rx {
                state.record(i, row, self.number)?;
                let row = state.rows[i].as_ref().expect("just recorded");
                self.progress.finished(row);
                if self.opts.fail_fast && !row.ok() {
                    self.progress.log(&format!(
                        "--fail-fast: stopping after {} failed on {}",
                        row.codec, row.file
                    ));
                }
                if row.status == Status::Tampered && self.custody.halted().is_some() {
                    self.progress.log(&format!("STOPPING: {}", row.reason));
                }
            }
            Ok(())
        })
    }

    /// Pair `i` in this round; `earlier` is its row from the rounds before.
    fn measure(&self, i: usize, earlier: Option<FileRow>, work: &Path) -> FileRow {
        let (f, c) = self.selection.pairs[i];
        let (file, codec) = (&self.selection.files[f], &self.opts.codecs[c]);
        self.progress.started(&file.name, &codec.name);
        // The first round's compressed bytes, which later rounds decompress and compare with.
        let compressed = self.work_dir.join(format!("{i}.cmp"));
        let checks = &self.opts.checks;
        let place = task::Place {
            work,
            custody: self.custody,
            compressed: &compressed,
        };
        let row = match earlier {
            Some(row) => task::again(file, codec, checks, &place, self.number, row),
            None => self.measure_or_reuse(file, codec, &place),
        };
        if self.number == checks.repeat.max(1) || !row.ok() {
            let _ = std::fs::remove_file(&compressed);
        }
        row
    }

    fn measure_or_reuse(
        &self,
        file: &DatasetFile,
        codec: &CodecSpec,
        place: &task::Place,
    ) -> FileRow {
        let opts = self.opts;
        if codec.is_baseline() && opts.use_cache {
            let key = cache_key(file, codec, opts);
            if let Some(mut row) = self.cache.get(&key, opts.checks.determinism) {
                row.dataset = self.selection.dataset.name.clone();
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
        task::measure(
            &self.selection.dataset.name,
            file,
            codec,
            &opts.checks,
            place,
        )
    }
}

/// The baseline cache's key for `codec` on `file` under the run's limits.
pub(super) fn cache_key(file: &DatasetFile, codec: &CodecSpec, opts: &RunOptions) -> String {
    let limits = &opts.checks.limits;
    let mut conditions = format!(
        "timeout={:?},memory={:?},output={}",
        limits.timeout, limits.max_memory, limits.max_output
    );
    // Fastest-of-N times are not comparable with single ones (and keys of single runs stay
    // those of caches written before repeats existed).
    if opts.checks.repeat > 1 {
        conditions += &format!(",repeat={}", opts.checks.repeat);
    }
    BaselineCache::key(&file.sha256, &codec.identity(), &conditions)
}
