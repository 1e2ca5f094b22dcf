//! How long a run will take: each (file, codec) pair's expected seconds from the bytes and
//! the codec's known speed, scaled by how the run's measured pairs compare with what was
//! expected of them. Times are durations since the run started, from any clock, so tests
//! drive it with a fake one.

use std::collections::HashMap;
use std::time::Duration;

/// Expected seconds of one pair in one round; cached pairs cost nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedPair {
    pub file: String,
    pub codec: String,
    pub bytes: u64,
    /// Seconds one round of this pair is expected to take.
    pub seconds: f64,
}

/// The expected cost of a run and how much of it is done.
#[derive(Clone, Debug)]
pub struct Forecast {
    /// Expected seconds per round of each pair, by (file, codec).
    cost: HashMap<(String, String), f64>,
    total: f64,
    done: f64,
    /// Measurements (pairs x rounds) planned and done.
    count_total: usize,
    count_done: usize,
    /// When the last measurement ended.
    last_done_at: Duration,
}

/// Past this share of the expected cost, the run's own pace takes over the estimate
/// entirely; before it, the pace is blended in as the evidence grows.
const TRUST_PACE_AFTER: f64 = 0.2;

impl Forecast {
    pub fn new(pairs: &[PlannedPair], rounds: usize) -> Forecast {
        let rounds = rounds.max(1);
        Forecast {
            cost: pairs
                .iter()
                .map(|p| ((p.file.clone(), p.codec.clone()), p.seconds))
                .collect(),
            total: pairs.iter().map(|p| p.seconds).sum::<f64>() * rounds as f64,
            done: 0.0,
            count_total: pairs.len() * rounds,
            count_done: 0,
            last_done_at: Duration::ZERO,
        }
    }

    /// One measurement of (`file`, `codec`) done at `at` (or dropped: a failed or cached
    /// pair that a later round does not measure again).
    pub fn done(&mut self, file: &str, codec: &str, at: Duration) {
        self.count_done += 1;
        self.last_done_at = self.last_done_at.max(at);
        self.done += self
            .cost
            .get(&(file.to_string(), codec.to_string()))
            .copied()
            .unwrap_or(0.0);
    }

    /// (measurements done, planned).
    pub fn counts(&self) -> (usize, usize) {
        (self.count_done, self.count_total)
    }

    /// Expected seconds of the whole run before it started.
    pub fn expected_total(&self) -> Duration {
        Duration::from_secs_f64(self.total)
    }

    /// Share of the expected cost done, 0 to 1.
    pub fn fraction_done(&self) -> f64 {
        if self.total > 0.0 {
            (self.done / self.total).min(1.0)
        } else {
            self.count_done as f64 / self.count_total.max(1) as f64
        }
    }

    /// Time left at `elapsed`: the expected seconds left, scaled by the run's pace so far
    /// (elapsed against the expected seconds of what is done) once enough is done to
    /// judge it. `None` when nothing is expected to remain.
    pub fn left(&self, elapsed: Duration) -> Option<Duration> {
        let remaining = (self.total - self.done).max(0.0);
        if remaining <= 0.0 && self.count_done >= self.count_total {
            return None;
        }
        let elapsed = elapsed.as_secs_f64();
        // Seconds taken per second expected, over the measurements done.
        let pace = if self.done > 0.0 {
            self.last_done_at.as_secs_f64() / self.done
        } else {
            1.0
        };
        // Weight of the measured pace: 0 at the start, 1 past TRUST_PACE_AFTER of the run.
        let trust = (self.fraction_done() / TRUST_PACE_AFTER).min(1.0);
        let factor = trust * pace + (1.0 - trust);
        // Time already spent on the measurements in progress counts against the remainder.
        let ahead = remaining * factor;
        let in_progress = (elapsed - self.last_done_at.as_secs_f64()).clamp(0.0, ahead);
        Some(Duration::from_secs_f64(ahead - in_progress))
    }
}

/// `3h 05m`, `4m 10s`, `42s`: whole seconds, the two largest units.
pub fn human(d: Duration) -> String {
    let s = d.as_secs_f64().round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(file: &str, codec: &str, seconds: f64) -> PlannedPair {
        PlannedPair {
            file: file.into(),
            codec: codec.into(),
            bytes: 1000,
            seconds,
        }
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn the_estimate_follows_the_expected_cost_then_the_measured_pace() {
        // A slow candidate and a fast baseline on two files: 10 + 1 + 20 + 2 = 33 s.
        let pairs = [
            pair("a", "candidate", 10.0),
            pair("a", "gzip:9", 1.0),
            pair("b", "candidate", 20.0),
            pair("b", "gzip:9", 2.0),
        ];
        let mut f = Forecast::new(&pairs, 1);
        assert_eq!(f.expected_total(), secs(33.0));
        assert_eq!(f.left(secs(0.0)), Some(secs(33.0)));
        // Four seconds into the first pair: time spent counts against it.
        assert_eq!(f.left(secs(4.0)), Some(secs(29.0)));
        // The first pair took 10 s as expected: 23 s remain, whatever the pair count says
        // (three of four pairs are left, but most of the cost is the candidate on b).
        f.done("a", "candidate", secs(10.0));
        assert_eq!(f.left(secs(10.0)), Some(secs(23.0)));
        assert_eq!(f.counts(), (1, 4));
        // The machine is twice as slow as expected: the pace doubles what is left.
        let mut slow = Forecast::new(&pairs, 1);
        slow.done("a", "candidate", secs(20.0));
        slow.done("a", "gzip:9", secs(22.0));
        assert_eq!(slow.left(secs(22.0)), Some(secs(44.0)));
        // Done: nothing is left, however long it took.
        for (file, codec) in [("b", "candidate"), ("b", "gzip:9")] {
            slow.done(file, codec, secs(70.0));
        }
        assert_eq!(slow.left(secs(70.0)), None);
    }

    #[test]
    fn early_pace_is_weighed_by_how_much_of_the_run_it_covers() {
        let pairs: Vec<PlannedPair> = (0..100).map(|i| pair(&format!("f{i}"), "c", 1.0)).collect();
        let mut f = Forecast::new(&pairs, 2);
        assert_eq!(f.expected_total(), secs(200.0));
        // 10 of 200 expected seconds done in 20 s (twice as slow): 5% of the run, a quarter
        // of the way to trusting the pace, so the factor is 1.25, not 2.
        for i in 0..10 {
            f.done(&format!("f{i}"), "c", secs(2.0 * (i + 1) as f64));
        }
        assert_eq!(f.left(secs(20.0)), Some(secs(190.0 * 1.25)));
        // Three seconds into the next one.
        assert_eq!(f.left(secs(23.0)), Some(secs(190.0 * 1.25 - 3.0)));
        assert_eq!(f.counts(), (10, 200));
    }

    #[test]
    fn durations_read_in_two_units() {
        assert_eq!(human(secs(42.4)), "42s");
        assert_eq!(human(secs(250.0)), "4m 10s");
        assert_eq!(human(secs(3.0 * 3600.0 + 300.0)), "3h 05m");
    }
}
