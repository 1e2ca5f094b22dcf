//! The summary table of a run, one row per codec, in the order `--sort` asks for, and its
//! exports (`--export-markdown`, `--export-csv`, `--export-json`), as hyperfine exports its
//! results. The per-file rows stay in the run's `files.csv`.

use crate::metrics::CodecSummary;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The order of codecs in a run's table and exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SortBy {
    /// As given by --codec
    Given,
    /// Overall ratio, lowest (best) first
    Ratio,
    /// Overall compress MB/s, fastest first
    Compress,
    /// Overall decompress MB/s, fastest first
    Decompress,
    /// Codec name
    Name,
}

/// Sorts `summaries` in place; codecs without the figure sorted on go last, and ties keep
/// the given order.
pub fn sort(summaries: &mut [CodecSummary], by: SortBy) {
    // Larger is better for speeds: sort on the negated value.
    let key = |s: &CodecSummary| match by {
        SortBy::Given | SortBy::Name => None,
        SortBy::Ratio => s.overall.ratio,
        SortBy::Compress => s.compress_mb_s.map(|v| -v),
        SortBy::Decompress => s.decompress_mb_s.map(|v| -v),
    };
    match by {
        SortBy::Given => {}
        SortBy::Name => summaries.sort_by(|a, b| a.codec.cmp(&b.codec)),
        _ => summaries.sort_by(|a, b| match (key(a), key(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }),
    }
}

/// One codec's line of the summary table. Ratios are compressed / original; speeds MB/s of
/// original bytes (10^6) per wall second; seconds summed over files.
#[derive(Clone, Debug, Serialize)]
pub struct SummaryRow {
    pub codec: String,
    pub ratio: Option<f64>,
    pub compress_mb_s: Option<f64>,
    pub decompress_mb_s: Option<f64>,
    pub compress_s: f64,
    pub decompress_s: f64,
    pub max_peak_rss_bytes: u64,
    pub mean_file_ratio: Option<f64>,
    pub median_file_ratio: Option<f64>,
    pub files_failed: usize,
    /// Ratio per category (no `edge`).
    pub categories: BTreeMap<String, Option<f64>>,
}

pub fn rows(summaries: &[CodecSummary]) -> Vec<SummaryRow> {
    summaries
        .iter()
        .map(|s| SummaryRow {
            codec: s.codec.clone(),
            ratio: s.overall.ratio,
            compress_mb_s: s.compress_mb_s,
            decompress_mb_s: s.decompress_mb_s,
            compress_s: s.compress_s,
            decompress_s: s.decompress_s,
            max_peak_rss_bytes: s.max_peak_rss_bytes,
            mean_file_ratio: s.mean_file_ratio,
            median_file_ratio: s.median_file_ratio,
            files_failed: s.files_failed,
            categories: s
                .categories
                .iter()
                .map(|(k, t)| (k.clone(), t.ratio))
                .collect(),
        })
        .collect()
}

/// The categories of any row, in the reports' order.
fn categories(rows: &[SummaryRow]) -> Vec<String> {
    let mut all: Vec<String> = rows
        .iter()
        .flat_map(|r| r.categories.keys().cloned())
        .collect();
    all.sort_by_key(|c| {
        crate::dataset::Category::ALL
            .iter()
            .position(|k| k.as_str() == c.as_str())
            .unwrap_or(usize::MAX)
    });
    all.dedup();
    all
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or(String::new(), |v| format!("{v:.digits$}"))
}

/// A GitHub-flavoured Markdown table.
pub fn markdown(rows: &[SummaryRow]) -> String {
    let cats = categories(rows);
    let mut out =
        String::from("| codec | ratio | compress MB/s | decompress MB/s | peak RSS MiB | failed |");
    for c in &cats {
        let _ = write!(out, " {c} |");
    }
    out.push_str("\n|:--|--:|--:|--:|--:|--:|");
    out.push_str(&"--:|".repeat(cats.len()));
    out.push('\n');
    for r in rows {
        let _ = write!(
            out,
            "| `{}` | {} | {} | {} | {:.1} | {} |",
            r.codec.replace('|', "\\|"),
            num(r.ratio, 4),
            num(r.compress_mb_s, 2),
            num(r.decompress_mb_s, 2),
            r.max_peak_rss_bytes as f64 / (1 << 20) as f64,
            r.files_failed
        );
        for c in &cats {
            let _ = write!(out, " {} |", num(r.categories.get(c).copied().flatten(), 4));
        }
        out.push('\n');
    }
    out
}

/// CSV with a header; categories as `ratio_<category>` columns; empty cells for no value.
pub fn csv(rows: &[SummaryRow]) -> Result<String> {
    let cats = categories(rows);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "codec",
        "ratio",
        "compress_mb_s",
        "decompress_mb_s",
        "compress_s",
        "decompress_s",
        "max_peak_rss_bytes",
        "mean_file_ratio",
        "median_file_ratio",
        "files_failed",
    ]
    .map(String::from)
    .to_vec();
    header.extend(cats.iter().map(|c| format!("ratio_{c}")));
    writer.write_record(&header)?;
    let full = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for r in rows {
        let mut record = vec![
            r.codec.clone(),
            full(r.ratio),
            full(r.compress_mb_s),
            full(r.decompress_mb_s),
            r.compress_s.to_string(),
            r.decompress_s.to_string(),
            r.max_peak_rss_bytes.to_string(),
            full(r.mean_file_ratio),
            full(r.median_file_ratio),
            r.files_failed.to_string(),
        ];
        record.extend(
            cats.iter()
                .map(|c| full(r.categories.get(c).copied().flatten())),
        );
        writer.write_record(&record)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// The rows as a JSON array, in table order.
pub fn json(rows: &[SummaryRow]) -> Result<String> {
    Ok(serde_json::to_string_pretty(rows)? + "\n")
}

/// Writes each export asked for.
pub fn write_all(
    rows: &[SummaryRow],
    markdown_path: Option<&Path>,
    csv_path: Option<&Path>,
    json_path: Option<&Path>,
) -> Result<()> {
    let write = |path: Option<&Path>, render: &dyn Fn() -> Result<String>| match path {
        Some(path) => std::fs::write(path, render()?)
            .with_context(|| format!("writing the export {}", path.display())),
        None => Ok(()),
    };
    write(markdown_path, &|| Ok(markdown(rows)))?;
    write(csv_path, &|| csv(rows))?;
    write(json_path, &|| json(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::summarize;
    use crate::run::row::FileRow;

    fn summaries() -> Vec<CodecSummary> {
        let rows = [
            FileRow::timed("candidate", "text", 1_000_000, 250_000, (2.0, 4.0)),
            FileRow::timed("gzip:9", "text", 1_000_000, 400_000, (0.1, 0.01)),
            FileRow::timed("xz:9", "text", 1_000_000, 300_000, (0.5, 0.05)),
            FileRow::timed("xz:9", "edge", 1, 60, (0.5, 0.05)),
        ];
        let order = ["candidate", "gzip:9", "xz:9"].map(String::from);
        summarize(&rows, &order)
    }

    fn order(s: &[CodecSummary]) -> Vec<&str> {
        s.iter().map(|s| s.codec.as_str()).collect()
    }

    #[test]
    fn sorting_puts_the_best_first() {
        let mut s = summaries();
        sort(&mut s, SortBy::Ratio);
        assert_eq!(order(&s), ["candidate", "xz:9", "gzip:9"]);
        sort(&mut s, SortBy::Compress);
        assert_eq!(order(&s), ["gzip:9", "xz:9", "candidate"]);
        sort(&mut s, SortBy::Name);
        assert_eq!(order(&s), ["candidate", "gzip:9", "xz:9"]);
    }

    #[test]
    fn exports_hold_one_row_per_codec() {
        let rows = rows(&summaries());
        let md = markdown(&rows);
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(
            lines[0],
            "| codec | ratio | compress MB/s | decompress MB/s | peak RSS MiB | failed | text |"
        );
        assert_eq!(lines[1], "|:--|--:|--:|--:|--:|--:|--:|");
        assert_eq!(
            lines[2],
            "| `candidate` | 0.2500 | 0.50 | 0.25 | 0.0 | 0 | 0.2500 |"
        );
        assert_eq!(lines.len(), 5);
        let csv = csv(&rows).unwrap();
        let mut csv_lines = csv.lines();
        assert_eq!(
            csv_lines.next().unwrap(),
            "codec,ratio,compress_mb_s,decompress_mb_s,compress_s,decompress_s,\
             max_peak_rss_bytes,mean_file_ratio,median_file_ratio,files_failed,ratio_text"
        );
        assert_eq!(
            csv_lines.next().unwrap(),
            "candidate,0.25,0.5,0.25,2,4,20,0.25,0.25,0,0.25"
        );
        let json: serde_json::Value = serde_json::from_str(&json(&rows).unwrap()).unwrap();
        assert_eq!(json[2]["codec"], "xz:9");
        assert_eq!(json[2]["categories"]["text"], 0.3);
        assert!(json[2]["categories"].get("edge").is_none());
    }
}
