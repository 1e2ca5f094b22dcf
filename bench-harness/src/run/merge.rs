//! `harness merge`: joins the shards of one run (`harness run --shard K/N`), measured on any
//! machines, into the run they make together. The shards must fit: every shard of 1..N once,
//! the same dataset, selection, codecs, settings and code, on the same kind of machine (host
//! names may differ), each whole and intact. The merged run then gets its figures, its
//! `summary.json` and (with `--record`) its history lines exactly as a whole run does.

use super::row::FileRow;
use super::shard::{Shard, ShardInfo};
use super::{record, Conditions, Ending, Paths, RunReport, SummaryFile};
use crate::history::RunMeta;
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The fields of a shard's `summary.json` the merge checks or carries over.
#[derive(Deserialize)]
struct ShardSummary {
    #[serde(flatten)]
    meta: RunMeta,
    #[serde(flatten)]
    conditions: Conditions,
    #[serde(flatten)]
    ending: Ending,
}

/// One shard as read from its run directory.
struct Part {
    dir: PathBuf,
    summary: ShardSummary,
    info: ShardInfo,
    shard: Shard,
    rows: Vec<FileRow>,
}

/// Merges the shard runs in `dirs` into a new run under `paths.results_dir`, added to the
/// history when `record_it`.
pub fn merge(
    dirs: &[PathBuf],
    label: Option<&str>,
    record_it: bool,
    paths: &Paths,
) -> Result<RunReport> {
    let parts = dirs.iter().map(|d| read(d)).collect::<Result<Vec<_>>>()?;
    check_fit(&parts)?;
    let first = &parts[0];
    let order = first.info.codecs.clone();
    let mut rows: Vec<FileRow> = parts.iter().flat_map(|p| p.rows.iter().cloned()).collect();
    let mut seen = BTreeSet::new();
    for row in &rows {
        if !seen.insert((row.file.clone(), row.codec.clone())) {
            bail!(
                "the pair ({}, {}) was measured by two shards: they do not cut the same run",
                row.file,
                row.codec
            );
        }
    }
    if rows.len() != first.info.run_pairs {
        bail!(
            "the shards hold {} pairs, the run has {}",
            rows.len(),
            first.info.run_pairs
        );
    }
    let place = |r: &FileRow| {
        order
            .iter()
            .position(|c| *c == r.codec)
            .unwrap_or(order.len())
    };
    rows.sort_by(|a, b| a.file.cmp(&b.file).then(place(a).cmp(&place(b))));

    let mut meta = first.summary.meta.clone();
    meta.run_id = super::new_run_id();
    meta.utc = parts
        .iter()
        .map(|p| p.summary.meta.utc.clone())
        .min()
        .unwrap_or_default();
    meta.shard = None;
    if let Some(label) = label {
        meta.label = label.to_string();
    }
    let hosts: BTreeSet<&str> = parts
        .iter()
        .map(|p| p.summary.meta.machine.host.as_str())
        .collect();
    meta.machine.host = hosts.into_iter().collect::<Vec<_>>().join(",");

    let run_dir = paths.results_dir.join("runs").join(&meta.run_id);
    std::fs::create_dir_all(&run_dir).with_context(|| format!("creating {}", run_dir.display()))?;
    let csv_path = run_dir.join("files.csv");
    let mut csv = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("writing {}", csv_path.display()))?;
    for row in &rows {
        csv.serialize(row)?;
    }
    csv.flush()?;

    let (summaries, scores) = super::figures(&rows, &order, &meta, paths);
    let history_path = paths.results_dir.join("results.csv");
    let merged_from: Vec<String> = parts
        .iter()
        .map(|p| p.summary.meta.run_id.clone())
        .collect();
    let ending = Ending::default();
    let summary = SummaryFile {
        meta: &meta,
        finished_utc: super::now_utc(),
        conditions: &first.summary.conditions,
        ending: &ending,
        merged_from: &merged_from,
        scores: &scores,
        codecs: &summaries,
    };
    let summary_path = run_dir.join("summary.json");
    std::fs::write(&summary_path, serde_json::to_vec_pretty(&summary)?)
        .with_context(|| format!("writing {}", summary_path.display()))?;
    if record_it {
        record(&history_path, &meta, &summaries, &scores)?;
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
        ending,
        scores,
    })
}

fn read(dir: &Path) -> Result<Part> {
    let summary_path = dir.join("summary.json");
    let text = std::fs::read_to_string(&summary_path)
        .with_context(|| format!("reading {}", summary_path.display()))?;
    let summary: ShardSummary = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a run summary", summary_path.display()))?;
    let id = &summary.meta.run_id;
    let Some(info) = summary.meta.shard.clone() else {
        bail!(
            "run {id} ({}) is not a shard: it was run without --shard",
            dir.display()
        );
    };
    let shard = Shard::parse(&info.shard).map_err(|e| anyhow::anyhow!("run {id}: {e}"))?;
    let troubles = [
        (summary.ending.interrupted, "was interrupted"),
        (summary.ending.stopped_early, "stopped early (--fail-fast)"),
        (
            summary.ending.halted.is_some(),
            "was stopped: a codec changed the dataset",
        ),
        (
            !summary.ending.data_changed.is_empty(),
            "saw its data change",
        ),
    ];
    if let Some((_, why)) = troubles.iter().find(|(bad, _)| *bad) {
        bail!("shard {shard} (run {id}) {why}: measure that shard again");
    }
    let csv_path = dir.join("files.csv");
    let mut reader = csv::Reader::from_path(&csv_path)
        .with_context(|| format!("reading {}", csv_path.display()))?;
    let rows = reader
        .deserialize()
        .collect::<Result<Vec<FileRow>, _>>()
        .with_context(|| format!("reading {}", csv_path.display()))?;
    if rows.len() != info.shard_pairs {
        bail!(
            "shard {shard} (run {id}) has {} rows in files.csv for its {} pairs",
            rows.len(),
            info.shard_pairs
        );
    }
    Ok(Part {
        dir: dir.to_path_buf(),
        summary,
        info,
        shard,
        rows,
    })
}

/// Checks that the parts are the N shards of one run.
fn check_fit(parts: &[Part]) -> Result<()> {
    let Some(first) = parts.first() else {
        bail!("no shard to merge");
    };
    let count = first.shard.count;
    let mut by_index: Vec<Option<&Part>> = vec![None; count + 1];
    for part in parts {
        let (a, b) = (&first.summary, &part.summary);
        let name = |p: &Part| format!("run {} ({})", p.summary.meta.run_id, p.dir.display());
        let differences = [
            (
                "shard count",
                first.shard.count.to_string(),
                part.shard.count.to_string(),
            ),
            ("dataset", a.meta.dataset.clone(), b.meta.dataset.clone()),
            (
                "dataset fingerprint",
                a.meta.fingerprint.clone(),
                b.meta.fingerprint.clone(),
            ),
            (
                "selection of files",
                a.meta.selection.clone(),
                b.meta.selection.clone(),
            ),
            (
                "codecs",
                first.info.codecs.join(","),
                part.info.codecs.join(","),
            ),
            (
                "pairs",
                first.info.run_pairs.to_string(),
                part.info.run_pairs.to_string(),
            ),
            (
                "commit",
                a.meta.git.commit.clone(),
                b.meta.git.commit.clone(),
            ),
            (
                "uncommitted changes",
                a.meta.git.dirty.to_string(),
                b.meta.git.dirty.to_string(),
            ),
            (
                "--timing",
                a.meta.timing.as_str().into(),
                b.meta.timing.as_str().into(),
            ),
            (
                "--repeat",
                a.meta.repeat.to_string(),
                b.meta.repeat.to_string(),
            ),
            (
                "--timeout",
                a.conditions.timeout_s.to_string(),
                b.conditions.timeout_s.to_string(),
            ),
            (
                "--max-memory",
                format!("{:?}", a.conditions.max_memory_bytes),
                format!("{:?}", b.conditions.max_memory_bytes),
            ),
            (
                "determinism check",
                a.conditions.determinism_checked.to_string(),
                b.conditions.determinism_checked.to_string(),
            ),
            (
                "--max-expansion",
                a.conditions.max_expansion.to_string(),
                b.conditions.max_expansion.to_string(),
            ),
            (
                "missing files",
                a.conditions.dataset_missing.join(","),
                b.conditions.dataset_missing.join(","),
            ),
            ("machine", machine_kind(a), machine_kind(b)),
        ];
        if let Some((what, x, y)) = differences.iter().find(|(_, x, y)| x != y) {
            bail!(
                "{} and {} are not shards of one run: their {what} differ ({x} against {y})",
                name(first),
                name(part)
            );
        }
        let slot = &mut by_index[part.shard.index];
        if let Some(other) = slot {
            bail!(
                "shard {} appears twice: {} and {}",
                part.shard,
                name(other),
                name(part)
            );
        }
        *slot = Some(part);
    }
    let missing: Vec<String> = (1..=count)
        .filter(|&k| by_index[k].is_none())
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "shard(s) {} missing: merge every shard of the run",
            missing.join(", ")
        );
    }
    Ok(())
}

/// Everything of the machine but its host name: speeds of shards measured on machines that
/// differ in these would not add up to one run's.
fn machine_kind(s: &ShardSummary) -> String {
    let m = &s.meta.machine;
    format!(
        "{} x{}, {}, {}, {}, harness {}, {}",
        m.cpu, m.cores, m.kernel, m.rustc, m.c_compiler, m.harness_version, m.baseline_libraries
    )
}
