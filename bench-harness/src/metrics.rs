//! Aggregates rows into per-codec and per-category figures.
//!
//! Ratio = total compressed bytes / total original bytes (lower is better). A failed file is
//! charged its original size (as if stored), so failing never improves a ratio.
//!
//! Files of the `edge` category (empty, one byte, zeros, short repeats) count in the overall
//! and compressible totals, but not as a category of their own nor in the per-file ratio
//! statistics: their ratios (a header over one byte) say nothing about compression. They are
//! listed one by one in `edge_files`, by compressed bytes.

use crate::dataset::Category;
use crate::run::row::FileRow;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    pub files: usize,
    pub files_failed: usize,
    /// Files whose figures were reused from the baseline cache (measured by an earlier run).
    #[serde(default)]
    pub files_cached: usize,
    pub original_bytes: u64,
    pub compressed_bytes: u64,
    /// compressed / original; `None` when there are no original bytes.
    pub ratio: Option<f64>,
    /// Wall seconds summed over the files that passed, and their original bytes.
    pub compress_s: f64,
    pub decompress_s: f64,
    pub timed_bytes: u64,
    /// Timed original bytes (10^6) per wall second; `None` without timed seconds.
    pub compress_mb_s: Option<f64>,
    pub decompress_mb_s: Option<f64>,
}

impl Totals {
    fn add(&mut self, row: &FileRow) {
        self.files += 1;
        self.files_failed += usize::from(!row.ok());
        self.files_cached += usize::from(row.cached);
        self.original_bytes += row.original_bytes;
        self.compressed_bytes += row.charged_bytes();
        self.ratio = (self.original_bytes > 0)
            .then(|| self.compressed_bytes as f64 / self.original_bytes as f64);
        if let (true, Some(c), Some(d)) =
            (row.ok(), row.compress_seconds(), row.decompress_seconds())
        {
            self.compress_s += c;
            self.decompress_s += d;
            self.timed_bytes += row.original_bytes;
            let mb = self.timed_bytes as f64 / 1e6;
            self.compress_mb_s = (self.compress_s > 0.0).then(|| mb / self.compress_s);
            self.decompress_mb_s = (self.decompress_s > 0.0).then(|| mb / self.decompress_s);
        }
    }
}

/// Everything reported about one codec over one run. Seconds are wall-clock sums over files;
/// MB/s are original bytes (10^6) per wall second.
#[derive(Clone, Debug, Serialize)]
pub struct CodecSummary {
    pub codec: String,
    pub overall: Totals,
    /// Files whose category is expected to compress (not `compressed` or `random`).
    pub compressible: Totals,
    /// Files in the `compressed` category.
    pub already_compressed: Totals,
    /// Every category but `edge`.
    pub categories: BTreeMap<String, Totals>,
    /// Mean and median of per-file ratios over the files that succeeded, `edge` files aside.
    pub mean_file_ratio: Option<f64>,
    pub median_file_ratio: Option<f64>,
    /// The `edge` files, one by one.
    pub edge_files: Vec<EdgeFile>,
    pub compress_s: f64,
    pub decompress_s: f64,
    pub compress_mb_s: Option<f64>,
    pub decompress_mb_s: Option<f64>,
    pub max_peak_rss_bytes: u64,
    pub files_failed: usize,
    /// With `--repeat N` (N > 1): how much longer the slowest runs took than the fastest, as a
    /// fraction of the fastest (summed over the files that passed): the timing noise of the run.
    pub compress_spread: Option<f64>,
    pub decompress_spread: Option<f64>,
}

/// One file of the `edge` category: what a codec made of it, in bytes.
#[derive(Clone, Debug, Serialize)]
pub struct EdgeFile {
    pub file: String,
    pub original_bytes: u64,
    /// `None` when the codec failed the file.
    pub compressed_bytes: Option<u64>,
    pub status: String,
}

/// One summary per codec, in the order codecs first appear in `codec_order`.
pub fn summarize(rows: &[FileRow], codec_order: &[String]) -> Vec<CodecSummary> {
    codec_order
        .iter()
        .map(|codec| summarize_codec(codec, rows.iter().filter(|r| &r.codec == codec)))
        .collect()
}

fn summarize_codec<'a>(codec: &str, rows: impl Iterator<Item = &'a FileRow>) -> CodecSummary {
    let mut s = CodecSummary {
        codec: codec.to_string(),
        overall: Totals::default(),
        compressible: Totals::default(),
        already_compressed: Totals::default(),
        categories: BTreeMap::new(),
        mean_file_ratio: None,
        median_file_ratio: None,
        edge_files: Vec::new(),
        compress_s: 0.0,
        decompress_s: 0.0,
        compress_mb_s: None,
        decompress_mb_s: None,
        max_peak_rss_bytes: 0,
        files_failed: 0,
        compress_spread: None,
        decompress_spread: None,
    };
    let mut file_ratios: Vec<f64> = Vec::new();
    // Fastest and slowest seconds summed over rows timed more than once.
    let mut spans = [(0.0, 0.0, false); 2];
    for row in rows {
        s.overall.add(row);
        let category: Category = row.category.parse().unwrap_or(Category::Binary);
        if category == Category::Compressed {
            s.already_compressed.add(row);
        }
        if category.is_compressible() {
            s.compressible.add(row);
        }
        if category == Category::Edge {
            s.edge_files.push(EdgeFile {
                file: row.file.clone(),
                original_bytes: row.original_bytes,
                compressed_bytes: row.compressed_bytes.filter(|_| row.ok()),
                status: row.status.as_str().to_string(),
            });
        } else {
            s.categories
                .entry(row.category.clone())
                .or_default()
                .add(row);
            if let (true, Some(r)) = (row.ok(), row.ratio) {
                file_ratios.push(r);
            }
        }
        let timed = [
            (row.compress_seconds(), row.compress_slowest_s),
            (row.decompress_seconds(), row.decompress_slowest_s),
        ];
        for (span, times) in spans.iter_mut().zip(timed) {
            if let (true, (Some(fast), Some(slow))) = (row.ok(), times) {
                *span = (span.0 + fast, span.1 + slow, true);
            }
        }
        s.max_peak_rss_bytes = s
            .max_peak_rss_bytes
            .max(row.compress_peak_rss_bytes.unwrap_or(0))
            .max(row.decompress_peak_rss_bytes.unwrap_or(0));
    }
    s.files_failed = s.overall.files_failed;
    s.mean_file_ratio = (!file_ratios.is_empty())
        .then(|| file_ratios.iter().sum::<f64>() / file_ratios.len() as f64);
    s.median_file_ratio = median(&mut file_ratios);
    s.compress_s = s.overall.compress_s;
    s.decompress_s = s.overall.decompress_s;
    s.compress_mb_s = s.overall.compress_mb_s;
    s.decompress_mb_s = s.overall.decompress_mb_s;
    let spread =
        |(fast, slow, any): (f64, f64, bool)| (any && fast > 0.0).then(|| slow / fast - 1.0);
    s.compress_spread = spread(spans[0]);
    s.decompress_spread = spread(spans[1]);
    s
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::row::Status;

    fn row(codec: &str, category: &str, original: u64, compressed: u64, status: Status) -> FileRow {
        FileRow {
            status,
            ..FileRow::timed(codec, category, original, compressed, (1.0, 0.5))
        }
    }

    #[test]
    fn spread_sums_the_passed_files_timed_more_than_once() {
        let timed = |status, slow_c, slow_d| FileRow {
            compress_slowest_s: Some(slow_c),
            decompress_slowest_s: Some(slow_d),
            ..row("c", "text", 100, 50, status)
        };
        let rows = [
            timed(Status::Ok, 1.5, 0.5),
            timed(Status::Ok, 1.1, 0.6),
            timed(Status::Mismatch, 9.0, 9.0),
            row("c", "text", 100, 50, Status::Ok),
        ];
        let s = &summarize(&rows, &["c".into()])[0];
        assert!((s.compress_spread.unwrap() - 0.3).abs() < 1e-12, "{s:?}");
        assert!((s.decompress_spread.unwrap() - 0.1).abs() < 1e-12, "{s:?}");
        let once = &summarize(&rows[3..], &["c".into()])[0];
        assert_eq!((once.compress_spread, once.decompress_spread), (None, None));
    }

    #[test]
    fn edge_files_stand_apart_from_categories_and_per_file_ratios() {
        let rows = vec![
            row("a", "text", 1000, 250, Status::Ok),
            row("a", "text", 1000, 500, Status::Ok),
            row("a", "audio", 1000, 600, Status::Ok),
            row("a", "edge", 1, 19, Status::Ok),
            row("a", "edge", 0, 12, Status::Ok),
            row("a", "edge", 64, 64, Status::Crashed),
        ];
        let s = &summarize(&rows, &["a".into()])[0];
        assert_eq!(s.categories.keys().collect::<Vec<_>>(), ["audio", "text"]);
        assert_eq!(s.mean_file_ratio, Some((0.25 + 0.5 + 0.6) / 3.0));
        assert_eq!(s.median_file_ratio, Some(0.5));
        let edge: Vec<(&str, u64, Option<u64>, &str)> = s
            .edge_files
            .iter()
            .map(|e| {
                (
                    e.file.as_str(),
                    e.original_bytes,
                    e.compressed_bytes,
                    e.status.as_str(),
                )
            })
            .collect();
        assert_eq!(
            edge,
            [
                ("edge-1", 1, Some(19), "ok"),
                ("edge-0", 0, Some(12), "ok"),
                ("edge-64", 64, None, "crashed")
            ]
        );
        // The overall totals still hold every file: 3000 + 65 bytes in, failed one charged.
        assert_eq!(s.overall.original_bytes, 3065);
        assert_eq!(s.overall.compressed_bytes, 250 + 500 + 600 + 19 + 12 + 64);
        let even = summarize(&rows[..2], &["a".into()]);
        assert_eq!(even[0].median_file_ratio, Some(0.375));
    }

    #[test]
    fn aggregate_ratio_is_total_over_total_and_failures_count_as_stored() {
        let rows = vec![
            row("a", "text", 1000, 250, Status::Ok),
            row("a", "compressed", 1000, 1001, Status::Ok),
            row("a", "text", 2000, 10, Status::Mismatch),
            row("b", "text", 1000, 500, Status::Ok),
        ];
        let s = summarize(&rows, &["a".into(), "b".into()]);
        assert_eq!(s[0].overall.compressed_bytes, 250 + 1001 + 2000);
        assert_eq!(s[0].overall.ratio, Some(3251.0 / 4000.0));
        assert_eq!(s[0].compressible.ratio, Some(2250.0 / 3000.0));
        assert_eq!(s[0].already_compressed.ratio, Some(1.001));
        assert_eq!(s[0].files_failed, 1);
        assert_eq!(s[0].mean_file_ratio, Some((0.25 + 1.001) / 2.0));
        assert_eq!(s[0].max_peak_rss_bytes, 20);
        assert_eq!(s[1].categories["text"].ratio, Some(0.5));
        assert_eq!(s[1].compress_mb_s, Some(0.001));
        // Speeds per category count only the files that passed.
        let text = &s[0].categories["text"];
        assert_eq!((text.compress_s, text.timed_bytes), (1.0, 1000));
        assert_eq!(text.decompress_mb_s, Some(0.002));
        assert_eq!(s[0].overall.compress_s, 2.0);
        assert_eq!(s[0].compressible.compress_mb_s, Some(0.001));
    }
}
