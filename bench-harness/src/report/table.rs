//! The terminal table: ratio per category for each codec, the best baseline, the edge files'
//! sizes, speed per category, and costs.

use crate::metrics::{CodecSummary, Totals};
use std::fmt::Write;

const CANDIDATE: &str = "candidate";

/// Renders the table for `summaries` (one per codec, in column order).
pub fn render(summaries: &[CodecSummary]) -> String {
    let mut categories: Vec<&String> = Vec::new();
    for s in summaries {
        for c in s.categories.keys() {
            if !categories.contains(&c) {
                categories.push(c);
            }
        }
    }
    categories.sort_by_key(|c| {
        crate::dataset::Category::ALL
            .iter()
            .position(|k| k.as_str() == c.as_str())
            .unwrap_or(usize::MAX)
    });
    let has_candidate = summaries.iter().any(|s| s.codec == CANDIDATE);
    let width = summaries
        .iter()
        .map(|s| s.codec.len())
        .max()
        .unwrap_or(0)
        .max(9);
    let mut out = String::from(
        "ratio = compressed / original bytes, lower is better; vs best: the candidate's ratio \
         against the best baseline's (negative: smaller)\n",
    );
    let _ = write!(out, "{:<16}{:>6}{:>11}", "ratio", "files", "MiB");
    for s in summaries {
        let _ = write!(out, " {:>width$}", s.codec);
    }
    let _ = write!(out, "  {:<24}", "best baseline");
    if has_candidate {
        let _ = write!(out, " {:>9}", "vs best");
    }
    out.push('\n');

    let mut line = |label: &str, pick: &dyn Fn(&CodecSummary) -> Option<&Totals>| {
        let first = summaries.iter().find_map(pick);
        let Some(first) = first else { return };
        let _ = write!(
            out,
            "{:<16}{:>6}{:>11.2}",
            label,
            first.files,
            first.original_bytes as f64 / (1 << 20) as f64
        );
        for s in summaries {
            let cell = pick(s).map(cell_text).unwrap_or_else(|| "-".into());
            let _ = write!(out, " {cell:>width$}");
        }
        let best = summaries
            .iter()
            .filter(|s| s.codec != CANDIDATE)
            .filter_map(|s| Some((s, pick(s)?.ratio?)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((s, r)) => {
                let _ = write!(out, "  {:<24}", format!("{} {r:.4}", s.codec));
            }
            None => {
                let _ = write!(out, "  {:<24}", "-");
            }
        }
        if has_candidate {
            let cand = summaries
                .iter()
                .find(|s| s.codec == CANDIDATE)
                .and_then(pick)
                .and_then(|t| t.ratio);
            let delta = match (cand, best) {
                (Some(c), Some((_, b))) if b > 0.0 => format!("{:+.1}%", (c / b - 1.0) * 100.0),
                _ => "-".into(),
            };
            let _ = write!(out, " {delta:>9}");
        }
        out.push('\n');
    };
    for c in &categories {
        line(c, &|s: &CodecSummary| s.categories.get(c.as_str()));
    }
    line("compressible", &|s: &CodecSummary| {
        Some(&s.compressible).filter(|t| t.files > 0)
    });
    line("already-compr.", &|s: &CodecSummary| {
        Some(&s.already_compressed).filter(|t| t.files > 0)
    });
    line("OVERALL", &|s: &CodecSummary| Some(&s.overall));
    edge_block(&mut out, summaries, width);

    out.push('\n');
    let _ = write!(out, "{:<33}", "MB/s (compress/decompress)");
    for s in summaries {
        let _ = write!(out, " {:>width$}", s.codec);
    }
    out.push('\n');
    let mut speeds = |label: &str, pick: &dyn Fn(&CodecSummary) -> Option<&Totals>| {
        let _ = write!(out, "{label:<33}");
        for s in summaries {
            let cell = pick(s).map(speed_text).unwrap_or_else(|| "-".into());
            let _ = write!(out, " {cell:>width$}");
        }
        out.push('\n');
    };
    for c in &categories {
        speeds(c, &|s: &CodecSummary| s.categories.get(c.as_str()));
    }
    speeds("OVERALL", &|s: &CodecSummary| Some(&s.overall));

    out.push('\n');
    let _ = write!(out, "{:<33}", "cost");
    for s in summaries {
        let _ = write!(out, " {:>width$}", s.codec);
    }
    out.push('\n');
    let mut cost = |label: &str, value: &dyn Fn(&CodecSummary) -> String| {
        let _ = write!(out, "{label:<33}");
        for s in summaries {
            let _ = write!(out, " {:>width$}", value(s));
        }
        out.push('\n');
    };
    cost("compress s (sum)", &|s| format!("{:.2}", s.compress_s));
    cost("decompress s (sum)", &|s| format!("{:.2}", s.decompress_s));
    cost("compress MB/s", &|s| opt(s.compress_mb_s, 2));
    cost("decompress MB/s", &|s| opt(s.decompress_mb_s, 2));
    cost("peak RSS MiB (max)", &|s| {
        format!("{:.1}", s.max_peak_rss_bytes as f64 / (1 << 20) as f64)
    });
    cost("mean per-file ratio (no edge)", &|s| {
        opt(s.mean_file_ratio, 4)
    });
    cost("median per-file ratio (no edge)", &|s| {
        opt(s.median_file_ratio, 4)
    });
    cost("files failed", &|s| s.files_failed.to_string());
    if summaries.iter().any(|s| s.overall.files_cached > 0) {
        out.push_str(CACHED_NOTE);
        out.push('\n');
    }
    out
}

/// The `edge` files one by one: bytes in, and each codec's compressed bytes (for the empty
/// and one-byte files, the codec's fixed overhead); `FAILED` where the codec failed.
fn edge_block(out: &mut String, summaries: &[CodecSummary], width: usize) {
    let Some(first) = summaries.iter().find(|s| !s.edge_files.is_empty()) else {
        return;
    };
    let _ = write!(out, "\n{:<33}", "edge files: compressed bytes");
    for s in summaries {
        let _ = write!(out, " {:>width$}", s.codec);
    }
    out.push('\n');
    for (i, file) in first.edge_files.iter().enumerate() {
        let label = format!("{} ({} B)", file.file, file.original_bytes);
        let _ = write!(out, "{label:<33}");
        for s in summaries {
            let cell = match s.edge_files.get(i).filter(|e| e.file == file.file) {
                Some(e) => e
                    .compressed_bytes
                    .map_or("FAILED".to_string(), |b| b.to_string()),
                None => "-".into(),
            };
            let _ = write!(out, " {cell:>width$}");
        }
        out.push('\n');
    }
}

/// A timing spread (slowest runs over fastest, minus one) as `+12.5%`; `-` when unmeasured.
pub fn spread_text(spread: Option<f64>) -> String {
    spread.map_or("-".to_string(), |x| format!("+{:.1}%", 100.0 * x))
}

fn cell_text(t: &Totals) -> String {
    let text = match (t.ratio, t.files_failed) {
        (Some(r), 0) => format!("{r:.4}"),
        (Some(r), n) => format!("{r:.4}!{n}"),
        (None, 0) => "-".into(),
        (None, n) => format!("-!{n}"),
    };
    text + cached_mark(t)
}

/// `*` on a cell with figures from the baseline cache (see [`CACHED_NOTE`]).
fn cached_mark(t: &Totals) -> &'static str {
    if t.files_cached > 0 {
        "*"
    } else {
        ""
    }
}

/// The footnote of cells marked `*`.
pub const CACHED_NOTE: &str = "* includes figures reused from the baseline cache: measured by an \
     earlier run on the same bytes with the same library and limits (--no-cache measures again)";

/// "1.21/0.96": compress and decompress MB/s, with fewer decimals as they grow, so that a
/// cell stays within nine characters.
fn speed_text(t: &Totals) -> String {
    let one = |v: Option<f64>| match v {
        None => "-".to_string(),
        Some(v) if v >= 99.5 => format!("{v:.0}"),
        Some(v) if v >= 9.95 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    };
    format!(
        "{}/{}{}",
        one(t.compress_mb_s),
        one(t.decompress_mb_s),
        cached_mark(t)
    )
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|v| format!("{v:.digits$}"))
        .unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::summarize;
    use crate::run::row::FileRow;

    fn row(codec: &str, category: &str, original: u64, seconds: (f64, f64)) -> FileRow {
        FileRow::timed(codec, category, original, original / 4, seconds)
    }

    #[test]
    fn edge_files_are_listed_by_bytes_and_kept_out_of_the_ratio_rows() {
        let mut failed = FileRow::timed("gzip:9", "edge", 1, 21, (0.1, 0.1));
        failed.status = crate::run::row::Status::Crashed;
        let rows = [
            row("candidate", "text", 4000, (1.0, 1.0)),
            FileRow::timed("candidate", "edge", 0, 12, (0.1, 0.1)),
            FileRow::timed("candidate", "edge", 1, 14, (0.1, 0.1)),
            row("gzip:9", "text", 4000, (1.0, 1.0)),
            FileRow::timed("gzip:9", "edge", 0, 20, (0.1, 0.1)),
            failed,
        ];
        let table = render(&summarize(&rows, &["candidate".into(), "gzip:9".into()]));
        assert!(table.starts_with("ratio = compressed / original bytes, lower is better"));
        let ratio_rows: Vec<&str> = table
            .lines()
            .skip(2)
            .take_while(|l| !l.is_empty())
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(ratio_rows, ["text", "compressible", "OVERALL"]);
        let edge: Vec<Vec<&str>> = table
            .lines()
            .skip_while(|l| !l.starts_with("edge files: compressed bytes"))
            .skip(1)
            .take(2)
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(
            edge,
            [
                vec!["edge-0", "(0", "B)", "12", "20"],
                vec!["edge-1", "(1", "B)", "14", "FAILED"]
            ]
        );
        assert!(table.contains("median per-file ratio (no edge)"), "{table}");
    }

    #[test]
    fn speeds_are_shown_per_category_in_cells_of_nine_characters_at_most() {
        let rows = [
            row("candidate", "text", 2_000_000, (2.0, 2.5)),
            row("candidate", "audio", 3_000_000, (1.0, 0.5)),
            row("gzip:9", "text", 2_000_000, (0.001, 0.0004)),
            row("gzip:9", "audio", 3_000_000, (0.2, 0.03)),
        ];
        let table = render(&summarize(&rows, &["candidate".into(), "gzip:9".into()]));
        let speed_line = |label: &str| {
            table
                .lines()
                .skip_while(|l| !l.starts_with("MB/s (compress/decompress)"))
                .find(|l| l.starts_with(label))
                .unwrap_or_else(|| panic!("no {label} speed line in\n{table}"))
                .split_whitespace()
                .skip(1)
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert_eq!(speed_line("text"), ["1.00/0.80", "2000/5000"]);
        assert_eq!(speed_line("audio"), ["3.00/6.00", "15.0/100"]);
        assert_eq!(speed_line("OVERALL"), ["1.67/1.67", "24.9/164"]);
    }
}
