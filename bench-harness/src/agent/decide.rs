//! Keep or discard. Acceptance must let a campaign start from the byte-copy stub, which
//! anything is slower than, so by default it asks only for an exact improvement of the chosen
//! objective (source charged), no failed file (a timed-out operation fails its file), and,
//! with a holdout, a share of the gain there too. Speed is judged only when asked: absolute
//! floors (`--min-speed`, `--max-rss`), or a relative limit (`--max-slowdown`) that is not
//! applied while the base runs faster than a byte copy could be expected to, and that treats
//! a slowdown as noise only within the measured spread and never beyond [`NOISE_CAP`].

use super::figures::RunFigures;
use super::objective::Objective;
use std::fmt::Write;

/// MB/s above which a base counts as a byte copy: no relative slowdown limit applies to it
/// (any compressor is slower than copying). A byte copy through the harness's runner, one
/// process per operation, runs faster than this on the default dataset.
pub const BYTE_COPY_FLOOR_MB_S: f64 = 50.0;

/// A slowdown by more than this factor is never called noise, however the runs scatter.
pub const NOISE_CAP: f64 = 1.5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    Discard,
}

/// What a decision asks of an attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    pub objective: Objective,
    /// Largest accepted attempt / base time, when asked.
    pub max_slowdown: Option<f64>,
    /// Smallest accepted compress and decompress speed, MB/s, when asked.
    pub min_speed: Option<f64>,
    /// Largest accepted peak resident memory of an operation, bytes, when asked.
    pub max_rss: Option<u64>,
    /// The share of the main dataset's relative gain the holdout must show.
    pub min_holdout_share: f64,
}

impl Rules {
    /// The default rules for `objective`.
    pub fn exact(objective: Objective) -> Rules {
        Rules {
            objective,
            max_slowdown: None,
            min_speed: None,
            max_rss: None,
            min_holdout_share: 0.5,
        }
    }

    /// Whether deciding needs timing runs of both sides.
    pub fn judges_speed(&self) -> bool {
        self.max_slowdown.is_some() || self.objective == Objective::Pareto
    }
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
    /// The difference is no larger than the larger spread and the factor at most
    /// [`NOISE_CAP`].
    pub within_noise: bool,
    /// A spread was measured: several runs on a side, or runs that timed each operation
    /// several times (`--repeat`).
    pub noise_known: bool,
    /// The base's speed, MB/s, when the run's bytes are known.
    pub base_mb_s: Option<f64>,
    /// The relative limit applies (asked for, and the base slower than a byte copy).
    pub limited: bool,
    pub too_slow: bool,
}

/// A point of the loop's front (the base and every kept attempt) for the `pareto` objective.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontPoint {
    pub name: String,
    pub score: f64,
    pub compress_s: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub verdict: Verdict,
    /// Why it was discarded (empty when kept).
    pub reasons: Vec<String>,
    pub objective: Objective,
    pub base_score: Option<f64>,
    pub attempt_score: Option<f64>,
    /// The scores include the codec source's charge (the candidate's runs only).
    pub source_charged: bool,
    pub speed: Vec<SpeedCheck>,
}

impl Decision {
    pub fn delta(&self) -> Option<f64> {
        Some(self.attempt_score? - self.base_score?)
    }

    /// A few lines for people: scores, timings with their noise, verdict.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let r = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.8}"));
        let _ = write!(
            out,
            "{:<11} base {}  attempt {}",
            format!("{} ratio", self.objective.as_str()),
            r(self.base_score),
            r(self.attempt_score)
        );
        if let (Some(d), Some(b)) = (self.delta(), self.base_score) {
            let _ = write!(out, "  delta {d:+.8} ({:+.3}%)", 100.0 * d / b);
        }
        out.push_str(if self.source_charged {
            "  (source charged)\n"
        } else {
            "\n"
        });
        for s in &self.speed {
            let noise = if !s.limited {
                "no relative limit".to_string()
            } else if !s.noise_known {
                "noise unknown (one run each)".to_string()
            } else if s.within_noise {
                "within noise".to_string()
            } else {
                "beyond noise".to_string()
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

/// Decides from runs of the base and of the attempt (the first of each gives the scores; all
/// give timings). `holdout` is the (base, attempt) holdout values when a holdout was
/// measured; `front` the loop's kept points, for `pareto`.
pub fn decide(
    base: &[RunFigures],
    attempt: &[RunFigures],
    holdout: Option<(Option<f64>, Option<f64>)>,
    rules: &Rules,
    front: &[FrontPoint],
) -> Decision {
    let objective = rules.objective;
    let base_score = base.first().and_then(|f| f.score(objective));
    let attempt_score = attempt.first().and_then(|f| f.score(objective));
    let source_charged = base.first().is_some_and(|f| f.source_bytes.is_some());
    let mut reasons = Vec::new();
    let failed: usize = attempt.iter().map(|f| f.files_failed).sum();
    if failed > 0 {
        reasons.push(format!("the attempt failed {failed} file(s)"));
    }
    let speed = speed_checks(base, attempt, rules.max_slowdown);
    match (base_score, attempt_score) {
        (_, None) => reasons.push("the attempt has no score".into()),
        (Some(b), Some(a)) if objective == Objective::Pareto => {
            let faster = speed
                .first()
                .is_some_and(|c| c.attempt.median < c.base.median && !c.within_noise);
            if a >= b && !faster {
                reasons.push(format!(
                    "dominated by the base ({objective}: {a:.8} vs {b:.8}, and compress not faster beyond noise)"
                ));
            }
            let attempt_s = speed.first().map_or(0.0, |c| c.attempt.median);
            if let Some(p) = front
                .iter()
                .find(|p| p.score <= a && p.compress_s <= attempt_s)
            {
                reasons.push(format!(
                    "dominated by {} on the front ({:.8} in {:.3} s against {a:.8} in {attempt_s:.3} s)",
                    p.name, p.score, p.compress_s
                ));
            }
        }
        (Some(b), Some(a)) if a >= b => reasons.push(format!(
            "{objective} score not better ({a:.8} vs base {b:.8}{})",
            if source_charged {
                ", source charged"
            } else {
                ""
            }
        )),
        _ => {}
    }
    if let Some((b, a)) = holdout {
        if let Some(why) = holdout_reason(base_score, attempt_score, b, a, rules) {
            reasons.push(why);
        }
    }
    if let (Some(floor), Some(a)) = (rules.min_speed, attempt.first()) {
        let mb = a.selection.bytes as f64 / 1e6;
        for (what, s) in [("compress", a.compress_s), ("decompress", a.decompress_s)] {
            let speed = if s > 0.0 { mb / s } else { f64::INFINITY };
            if speed < floor {
                reasons.push(format!(
                    "{what} at {speed:.2} MB/s is below --min-speed {floor} MB/s"
                ));
            }
        }
    }
    if let (Some(limit), Some(a)) = (rules.max_rss, attempt.first()) {
        if a.max_peak_rss_bytes > limit {
            reasons.push(format!(
                "peak memory {} bytes is above --max-rss {limit} bytes",
                a.max_peak_rss_bytes
            ));
        }
    }
    for s in speed.iter().filter(|s| s.too_slow) {
        reasons.push(format!(
            "{} {:.2}x slower than the base ({:.3} s vs {:.3} s; limit {}x)",
            s.what,
            s.factor,
            s.attempt.median,
            s.base.median,
            rules.max_slowdown.unwrap_or(f64::INFINITY)
        ));
    }
    Decision {
        verdict: if reasons.is_empty() {
            Verdict::Keep
        } else {
            Verdict::Discard
        },
        reasons,
        objective,
        base_score,
        attempt_score,
        source_charged,
        speed,
    }
}

/// Why the holdout refuses the attempt: its relative gain must be at least the rule's share
/// of the main dataset's (and never negative).
fn holdout_reason(
    base_score: Option<f64>,
    attempt_score: Option<f64>,
    base_holdout: Option<f64>,
    attempt_holdout: Option<f64>,
    rules: &Rules,
) -> Option<String> {
    let Some(a) = attempt_holdout else {
        return Some("the holdout run failed".into());
    };
    let b = base_holdout?;
    let holdout_gain = if b > 0.0 { (b - a) / b } else { 0.0 };
    let main_gain = match (base_score, attempt_score) {
        (Some(bs), Some(at)) if bs > 0.0 => (bs - at) / bs,
        _ => 0.0,
    };
    let needed = rules.min_holdout_share * main_gain.max(0.0);
    if holdout_gain < 0.0 && main_gain <= 0.0 {
        return Some(format!(
            "holdout worse by {:.3}% ({a:.8} vs base {b:.8})",
            -100.0 * holdout_gain
        ));
    }
    if holdout_gain < needed {
        return Some(format!(
            "holdout {} by {:.3}% against {:.3}% on the main dataset; it must improve by at \
             least {:.0}% of that (--min-holdout-share {}): {a:.8} vs base {b:.8}",
            if holdout_gain < 0.0 {
                "worse"
            } else {
                "improved"
            },
            100.0 * holdout_gain.abs(),
            100.0 * main_gain,
            100.0 * rules.min_holdout_share,
            rules.min_holdout_share
        ));
    }
    None
}

fn speed_checks(
    base: &[RunFigures],
    attempt: &[RunFigures],
    max_slowdown: Option<f64>,
) -> Vec<SpeedCheck> {
    [
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
    ]
    .into()
}

fn speed_check(
    what: &'static str,
    base: &[RunFigures],
    attempt: &[RunFigures],
    seconds: impl Fn(&RunFigures) -> f64,
    slowest: impl Fn((f64, f64)) -> f64,
    max_slowdown: Option<f64>,
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
    let within_noise = (a.median - b.median).abs() <= b.spread.max(a.spread) && factor <= NOISE_CAP;
    let bytes = base.first().map_or(0, |f| f.selection.bytes);
    let base_mb_s = (bytes > 0 && b.median > 0.0).then(|| bytes as f64 / 1e6 / b.median);
    let limited = max_slowdown.is_some() && base_mb_s.is_none_or(|s| s <= BYTE_COPY_FLOOR_MB_S);
    SpeedCheck {
        what,
        base: b,
        attempt: a,
        factor,
        within_noise,
        noise_known,
        base_mb_s,
        limited,
        too_slow: limited && factor > max_slowdown.unwrap_or(f64::INFINITY) && !within_noise,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::figures::Selection;

    /// A run of 10 MB with `ratio` (charged as is), `failed` files and the given seconds.
    fn run(ratio: f64, failed: usize, c: f64, d: f64) -> RunFigures {
        RunFigures {
            run_id: "r".into(),
            dataset: "default".into(),
            fingerprint: "f".into(),
            ratio: Some(ratio),
            files_failed: failed,
            compress_s: c,
            decompress_s: d,
            selection: Selection {
                bytes: 10_000_000,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn limited(f: f64) -> Rules {
        Rules {
            max_slowdown: Some(f),
            ..Rules::exact(Objective::Total)
        }
    }

    #[test]
    fn score_is_exact_and_failures_discard() {
        let exact = Rules::exact(Objective::Total);
        let base = [run(0.5, 0, 1.0, 1.0)];
        assert_eq!(
            decide(&base, &[run(0.4, 0, 1.0, 1.0)], None, &exact, &[]).verdict,
            Verdict::Keep
        );
        let same = decide(&base, &[run(0.5, 0, 1.0, 1.0)], None, &exact, &[]);
        assert_eq!(same.verdict, Verdict::Discard);
        assert!(
            same.reasons[0].starts_with("total score not better"),
            "{:?}",
            same.reasons
        );
        let d = decide(&base, &[run(0.4, 1, 1.0, 1.0)], None, &exact, &[]);
        assert_eq!(d.reasons, ["the attempt failed 1 file(s)"]);
    }

    #[test]
    fn a_campaign_starts_from_the_stub_however_slow_the_first_codec() {
        // The byte-copy stub at 142 MB/s; a compressor 7.8x slower.
        let stub = [run(1.0, 0, 0.070, 0.070)];
        let lz = [run(0.567, 0, 0.549, 0.2)];
        let d = decide(&stub, &lz, None, &Rules::exact(Objective::Total), &[]);
        assert_eq!(d.verdict, Verdict::Keep, "{}", d.render());
        // Even with a relative limit asked for: the stub is faster than a byte-copy floor.
        let d = decide(&stub, &lz, None, &limited(1.5), &[]);
        assert_eq!(d.verdict, Verdict::Keep, "{}", d.render());
        assert!(d.render().contains("no relative limit"), "{}", d.render());
        // Once the base is a compressor, the limit applies.
        let slower = [run(0.5, 0, 2.0, 0.2)];
        let d = decide(&lz, &slower, None, &limited(1.5), &[]);
        assert_eq!(d.verdict, Verdict::Discard, "{}", d.render());
        assert!(
            d.reasons[0].starts_with("compress 3.64x slower"),
            "{:?}",
            d.reasons
        );
    }

    #[test]
    fn a_slowdown_beyond_the_cap_is_never_noise() {
        let timed = |ratio, c: f64, slowest_c: f64| RunFigures {
            slowest: Some((slowest_c, 1.0)),
            ..run(ratio, 0, c, 1.0)
        };
        // 1.4x slower within a base whose repeats ranged from 1.0 to 1.7 s: noise.
        let noisy = decide(
            &[timed(0.5, 1.0, 1.7)],
            &[timed(0.4, 1.4, 1.5)],
            None,
            &limited(1.2),
            &[],
        );
        assert_eq!(noisy.verdict, Verdict::Keep, "{}", noisy.render());
        assert!(noisy.render().contains("within noise"));
        // 2.5x slower on a machine whose runs scatter by 2 s: not noise, whatever the spread.
        let loaded = decide(
            &[timed(0.5, 1.0, 3.0)],
            &[timed(0.4, 2.5, 3.0)],
            None,
            &limited(1.5),
            &[],
        );
        assert_eq!(loaded.verdict, Verdict::Discard, "{}", loaded.render());
        assert!(
            loaded.render().contains("beyond noise"),
            "{}",
            loaded.render()
        );
        let once = decide(
            &[run(0.5, 0, 1.0, 1.0)],
            &[run(0.4, 0, 1.2, 1.0)],
            None,
            &limited(1.5),
            &[],
        );
        assert!(once.render().contains("noise unknown"), "{}", once.render());
    }

    #[test]
    fn absolute_floors_apply_only_when_asked() {
        let base = [run(0.5, 0, 1.0, 1.0)];
        let slow = [RunFigures {
            max_peak_rss_bytes: 300 << 20,
            ..run(0.4, 0, 20.0, 2.0)
        }];
        let exact = Rules::exact(Objective::Total);
        assert_eq!(
            decide(&base, &slow, None, &exact, &[]).verdict,
            Verdict::Keep
        );
        let floors = Rules {
            min_speed: Some(1.0),
            max_rss: Some(256 << 20),
            ..exact
        };
        let d = decide(&base, &slow, None, &floors, &[]);
        assert_eq!(
            d.reasons,
            [
                "compress at 0.50 MB/s is below --min-speed 1 MB/s",
                "peak memory 314572800 bytes is above --max-rss 268435456 bytes"
            ]
        );
    }

    #[test]
    fn the_holdout_must_share_the_gain() {
        let rules = Rules::exact(Objective::Total);
        let base = [run(0.5, 0, 1.0, 1.0)];
        let better = [run(0.4, 0, 1.0, 1.0)];
        // 20% better on the main dataset: the holdout needs at least 10%.
        let general = decide(&base, &better, Some((Some(0.6), Some(0.5))), &rules, &[]);
        assert_eq!(general.verdict, Verdict::Keep, "{:?}", general.reasons);
        let lookup = decide(&base, &better, Some((Some(0.6), Some(0.6))), &rules, &[]);
        assert_eq!(lookup.verdict, Verdict::Discard);
        assert!(
            lookup.reasons[0].starts_with("holdout improved by 0.000% against 20.000%"),
            "{:?}",
            lookup.reasons
        );
        assert!(lookup.reasons[0].contains("--min-holdout-share 0.5"));
        let worse = decide(&base, &better, Some((Some(0.6), Some(0.61))), &rules, &[]);
        assert!(
            worse.reasons[0].starts_with("holdout worse"),
            "{:?}",
            worse.reasons
        );
        let failed = decide(&base, &better, Some((Some(0.6), None)), &rules, &[]);
        assert_eq!(failed.reasons, ["the holdout run failed"]);
    }

    #[test]
    fn pareto_keeps_what_the_front_does_not_dominate() {
        let rules = Rules::exact(Objective::Pareto);
        let base = [run(0.5, 0, 1.0, 1.0), run(0.5, 0, 1.02, 1.0)];
        let faster_worse = [run(0.55, 0, 0.5, 1.0), run(0.55, 0, 0.51, 1.0)];
        assert_eq!(
            decide(&base, &faster_worse, None, &rules, &[]).verdict,
            Verdict::Keep
        );
        let front = [FrontPoint {
            name: "iteration 3".into(),
            score: 0.5,
            compress_s: 0.4,
        }];
        let d = decide(&base, &faster_worse, None, &rules, &front);
        assert_eq!(d.verdict, Verdict::Discard);
        assert!(
            d.reasons[0].starts_with("dominated by iteration 3"),
            "{:?}",
            d.reasons
        );
        let slower_same = [run(0.5, 0, 2.0, 1.0), run(0.5, 0, 2.1, 1.0)];
        let d = decide(&base, &slower_same, None, &rules, &[]);
        assert!(
            d.reasons[0].starts_with("dominated by the base"),
            "{:?}",
            d.reasons
        );
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
