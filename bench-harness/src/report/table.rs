//! The terminal table: ratio per category for each codec, the best baseline, and costs.

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
    let mut out = String::new();
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
    cost("compress s (wall, sum)", &|s| {
        format!("{:.2}", s.compress_s)
    });
    cost("decompress s (wall, sum)", &|s| {
        format!("{:.2}", s.decompress_s)
    });
    cost("compress MB/s", &|s| opt(s.compress_mb_s, 2));
    cost("decompress MB/s", &|s| opt(s.decompress_mb_s, 2));
    cost("peak RSS MiB (max)", &|s| {
        format!("{:.1}", s.max_peak_rss_bytes as f64 / (1 << 20) as f64)
    });
    cost("mean per-file ratio", &|s| opt(s.mean_file_ratio, 4));
    cost("files failed", &|s| s.files_failed.to_string());
    out
}

fn cell_text(t: &Totals) -> String {
    match (t.ratio, t.files_failed) {
        (Some(r), 0) => format!("{r:.4}"),
        (Some(r), n) => format!("{r:.4}!{n}"),
        (None, 0) => "-".into(),
        (None, n) => format!("-!{n}"),
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|v| format!("{v:.digits$}"))
        .unwrap_or_else(|| "-".into())
}
