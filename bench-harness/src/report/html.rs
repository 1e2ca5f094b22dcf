//! `results/report.html`: one self-contained page (inline SVG, no scripts, no external
//! resources) from the history (`results.csv`), the loop's table (`loop.tsv`) and the latest
//! run directory that measured the candidate beside baselines.

use super::charts::{self, ProgressPoint, Series, TradeOff};
use super::svg::esc;
use crate::agent::cycle::tsv::{self, Row};
use crate::history::{self, HistoryRow};
use anyhow::{Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Writes the report for `results_dir` to `out`.
pub fn write(results_dir: &Path, out: &Path) -> Result<()> {
    let page = render(results_dir)?;
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, page).with_context(|| format!("writing {}", out.display()))
}

pub fn render(results_dir: &Path) -> Result<String> {
    let history_path = results_dir.join("results.csv");
    let history = if history_path.exists() {
        history::read(&history_path)?
    } else {
        Vec::new()
    };
    let loop_rows = tsv::read(&results_dir.join("loop.tsv"))?;
    let (points, progress_note) = progress_points(&history, &loop_rows);
    let latest = latest_comparison(results_dir);
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Compression bench report</h1><p class=\"meta\">generated {} from {}</p>",
        esc(&crate::run::now_utc()),
        esc(&results_dir.display().to_string())
    );
    body.push_str(&headline(&history, &loop_rows));
    body.push_str("<h2>Progress</h2>");
    body.push_str(&charts::progress(&points, &progress_note));
    match &latest {
        Some((dir, summary)) => {
            let note = format!(
                "run {} on {}{}",
                summary["run_id"].as_str().unwrap_or("?"),
                summary["dataset"].as_str().unwrap_or("?"),
                if is_part(summary) {
                    format!(
                        " ({} of its files, by --filter or --quick)",
                        summary["dataset_files"].as_u64().unwrap_or(0)
                    )
                } else {
                    String::new()
                }
            );
            let (cats, series) = category_series(summary);
            body.push_str("<h2>Per category</h2>");
            body.push_str(&charts::categories(&cats, &series, &note));
            body.push_str("<h2>Ratio against speed</h2>");
            body.push_str(&charts::tradeoff(&tradeoffs(summary), &note));
            body.push_str(&speed_table(&cats, summary));
            let _ = write!(
                body,
                "<p class=\"meta\">from {}</p>",
                esc(&dir.display().to_string())
            );
        }
        None => body.push_str(
            "<h2>Per category</h2><p>No run directory with the candidate beside a baseline \
             yet: <code>cargo harness run</code> makes one.</p>",
        ),
    }
    body.push_str(&loop_table(&loop_rows));
    Ok(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Compression bench report</title><style>{STYLE}</style></head><body>{body}</body></html>\n"
    ))
}

const STYLE: &str = "body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}\
svg.chart{display:block;margin:1em 0;border:1px solid #ddd}\
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}\
.meta{color:#666;font-size:12px}.keep{color:#1a9850}.discard{color:#777}";

/// The progress points: candidate runs of the most-run dataset from the history, in time
/// order, each marked with its loop status (label `loop:N`), plus loop iterations that
/// failed before any run was recorded.
fn progress_points(history: &[HistoryRow], loop_rows: &[Row]) -> (Vec<ProgressPoint>, String) {
    let candidate: Vec<&HistoryRow> = history.iter().filter(|r| r.codec == "candidate").collect();
    let mut per_set: BTreeMap<FileSet, usize> = BTreeMap::new();
    for r in candidate.iter().filter(|r| !r.label.ends_with(" holdout")) {
        *per_set.entry(file_set(r)).or_default() += 1;
    }
    let set = per_set
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(set, _)| set);
    let mut events: Vec<(String, ProgressPoint)> = Vec::new();
    let mut measured = std::collections::BTreeSet::new();
    let mut dataset = String::new();
    for r in candidate.iter().filter(|r| Some(file_set(r)) == set) {
        dataset = r.dataset.clone();
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
        None => "no recorded runs".into(),
    };
    (events.into_iter().map(|(_, p)| p).collect(), note)
}

/// The files a history line measured: its dataset's fingerprint, and the fingerprint of the
/// files `--filter` or `--quick` selected (`None` for the whole dataset, and for lines older
/// than the selection column, all of which measured whole datasets).
type FileSet = (String, Option<String>);

fn file_set(r: &HistoryRow) -> FileSet {
    let part = (r.whole_dataset() == Some(false)).then(|| r.selection_fingerprint.clone());
    (r.dataset_fingerprint.clone(), part)
}

/// The loop status of a history line by its label: `loop:N` is iteration N, `loop:N base`
/// the base, anything else was recorded by hand.
fn loop_status(label: &str, loop_rows: &[Row]) -> (String, Option<u32>) {
    let Some(rest) = label.strip_prefix("loop:") else {
        return ("recorded".into(), None);
    };
    if rest.ends_with(" base") {
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

/// The newest run directory whose summary has the candidate and at least one other codec,
/// preferring runs of a whole dataset to those of files `--filter` or `--quick` selected (an
/// interrupted run, whose totals cover only part of its dataset, does not count).
fn latest_comparison(results_dir: &Path) -> Option<(PathBuf, Value)> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(results_dir.join("runs"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.sort();
    let comparisons: Vec<(PathBuf, Value)> = dirs
        .into_iter()
        .rev()
        .filter_map(|dir| {
            let text = std::fs::read_to_string(dir.join("summary.json")).ok()?;
            let summary: Value = serde_json::from_str(&text).ok()?;
            if summary["interrupted"] == true {
                return None;
            }
            let codecs = summary["codecs"].as_array()?;
            let has_candidate = codecs.iter().any(|c| c["codec"] == "candidate");
            (has_candidate && codecs.len() > 1).then_some((dir, summary))
        })
        .collect();
    let newest = comparisons.first().cloned();
    comparisons
        .into_iter()
        .find(|(_, summary)| !is_part(summary))
        .or(newest)
}

/// True when a run measured only some files of its dataset (summaries older than the
/// `selection` field measured whole ones).
fn is_part(summary: &Value) -> bool {
    summary["selection"]
        .as_str()
        .is_some_and(|sel| Some(sel) != summary["fingerprint"].as_str())
}

fn category_series(summary: &Value) -> (Vec<String>, Vec<Series>) {
    let codecs = summary["codecs"].as_array().cloned().unwrap_or_default();
    let mut cats: Vec<String> = Vec::new();
    for c in &codecs {
        if let Some(m) = c["categories"].as_object() {
            for k in m.keys() {
                if !cats.contains(k) {
                    cats.push(k.clone());
                }
            }
        }
    }
    cats.sort_by_key(|c| {
        crate::dataset::Category::ALL
            .iter()
            .position(|k| k.as_str() == c.as_str())
            .unwrap_or(usize::MAX)
    });
    let mut series: Vec<Series> = codecs
        .iter()
        .map(|c| Series {
            codec: c["codec"].as_str().unwrap_or("?").to_string(),
            ratios: cats
                .iter()
                .map(|k| c["categories"][k]["ratio"].as_f64())
                .collect(),
        })
        .collect();
    series.sort_by_key(|s| s.codec != "candidate");
    (cats, series)
}

/// Compress / decompress MB/s of every codec in every category of `cats`, as a table (empty
/// for runs made before per-category speeds were recorded).
fn speed_table(cats: &[String], summary: &Value) -> String {
    let codecs = summary["codecs"].as_array().cloned().unwrap_or_default();
    let speed = |c: &Value, key: &str| c["categories"][key]["compress_mb_s"].as_f64();
    if !codecs
        .iter()
        .any(|c| cats.iter().any(|k| speed(c, k).is_some()))
    {
        return String::new();
    }
    let repeat = summary["repeat"].as_u64().unwrap_or(1);
    let mut out = format!(
        "<h2>Speed per category</h2><p class=\"meta\">compress / decompress MB/s \
         (10<sup>6</sup> bytes of input per wall-clock second{})</p><table class=\"speeds\"><tr><th>category</th>",
        if repeat > 1 {
            format!(", the fastest of {repeat} runs")
        } else {
            String::new()
        }
    );
    for c in &codecs {
        let _ = write!(out, "<th>{}</th>", esc(c["codec"].as_str().unwrap_or("?")));
    }
    out.push_str("</tr>");
    let cell = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    for k in cats {
        let _ = write!(out, "<tr><td>{}</td>", esc(k));
        for c in &codecs {
            let t = &c["categories"][k];
            let _ = write!(
                out,
                "<td>{} / {}</td>",
                cell(t["compress_mb_s"].as_f64()),
                cell(t["decompress_mb_s"].as_f64())
            );
        }
        out.push_str("</tr>");
    }
    let spread = |c: &Value, key: &str| c[key].as_f64();
    if codecs
        .iter()
        .any(|c| spread(c, "compress_spread").is_some())
    {
        // How much longer the slowest runs took: the run's timing noise.
        out.push_str("<tr><td>slowest run, longer by</td>");
        for c in &codecs {
            let _ = write!(
                out,
                "<td>{} / {}</td>",
                super::table::spread_text(spread(c, "compress_spread")),
                super::table::spread_text(spread(c, "decompress_spread"))
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

fn tradeoffs(summary: &Value) -> Vec<TradeOff> {
    summary["codecs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some(TradeOff {
                codec: c["codec"].as_str()?.to_string(),
                mb_s: c["compress_mb_s"].as_f64()?,
                ratio: c["overall"]["ratio"].as_f64()?,
            })
        })
        .collect()
}

/// Best ratio, attempts by status, source size and holdout gap, in a sentence or two.
fn headline(history: &[HistoryRow], loop_rows: &[Row]) -> String {
    let mut out = String::from("<p class=\"headline\">");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in loop_rows.iter().filter(|r| r.status != tsv::Status::Base) {
        *counts.entry(r.status.as_str()).or_default() += 1;
    }
    if !counts.is_empty() {
        let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let _ = write!(
            out,
            "Loop: {} iterations ({}). ",
            loop_rows
                .iter()
                .filter(|r| r.status != tsv::Status::Base)
                .count(),
            parts.join(", ")
        );
    }
    let candidate = history
        .iter()
        .rev()
        .find(|r| r.codec == "candidate" && r.dataset != "holdout");
    if let Some(c) = candidate {
        let _ = write!(
            out,
            "Latest recorded candidate: ratio {} on {}",
            c.overall_ratio.map_or("-".into(), |r| format!("{r:.6}")),
            esc(&c.dataset)
        );
        match (c.source_bytes, c.source_xz_bytes, c.ratio_with_source) {
            (Some(src), _, Some(with)) => {
                let _ = write!(out, ", {with:.6} with its {src}-byte source charged");
            }
            (None, Some(src), Some(with)) => {
                let _ = write!(out, ", {with:.6} with its {src}-byte source (xz) charged");
            }
            _ => {}
        }
        out.push_str(". ");
    }
    if let Some(gap) = history.iter().rev().find_map(|r| r.holdout_gap) {
        let _ = write!(
            out,
            "Latest holdout gap (holdout minus default ratio): {gap:+.6}."
        );
    }
    out.push_str("</p>");
    out
}

fn loop_table(rows: &[Row]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let objective = rows
        .iter()
        .rev()
        .map(|r| r.objective.as_str())
        .find(|o| !o.is_empty())
        .unwrap_or("total");
    let mut out = format!(
        "<h2>Loop iterations</h2><p class=\"meta\">objective: {}; score = the objective with \
         the codec source charged; a discard that improved a category is marked</p>\
         <table class=\"loop\"><tr><th>#</th><th>UTC</th><th>commit</th>\
         <th>status</th><th>ratio</th><th>delta</th><th>score</th><th>compress s</th>\
         <th>holdout</th><th>description</th><th>reason</th></tr>",
        esc(objective)
    );
    let num = |x: Option<f64>, p: usize| x.map_or(String::new(), |v| format!("{v:.p$}"));
    for r in rows.iter().rev().take(200) {
        let won = tsv::improved_categories(&r.category_deltas);
        let status = if r.status != tsv::Status::Keep && !won.is_empty() {
            format!(
                "{} <span class=\"won\">won: {}</span>",
                r.status.as_str(),
                esc(&won.join(", "))
            )
        } else {
            r.status.as_str().to_string()
        };
        let _ = write!(
            out,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.status.as_str(),
            r.iteration,
            esc(&r.utc),
            esc(&r.commit[..r.commit.len().min(10)]),
            status,
            num(r.ratio, 6),
            num(r.delta, 6),
            num(r.score, 6),
            num(r.compress_s, 2),
            num(r.holdout_ratio, 6),
            esc(&r.description),
            esc(&r.reason)
        );
    }
    out.push_str("</table>");
    out
}
