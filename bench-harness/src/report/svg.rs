//! Just enough SVG for the report's charts: a plot area with linear or log axes and nice
//! ticks, and escaped text. Coordinates are pixels of the SVG's own viewBox.

use std::fmt::Write;

/// Escapes text for XML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Maps data values to pixels, linearly or on a log10 scale.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub px_lo: f64,
    pub px_hi: f64,
    pub log: bool,
    /// Ticks only at whole numbers (counts, indices).
    pub integer: bool,
}

impl Scale {
    pub fn new(lo: f64, hi: f64, px_lo: f64, px_hi: f64, log: bool) -> Scale {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
        Scale {
            lo,
            hi,
            px_lo,
            px_hi,
            log,
            integer: false,
        }
    }

    pub fn integers(mut self) -> Scale {
        self.integer = true;
        self
    }

    pub fn px(&self, v: f64) -> f64 {
        let f = |x: f64| if self.log { x.max(1e-12).log10() } else { x };
        let t = (f(v) - f(self.lo)) / (f(self.hi) - f(self.lo));
        self.px_lo + t * (self.px_hi - self.px_lo)
    }

    /// About `n` round tick values inside the range. On a log scale: 1, 2 and 5 times each
    /// power of ten when the range spans three decades or fewer, the powers of ten otherwise.
    pub fn ticks(&self, n: usize) -> Vec<f64> {
        if self.log {
            let (a, b) = (self.lo.max(1e-12).log10().floor(), self.hi.log10().ceil());
            let decades = (self.hi / self.lo.max(1e-12)).log10();
            let steps: &[f64] = if decades <= 3.5 {
                &[1.0, 2.0, 5.0]
            } else {
                &[1.0]
            };
            return (a as i32..=b as i32)
                .flat_map(|e| steps.iter().map(move |m| m * 10f64.powi(e)))
                .filter(|v| *v >= self.lo * 0.999 && *v <= self.hi * 1.001)
                .collect();
        }
        let raw = (self.hi - self.lo) / n.max(1) as f64;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * mag);
        let step = if self.integer {
            step.max(1.0).round()
        } else {
            step
        };
        let first = (self.lo / step).ceil() as i64;
        let last = (self.hi / step + 1e-9).floor() as i64;
        (first..=last).map(|k| k as f64 * step).collect()
    }
}

/// Pads a data range by `frac` of its width on both sides.
pub fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    let pad = ((hi - lo) * frac).max(hi.abs() * 1e-3).max(1e-9);
    (lo - pad, hi + pad)
}

/// A compact label for a tick value: `0.25`, `3`, `20`, `500`, `2k`, `15M`; tiny values in
/// exponent form.
pub fn tick_label(v: f64) -> String {
    let a = v.abs();
    if v != 0.0 && a < 1e-3 {
        return format!("{v:.0e}");
    }
    for (unit, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if a >= unit * 0.9995 && (a >= 1e4 || (v / unit).fract() == 0.0) {
            return format!("{}{suffix}", trim_number(v / unit));
        }
    }
    trim_number(v)
}

/// `v` with at most four decimals and no trailing zeros.
fn trim_number(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An SVG document being written.
pub struct Svg {
    out: String,
}

/// The plot area of a chart, in pixels.
#[derive(Clone, Copy, Debug)]
pub struct Area {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Svg {
    pub fn new(width: u32, height: u32, title: &str, class: &str) -> Svg {
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {}\" viewBox=\"0 0 {width} {height}\" \
             width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">\
             <title>{}</title>\
             <rect class=\"bg\" x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>",
            esc(class),
            esc(title),
            esc(title)
        );
        Svg { out }
    }

    pub fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    pub fn text(&mut self, x: f64, y: f64, anchor: &str, class: &str, text: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" class=\"{class}\" \
             font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\">{}</text>",
            esc(text)
        );
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, class: &str) {
        let _ = write!(
            self.out,
            "<line class=\"{class}\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" \
             stroke=\"{stroke}\" stroke-width=\"1\"/>"
        );
    }

    /// Axes with grid lines and tick labels, and the axis titles.
    pub fn axes(&mut self, area: Area, x: &Scale, y: &Scale, x_title: &str, y_title: &str) {
        for v in y.ticks(6) {
            let py = y.px(v);
            self.line(area.left, py, area.right, py, "#e5e5e5", "grid");
            self.text(area.left - 6.0, py + 4.0, "end", "tick", &tick_label(v));
        }
        for v in x.ticks(8) {
            let px = x.px(v);
            self.line(px, area.top, px, area.bottom, "#f0f0f0", "grid");
            self.text(px, area.bottom + 15.0, "middle", "tick", &tick_label(v));
        }
        self.line(
            area.left,
            area.bottom,
            area.right,
            area.bottom,
            "#333",
            "axis",
        );
        self.line(area.left, area.top, area.left, area.bottom, "#333", "axis");
        let mid_x = (area.left + area.right) / 2.0;
        self.text(mid_x, area.bottom + 32.0, "middle", "axis-title", x_title);
        let mid_y = (area.top + area.bottom) / 2.0;
        let _ = write!(
            self.out,
            "<text class=\"axis-title\" transform=\"translate(14 {mid_y:.1}) rotate(-90)\" \
             text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\">{}</text>",
            esc(y_title)
        );
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_map_and_tick() {
        let s = Scale::new(0.0, 1.0, 100.0, 0.0, false);
        assert_eq!(s.px(0.25), 75.0);
        let labels: Vec<String> = s.ticks(5).into_iter().map(tick_label).collect();
        assert_eq!(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1"]);
        let l = Scale::new(1.0, 1000.0, 0.0, 300.0, true);
        assert!((l.px(10.0) - 100.0).abs() < 1e-9);
        assert_eq!(l.ticks(5).len(), 10, "1, 2, 5 per decade: {:?}", l.ticks(5));
        let labels: Vec<String> = Scale::new(0.4, 300.0, 0.0, 300.0, true)
            .ticks(5)
            .into_iter()
            .map(tick_label)
            .collect();
        assert_eq!(
            labels,
            ["0.5", "1", "2", "5", "10", "20", "50", "100", "200"]
        );
        let wide = Scale::new(0.01, 5000.0, 0.0, 300.0, true).ticks(5);
        assert_eq!(wide, vec![0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]);
        assert_eq!(tick_label(1000.0), "1k");
        assert_eq!(tick_label(2000.0), "2k");
        assert_eq!(tick_label(12500.0), "12.5k");
        assert_eq!(tick_label(0.0001), "1e-4");
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(3.0), "3");
    }
}
