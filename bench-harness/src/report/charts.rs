//! The report's charts as inline SVG: progress of the candidate over recorded runs,
//! per-category ratios beside the baselines, and ratio against compress and against
//! decompress speed with the Pareto frontier.
//! Ratios are compressed / original (lower is better); speeds are MB/s (10^6 bytes / s).

use super::labels::{place, Rect};
use super::svg::{esc, padded, tick_label, Area, Scale, Svg};
use std::fmt::Write;

/// One attempt or recorded run on the progress chart, in time order.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgressPoint {
    /// `keep`, `discard`, `crash`, `guard-fail`, `timeout`, `base`, or `recorded` (by hand).
    pub status: String,
    /// `None` when the attempt failed before it was measured.
    pub ratio: Option<f64>,
    /// Tooltip: run, time, description.
    pub title: String,
}

/// True for points that stand for the code on the branch (the running best follows them).
fn counts_as_best(status: &str) -> bool {
    matches!(status, "keep" | "base" | "recorded")
}

fn color(status: &str) -> &'static str {
    match status {
        "keep" => "#1a9850",
        "base" => "#2166ac",
        "recorded" => "#444",
        "discard" => "#999",
        _ => "#d73027",
    }
}

const W: u32 = 860;
const H: u32 = 380;

fn area() -> Area {
    Area {
        left: 70.0,
        top: 30.0,
        right: W as f64 - 20.0,
        bottom: H as f64 - 50.0,
    }
}

/// Overall ratio per run over time; kept, base and hand-recorded runs filled, discarded
/// attempts hollow, failed ones as red crosses (at the top when never measured), and the
/// running best as a step line.
pub fn progress(points: &[ProgressPoint], subtitle: &str) -> String {
    let mut svg = Svg::new(W, H, "Overall ratio per run over time", "progress");
    let a = area();
    svg.text(a.left, 18.0, "start", "subtitle", subtitle);
    let ratios: Vec<f64> = points.iter().filter_map(|p| p.ratio).collect();
    if ratios.is_empty() {
        svg.text(
            W as f64 / 2.0,
            H as f64 / 2.0,
            "middle",
            "empty",
            "no recorded runs yet: harness run --record adds one",
        );
        return svg.finish();
    }
    let (lo, hi) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    let (lo, hi) = padded(lo, hi, 0.08);
    let x = Scale::new(
        0.0,
        (points.len().max(2) - 1) as f64,
        a.left + 10.0,
        a.right - 10.0,
        false,
    )
    .integers();
    let y = Scale::new(lo, hi, a.bottom, a.top + 14.0, false);
    svg.axes(
        a,
        &x,
        &y,
        "run (in time order)",
        "overall ratio (lower is better)",
    );
    let mut best: Option<f64> = None;
    let mut steps = String::new();
    for (i, p) in points.iter().enumerate() {
        if let Some(r) = p.ratio.filter(|_| counts_as_best(&p.status)) {
            let px = x.px(i as f64);
            match best {
                Some(b) if r >= b => {}
                Some(b) => {
                    let _ = write!(steps, " L{px:.1},{:.1} L{px:.1},{:.1}", y.px(b), y.px(r));
                    best = Some(r);
                }
                None => {
                    let _ = write!(steps, "M{px:.1},{:.1}", y.px(r));
                    best = Some(r);
                }
            }
        }
    }
    if let Some(b) = best {
        let _ = write!(
            steps,
            " L{:.1},{:.1}",
            x.px((points.len() - 1) as f64),
            y.px(b)
        );
        svg.raw(&format!(
            "<path class=\"best\" d=\"{steps}\" fill=\"none\" stroke=\"#1a9850\" stroke-width=\"2\" opacity=\"0.6\"/>"
        ));
    }
    for (i, p) in points.iter().enumerate() {
        let px = x.px(i as f64);
        let c = color(&p.status);
        let title = format!("<title>{}</title>", esc(&p.title));
        let class = format!("pt {}", esc(&p.status));
        let mark = match (p.ratio, p.status.as_str()) {
            (Some(r), "discard") => format!(
                "<circle class=\"{class}\" cx=\"{px:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#fff\" stroke=\"{c}\" stroke-width=\"1.5\">{title}</circle>",
                y.px(r)
            ),
            (Some(r), s) if counts_as_best(s) => format!(
                "<circle class=\"{class}\" cx=\"{px:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{c}\">{title}</circle>",
                y.px(r)
            ),
            (r, _) => {
                let py = r.map_or(a.top + 6.0, |r| y.px(r));
                format!(
                    "<path class=\"{class}\" d=\"M{:.1},{:.1} l8,8 m0,-8 l-8,8\" stroke=\"{c}\" stroke-width=\"2\">{title}</path>",
                    px - 4.0,
                    py - 4.0
                )
            }
        };
        svg.raw(&mark);
    }
    legend(&mut svg, a.right - 350.0, 18.0);
    svg.finish()
}

fn legend(svg: &mut Svg, x: f64, y: f64) {
    let entries = [
        ("keep", "kept"),
        ("discard", "discarded"),
        ("crash", "failed"),
        ("base", "base"),
        ("recorded", "by hand"),
    ];
    for (i, (status, label)) in entries.iter().enumerate() {
        let ex = x + i as f64 * 72.0;
        svg.raw(&format!(
            "<circle class=\"legend\" cx=\"{ex:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{}\"/>",
            y - 4.0,
            color(status)
        ));
        svg.text(ex + 7.0, y, "start", "legend", label);
    }
}

/// A codec's ratios in each category (`None` where it has no file of that category).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub codec: String,
    pub color: &'static str,
    pub ratios: Vec<Option<f64>>,
}

/// Colours of codecs other than the candidate, which is always red.
const PALETTE: [&str; 8] = [
    "#4575b4", "#f28e2b", "#1a9850", "#762a83", "#8c564b", "#17becf", "#e377c2", "#7f7f7f",
];
const CANDIDATE_COLOR: &str = "#d73027";

/// One colour per codec, the same in every chart of a page: red for the candidate, the
/// others in the order given.
pub fn codec_colors(codecs: &[String]) -> Vec<&'static str> {
    let mut next = 0;
    codecs
        .iter()
        .map(|c| {
            if c == "candidate" {
                CANDIDATE_COLOR
            } else {
                next += 1;
                PALETTE[(next - 1) % PALETTE.len()]
            }
        })
        .collect()
}

/// Width of the charts that stand beside a table.
const NARROW: u32 = 600;

fn narrow_area() -> Area {
    Area {
        left: 56.0,
        top: 30.0,
        right: NARROW as f64 - 16.0,
        bottom: H as f64 - 64.0,
    }
}

/// Grouped bars: for each category, one bar per codec (the candidate first, in red).
pub fn categories(categories: &[String], series: &[Series], subtitle: &str) -> String {
    let mut svg = Svg::new(
        NARROW,
        H,
        "Ratio per category, candidate beside the baselines",
        "categories",
    );
    let a = narrow_area();
    svg.text(a.left, 18.0, "start", "subtitle", subtitle);
    let max = series
        .iter()
        .flat_map(|s| s.ratios.iter().flatten())
        .fold(0.0f64, |m, r| m.max(*r));
    if categories.is_empty() || max <= 0.0 {
        svg.text(
            NARROW as f64 / 2.0,
            H as f64 / 2.0,
            "middle",
            "empty",
            "no run with per-category figures yet",
        );
        return svg.finish();
    }
    let y = Scale::new(0.0, max * 1.08, a.bottom, a.top + 14.0, false);
    for v in y.ticks(6) {
        let py = y.px(v);
        svg.line(a.left, py, a.right, py, "#e5e5e5", "grid");
        svg.text(a.left - 6.0, py + 4.0, "end", "tick", &tick_label(v));
    }
    svg.line(a.left, a.bottom, a.right, a.bottom, "#333", "axis");
    svg.raw(&format!(
        "<text class=\"axis-title\" transform=\"translate(14 {:.1}) rotate(-90)\" \
         text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\">ratio (lower is better)</text>",
        (a.top + a.bottom) / 2.0
    ));
    let group = (a.right - a.left) / categories.len() as f64;
    let bar = (group * 0.8 / series.len().max(1) as f64).min(28.0);
    for (ci, category) in categories.iter().enumerate() {
        let gx = a.left + ci as f64 * group + (group - bar * series.len() as f64) / 2.0;
        for (si, s) in series.iter().enumerate() {
            let Some(Some(r)) = s.ratios.get(ci) else {
                continue;
            };
            let top = y.px(*r);
            svg.raw(&format!(
                "<rect class=\"bar\" data-codec=\"{}\" data-category=\"{}\" x=\"{:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} {}: {r:.4}</title></rect>",
                esc(&s.codec),
                esc(category),
                gx + si as f64 * bar,
                (bar - 1.0).max(1.0),
                (a.bottom - top).max(0.5),
                s.color,
                esc(&s.codec),
                esc(category)
            ));
        }
        svg.text(
            a.left + (ci as f64 + 0.5) * group,
            a.bottom + 15.0,
            "middle",
            "category",
            category,
        );
    }
    legend_row(
        &mut svg,
        series.iter().map(|s| (s.codec.as_str(), s.color)),
        a.left,
        a.bottom + 30.0,
        a.right,
    );
    svg.finish()
}

/// Swatches and names in rows from `x` to `right`, starting at `y`.
fn legend_row<'a>(
    svg: &mut Svg,
    entries: impl Iterator<Item = (&'a str, &'a str)>,
    x: f64,
    y: f64,
    right: f64,
) {
    let (mut lx, mut ly) = (x, y);
    for (codec, color) in entries {
        let width = 18.0 + codec.chars().count() as f64 * super::labels::CHAR_WIDTH;
        if lx + width > right && lx > x {
            lx = x;
            ly += 16.0;
        }
        svg.raw(&format!(
            "<rect class=\"legend\" x=\"{lx:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{color}\"/>",
            ly - 9.0
        ));
        svg.text(lx + 14.0, ly, "start", "legend", codec);
        lx += width + 8.0;
    }
}

/// One codec on a trade-off chart.
#[derive(Clone, Debug, PartialEq)]
pub struct TradeOff {
    pub codec: String,
    pub color: &'static str,
    /// Speed, MB/s.
    pub mb_s: f64,
    pub ratio: f64,
}

/// Indices of the points no other point beats on both counts (as fast or faster and as
/// small or smaller, better on one): the Pareto frontier, slowest first.
pub fn pareto(points: &[TradeOff]) -> Vec<usize> {
    let mut front: Vec<usize> = (0..points.len())
        .filter(|&i| {
            let p = &points[i];
            !points.iter().any(|q| {
                q.mb_s >= p.mb_s && q.ratio <= p.ratio && (q.mb_s > p.mb_s || q.ratio < p.ratio)
            })
        })
        .collect();
    front.sort_by(|&a, &b| points[a].mb_s.total_cmp(&points[b].mb_s));
    front
}

/// Ratio against `speed` ("compress" or "decompress") MB/s on a log scale, each codec in its
/// colour with its name beside it, and the Pareto frontier as a dashed line: better codecs
/// sit low, faster ones right.
pub fn tradeoff(points: &[TradeOff], speed: &str, subtitle: &str) -> String {
    let mut svg = Svg::new(
        NARROW,
        H,
        &format!("Ratio against {speed} speed"),
        &format!("tradeoff {speed}"),
    );
    let a = narrow_area();
    svg.text(a.left, 18.0, "start", "subtitle", subtitle);
    let pts: Vec<TradeOff> = points
        .iter()
        .filter(|p| p.mb_s > 0.0 && p.mb_s.is_finite() && p.ratio.is_finite())
        .cloned()
        .collect();
    if pts.is_empty() {
        svg.text(
            NARROW as f64 / 2.0,
            H as f64 / 2.0,
            "middle",
            "empty",
            "no timed run yet",
        );
        return svg.finish();
    }
    let (slo, shi) = pts.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.mb_s), hi.max(p.mb_s))
    });
    let (rlo, rhi) = pts.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.ratio), hi.max(p.ratio))
    });
    let x = Scale::new(slo / 1.6, shi * 1.6, a.left, a.right, true);
    let (rlo, rhi) = padded(rlo, rhi, 0.12);
    let y = Scale::new(rlo, rhi, a.bottom, a.top, false);
    svg.axes(
        a,
        &x,
        &y,
        &format!("{speed} speed, MB/s (log scale)"),
        "overall ratio (lower is better)",
    );
    let front = pareto(&pts);
    if front.len() > 1 {
        let path: Vec<String> = front
            .iter()
            .map(|&i| format!("{:.1},{:.1}", x.px(pts[i].mb_s), y.px(pts[i].ratio)))
            .collect();
        svg.raw(&format!(
            "<polyline class=\"pareto\" points=\"{}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\"><title>Pareto frontier: no codec is both faster and smaller than these</title></polyline>",
            path.join(" ")
        ));
    }
    let radius = 5.0;
    let at: Vec<(f64, f64)> = pts.iter().map(|p| (x.px(p.mb_s), y.px(p.ratio))).collect();
    for (i, p) in pts.iter().enumerate() {
        let (px, py) = at[i];
        let on_front = front.contains(&i);
        svg.raw(&format!(
            "<circle class=\"pt codec\" data-codec=\"{}\" data-pareto=\"{on_front}\" cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"{radius}\" fill=\"{}\"{}><title>{}: ratio {:.4}, {:.2} MB/s{}</title></circle>",
            esc(&p.codec),
            p.color,
            if on_front { " stroke=\"#000\" stroke-width=\"1.5\"" } else { "" },
            esc(&p.codec),
            p.ratio,
            p.mb_s,
            if on_front { ", on the Pareto frontier" } else { "" }
        ));
    }
    let plot = Rect {
        x: a.left + 2.0,
        y: a.top + 2.0,
        w: a.right - a.left - 4.0,
        h: a.bottom - a.top - 4.0,
    };
    let labels: Vec<(&str, (f64, f64))> = pts
        .iter()
        .zip(&at)
        .map(|(p, &xy)| (p.codec.as_str(), xy))
        .collect();
    for ((p, placed), (px, py)) in pts.iter().zip(place(&labels, radius, plot)).zip(&at) {
        if placed.leader {
            let r = placed.rect;
            let (lx, ly) = (px.clamp(r.x, r.x + r.w), py.clamp(r.y, r.y + r.h));
            svg.line(*px, *py, lx, ly, "#999", "leader");
        }
        let (tx, ty) = placed.text_origin();
        svg.raw(&format!(
            "<text class=\"label\" data-codec=\"{}\" x=\"{tx:.1}\" y=\"{ty:.1}\" text-anchor=\"start\" font-family=\"sans-serif\" font-size=\"11\" fill=\"{}\">{}</text>",
            esc(&p.codec),
            p.color,
            esc(&p.codec)
        ));
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(status: &str, ratio: Option<f64>) -> ProgressPoint {
        ProgressPoint {
            status: status.into(),
            ratio,
            title: format!("{status} <run>"),
        }
    }

    #[test]
    fn the_pareto_frontier_holds_the_codecs_nothing_beats_on_both_counts() {
        let p = |codec: &str, mb_s: f64, ratio: f64| TradeOff {
            codec: codec.into(),
            color: "#000",
            mb_s,
            ratio,
        };
        let points = [
            p("candidate", 1.0, 0.25),
            p("xz:9", 2.0, 0.30),
            p("bzip2:9", 10.0, 0.33),
            p("zstd:19", 2.5, 0.34),
            p("gzip:9", 20.0, 0.40),
            p("slow-and-big", 0.5, 0.5),
        ];
        let front: Vec<&str> = pareto(&points)
            .into_iter()
            .map(|i| points[i].codec.as_str())
            .collect();
        assert_eq!(front, ["candidate", "xz:9", "bzip2:9", "gzip:9"]);
        let svg = tradeoff(&points, "compress", "run");
        assert_eq!(svg.matches("data-pareto=\"true\"").count(), 4);
        assert_eq!(svg.matches("class=\"pareto\"").count(), 1);
        assert_eq!(svg.matches("class=\"label\"").count(), 6);
    }

    #[test]
    fn the_candidate_is_red_and_every_other_codec_has_its_own_colour() {
        let codecs = ["xz:9", "candidate", "zstd:19", "gzip:9"].map(String::from);
        let colors = codec_colors(&codecs);
        assert_eq!(colors[1], CANDIDATE_COLOR);
        let mut distinct = colors.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 4, "{colors:?}");
    }

    #[test]
    fn progress_marks_each_status_and_steps_down_with_kept_runs() {
        let svg = progress(
            &[
                pt("base", Some(0.5)),
                pt("discard", Some(0.6)),
                pt("keep", Some(0.4)),
                pt("guard-fail", None),
                pt("keep", Some(0.3)),
            ],
            "default",
        );
        assert_eq!(svg.matches("class=\"pt keep\"").count(), 2);
        assert_eq!(svg.matches("class=\"pt discard\"").count(), 1);
        assert_eq!(svg.matches("class=\"pt guard-fail\"").count(), 1);
        assert!(svg.contains("&lt;run&gt;"), "titles are escaped");
        let best = svg.split("class=\"best\" d=\"").nth(1).unwrap();
        let best = best.split('"').next().unwrap();
        // Start, two drops (two segments each), and the tail to the last run.
        assert_eq!(best.matches('L').count(), 5, "{best}");
    }
}
