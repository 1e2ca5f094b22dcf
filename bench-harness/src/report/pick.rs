//! What the report shows: which dataset (`--dataset`, else that of the newest run of a
//! whole dataset), which run of it stands for the codecs' figures, and which recorded runs
//! make its progress chart.

use super::charts::ProgressPoint;
use crate::agent::cycle::tsv::{self, Row};
use crate::history::HistoryRow;
use anyhow::{bail, Result};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A finished run directory that measured the candidate beside at least one other codec.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub dir: PathBuf,
    pub summary: Value,
}

impl Comparison {
    pub fn run_id(&self) -> &str {
        self.summary["run_id"].as_str().unwrap_or("?")
    }

    pub fn dataset(&self) -> &str {
        self.summary["dataset"].as_str().unwrap_or("?")
    }

    /// True when the run measured only some files of its dataset (summaries older than the
    /// `selection` field measured whole ones).
    pub fn is_part(&self) -> bool {
        self.summary["selection"]
            .as_str()
            .is_some_and(|sel| Some(sel) != self.summary["fingerprint"].as_str())
    }
}

/// Every comparison under `results_dir/runs`, newest first (run ids sort by time); an
/// interrupted run, whose totals cover only part of its files, is none.
pub fn comparisons(results_dir: &Path) -> Vec<Comparison> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(results_dir.join("runs"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.sort();
    dirs.into_iter()
        .rev()
        .filter_map(|dir| {
            let text = std::fs::read_to_string(dir.join("summary.json")).ok()?;
            let summary: Value = serde_json::from_str(&text).ok()?;
            if summary["interrupted"] == true {
                return None;
            }
            let codecs = summary["codecs"].as_array()?;
            let has_candidate = codecs.iter().any(|c| c["codec"] == "candidate");
            (has_candidate && codecs.len() > 1).then_some(Comparison { dir, summary })
        })
        .collect()
}

/// The dataset the report is about, and why it was chosen.
pub struct Choice {
    pub dataset: Option<String>,
    pub why: String,
    /// Every dataset with runs or history lines, for the reader who wants another.
    pub known: Vec<String>,
}

/// `asked` if given (it must have runs or recorded lines), else the dataset of the newest
/// run of a whole dataset, else of the newest run, else of the newest recorded line (holdout
/// datasets only when asked for).
pub fn dataset(asked: Option<&str>, runs: &[Comparison], history: &[HistoryRow]) -> Result<Choice> {
    let mut known: Vec<String> = runs.iter().map(|c| c.dataset().to_string()).collect();
    known.extend(history.iter().map(|r| r.dataset.clone()));
    known.sort();
    known.dedup();
    if let Some(name) = asked {
        if !known.iter().any(|k| k == name) {
            bail!(
                "no run or recorded line of dataset {name:?} under the results directory \
                 (datasets there: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
        return Ok(Choice {
            dataset: Some(name.to_string()),
            why: "chosen with --dataset".into(),
            known,
        });
    }
    // A holdout run follows each of the loop's default runs; it is shown when asked for.
    let runs: Vec<&Comparison> = runs
        .iter()
        .filter(|c| !c.dataset().starts_with("holdout"))
        .collect();
    let (dataset, why) = if let Some(run) = runs.iter().find(|c| !c.is_part()) {
        (
            Some(run.dataset().to_string()),
            "the dataset of the newest run of a whole dataset",
        )
    } else if let Some(run) = runs.first() {
        (
            Some(run.dataset().to_string()),
            "the dataset of the newest run (no run measured a whole dataset)",
        )
    } else {
        (
            history
                .iter()
                .rev()
                .find(|r| r.codec == "candidate" && !r.dataset.starts_with("holdout"))
                .map(|r| r.dataset.clone()),
            "the dataset of the newest recorded run",
        )
    };
    Ok(Choice {
        dataset,
        why: format!("{why}; `harness report --dataset NAME` picks another"),
        known,
    })
}

/// The run of `dataset` that stands for the codecs: the newest of a whole dataset, else
/// the newest.
pub fn run_of<'a>(runs: &'a [Comparison], dataset: &str) -> Option<&'a Comparison> {
    let of_dataset = || runs.iter().filter(|c| c.dataset() == dataset);
    of_dataset()
        .find(|c| !c.is_part())
        .or_else(|| of_dataset().next())
}

/// The files a history line measured: its dataset's fingerprint, and the fingerprint of the
/// files `--filter` or `--quick` selected (`None` for the whole dataset, and for lines older
/// than the selection column, all of which measured whole datasets).
type FileSet = (String, Option<String>);

fn file_set(r: &HistoryRow) -> FileSet {
    let part = (r.whole_dataset() == Some(false)).then(|| r.selection_fingerprint.clone());
    (r.dataset_fingerprint.clone(), part)
}

/// The progress points on `dataset`: its candidate lines of the most-recorded set of files,
/// in time order, each marked with its loop status (label `loop:N`), plus loop iterations
/// that failed before any run was recorded. Also the note under the chart, and the recorded
/// lines used (for their machines).
pub fn progress_points<'a>(
    history: &'a [HistoryRow],
    loop_rows: &[Row],
    dataset: &str,
) -> (Vec<ProgressPoint>, String, Vec<&'a HistoryRow>) {
    let candidate: Vec<&HistoryRow> = history
        .iter()
        .filter(|r| r.codec == "candidate" && r.dataset == dataset)
        .collect();
    let mut per_set: BTreeMap<FileSet, usize> = BTreeMap::new();
    for r in &candidate {
        *per_set.entry(file_set(r)).or_default() += 1;
    }
    let set = per_set
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(set, _)| set);
    let lines: Vec<&HistoryRow> = candidate
        .into_iter()
        .filter(|r| Some(file_set(r)) == set)
        .collect();
    let mut events: Vec<(String, ProgressPoint)> = Vec::new();
    let mut measured = BTreeSet::new();
    for r in &lines {
        let (status, iteration) = loop_status(&r.label, loop_rows);
        if let Some(i) = iteration {
            measured.insert(i);
        }
        let title = format!(
            "{} {} {}: ratio {} commit {}{}",
            status,
            r.utc,
            r.label,
            r.overall_ratio.map_or("-".into(), |x| format!("{x:.6}")),
            &r.git_commit[..r.git_commit.len().min(10)],
            if r.git_dirty { "+dirty" } else { "" }
        );
        events.push((
            r.utc.clone(),
            ProgressPoint {
                status,
                ratio: r.overall_ratio,
                title,
            },
        ));
    }
    // Loop attempts that never produced a run belong to the loop's dataset, which its
    // measured iterations show; without any, to whatever dataset is shown.
    if !measured.is_empty() || lines.is_empty() {
        for row in loop_rows
            .iter()
            .filter(|r| r.status != tsv::Status::Base && !measured.contains(&r.iteration))
        {
            events.push((
                row.utc.clone(),
                ProgressPoint {
                    status: row.status.as_str().into(),
                    ratio: None,
                    title: format!(
                        "iteration {} {}: {} ({})",
                        row.iteration,
                        row.status.as_str(),
                        row.description,
                        row.reason
                    ),
                },
            ));
        }
    }
    events.sort_by(|a, b| a.0.cmp(&b.0));
    let note = match set {
        Some((fp, part)) => format!(
            "candidate on {dataset}{} (fingerprint {fp}), {} events",
            if part.is_some() {
                ", part of its files"
            } else {
                ""
            },
            events.len()
        ),
        None => format!("no recorded runs on {dataset}"),
    };
    (events.into_iter().map(|(_, p)| p).collect(), note, lines)
}

/// The loop status of a history line by its label: `loop:N` is iteration N, `loop:N base`
/// the base, anything else was recorded by hand.
fn loop_status(label: &str, loop_rows: &[Row]) -> (String, Option<u32>) {
    let Some(rest) = label.strip_prefix("loop:") else {
        return ("recorded".into(), None);
    };
    if rest.ends_with(" base") || rest.ends_with(" base holdout") {
        return ("base".into(), None);
    }
    let Ok(k) = rest.trim().parse::<u32>() else {
        return ("recorded".into(), None);
    };
    let status = loop_rows
        .iter()
        .find(|r| r.iteration == k && r.status != tsv::Status::Base)
        .map_or("recorded", |r| r.status.as_str());
    (status.into(), Some(k))
}
