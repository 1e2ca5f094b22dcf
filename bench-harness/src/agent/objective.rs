//! What a loop optimises, the user's choice: the campaign this suite grew from showed that the
//! objective shapes everything an agent tries. Each is a number, lower is better, computed
//! from the candidate's per-file rows (a failed file counts as stored), and charged with the
//! codec's source: value + source bytes / original bytes.

use crate::dataset::Category;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Objective {
    /// Compressed bytes / original bytes over the whole dataset
    Total,
    /// Mean of the per-file ratios (every file weighs the same)
    MeanFile,
    /// Median of the per-file ratios
    MedianFile,
    /// Total ratio over the files expected to compress (not `compressed` or `random`)
    Compressible,
    /// Total ratio against compress speed: an attempt no point of the loop's front beats on both
    Pareto,
}

/// One file of a run, as the objective sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct FileResult {
    pub file: String,
    pub category: String,
    pub original_bytes: u64,
    /// Compressed bytes, or the original size when the file failed.
    pub charged_bytes: u64,
}

impl Objective {
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::Total => "total",
            Objective::MeanFile => "mean-file",
            Objective::MedianFile => "median-file",
            Objective::Compressible => "compressible",
            Objective::Pareto => "pareto",
        }
    }

    pub fn parse(s: &str) -> Option<Objective> {
        [
            Objective::Total,
            Objective::MeanFile,
            Objective::MedianFile,
            Objective::Compressible,
            Objective::Pareto,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }

    /// One sentence for the agent's prompt.
    pub fn explain(self) -> &'static str {
        match self {
            Objective::Total => {
                "total compressed bytes / total original bytes over the dataset, plus the codec \
                 source charge; large files dominate"
            }
            Objective::MeanFile => {
                "the mean of the per-file ratios, plus the codec source charge; every file weighs \
                 the same, small ones included"
            }
            Objective::MedianFile => {
                "the median of the per-file ratios, plus the codec source charge; the typical \
                 file counts, outliers do not"
            }
            Objective::Compressible => {
                "the total ratio over the files expected to compress (not the `compressed` and \
                 `random` categories), plus the codec source charge"
            }
            Objective::Pareto => {
                "the total ratio (plus the codec source charge) against compress time: an attempt \
                 is kept when no kept point of the loop is at least as good on both"
            }
        }
    }

    /// The objective over `files`, without the source charge; `None` without original bytes.
    pub fn value(self, files: &[FileResult]) -> Option<f64> {
        let total = |files: &mut dyn Iterator<Item = &FileResult>| {
            let (c, o) = files.fold((0u64, 0u64), |(c, o), f| {
                (c + f.charged_bytes, o + f.original_bytes)
            });
            (o > 0).then(|| c as f64 / o as f64)
        };
        let per_file = || -> Vec<f64> {
            files
                .iter()
                .filter(|f| f.original_bytes > 0)
                .map(|f| f.charged_bytes as f64 / f.original_bytes as f64)
                .collect()
        };
        match self {
            Objective::Total | Objective::Pareto => total(&mut files.iter()),
            Objective::Compressible => total(&mut files.iter().filter(|f| {
                f.category
                    .parse::<Category>()
                    .map_or(true, Category::is_compressible)
            })),
            Objective::MeanFile => {
                let r = per_file();
                (!r.is_empty()).then(|| r.iter().sum::<f64>() / r.len() as f64)
            }
            Objective::MedianFile => {
                let mut r = per_file();
                r.sort_by(f64::total_cmp);
                match r.len() {
                    0 => None,
                    n if n % 2 == 1 => Some(r[n / 2]),
                    n => Some((r[n / 2 - 1] + r[n / 2]) / 2.0),
                }
            }
        }
    }

    /// The value with `source_bytes` charged against the original bytes of `files`.
    pub fn charged(self, files: &[FileResult], source_bytes: Option<u64>) -> Option<f64> {
        let original: u64 = files.iter().map(|f| f.original_bytes).sum();
        let charge = match (source_bytes, original) {
            (Some(s), o) if o > 0 => s as f64 / o as f64,
            _ => 0.0,
        };
        Some(self.value(files)? + charge)
    }
}

impl fmt::Display for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(category: &str, original: u64, charged: u64) -> FileResult {
        FileResult {
            file: format!("{category}-{original}"),
            category: category.into(),
            original_bytes: original,
            charged_bytes: charged,
        }
    }

    #[test]
    fn each_objective_weighs_files_its_own_way() {
        let files = [
            file("text", 1000, 250),
            file("random", 1000, 1000),
            file("text", 10, 5),
            file("edge", 0, 0),
        ];
        assert_eq!(Objective::Total.value(&files), Some(1255.0 / 2010.0));
        assert_eq!(Objective::Pareto.value(&files), Some(1255.0 / 2010.0));
        assert_eq!(Objective::Compressible.value(&files), Some(255.0 / 1010.0));
        assert_eq!(
            Objective::MeanFile.value(&files),
            Some((0.25 + 1.0 + 0.5) / 3.0)
        );
        assert_eq!(Objective::MedianFile.value(&files), Some(0.5));
        assert_eq!(
            Objective::Total.charged(&files, Some(201)),
            Some(1255.0 / 2010.0 + 0.1)
        );
        assert_eq!(Objective::MeanFile.value(&[]), None);
        for o in [
            "total",
            "mean-file",
            "median-file",
            "compressible",
            "pareto",
        ] {
            assert_eq!(Objective::parse(o).unwrap().as_str(), o);
        }
    }
}
