//! `results/report.html`: one self-contained page (inline SVG, no scripts, no external
//! resources, no paths of the machine that wrote it) from the history (`results.csv`), the
//! loop's table (`loop.tsv`) and the run directories, about one dataset at a time.

use super::charts;
use super::pick::{self, Comparison};
use super::sections;
use super::svg::esc;
use crate::agent::cycle::tsv::{self, Row};
use crate::history::{self, HistoryRow};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// Writes the report for `results_dir` to `out`, about `dataset` (default: the dataset of
/// the newest run of a whole dataset).
pub fn write(results_dir: &Path, out: &Path, dataset: Option<&str>) -> Result<()> {
    let page = render(results_dir, dataset)?;
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, page).with_context(|| format!("writing {}", out.display()))
}

pub fn render(results_dir: &Path, dataset: Option<&str>) -> Result<String> {
    let history_path = results_dir.join("results.csv");
    let history = if history_path.exists() {
        history::read(&history_path)?
    } else {
        Vec::new()
    };
    let loop_rows = tsv::read(&results_dir.join("loop.tsv"))?;
    let runs = pick::comparisons(results_dir);
    let choice = pick::dataset(dataset, &runs, &history)?;
    let name = choice
        .dataset
        .clone()
        .unwrap_or_else(|| "no dataset yet".into());
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Compression bench report: {}</h1><p class=\"meta\">dataset {}: {}. Datasets on \
         record: {}. Generated {}.</p>",
        esc(&name),
        esc(&name),
        esc(&choice.why),
        esc(&if choice.known.is_empty() {
            "none".to_string()
        } else {
            choice.known.join(", ")
        }),
        esc(&crate::run::now_utc())
    );
    let run = choice
        .dataset
        .as_deref()
        .and_then(|d| pick::run_of(&runs, d));
    body.push_str(&headline(run, &history, &loop_rows));
    let (points, progress_note, recorded) = pick::progress_points(
        &history,
        &loop_rows,
        choice.dataset.as_deref().unwrap_or(""),
    );
    let _ = write!(body, "<h2>Progress on {}</h2>", esc(&name));
    body.push_str(&charts::progress(&points, &progress_note));
    match run {
        Some(run) => body.push_str(&run_sections(run, &recorded)),
        None => body.push_str(
            "<h2>Per category</h2><p>No run directory with the candidate beside a baseline \
             on this dataset yet: <code>cargo harness run</code> makes one.</p>",
        ),
    }
    body.push_str(&loop_table(&loop_rows));
    Ok(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Compression bench report: {}</title><style>{STYLE}</style></head><body>{body}</body></html>\n",
        esc(&name)
    ))
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1320px;margin:2em auto;padding:0 1em;color:#222}\
svg.chart{display:block;margin:1em 0;border:1px solid #ddd;flex:none}\
.pair{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}\
.pair table{margin-top:1em;font-size:11px}\
table{border-collapse:collapse;font-size:12px;margin:0.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}\
td.num{text-align:right;font-variant-numeric:tabular-nums}td.best{font-weight:bold}\
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px}\
.headline{font-size:15px}.meta{color:#666;font-size:12px}.keep{color:#1a9850}.discard{color:#777}";

/// Everything drawn from one run: categories, trade-offs, speeds, edge files, every file
/// and the machine.
fn run_sections(run: &Comparison, recorded: &[&HistoryRow]) -> String {
    let summary = &run.summary;
    let codecs = sections::codecs(summary);
    let cats = sections::categories(&codecs);
    let note = format!(
        "run {} on {}{}",
        run.run_id(),
        run.dataset(),
        if run.is_part() {
            format!(
                " ({} of its files, by --filter or --quick)",
                summary["dataset_files"].as_u64().unwrap_or(0)
            )
        } else {
            String::new()
        }
    );
    let mut out = String::new();
    let _ = write!(
        out,
        "<h2>Per category on {}</h2><p class=\"meta\">{} (run directory runs/{}): ratio = \
         compressed / original bytes, lower is better; edge files are listed apart</p>\
         <div class=\"pair\">{}{}</div>",
        esc(run.dataset()),
        esc(&note),
        esc(run.run_id()),
        charts::categories(&cats, &sections::series(&cats, &codecs), &note),
        sections::category_table(&cats, &codecs)
    );
    let (compress, decompress) = sections::tradeoffs(&codecs);
    let _ = write!(
        out,
        "<h2>Ratio against speed on {}</h2><p class=\"meta\">overall ratio against MB/s \
         (10<sup>6</sup> bytes of input per second, log scale); the dashed line joins the \
         Pareto frontier, the codecs (outlined) that no other beats on both counts</p>\
         <div class=\"pair\">{}{}</div><div class=\"pair\">{}</div>",
        esc(run.dataset()),
        charts::tradeoff(&compress, "compress", &note),
        sections::codec_table(&codecs, &compress, &decompress),
        charts::tradeoff(&decompress, "decompress", &note)
    );
    out.push_str(&sections::speed_table(
        &cats,
        &codecs,
        summary["repeat"].as_u64().unwrap_or(1),
    ));
    out.push_str(&sections::edge_table(&codecs));
    out.push_str(&sections::file_table(&run.dir, &codecs));
    out.push_str(&sections::machine_table(summary, recorded));
    out
}

/// The winner, its margin and speed on the shown run; attempts by status, source size and
/// holdout gap, in a sentence or two.
fn headline(run: Option<&Comparison>, history: &[HistoryRow], loop_rows: &[Row]) -> String {
    let mut out = String::from("<p class=\"headline\">");
    if let Some(run) = run {
        let codecs = run.summary["codecs"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let ratio = |c: &serde_json::Value| c["overall"]["ratio"].as_f64();
        let speeds = |c: &serde_json::Value| {
            let mb = |k: &str| c[k].as_f64().map_or("-".into(), |v| format!("{v:.2}"));
            format!("{} / {} MB/s", mb("compress_mb_s"), mb("decompress_mb_s"))
        };
        let candidate = codecs.iter().find(|c| c["codec"] == "candidate");
        let best = codecs
            .iter()
            .filter(|c| c["codec"] != "candidate")
            .filter_map(|c| Some((c, ratio(c)?)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let (Some(c), Some((b, br))) = (candidate, best) {
            if let Some(cr) = ratio(c) {
                let _ = write!(
                    out,
                    "<b>{}</b> on {}: the candidate's ratio {cr:.4} against the best \
                     baseline's, {} {br:.4}: {:.1}% {}. Compress / decompress: candidate {}, \
                     {} {}. ",
                    if cr < br {
                        "The candidate wins"
                    } else {
                        "A baseline wins"
                    },
                    esc(run.dataset()),
                    esc(b["codec"].as_str().unwrap_or("?")),
                    100.0 * (cr / br - 1.0).abs(),
                    if cr < br { "smaller" } else { "larger" },
                    speeds(c),
                    esc(b["codec"].as_str().unwrap_or("?")),
                    speeds(b)
                );
            }
        }
    }
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
        .find(|r| r.codec == "candidate" && !r.dataset.starts_with("holdout"));
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
