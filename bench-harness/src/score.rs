//! Scores that charge the candidate for its own source, as the Large Text Compression
//! Benchmark charges the decompressor: data embedded in the codec then costs what it saves.
//!
//! The charge is the codec library's size as tokens, comments, layout and test code excluded
//! (see [`crate::agent::source::charge`]): an embedded table costs at least its own length,
//! so embedding never pays, and removing comments or tests gains nothing.

use crate::agent::source::charge;
use crate::history::{self, HistoryRow, RunMeta};
use crate::metrics::CodecSummary;
use serde::Serialize;
use std::path::Path;

const CANDIDATE: &str = "candidate";

/// Overall ratio with the source charged: (compressed + source) / original.
pub fn ratio_with_source(compressed: u64, source: u64, original: u64) -> Option<f64> {
    (original > 0).then(|| (compressed + source) as f64 / original as f64)
}

/// The anti-cheating scores of a run, written to `summary.json` and the candidate's history line.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Scores {
    /// The codec library's charged size, bytes.
    pub source_bytes: Option<u64>,
    /// Candidate's overall ratio with `source_bytes` added to its compressed total.
    pub ratio_with_source: Option<f64>,
    /// Holdout ratio minus default ratio of the same code (positive: worse on unseen data).
    pub holdout_gap: Option<f64>,
    /// The recorded `default` run the gap was computed against.
    pub holdout_gap_base_run: Option<String>,
}

impl Scores {
    /// Scores of the candidate among `summaries`; nothing when it was not measured.
    pub fn compute(
        root: &Path,
        history_path: &Path,
        meta: &RunMeta,
        summaries: &[CodecSummary],
    ) -> Scores {
        let Some(candidate) = summaries.iter().find(|s| s.codec == CANDIDATE) else {
            return Scores::default();
        };
        let source_bytes = charge::charged_bytes(&root.join("codec")).ok();
        let ratio_with_source = source_bytes.and_then(|src| {
            let t = &candidate.overall;
            ratio_with_source(t.compressed_bytes, src, t.original_bytes)
        });
        let base = default_of_holdout(&meta.dataset)
            .and_then(|default| default_run_of_same_code(history_path, meta, candidate, &default));
        Scores {
            source_bytes,
            ratio_with_source,
            holdout_gap: base
                .as_ref()
                .and_then(|b| Some(candidate.overall.ratio? - b.overall_ratio?)),
            holdout_gap_base_run: base.map(|b| b.run_id),
        }
    }

    /// Lines for the terminal: the source charge and the holdout gap, when known.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let (Some(src), Some(with)) = (self.source_bytes, self.ratio_with_source) {
            out.push_str(&format!(
                "candidate source (codec library as tokens, no comments or tests): {src} bytes; \
                 overall ratio with it charged: {with:.4}\n"
            ));
        }
        if let Some(gap) = self.holdout_gap {
            out.push_str(&format!(
                "holdout gap (holdout minus default ratio of the same code): {gap:+.4}\n"
            ));
        }
        out
    }

    /// Copies the scores into the candidate's history line.
    pub fn fill(&self, row: &mut HistoryRow) {
        if row.codec == CANDIDATE {
            row.source_bytes = self.source_bytes;
            row.ratio_with_source = self.ratio_with_source;
            row.holdout_gap = self.holdout_gap;
        }
    }
}

/// The default dataset of a holdout's scale: `default` for `holdout`, `default@0.1` for
/// `holdout@0.1`; `None` for other datasets.
fn default_of_holdout(dataset: &str) -> Option<String> {
    let scale = dataset.strip_prefix("holdout")?;
    (scale.is_empty() || scale.starts_with('@')).then(|| format!("default{scale}"))
}

/// The latest recorded candidate line on `default_dataset` of the same commit (and dirty
/// flag) and the same number of bytes: generated datasets of one scale have the same file
/// sizes whatever the seed, so this pairs runs of one scale and selection.
fn default_run_of_same_code(
    history_path: &Path,
    meta: &RunMeta,
    candidate: &CodecSummary,
    default_dataset: &str,
) -> Option<HistoryRow> {
    let rows = history::read(history_path).ok()?;
    rows.into_iter().rev().find(|r| {
        r.codec == CANDIDATE
            && r.dataset == default_dataset
            && r.git_commit == meta.git.commit
            && r.git_dirty == meta.git.dirty
            && r.dataset_bytes == candidate.overall.original_bytes
            && r.files_failed == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_holdout_is_set_against_the_default_of_its_scale() {
        assert_eq!(default_of_holdout("holdout").as_deref(), Some("default"));
        assert_eq!(
            default_of_holdout("holdout@0.1").as_deref(),
            Some("default@0.1")
        );
        assert_eq!(default_of_holdout("holdouts"), None);
        assert_eq!(default_of_holdout("default@0.1"), None);
    }

    #[test]
    fn ratio_with_source_adds_the_charge() {
        assert_eq!(ratio_with_source(400, 100, 1000), Some(0.5));
        assert_eq!(ratio_with_source(0, 100, 0), None);
    }
}
