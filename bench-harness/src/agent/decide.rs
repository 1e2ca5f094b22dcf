//! Keep or discard. The ratio is exact, so any failure or a ratio that is not better
//! discards. A better ratio keeps unless compress or decompress time grew past
//! `max_slowdown` x the base, judged on medians of repeated runs measured in the same
//! session, and only when the difference exceeds the spread of those runs (the noise).

use super::figures::RunFigures;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    Discard,
}

/// Median and spread (max - min) of repeated timings, seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    pub median: f64,
    pub spread: f64,
    pub runs: usize,
}

impl Timing {
    pub fn of(samples: &[f64]) -> Timing {
        let mut s: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
        s.sort_by(f64::total_cmp);
        let median = match s.len() {
            0 => 0.0,
            n if n % 2 == 1 => s[n / 2],
            n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
        };
        let spread = s.last().zip(s.first()).map_or(0.0, |(hi, lo)| hi - lo);
        Timing {
            median,
            spread,
            runs: s.len(),
        }
    }
}

/// How one timing compares.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeedCheck {
    pub what: &'static str,
    pub base: Timing,
    pub attempt: Timing,
    /// attempt median / base median.
    pub factor: f64,
    /// The difference is no larger than the larger spread (or there is no spread to judge by).
    pub within_noise: bool,
    /// A spread was measured: several runs on a side, or runs that timed each operation
    /// several times (`--repeat`).
    pub noise_known: bool,
    pub too_slow: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub verdict: Verdict,
    /// Why it was discarded (empty when kept).
    pub reasons: Vec<String>,
    /// The ratios compared include the codec source size.
    pub charged_source: bool,
    pub base_ratio: Option<f64>,
    pub attempt_ratio: Option<f64>,
    pub speed: Vec<SpeedCheck>,
}

impl Decision {
    pub fn delta(&self) -> Option<f64> {
        Some(self.attempt_ratio? - self.base_ratio?)
    }

    /// A few lines for people: ratios, timings with their noise, verdict.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let r = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.8}"));
        let what = if self.charged_source {
            "ratio+src"
        } else {
            "ratio"
        };
        let _ = write!(
            out,
            "{what:<11} base {}  attempt {}",
            r(self.base_ratio),
            r(self.attempt_ratio)
        );
        if let (Some(d), Some(b)) = (self.delta(), self.base_ratio) {
            let _ = write!(out, "  delta {d:+.8} ({:+.3}%)", 100.0 * d / b);
        }
        out.push('\n');
        for s in &self.speed {
            let noise = if !s.noise_known {
                "noise unknown (one run each)"
            } else if s.within_noise {
                "within noise"
            } else {
                "beyond noise"
            };
            let _ = writeln!(
                out,
                "{:<11} base {:.3} s (median of {}, spread {:.3})  attempt {:.3} s (median of {}, spread {:.3})  {:.2}x, {noise}",
                s.what, s.base.median, s.base.runs, s.base.spread, s.attempt.median,
                s.attempt.runs, s.attempt.spread, s.factor
            );
        }
        match self.verdict {
            Verdict::Keep => out.push_str("verdict: keep\n"),
            Verdict::Discard => {
                let _ = writeln!(out, "verdict: discard: {}", self.reasons.join("; "));
            }
        }
        out
    }
}

/// Decides from runs of the base and of the attempt (the first of each gives the ratio; all
/// give timings). `holdout` is (base, attempt) holdout ratios when a holdout was measured.
pub fn decide(
    base: &[RunFigures],
    attempt: &[RunFigures],
    holdout: Option<(Option<f64>, Option<f64>)>,
    max_slowdown: f64,
) -> Decision {
    // The codec's source is charged when both sides know its size: data moved into the
    // source then costs what it saves.
    let charged_source = base.first().and_then(|f| f.ratio_with_source).is_some()
        && attempt.first().and_then(|f| f.ratio_with_source).is_some();
    let ratio_of = |f: &RunFigures| {
        if charged_source {
            f.ratio_with_source
        } else {
            f.ratio
        }
    };
    let base_ratio = base.first().and_then(ratio_of);
    let attempt_ratio = attempt.first().and_then(ratio_of);
    let mut reasons = Vec::new();
    let failed: usize = attempt.iter().map(|f| f.files_failed).sum();
    if failed > 0 {
        reasons.push(format!("the attempt failed {failed} file(s)"));
    }
    match (base_ratio, attempt_ratio) {
        (Some(b), Some(a)) if a >= b => {
            reasons.push(format!("ratio not better ({a:.8} vs base {b:.8})"))
        }
        (_, None) => reasons.push("the attempt has no ratio".into()),
        _ => {}
    }
    if let Some((b, a)) = holdout {
        match (b, a) {
            (Some(b), Some(a)) if a > b => {
                reasons.push(format!("holdout ratio worse ({a:.8} vs base {b:.8})"))
            }
            (_, None) => reasons.push("the holdout run failed".into()),
            _ => {}
        }
    }
    let speed = vec![
        speed_check(
            "compress",
            base,
            attempt,
            |f| f.compress_s,
            |(c, _)| c,
            max_slowdown,
        ),
        speed_check(
            "decompress",
            base,
            attempt,
            |f| f.decompress_s,
            |(_, d)| d,
            max_slowdown,
        ),
    ];
    for s in speed.iter().filter(|s| s.too_slow) {
        reasons.push(format!(
            "{} {:.2}x slower than the base ({:.3} s vs {:.3} s; limit {max_slowdown}x)",
            s.what, s.factor, s.attempt.median, s.base.median
        ));
    }
    Decision {
        verdict: if reasons.is_empty() {
            Verdict::Keep
        } else {
            Verdict::Discard
        },
        reasons,
        charged_source,
        base_ratio,
        attempt_ratio,
        speed,
    }
}

fn speed_check(
    what: &'static str,
    base: &[RunFigures],
    attempt: &[RunFigures],
    seconds: impl Fn(&RunFigures) -> f64,
    slowest: impl Fn((f64, f64)) -> f64,
    max_slowdown: f64,
) -> SpeedCheck {
    // The spread is that of the runs, or of the repeated operations within one run
    // (slowest minus fastest), whichever is larger.
    let timing = |runs: &[RunFigures]| {
        let mut t = Timing::of(&runs.iter().map(&seconds).collect::<Vec<_>>());
        for f in runs {
            if let Some(slow) = f.slowest {
                t.spread = t.spread.max(slowest(slow) - seconds(f));
            }
        }
        t
    };
    let (b, a) = (timing(base), timing(attempt));
    let noise_known =
        b.runs > 1 || a.runs > 1 || base.iter().chain(attempt).any(|f| f.slowest.is_some());
    let factor = if b.median > 0.0 {
        a.median / b.median
    } else {
        1.0
    };
    let within_noise = (a.median - b.median).abs() <= b.spread.max(a.spread);
    SpeedCheck {
        what,
        base: b,
        attempt: a,
        factor,
        within_noise,
        noise_known,
        too_slow: factor > max_slowdown && !within_noise,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ratio: f64, failed: usize, c: f64, d: f64) -> RunFigures {
        RunFigures {
            run_id: "r".into(),
            dataset: "default".into(),
            fingerprint: "f".into(),
            ratio: Some(ratio),
            files_failed: failed,
            compress_s: c,
            decompress_s: d,
            ratio_with_source: None,
            holdout_gap: None,
            selection: Default::default(),
            slowest: None,
        }
    }

    #[test]
    fn ratio_is_exact_and_failures_discard() {
        let base = [run(0.5, 0, 1.0, 1.0)];
        assert_eq!(
            decide(&base, &[run(0.4, 0, 1.0, 1.0)], None, 1.5).verdict,
            Verdict::Keep
        );
        assert_eq!(
            decide(&base, &[run(0.5, 0, 1.0, 1.0)], None, 1.5).verdict,
            Verdict::Discard
        );
        let d = decide(&base, &[run(0.4, 1, 1.0, 1.0)], None, 1.5);
        assert_eq!(d.reasons, ["the attempt failed 1 file(s)"]);
        let d = decide(
            &base,
            &[run(0.4, 0, 1.0, 1.0)],
            Some((Some(0.6), Some(0.61))),
            1.5,
        );
        assert_eq!(d.verdict, Verdict::Discard);
        assert!(d.reasons[0].contains("holdout"), "{:?}", d.reasons);
    }

    #[test]
    fn one_repeated_run_per_side_brings_its_own_noise() {
        let timed = |ratio, c: f64, slowest_c: f64| RunFigures {
            slowest: Some((slowest_c, 1.0)),
            ..run(ratio, 0, c, 1.0)
        };
        // 1.6x slower, but the base's own repeats ranged from 1.0 to 1.7 s.
        let noisy = decide(&[timed(0.5, 1.0, 1.7)], &[timed(0.4, 1.6, 1.7)], None, 1.5);
        assert_eq!(noisy.verdict, Verdict::Keep, "{}", noisy.render());
        assert!(
            noisy.render().contains("within noise"),
            "{}",
            noisy.render()
        );
        assert!((noisy.speed[0].base.spread - 0.7).abs() < 1e-12);
        // The same slowdown with steady repeats is real.
        let steady = decide(
            &[timed(0.5, 1.0, 1.05)],
            &[timed(0.4, 1.6, 1.65)],
            None,
            1.5,
        );
        assert_eq!(steady.verdict, Verdict::Discard, "{}", steady.render());
        assert!(steady.render().contains("beyond noise"));
        // Without repeats there is nothing to judge the noise by.
        let once = decide(
            &[run(0.5, 0, 1.0, 1.0)],
            &[run(0.4, 0, 1.6, 1.0)],
            None,
            1.5,
        );
        assert!(once.render().contains("noise unknown"), "{}", once.render());
    }

    #[test]
    fn slowdown_discards_only_beyond_the_factor_and_the_noise() {
        let base = [
            run(0.5, 0, 1.0, 1.0),
            run(0.5, 0, 1.1, 1.0),
            run(0.5, 0, 0.9, 1.0),
        ];
        let slow = [
            run(0.4, 0, 2.0, 1.0),
            run(0.4, 0, 2.1, 1.0),
            run(0.4, 0, 1.9, 1.0),
        ];
        let d = decide(&base, &slow, None, 1.5);
        assert_eq!(d.verdict, Verdict::Discard);
        assert!(
            d.reasons[0].starts_with("compress 2.00x slower"),
            "{:?}",
            d.reasons
        );
        assert!(d.render().contains("beyond noise"));
        let a_bit = [
            run(0.4, 0, 1.3, 1.0),
            run(0.4, 0, 1.2, 1.0),
            run(0.4, 0, 1.4, 1.0),
        ];
        assert_eq!(decide(&base, &a_bit, None, 1.5).verdict, Verdict::Keep);
        // 2x slower in the median, but the runs scatter more than that: noise, not a slowdown.
        let noisy = [
            run(0.4, 0, 2.0, 1.0),
            run(0.4, 0, 0.5, 1.0),
            run(0.4, 0, 3.5, 1.0),
        ];
        let d = decide(&base, &noisy, None, 1.5);
        assert_eq!(d.verdict, Verdict::Keep);
        assert!(d.speed[0].within_noise && d.render().contains("within noise"));
    }

    #[test]
    fn timing_is_median_and_spread() {
        assert_eq!(
            Timing::of(&[3.0, 1.0, 2.0, 10.0]),
            Timing {
                median: 2.5,
                spread: 9.0,
                runs: 4
            }
        );
    }
}
