//! The report `codec-runner` writes after an operation: `key=value` lines, the last of a key
//! winning (see the runner's `protocol` module for the keys). Figures a built-in codec's own
//! process could have written are checked against those its init measured from outside.

use super::OpResult;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Default)]
pub struct Report {
    values: HashMap<String, String>,
}

impl Report {
    /// The report at `path`; empty when the runner wrote none (it was killed).
    pub fn read(path: &Path) -> Self {
        Report::parse(&std::fs::read_to_string(path).unwrap_or_default())
    }

    pub fn parse(text: &str) -> Self {
        let values = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Report { values }
    }

    fn number<T: std::str::FromStr>(&self, key: &str) -> Option<T> {
        self.values.get(key)?.parse().ok()
    }

    /// How the codec ended, with `message` (its telling stderr line).
    pub fn result(&self, message: String) -> OpResult {
        match (self.number::<i32>("signal"), self.number::<i32>("exit")) {
            (Some(signal), _) => OpResult::Crashed { signal, message },
            (None, Some(0)) => OpResult::Ok,
            (None, Some(code)) => OpResult::Failed { code, message },
            (None, None) => OpResult::Failed {
                code: -1,
                message: format!("the runner reported nothing: {message}"),
            },
        }
    }

    /// The codec call's time, never more than its process's wall time.
    pub fn codec_s(&self) -> Option<f64> {
        let codec = self.number::<f64>("codec_s")?;
        let wall = self.number::<f64>("wall_s")?;
        codec.is_finite().then(|| codec.clamp(0.0, wall))
    }

    /// The codec's own peak resident memory: the growth a built-in codec's call caused
    /// (never more than its process's peak), or an external command's peak; `fallback` when
    /// the runner reported neither.
    pub fn peak_rss_bytes(&self, fallback: u64) -> u64 {
        let process = self.number::<u64>("peak_rss_bytes");
        match (self.number::<u64>("codec_peak_rss_bytes"), process) {
            (Some(codec), Some(process)) => codec.min(process),
            (None, Some(process)) => process,
            _ => fallback,
        }
    }

    pub fn value(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_a_codec_could_forge_are_bounded_by_those_measured_outside_it() {
        let report = Report::parse(
            "codec_s=0.5\ncodec_peak_rss_bytes=999999999\nexit=0\nwall_s=0.25\n\
             peak_rss_bytes=4096\n",
        );
        assert_eq!(report.codec_s(), Some(0.25));
        assert_eq!(report.peak_rss_bytes(1), 4096);
        assert_eq!(report.result(String::new()), OpResult::Ok);
    }

    #[test]
    fn the_last_line_of_a_key_wins() {
        let report = Report::parse("exit=0\nexit=3\n");
        assert!(matches!(
            report.result("x".into()),
            OpResult::Failed { code: 3, .. }
        ));
        assert!(matches!(
            Report::parse("signal=9\nexit=0\n").result(String::new()),
            OpResult::Crashed { signal: 9, .. }
        ));
    }
}
