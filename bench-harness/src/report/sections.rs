//! The report's tables, from one run's `summary.json` and `files.csv`: ratios per category,
//! each codec's overall figures, speeds per category, the edge files, every file, and the
//! machine. Numbers stand beside the charts that draw them.

use super::charts::{pareto, Series, TradeOff};
use super::svg::esc;
use crate::history::HistoryRow;
use crate::run::row::FileRow;
use serde_json::Value;
use std::fmt::Write;
use std::path::Path;

/// The run's codecs, the candidate first, each with its colour.
pub fn codecs(summary: &Value) -> Vec<(Value, &'static str)> {
    let mut codecs = summary["codecs"].as_array().cloned().unwrap_or_default();
    codecs.sort_by_key(|c| c["codec"] != "candidate");
    let names: Vec<String> = codecs
        .iter()
        .map(|c| c["codec"].as_str().unwrap_or("?").to_string())
        .collect();
    codecs
        .into_iter()
        .zip(super::charts::codec_colors(&names))
        .collect()
}

fn name(c: &Value) -> &str {
    c["codec"].as_str().unwrap_or("?")
}

/// Categories of the run in the reports' order, `edge` aside (its files have their table).
pub fn categories(codecs: &[(Value, &'static str)]) -> Vec<String> {
    let mut cats: Vec<String> = Vec::new();
    for (c, _) in codecs {
        for k in c["categories"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
        {
            if k != "edge" && !cats.contains(k) {
                cats.push(k.clone());
            }
        }
    }
    cats.sort_by_key(|c| {
        crate::dataset::Category::ALL
            .iter()
            .position(|k| k.as_str() == c.as_str())
            .unwrap_or(usize::MAX)
    });
    cats
}

pub fn series(cats: &[String], codecs: &[(Value, &'static str)]) -> Vec<Series> {
    codecs
        .iter()
        .map(|(c, color)| Series {
            codec: name(c).to_string(),
            color,
            ratios: cats
                .iter()
                .map(|k| c["categories"][k]["ratio"].as_f64())
                .collect(),
        })
        .collect()
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.digits$}"))
}

/// A header cell with the codec's colour as a swatch.
fn codec_th(c: &Value, color: &str) -> String {
    format!(
        "<th><span class=\"swatch\" style=\"background:{color}\"></span>{}</th>",
        esc(name(c))
    )
}

/// Ratio per category and overall for every codec; the best of each row in bold, and the
/// candidate's margin on the best baseline.
pub fn category_table(cats: &[String], codecs: &[(Value, &'static str)]) -> String {
    let mut out = String::from("<table class=\"categories\"><tr><th>category</th>");
    for (c, color) in codecs {
        out.push_str(&codec_th(c, color));
    }
    out.push_str("<th>candidate vs best baseline</th></tr>");

    let rows = cats
        .iter()
        .map(|k| (k.as_str(), k.as_str()))
        .chain([("overall", "")]);
    for (label, key) in rows {
        let ratio = |c: &Value| match key {
            "" => c["overall"]["ratio"].as_f64(),
            k => c["categories"][k]["ratio"].as_f64(),
        };
        let best = codecs
            .iter()
            .filter_map(|(c, _)| ratio(c))
            .fold(f64::INFINITY, f64::min);
        let _ = write!(out, "<tr><td>{}</td>", esc(label));
        for (c, _) in codecs {
            let r = ratio(c);
            match r {
                Some(v) if v == best => {
                    let _ = write!(out, "<td class=\"num best\">{v:.4}</td>");
                }
                _ => {
                    let _ = write!(out, "<td class=\"num\">{}</td>", num(r, 4));
                }
            }
        }
        let candidate = codecs
            .iter()
            .find(|(c, _)| name(c) == "candidate")
            .and_then(|(c, _)| ratio(c));
        let baseline = codecs
            .iter()
            .filter(|(c, _)| name(c) != "candidate")
            .filter_map(|(c, _)| Some((name(c), ratio(c)?)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let margin = match (candidate, baseline) {
            (Some(c), Some((b, r))) if r > 0.0 => {
                format!("{:+.1}% ({})", 100.0 * (c / r - 1.0), esc(b))
            }
            _ => "-".into(),
        };
        let _ = write!(out, "<td class=\"num\">{margin}</td></tr>");
    }
    out.push_str("</table>");
    out
}

/// The points of the two trade-off charts: (compress, decompress).
pub fn tradeoffs(codecs: &[(Value, &'static str)]) -> (Vec<TradeOff>, Vec<TradeOff>) {
    let points = |key: &str| {
        codecs
            .iter()
            .filter_map(|(c, color)| {
                Some(TradeOff {
                    codec: name(c).to_string(),
                    color,
                    mb_s: c[key].as_f64()?,
                    ratio: c["overall"]["ratio"].as_f64()?,
                })
            })
            .collect::<Vec<_>>()
    };
    (points("compress_mb_s"), points("decompress_mb_s"))
}

/// Each codec's overall ratio and speeds, and whether it is on either Pareto frontier.
pub fn codec_table(
    codecs: &[(Value, &'static str)],
    compress: &[TradeOff],
    decompress: &[TradeOff],
) -> String {
    let on = |points: &[TradeOff], codec: &str| {
        pareto(points).into_iter().any(|i| points[i].codec == codec)
    };
    let mut out = String::from(
        "<table class=\"codecs\"><tr><th>codec</th><th>ratio</th><th>compress MB/s</th>\
         <th>decompress MB/s</th><th>Pareto frontier</th></tr>",
    );
    for (c, color) in codecs {
        let codec = name(c);
        let front: Vec<&str> = [("compress", compress), ("decompress", decompress)]
            .into_iter()
            .filter(|(_, points)| on(points, codec))
            .map(|(what, _)| what)
            .collect();
        let _ = write!(
            out,
            "<tr><td><span class=\"swatch\" style=\"background:{color}\"></span>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(codec),
            num(c["overall"]["ratio"].as_f64(), 4),
            num(c["compress_mb_s"].as_f64(), 2),
            num(c["decompress_mb_s"].as_f64(), 2),
            if front.is_empty() {
                "-".to_string()
            } else {
                front.join(", ")
            }
        );
    }
    out.push_str("</table>");
    out
}

/// Compress / decompress MB/s of every codec in every category of `cats`, as a table (empty
/// for runs made before per-category speeds were recorded).
pub fn speed_table(cats: &[String], codecs: &[(Value, &'static str)], repeat: u64) -> String {
    let speed = |c: &Value, key: &str| c["categories"][key]["compress_mb_s"].as_f64();
    if !codecs
        .iter()
        .any(|(c, _)| cats.iter().any(|k| speed(c, k).is_some()))
    {
        return String::new();
    }
    let mut out = format!(
        "<h2>Speed per category</h2><p class=\"meta\">compress / decompress MB/s \
         (10<sup>6</sup> bytes of input per wall-clock second{})</p><table class=\"speeds\"><tr><th>category</th>",
        if repeat > 1 {
            format!(", the fastest of {repeat} runs")
        } else {
            String::new()
        }
    );
    for (c, _) in codecs {
        let _ = write!(out, "<th>{}</th>", esc(name(c)));
    }
    out.push_str("</tr>");
    let cell = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    for k in cats {
        let _ = write!(out, "<tr><td>{}</td>", esc(k));
        for (c, _) in codecs {
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
        .any(|(c, _)| spread(c, "compress_spread").is_some())
    {
        // How much longer the slowest runs took: the run's timing noise.
        out.push_str("<tr><td>slowest run, longer by</td>");
        for (c, _) in codecs {
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

/// The edge files by compressed bytes (for the empty and one-byte files, each codec's fixed
/// overhead); empty when the run had none.
pub fn edge_table(codecs: &[(Value, &'static str)]) -> String {
    let files = |c: &Value| c["edge_files"].as_array().cloned().unwrap_or_default();
    let Some(first) = codecs.iter().map(|(c, _)| files(c)).find(|f| !f.is_empty()) else {
        return String::new();
    };
    let mut out = String::from(
        "<h2>Edge files</h2><p class=\"meta\">compressed bytes; for the empty and one-byte \
         files, the codec's fixed overhead. Not in the category charts nor in the per-file \
         ratios.</p><table class=\"edge\"><tr><th>file</th><th>bytes</th>",
    );
    for (c, _) in codecs {
        let _ = write!(out, "<th>{}</th>", esc(name(c)));
    }
    out.push_str("</tr>");
    for f in &first {
        let file = f["file"].as_str().unwrap_or("?");
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td>",
            esc(file),
            f["original_bytes"].as_u64().unwrap_or(0)
        );
        for (c, _) in codecs {
            let cell = files(c)
                .iter()
                .find(|e| e["file"] == file)
                .map(|e| match e["compressed_bytes"].as_u64() {
                    Some(b) => b.to_string(),
                    None => format!("failed ({})", e["status"].as_str().unwrap_or("?")),
                })
                .unwrap_or_else(|| "-".into());
            let _ = write!(out, "<td class=\"num\">{}</td>", esc(&cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// Every file of the run: category, size and each codec's ratio (its status where it
/// failed), the best in bold. Empty when the run directory has no `files.csv`.
pub fn file_table(run_dir: &Path, codecs: &[(Value, &'static str)]) -> String {
    let Ok(mut reader) = csv::Reader::from_path(run_dir.join("files.csv")) else {
        return String::new();
    };
    let rows: Vec<FileRow> = reader
        .deserialize()
        .filter_map(Result::ok)
        .filter(|r: &FileRow| r.category != "edge")
        .collect();
    let mut files: Vec<(&str, &str, u64)> = Vec::new();
    for r in &rows {
        if !files.iter().any(|(f, _, _)| *f == r.file) {
            files.push((&r.file, &r.category, r.original_bytes));
        }
    }
    if files.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<h2>Every file</h2><p class=\"meta\">ratio per file (compressed / original; edge \
         files in bytes above)</p><table class=\"files\"><tr><th>file</th><th>category</th><th>bytes</th>",
    );
    for (c, color) in codecs {
        out.push_str(&codec_th(c, color));
    }
    out.push_str("</tr>");
    for (file, category, bytes) in files {
        let of = |codec: &str| rows.iter().find(|r| r.file == file && r.codec == codec);
        let best = codecs
            .iter()
            .filter_map(|(c, _)| of(name(c)).filter(|r| r.ok()).and_then(|r| r.ratio))
            .fold(f64::INFINITY, f64::min);
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{bytes}</td>",
            esc(file),
            esc(category)
        );
        for (c, _) in codecs {
            let cell = match of(name(c)) {
                Some(r) if !r.ok() => format!("<td>{}</td>", r.status.as_str()),
                Some(r) => match r.ratio {
                    Some(v) if v == best => format!("<td class=\"num best\">{v:.4}</td>"),
                    v => format!("<td class=\"num\">{}</td>", num(v, 4)),
                },
                None => "<td>-</td>".into(),
            };
            out.push_str(&cell);
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// Where the shown run and the recorded runs of the progress chart were measured.
pub fn machine_table(summary: &Value, recorded: &[&HistoryRow]) -> String {
    let m = &summary["machine"];
    let mut out = String::from("<h2>Machine</h2>");
    if m.is_object() {
        let text = |key: &str| esc(m[key].as_str().unwrap_or("-"));
        let _ = write!(
            out,
            "<table class=\"machine\"><tr><th>host</th><td>{}</td></tr><tr><th>CPU</th><td>{} \
             ({} cores)</td></tr><tr><th>kernel</th><td>{}</td></tr><tr><th>Rust</th><td>{}</td></tr>\
             <tr><th>C compiler</th><td>{}</td></tr><tr><th>harness</th><td>{} (git {})</td></tr>\
             <tr><th>baseline libraries</th><td>{}</td></tr></table>",
            text("host"),
            text("cpu"),
            m["cores"].as_u64().unwrap_or(0),
            text("kernel"),
            text("rustc"),
            text("c_compiler"),
            text("harness_version"),
            esc(summary["git"]["commit"]
                .as_str()
                .map_or("-", |c| &c[..c.len().min(12)])),
            text("baseline_libraries")
        );
    } else {
        out.push_str(
            "<p>The shown run predates the recording of its machine (harness runs record \
             host, CPU, cores, kernel, compilers and library versions).</p>",
        );
    }
    let mut machines: Vec<(String, usize)> = Vec::new();
    for r in recorded {
        let key = if r.host.is_empty() {
            "not recorded (older lines)".to_string()
        } else {
            format!(
                "{}, {} ({} cores), {}",
                r.host,
                r.cpu,
                r.cores.unwrap_or(0),
                r.rustc
            )
        };
        match machines.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => machines.push((key, 1)),
        }
    }
    if !machines.is_empty() {
        out.push_str("<p class=\"meta\">recorded runs of the progress chart: ");
        let parts: Vec<String> = machines
            .iter()
            .map(|(k, n)| format!("{} ({n})", esc(k)))
            .collect();
        out.push_str(&parts.join("; "));
        out.push_str("</p>");
    }
    out
}
