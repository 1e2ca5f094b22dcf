//! `results/loop.tsv`: one row per iteration of the loop, appended when it is decided.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

pub const HEADER: [&str; 16] = [
    "iteration",
    "utc",
    "commit",
    "status",
    "ratio",
    "delta",
    "compress_s",
    "decompress_s",
    "description",
    "holdout_ratio",
    "ratio_with_source",
    "reason",
    "objective",
    "score",
    "score_delta",
    "category_deltas",
];

/// Columns every row has; rows written before the objective columns have only these.
const FIRST_COLUMNS: usize = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The measured starting point (iteration 0, or after the code changed between sessions).
    Base,
    Keep,
    Discard,
    Crash,
    GuardFail,
    Timeout,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Base => "base",
            Status::Keep => "keep",
            Status::Discard => "discard",
            Status::Crash => "crash",
            Status::GuardFail => "guard-fail",
            Status::Timeout => "timeout",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Base,
            Status::Keep,
            Status::Discard,
            Status::Crash,
            Status::GuardFail,
            Status::Timeout,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A row. Ratios are compressed / original (printed in full precision, so they read back
/// exactly); seconds are wall-clock sums over files. `score` is the loop's objective with the
/// codec source charged (what decisions compare), `holdout_ratio` the objective's value on the
/// holdout; `category_deltas` the attempt's ratio minus the base's per category
/// (`text:-0.012 image:+0.001`), so a discard that won a category shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub iteration: u32,
    pub utc: String,
    pub commit: String,
    pub status: Status,
    pub ratio: Option<f64>,
    pub delta: Option<f64>,
    pub compress_s: Option<f64>,
    pub decompress_s: Option<f64>,
    pub description: String,
    pub holdout_ratio: Option<f64>,
    pub ratio_with_source: Option<f64>,
    pub reason: String,
    pub objective: String,
    pub score: Option<f64>,
    pub score_delta: Option<f64>,
    pub category_deltas: String,
}

fn cell(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// Tabs and line breaks would break the format; long texts are cut.
fn text(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    flat.trim().chars().take(400).collect()
}

impl Row {
    fn line(&self) -> String {
        [
            self.iteration.to_string(),
            self.utc.clone(),
            self.commit.clone(),
            self.status.as_str().to_string(),
            cell(self.ratio),
            cell(self.delta),
            cell(self.compress_s),
            cell(self.decompress_s),
            text(&self.description),
            cell(self.holdout_ratio),
            cell(self.ratio_with_source),
            text(&self.reason),
            text(&self.objective),
            cell(self.score),
            cell(self.score_delta),
            text(&self.category_deltas),
        ]
        .join("\t")
    }

    fn parse(line: &str) -> Option<Row> {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < FIRST_COLUMNS {
            return None;
        }
        let at = |i: usize| f.get(i).copied().unwrap_or_default();
        let num = |s: &str| s.parse::<f64>().ok();
        Some(Row {
            iteration: f[0].parse().ok()?,
            utc: f[1].into(),
            commit: f[2].into(),
            status: Status::parse(f[3])?,
            ratio: num(f[4]),
            delta: num(f[5]),
            compress_s: num(f[6]),
            decompress_s: num(f[7]),
            description: f[8].into(),
            holdout_ratio: num(f[9]),
            ratio_with_source: num(f[10]),
            reason: f[11].into(),
            objective: at(12).into(),
            score: num(at(13)),
            score_delta: num(at(14)),
            category_deltas: at(15).into(),
        })
    }
}

/// Every row of `path`; none when it does not exist.
pub fn read(path: &Path) -> Result<Vec<Row>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(Vec::new());
    };
    Ok(text.lines().skip(1).filter_map(Row::parse).collect())
}

pub fn append(path: &Path, row: &Row) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let new = !path.exists();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    let mut bytes = String::new();
    if new {
        bytes.push_str(&HEADER.join("\t"));
        bytes.push('\n');
    }
    bytes.push_str(&row.line());
    bytes.push('\n');
    file.write_all(bytes.as_bytes())
        .with_context(|| format!("appending to {}", path.display()))
}

/// `attempt - base` per category both have, as `name:+0.000123` separated by spaces.
pub fn category_deltas(
    base: &std::collections::BTreeMap<String, f64>,
    attempt: &std::collections::BTreeMap<String, f64>,
) -> String {
    attempt
        .iter()
        .filter_map(|(name, a)| Some(format!("{name}:{:+.6}", a - base.get(name)?)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The categories a row's deltas say it improved.
pub fn improved_categories(deltas: &str) -> Vec<&str> {
    deltas
        .split_whitespace()
        .filter_map(|d| {
            let (name, delta) = d.rsplit_once(':')?;
            (delta.parse::<f64>().ok()? < 0.0).then_some(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loop.tsv");
        let row = Row {
            iteration: 3,
            utc: "2026-01-01T00:00:00Z".into(),
            commit: "abc".into(),
            status: Status::GuardFail,
            ratio: Some(0.1 + 0.2),
            delta: None,
            compress_s: Some(1.5),
            decompress_s: None,
            description: "tab\there\nnewline".into(),
            holdout_ratio: None,
            ratio_with_source: Some(0.31),
            reason: "changed outside codec/: README.md".into(),
            objective: "total".into(),
            score: Some(0.31),
            score_delta: Some(-0.01),
            category_deltas: "text:-0.01".into(),
        };
        append(&path, &row).unwrap();
        append(&path, &row).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].ratio, Some(0.1 + 0.2));
        assert_eq!(back[0].description, "tab here newline");
        assert_eq!(back[0].status, Status::GuardFail);
        assert_eq!(back[0].category_deltas, "text:-0.01");
        assert_eq!(back[0].score_delta, Some(-0.01));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("iteration\tutc\tcommit\tstatus\tratio\tdelta"));
    }
}
