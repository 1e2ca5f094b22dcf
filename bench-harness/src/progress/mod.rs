//! Progress of a run: an `indicatif` bar on a terminal, plain log lines otherwise. Both say
//! how many (file, codec) measurements are done and how long the rest should take (see
//! [`forecast`]); a last line says what was measured and how long it took, and stays.

pub mod forecast;
pub mod speeds;

use crate::run::row::FileRow;
use forecast::{human, Forecast, PlannedPair};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Time since the run started.
pub type Clock = Box<dyn Fn() -> Duration + Send + Sync>;

/// A clock that reads the system's monotonic time.
pub fn system_clock() -> Clock {
    let start = Instant::now();
    Box::new(move || start.elapsed())
}

/// Where progress goes: a bar on a terminal, lines on standard error, or a buffer (tests).
pub enum Output {
    Bar(ProgressBar),
    Lines,
    Buffer(Mutex<Vec<String>>),
    Quiet,
}

pub struct Progress {
    output: Output,
    clock: Clock,
    forecast: Mutex<Forecast>,
    /// What one count is: `(file, codec) pairs`, or with rounds `(file, codec, round)
    /// measurements`.
    unit: &'static str,
    /// Original bytes of the pairs, for the last line.
    bytes: u64,
    codecs: usize,
}

/// Bar positions are expected milliseconds.
const BAR_UNIT: f64 = 1000.0;

impl Progress {
    /// Progress of `pairs` over `rounds` rounds: a bar when standard error is a terminal,
    /// log lines otherwise, nothing when `quiet`.
    pub fn new(pairs: &[PlannedPair], rounds: usize, quiet: bool) -> Self {
        let output = if quiet {
            Output::Quiet
        } else if std::io::stderr().is_terminal() {
            Output::Bar(ProgressBar::hidden())
        } else {
            Output::Lines
        };
        Self::with(pairs, rounds, output, system_clock())
    }

    /// Progress to `output`, timed by `clock`.
    pub fn with(pairs: &[PlannedPair], rounds: usize, output: Output, clock: Clock) -> Self {
        let forecast = Forecast::new(pairs, rounds);
        if let Output::Bar(bar) = &output {
            let total = forecast.expected_total().as_secs_f64() * BAR_UNIT;
            bar.set_length(total.max(1.0) as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {prefix} {msg}",
                )
                .expect("valid template"),
            );
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        let mut files: Vec<&str> = pairs.iter().map(|p| p.file.as_str()).collect();
        files.sort_unstable();
        files.dedup();
        let mut codecs: Vec<&str> = pairs.iter().map(|p| p.codec.as_str()).collect();
        codecs.sort_unstable();
        codecs.dedup();
        let bytes = pairs.iter().map(|p| p.bytes).sum::<u64>() / codecs.len().max(1) as u64;
        let progress = Progress {
            unit: if rounds > 1 {
                "(file, codec, round) measurements"
            } else {
                "(file, codec) pairs"
            },
            codecs: codecs.len(),
            bytes,
            output,
            clock,
            forecast: Mutex::new(forecast),
        };
        progress.log(&format!(
            "measuring {} files x {} codecs{} ({:.1} MiB of input), expected to take {}",
            files.len(),
            progress.codecs,
            if rounds > 1 {
                format!(" x {rounds} rounds")
            } else {
                String::new()
            },
            progress.bytes as f64 / (1 << 20) as f64,
            human(progress.forecast().expected_total())
        ));
        progress
    }

    fn forecast(&self) -> std::sync::MutexGuard<'_, Forecast> {
        self.forecast.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn started(&self, file: &str, codec: &str) {
        if let Output::Bar(bar) = &self.output {
            bar.set_message(format!("{file} / {codec}"));
        }
    }

    pub fn finished(&self, row: &FileRow) {
        let status = self.advance(row);
        let ratio = row
            .ratio
            .map(|r| format!("{r:.4}"))
            .unwrap_or_else(|| "-".into());
        let line = format!(
            "[{status}] {} {} {} ratio {} ({} s / {} s){}",
            row.file,
            row.codec,
            row.status.as_str(),
            ratio,
            secs(row.compress_seconds()),
            secs(row.decompress_seconds()),
            if row.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", row.reason)
            }
        );
        match &self.output {
            Output::Bar(bar) if !row.ok() => bar.println(line),
            Output::Bar(_) => {}
            _ => self.log(&line),
        }
    }

    /// A pair a later round does not measure again (it failed, or its times came from the
    /// cache): counted as done without a line.
    pub fn skipped(&self, row: &FileRow) {
        self.advance(row);
    }

    /// Counts one more measurement as done; returns the counter and the time left, as text.
    fn advance(&self, row: &FileRow) -> String {
        let now = (self.clock)();
        let mut forecast = self.forecast();
        forecast.done(&row.file, &row.codec, now);
        let (done, total) = forecast.counts();
        let left = forecast
            .left(now)
            .map_or(String::new(), |d| format!(", about {} left", human(d)));
        let status = format!("{done}/{total} {}{left}", self.unit);
        if let Output::Bar(bar) = &self.output {
            let length = bar.length().unwrap_or(1) as f64;
            bar.set_position((forecast.fraction_done() * length) as u64);
            bar.set_prefix(status.clone());
        }
        status
    }

    /// A message that must not be torn by the bar.
    pub fn log(&self, message: &str) {
        match &self.output {
            Output::Bar(bar) => bar.println(message),
            Output::Lines => eprintln!("{message}"),
            Output::Buffer(lines) => lines
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(message.to_string()),
            Output::Quiet => {}
        }
    }

    /// Clears the bar and leaves one line: what was measured, how long it took, and how
    /// long it was expected to take.
    pub fn finish(&self) {
        let took = (self.clock)();
        let forecast = self.forecast();
        let (done, total) = forecast.counts();
        let line = format!(
            "measured {done} of {total} {}, {:.1} MiB x {} codecs, in {} (expected {})",
            self.unit,
            self.bytes as f64 / (1 << 20) as f64,
            self.codecs,
            human(took),
            human(forecast.expected_total())
        );
        drop(forecast);
        match &self.output {
            // Printed after the bar is gone, as a plain line of the terminal's history.
            Output::Bar(bar) => {
                bar.finish_and_clear();
                eprintln!("{line}");
            }
            _ => self.log(&line),
        }
    }

    /// The lines written to an [`Output::Buffer`].
    pub fn lines(&self) -> Vec<String> {
        match &self.output {
            Output::Buffer(lines) => lines.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            _ => Vec::new(),
        }
    }
}

fn secs(s: Option<f64>) -> String {
    s.map(|s| format!("{s:.2}")).unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    #[test]
    fn lines_count_measurements_give_the_time_left_and_end_with_a_line_that_stays() {
        let pairs: Vec<PlannedPair> = [("a", "candidate", 40.0), ("a", "gzip:9", 1.0)]
            .iter()
            .chain(&[("b", "candidate", 50.0), ("b", "gzip:9", 2.0)])
            .map(|&(file, codec, seconds)| PlannedPair {
                file: file.into(),
                codec: codec.into(),
                bytes: 1 << 20,
                seconds,
            })
            .collect();
        let now_ms = Arc::new(AtomicU64::new(0));
        let clock_ms = now_ms.clone();
        let clock: Clock = Box::new(move || Duration::from_millis(clock_ms.load(Ordering::SeqCst)));
        let progress = Progress::with(&pairs, 2, Output::Buffer(Mutex::default()), clock);
        let at = |seconds: u64, file: &str, codec: &str| {
            now_ms.store(seconds * 1000, Ordering::SeqCst);
            FileRow::unmeasured("d", file, "text", codec, 1 << 20)
        };
        progress.finished(&at(80, "a", "candidate"));
        progress.finished(&at(82, "a", "gzip:9"));
        progress.skipped(&at(82, "a", "gzip:9"));
        now_ms.store(200_000, Ordering::SeqCst);
        progress.finish();
        let lines = progress.lines();
        assert_eq!(
            lines[0],
            "measuring 2 files x 2 codecs x 2 rounds (2.0 MiB of input), expected to take 3m 06s"
        );
        // The first pair, a fifth of the cost, took twice as long as expected: the 146
        // expected seconds left take 292, not the 3 x 80 s the counter alone would say.
        assert!(
            lines[1].starts_with(
                "[1/8 (file, codec, round) measurements, about 4m 52s left] a candidate ok"
            ),
            "{lines:?}"
        );
        assert!(
            lines[2].starts_with("[2/8 (file, codec, round) measurements, about 4m 50s left]"),
            "{lines:?}"
        );
        assert_eq!(lines.len(), 4, "a skipped pair prints nothing: {lines:?}");
        assert_eq!(
            lines[3],
            "measured 3 of 8 (file, codec, round) measurements, 2.0 MiB x 2 codecs, in 3m 20s \
             (expected 3m 06s)"
        );
    }
}
