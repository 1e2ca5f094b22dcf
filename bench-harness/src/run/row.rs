//! One measured (file, codec) pair: a row of `files.csv`.

use serde::{Deserialize, Serialize};

/// Outcome of a (file, codec) pair. A row fails with the first check it does not pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ok,
    /// The codec exited with a non-zero status.
    Error,
    /// The codec was killed by a signal (crash, abort, or a memory/output limit).
    Crashed,
    /// The harness killed the codec at the time limit.
    Timeout,
    /// Decompressed bytes differ from the original.
    Mismatch,
    /// Compressing the same input twice gave different bytes.
    Nondeterministic,
    /// Compressed output exceeds the expansion limit.
    Expanded,
    /// The harness itself could not run the operation (I/O error in the harness).
    HarnessError,
    /// The codec changed what it was given (its input), or the dataset.
    Tampered,
    /// The file's bytes were no longer those of the dataset when its turn came (changed by
    /// something else than a codec); the pair was not measured and blames no codec.
    Changed,
    /// The run was interrupted while this pair was measured; such rows are not kept.
    Interrupted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Crashed => "crashed",
            Status::Timeout => "timeout",
            Status::Mismatch => "mismatch",
            Status::Nondeterministic => "nondeterministic",
            Status::Expanded => "expanded",
            Status::HarnessError => "harness-error",
            Status::Tampered => "tampered",
            Status::Changed => "changed",
            Status::Interrupted => "interrupted",
        }
    }
}

/// Which seconds the speed figures use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Timing {
    /// The codec call alone, measured inside the child on in-memory buffers (built-in
    /// codecs); external commands fall back to their process time.
    Codec,
    /// The whole codec process, from spawn to exit, file I/O and start-up included.
    Process,
}

impl Timing {
    pub fn as_str(self) -> &'static str {
        match self {
            Timing::Codec => "codec",
            Timing::Process => "process",
        }
    }
}

/// Columns of `files.csv`, in order. Units: bytes, seconds (wall clock unless named
/// `user`/`sys`, which are CPU seconds), bytes of peak resident memory.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileRow {
    pub dataset: String,
    pub file: String,
    pub category: String,
    pub codec: String,
    pub original_bytes: u64,
    /// Empty when compression did not complete.
    pub compressed_bytes: Option<u64>,
    /// compressed_bytes / original_bytes; empty for empty files and failed compressions.
    pub ratio: Option<f64>,
    pub compress_s: Option<f64>,
    pub decompress_s: Option<f64>,
    pub compress_peak_rss_bytes: Option<u64>,
    pub decompress_peak_rss_bytes: Option<u64>,
    pub status: Status,
    /// One line saying why the row failed; empty when ok.
    pub reason: String,
    pub compress_user_s: Option<f64>,
    pub compress_sys_s: Option<f64>,
    pub decompress_user_s: Option<f64>,
    pub decompress_sys_s: Option<f64>,
    /// True when the figures were reused from an earlier run of the same baseline on the
    /// same bytes (see `--no-cache`).
    pub cached: bool,
    /// With `--repeat N` (N > 1): wall seconds of the slowest of the N runs, beside the
    /// fastest run's `compress_s` / `decompress_s`; empty otherwise.
    #[serde(default)]
    pub compress_slowest_s: Option<f64>,
    #[serde(default)]
    pub decompress_slowest_s: Option<f64>,
    /// Seconds of the codec call itself, measured inside the child on in-memory buffers
    /// (built-in codecs; the fastest of the runs with `--repeat`); empty for external
    /// commands, which have only their process's times.
    #[serde(default)]
    pub compress_codec_s: Option<f64>,
    #[serde(default)]
    pub decompress_codec_s: Option<f64>,
}

impl FileRow {
    /// The row of a pair before any step: nothing measured, status ok.
    pub fn unmeasured(
        dataset: &str,
        file: &str,
        category: &str,
        codec: &str,
        original: u64,
    ) -> Self {
        FileRow {
            dataset: dataset.to_string(),
            file: file.to_string(),
            category: category.to_string(),
            codec: codec.to_string(),
            original_bytes: original,
            compressed_bytes: None,
            ratio: None,
            compress_s: None,
            decompress_s: None,
            compress_peak_rss_bytes: None,
            decompress_peak_rss_bytes: None,
            status: Status::Ok,
            reason: String::new(),
            compress_user_s: None,
            compress_sys_s: None,
            decompress_user_s: None,
            decompress_sys_s: None,
            cached: false,
            compress_slowest_s: None,
            decompress_slowest_s: None,
            compress_codec_s: None,
            decompress_codec_s: None,
        }
    }

    /// For tests: a row of `codec` for a file named after its category and size, compressed
    /// to `compressed` bytes in `seconds` (compress, decompress), with 10 and 20 bytes of peak
    /// memory.
    #[cfg(test)]
    pub fn timed(
        codec: &str,
        category: &str,
        original: u64,
        compressed: u64,
        seconds: (f64, f64),
    ) -> Self {
        FileRow {
            compressed_bytes: Some(compressed),
            ratio: (original > 0).then(|| compressed as f64 / original as f64),
            compress_s: Some(seconds.0),
            decompress_s: Some(seconds.1),
            compress_peak_rss_bytes: Some(10),
            decompress_peak_rss_bytes: Some(20),
            ..FileRow::unmeasured(
                "d",
                &format!("{category}-{original}"),
                category,
                codec,
                original,
            )
        }
    }

    /// This row with `compress_s` / `decompress_s` holding the seconds `timing` reports. Codec
    /// times keep the spread of the process times (the slowest run is scaled by the same
    /// factor), since only the fastest codec call is kept.
    pub fn with_timing(&self, timing: Timing) -> FileRow {
        let mut row = self.clone();
        if timing == Timing::Process {
            return row;
        }
        let pick = |wall: &mut Option<f64>, slowest: &mut Option<f64>, codec: Option<f64>| {
            if let (Some(w), Some(c)) = (*wall, codec) {
                *slowest = slowest.map(|s| if w > 0.0 { s * c / w } else { c });
                *wall = Some(c);
            }
        };
        pick(
            &mut row.compress_s,
            &mut row.compress_slowest_s,
            self.compress_codec_s,
        );
        pick(
            &mut row.decompress_s,
            &mut row.decompress_slowest_s,
            self.decompress_codec_s,
        );
        row
    }

    /// Whether this row's speed is its process's under `timing` (an external command).
    pub fn process_timed(&self, timing: Timing) -> bool {
        timing == Timing::Process || (self.compress_s.is_some() && self.compress_codec_s.is_none())
    }

    pub fn ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// The compress seconds that reports and metrics use (today the wall time of the
    /// child process); every figure of speed goes through these two.
    pub fn compress_seconds(&self) -> Option<f64> {
        self.compress_s
    }

    /// The decompress seconds that reports and metrics use; see [`Self::compress_seconds`].
    pub fn decompress_seconds(&self) -> Option<f64> {
        self.decompress_s
    }

    /// Bytes this row contributes to an aggregate: a failed file counts as stored, so a codec
    /// cannot improve its ratio by failing.
    pub fn charged_bytes(&self) -> u64 {
        match (self.status, self.compressed_bytes) {
            (Status::Ok, Some(c)) => c,
            _ => self.original_bytes,
        }
    }
}
