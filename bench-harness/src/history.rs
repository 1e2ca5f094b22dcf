//! The committed history `results/results.csv`: one line per codec per recorded run.

use crate::metrics::CodecSummary;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;

/// A line of the history. Ratios are compressed / original; seconds are wall-clock sums.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HistoryRow {
    pub run_id: String,
    pub utc: String,
    pub git_commit: String,
    pub git_dirty: bool,
    pub label: String,
    pub dataset: String,
    pub dataset_fingerprint: String,
    pub codec: String,
    pub overall_ratio: Option<f64>,
    pub compressible_ratio: Option<f64>,
    pub already_compressed_ratio: Option<f64>,
    pub mean_file_ratio: Option<f64>,
    pub compress_s: f64,
    pub decompress_s: f64,
    pub max_peak_rss_bytes: u64,
    pub files_failed: usize,
    /// Original bytes of the measured files.
    #[serde(default)]
    pub dataset_bytes: u64,
    /// Candidate only: xz-compressed size of `codec/src`, bytes.
    #[serde(default)]
    pub source_xz_bytes: Option<u64>,
    /// Candidate only: overall ratio with the source size added to the compressed total.
    #[serde(default)]
    pub ratio_with_source: Option<f64>,
    /// Candidate on `holdout` only: holdout ratio minus the default ratio of the same code.
    #[serde(default)]
    pub holdout_gap: Option<f64>,
}

impl HistoryRow {
    pub fn from_summary(meta: &RunMeta, s: &CodecSummary) -> Self {
        HistoryRow {
            run_id: meta.run_id.clone(),
            utc: meta.utc.clone(),
            git_commit: meta.git.commit.clone(),
            git_dirty: meta.git.dirty,
            label: meta.label.clone(),
            dataset: meta.dataset.clone(),
            dataset_fingerprint: meta.fingerprint.clone(),
            codec: s.codec.clone(),
            overall_ratio: s.overall.ratio,
            compressible_ratio: s.compressible.ratio,
            already_compressed_ratio: s.already_compressed.ratio,
            mean_file_ratio: s.mean_file_ratio,
            compress_s: s.compress_s,
            decompress_s: s.decompress_s,
            max_peak_rss_bytes: s.max_peak_rss_bytes,
            files_failed: s.files_failed,
            dataset_bytes: s.overall.original_bytes,
            source_xz_bytes: None,
            ratio_with_source: None,
            holdout_gap: None,
        }
    }
}

/// What identifies a run.
#[derive(Clone, Debug, Serialize)]
pub struct RunMeta {
    pub run_id: String,
    pub utc: String,
    pub git: GitState,
    pub label: String,
    pub dataset: String,
    pub fingerprint: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct GitState {
    /// Commit hash of HEAD, or `unknown` outside a git work tree.
    pub commit: String,
    /// Uncommitted changes outside `results/`.
    pub dirty: bool,
}

pub fn git_state(root: &Path) -> GitState {
    let run = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match run(&["rev-parse", "HEAD"]) {
        Some(commit) => GitState {
            dirty: run(&["status", "--porcelain", "--", ".", ":(exclude)results"])
                .is_some_and(|s| !s.is_empty()),
            commit,
        },
        None => GitState {
            commit: "unknown".into(),
            dirty: false,
        },
    }
}

/// Appends `rows` to the history at `path` under an exclusive lock, writing the header if the
/// file is new, so two runs finishing at once never interleave lines.
pub fn append(path: &Path, rows: &[HistoryRow]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.lock()
        .with_context(|| format!("locking {}", path.display()))?;
    let empty = file.seek(SeekFrom::End(0))? == 0;
    let mut ends_with_newline = true;
    if !empty {
        file.seek(SeekFrom::End(-1))?;
        let mut last = [0u8; 1];
        file.read_exact(&mut last)?;
        ends_with_newline = last[0] == b'\n';
    }
    let mut writer = csv::WriterBuilder::new()
        .has_headers(empty)
        .from_writer(Vec::new());
    for row in rows {
        writer.serialize(row)?;
    }
    let mut bytes = writer.into_inner()?;
    if !ends_with_newline {
        bytes.insert(0, b'\n');
    }
    file.write_all(&bytes)
        .with_context(|| format!("appending to {}", path.display()))?;
    Ok(())
}

/// Every line of the history.
pub fn read(path: &Path) -> Result<Vec<HistoryRow>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    reader
        .deserialize()
        .collect::<Result<_, _>>()
        .with_context(|| format!("parsing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(run: &str) -> HistoryRow {
        HistoryRow {
            run_id: run.into(),
            utc: "2026-01-01T00:00:00Z".into(),
            git_commit: "abc".into(),
            git_dirty: false,
            label: "l".into(),
            dataset: "default".into(),
            dataset_fingerprint: "f".into(),
            codec: "candidate".into(),
            overall_ratio: Some(0.5),
            compressible_ratio: None,
            already_compressed_ratio: Some(1.0),
            mean_file_ratio: Some(0.4),
            compress_s: 1.0,
            decompress_s: 2.0,
            max_peak_rss_bytes: 3,
            files_failed: 0,
            dataset_bytes: 10,
            source_xz_bytes: Some(7),
            ratio_with_source: None,
            holdout_gap: None,
        }
    }

    #[test]
    fn concurrent_appends_keep_one_header_and_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        std::thread::scope(|s| {
            for t in 0..8 {
                let path = &path;
                s.spawn(move || {
                    for i in 0..10 {
                        append(path, &[row(&format!("run-{t}-{i}"))]).unwrap();
                    }
                });
            }
        });
        let rows = read(&path).unwrap();
        assert_eq!(rows.len(), 80);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("run_id").count(), 1);
    }
}
