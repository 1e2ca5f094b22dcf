//! The figures of one codec in one finished run, read from its `summary.json`.

use super::objective::{FileResult, Objective};
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Ratio (compressed / original), failures, and wall seconds summed over files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunFigures {
    pub run_id: String,
    pub dataset: String,
    /// Equal fingerprints mean byte-identical datasets.
    pub fingerprint: String,
    pub ratio: Option<f64>,
    pub files_failed: usize,
    pub compress_s: f64,
    pub decompress_s: f64,
    /// With `harness run --repeat N` (N > 1): the same sums over the slowest of the N runs,
    /// so one run carries its own timing noise.
    pub slowest: Option<(f64, f64)>,
    /// Overall ratio with the codec source charged (candidate only).
    pub ratio_with_source: Option<f64>,
    pub holdout_gap: Option<f64>,
    /// Which of the dataset's files the run measured.
    pub selection: Selection,
    /// The codec library's charged size (candidate only).
    pub source_bytes: Option<u64>,
    /// Ratio per category.
    pub categories: BTreeMap<String, f64>,
    /// The largest peak resident memory of any operation, bytes.
    pub max_peak_rss_bytes: u64,
    /// Per-file rows of `files.csv` (empty when the run has none).
    pub files: Vec<FileResult>,
}

/// The files a run measured (`--filter`, `--quick` or all).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// Fingerprint of the measured files; `None` in summaries older than it.
    pub fingerprint: Option<String>,
    pub files: u64,
    pub bytes: u64,
}

impl Selection {
    /// Whether two runs of one dataset measured the same files (by count and bytes when
    /// either summary predates the fingerprint).
    pub fn same_files(&self, other: &Selection) -> bool {
        match (&self.fingerprint, &other.fingerprint) {
            (Some(a), Some(b)) => a == b,
            _ => (self.files, self.bytes) == (other.files, other.bytes),
        }
    }

    pub fn describe(&self) -> String {
        format!("{} files, {} bytes", self.files, self.bytes)
    }
}

impl RunFigures {
    /// The charged value of `objective` (the number a decision compares).
    pub fn score(&self, objective: Objective) -> Option<f64> {
        if self.files.is_empty() {
            // A run without per-file rows: the total ratio as its summary gives it.
            return if objective == Objective::Total || objective == Objective::Pareto {
                self.ratio_with_source.or(self.ratio)
            } else {
                None
            };
        }
        objective.charged(&self.files, self.source_bytes)
    }

    /// The uncharged value of `objective` (what a holdout is judged by).
    pub fn value(&self, objective: Objective) -> Option<f64> {
        if self.files.is_empty() {
            return self.ratio;
        }
        objective.value(&self.files)
    }

    /// Why `other` does not compare with these figures, when it measured another dataset or
    /// other files of it; figures of unknown files (no fingerprint) compare with none.
    pub fn files_differ(&self, other: &RunFigures) -> Option<String> {
        if self.fingerprint.is_empty() || self.fingerprint != other.fingerprint {
            return Some(format!(
                "dataset fingerprint {} against {}",
                or_unknown(&self.fingerprint),
                or_unknown(&other.fingerprint)
            ));
        }
        (!self.selection.same_files(&other.selection)).then(|| {
            format!(
                "{} against {} (--filter or --quick)",
                self.selection.describe(),
                other.selection.describe()
            )
        })
    }
}

fn or_unknown(fingerprint: &str) -> &str {
    if fingerprint.is_empty() {
        "unknown"
    } else {
        fingerprint
    }
}

/// The run directory of `reference`: an existing directory, or a run id under `results_dir`.
pub fn run_dir(reference: &str, results_dir: &Path) -> PathBuf {
    let path = PathBuf::from(reference);
    if path.join("summary.json").is_file() {
        path
    } else {
        results_dir.join("runs").join(reference)
    }
}

/// The parsed `summary.json` of the run at `dir`.
fn read_summary(dir: &Path) -> Result<Value> {
    let path = dir.join("summary.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Reads `codec`'s figures from the run at `dir`.
pub fn load(dir: &Path, codec: &str) -> Result<RunFigures> {
    let summary = read_summary(dir)?;
    if summary["interrupted"] == true {
        bail!(
            "run {} was interrupted: its figures cover only part of its dataset",
            dir.display()
        );
    }
    let Some(s) = summary["codecs"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["codec"] == codec))
    else {
        bail!("run {} has no codec {codec}", dir.display());
    };
    Ok(RunFigures {
        run_id: summary["run_id"].as_str().unwrap_or_default().to_string(),
        dataset: summary["dataset"].as_str().unwrap_or_default().to_string(),
        fingerprint: summary["fingerprint"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        ratio: s["overall"]["ratio"].as_f64(),
        files_failed: s["files_failed"].as_u64().unwrap_or(0) as usize,
        compress_s: s["compress_s"].as_f64().unwrap_or(0.0),
        decompress_s: s["decompress_s"].as_f64().unwrap_or(0.0),
        slowest: slowest_sums(s),
        // The scores charge the candidate's source: they are no other codec's figures.
        ratio_with_source: candidate_score(&summary, codec, "ratio_with_source"),
        holdout_gap: candidate_score(&summary, codec, "holdout_gap"),
        selection: Selection {
            fingerprint: summary["selection"].as_str().map(str::to_string),
            files: summary["dataset_files"].as_u64().unwrap_or(0),
            bytes: summary["dataset_bytes"].as_u64().unwrap_or(0),
        },
        source_bytes: (codec == "candidate")
            .then(|| summary["scores"]["source_bytes"].as_u64())
            .flatten(),
        categories: s["categories"]
            .as_object()
            .map(|c| {
                c.iter()
                    .filter_map(|(name, t)| Some((name.clone(), t["ratio"].as_f64()?)))
                    .collect()
            })
            .unwrap_or_default(),
        max_peak_rss_bytes: s["max_peak_rss_bytes"].as_u64().unwrap_or(0),
        files: file_results(&dir.join("files.csv"), codec)?,
    })
}

/// A score of the run (`scores` in its summary) when `codec` is the candidate it scores.
fn candidate_score(summary: &Value, codec: &str, score: &str) -> Option<f64> {
    (codec == "candidate")
        .then(|| summary["scores"][score].as_f64())
        .flatten()
}

/// The rows of `codec` in a run's `files.csv`; none when the file is absent.
fn file_results(path: &Path, codec: &str) -> Result<Vec<FileResult>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c), Some(f), Some(cat), Some(o), Some(z), Some(st)) = (
        col("codec"),
        col("file"),
        col("category"),
        col("original_bytes"),
        col("compressed_bytes"),
        col("status"),
    ) else {
        bail!("{} lacks the expected columns", path.display());
    };
    let mut out = Vec::new();
    for record in reader.records() {
        let r = record?;
        if &r[c] != codec {
            continue;
        }
        let original: u64 = r[o].parse().unwrap_or(0);
        let compressed = r[z].parse::<u64>().ok().filter(|_| &r[st] == "ok");
        out.push(FileResult {
            file: r[f].to_string(),
            category: r[cat].to_string(),
            original_bytes: original,
            charged_bytes: compressed.unwrap_or(original),
        });
    }
    Ok(out)
}

/// How a run timed its operations: runs of each operation (`--repeat`) and which seconds
/// (`--timing`; summaries written before that option timed whole processes).
pub fn timing_basis(dir: &Path) -> Result<(u64, String)> {
    let summary = read_summary(dir)?;
    Ok((
        summary["repeat"].as_u64().unwrap_or(1),
        summary["timing"].as_str().unwrap_or("process").to_string(),
    ))
}

/// Compress and decompress seconds summed over the slowest runs, from a codec summary's
/// spreads (the slowest runs took this fraction longer than the fastest).
fn slowest_sums(codec: &Value) -> Option<(f64, f64)> {
    let slowest =
        |time: &str, spread: &str| Some(codec[time].as_f64()? * (1.0 + codec[spread].as_f64()?));
    Some((
        slowest("compress_s", "compress_spread")?,
        slowest("decompress_s", "decompress_spread")?,
    ))
}

/// Figures of every run named in `list` (comma-separated run ids or directories).
pub fn load_list(list: &str, results_dir: &Path, codec: &str) -> Result<Vec<RunFigures>> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|r| load(&run_dir(r.trim(), results_dir), codec))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_with(summary: serde_json::Value) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("summary.json"), summary.to_string()).unwrap();
        dir
    }

    #[test]
    fn figures_compare_only_on_the_same_known_files() {
        let figures = |fingerprint: &str, selection: Option<&str>, files| RunFigures {
            run_id: String::new(),
            dataset: "d".into(),
            fingerprint: fingerprint.into(),
            ratio: Some(0.5),
            files_failed: 0,
            compress_s: 1.0,
            decompress_s: 1.0,
            slowest: None,
            ratio_with_source: None,
            holdout_gap: None,
            selection: Selection {
                fingerprint: selection.map(str::to_string),
                files,
                bytes: 100,
            },
            ..Default::default()
        };
        let whole = figures("f1", Some("f1"), 3);
        assert_eq!(whole.files_differ(&figures("f1", Some("f1"), 3)), None);
        let other_dataset = whole.files_differ(&figures("f2", Some("f2"), 3)).unwrap();
        assert!(other_dataset.contains("f1 against f2"), "{other_dataset}");
        let part = whole.files_differ(&figures("f1", Some("s1"), 1)).unwrap();
        assert!(
            part.contains("3 files, 100 bytes against 1 files"),
            "{part}"
        );
        // Older summaries without a selection compare by file count and bytes.
        assert_eq!(whole.files_differ(&figures("f1", None, 3)), None);
        let unknown = figures("", None, 0).files_differ(&whole).unwrap();
        assert!(unknown.contains("unknown against f1"), "{unknown}");
    }

    #[test]
    fn a_repeated_run_carries_its_slowest_sums() {
        let codec = |spreads: serde_json::Value| {
            let mut c = serde_json::json!({
                "codec": "candidate", "compress_s": 2.0, "decompress_s": 4.0,
            });
            c.as_object_mut()
                .unwrap()
                .extend(spreads.as_object().unwrap().clone());
            run_with(serde_json::json!({ "codecs": [c] }))
        };
        let repeated = codec(serde_json::json!({
            "compress_spread": 0.5, "decompress_spread": 0.25,
        }));
        assert_eq!(
            load(repeated.path(), "candidate").unwrap().slowest,
            Some((3.0, 5.0))
        );
        let once = codec(serde_json::json!({
            "compress_spread": null, "decompress_spread": null,
        }));
        assert_eq!(load(once.path(), "candidate").unwrap().slowest, None);
    }

    #[test]
    fn a_baseline_is_compared_on_its_own_ratio_not_the_candidates_score() {
        let run = run_with(serde_json::json!({
            "scores": { "ratio_with_source": 0.26, "holdout_gap": 0.01 },
            "codecs": [
                { "codec": "candidate", "overall": { "ratio": 0.25 } },
                { "codec": "zstd:19", "overall": { "ratio": 0.4 } },
            ],
        }));
        let zstd = load(run.path(), "zstd:19").unwrap();
        assert_eq!(
            (zstd.ratio, zstd.ratio_with_source, zstd.holdout_gap),
            (Some(0.4), None, None)
        );
        let candidate = load(run.path(), "candidate").unwrap();
        assert_eq!(candidate.ratio_with_source, Some(0.26));
    }

    #[test]
    fn figures_come_from_finished_runs_only() {
        let codecs = serde_json::json!([{ "codec": "candidate", "overall": { "ratio": 0.25 } }]);
        let finished = run_with(serde_json::json!({ "run_id": "a", "codecs": codecs }));
        assert_eq!(
            load(finished.path(), "candidate").unwrap().ratio,
            Some(0.25)
        );
        assert!(load(finished.path(), "xz:9").is_err());
        let cut = run_with(serde_json::json!({ "interrupted": true, "codecs": codecs }));
        let err = load(cut.path(), "candidate").unwrap_err().to_string();
        assert!(err.contains("was interrupted"), "{err}");
    }
}
