//! Measures one (file, codec) pair: compress, decompress, compare, compress again, bound size.
//! With a repeat count the pair is measured again in later rounds of the run (`again`), each
//! round checked like the first, and the fastest round's times are reported. Every operation
//! reads a private copy, and the dataset's custody is checked after each (see `custody`).

use super::custody::{Breach, Custody};
use super::row::{FileRow, Status};
use super::verify::first_difference;
use crate::codecs::{CodecSpec, Operation};
use crate::dataset::{sha256_file, DatasetFile};
use crate::redact;
use crate::runner::{run_operation, sys, Job, Limits, OpOutcome, OpResult, Runner};
use std::path::{Path, PathBuf};

/// How strictly a run checks each codec, and how it runs them.
#[derive(Clone, Debug)]
pub struct Checks {
    pub limits: Limits,
    pub runner: Runner,
    /// Compress twice and require identical bytes.
    pub determinism: bool,
    /// Largest allowed compressed/original ratio; `EXPANSION_ALLOWANCE` bytes are added.
    pub max_expansion: f64,
    /// Times each operation runs (at least 1), one run per round over the whole selection. The
    /// fastest run's times and the largest peak memory are reported; every run is checked:
    /// each decompression against the original and, with `determinism`, each compression
    /// against the first.
    pub repeat: usize,
}

/// Exit status of a runner whose built-in codec panicked (the Rust runtime's convention).
const PANIC_EXIT: i32 = 101;

/// Bytes of container overhead every codec may add beyond `max_expansion`, so that tiny
/// files (an empty file has no room for any header) are judged fairly.
pub const EXPANSION_ALLOWANCE: u64 = 64;

impl Checks {
    /// The largest compressed size accepted for an input of `original` bytes.
    pub fn expansion_limit(&self, original: u64) -> u64 {
        (original as f64 * self.max_expansion) as u64 + EXPANSION_ALLOWANCE
    }

    /// The most a compression may write: twice the accepted size (so an expanding codec is
    /// judged by its real size), never more than the run's output ceiling.
    fn compress_cap(&self, original: u64) -> u64 {
        (self.expansion_limit(original).saturating_mul(2) + (1 << 20)).min(self.limits.max_output)
    }

    fn decompress_cap(&self, original: u64) -> u64 {
        (original.saturating_mul(2) + (1 << 20)).min(self.limits.max_output)
    }
}

/// Where one pair's operations happen: a worker's private directory, the custody of the
/// dataset, and the first round's compressed bytes (kept by the caller for later rounds).
pub struct Place<'a> {
    pub work: &'a Path,
    pub custody: &'a Custody,
    pub compressed: &'a Path,
}

impl Place<'_> {
    fn input_copy(&self) -> PathBuf {
        self.work.join("input")
    }
}

/// The first round: runs every step for `file` with `codec`.
pub fn measure(
    dataset: &str,
    file: &DatasetFile,
    codec: &CodecSpec,
    checks: &Checks,
    place: &Place,
) -> FileRow {
    let mut row = FileRow::unmeasured(
        dataset,
        &file.name,
        &file.category.to_string(),
        &codec.name,
        file.size,
    );
    let pair = Pair {
        file,
        codec,
        checks,
        place,
    };
    if let Err((status, reason)) = pair.first_round(&mut row) {
        row.status = status;
        row.reason = redact::text(&in_round(reason, 1, checks.repeat));
    }
    remove_temporaries(place.work);
    row
}

/// Round `round` of a repeated pair whose earlier rounds passed and left the compressed
/// bytes: one more compression (compared with them) and one more decompression of them
/// (compared with the original), merged into `row`. A failure replaces the row's status and
/// names the round.
pub fn again(
    file: &DatasetFile,
    codec: &CodecSpec,
    checks: &Checks,
    place: &Place,
    round: usize,
    mut row: FileRow,
) -> FileRow {
    let pair = Pair {
        file,
        codec,
        checks,
        place,
    };
    if let Err((status, reason)) = pair.later_round(&mut row) {
        row.status = status;
        row.reason = redact::text(&in_round(reason, round, checks.repeat));
    }
    remove_temporaries(place.work);
    row
}

fn remove_temporaries(work: &Path) {
    for name in ["input", "out.dec", "out.cmp2"] {
        let _ = std::fs::remove_file(work.join(name));
    }
}

type Failure = (Status, String);

struct Pair<'a> {
    file: &'a DatasetFile,
    codec: &'a CodecSpec,
    checks: &'a Checks,
    place: &'a Place<'a>,
}

impl Pair<'_> {
    fn first_round(&self, row: &mut FileRow) -> Result<(), Failure> {
        let repeated = self.checks.repeat > 1;
        let copy = self.private_copy()?;
        let compressed = self.place.compressed;
        let op = self.compress(&copy, compressed)?;
        let size = file_len(compressed)?;
        row.compressed_bytes = Some(size);
        row.ratio = (self.file.size > 0).then(|| size as f64 / self.file.size as f64);
        merge_times(row, Operation::Compress, &op, repeated);
        self.decompress_and_compare(&copy, row, repeated)?;
        let limit = self.checks.expansion_limit(self.file.size);
        if size > limit {
            return Err((
                Status::Expanded,
                format!(
                    "compressed to {size} bytes, over the limit of {limit} ({}x the input + {EXPANSION_ALLOWANCE} bytes)",
                    self.checks.max_expansion
                ),
            ));
        }
        // With repeats, each later round's compression is compared with this one instead.
        if self.checks.determinism && !repeated {
            let again = self.place.work.join("out.cmp2");
            self.compress(&copy, &again)
                .map_err(|(s, r)| (s, format!("second compression: {r}")))?;
            if let Some(at) = first_difference(compressed, &again).map_err(harness_error)? {
                return Err((
                    Status::Nondeterministic,
                    format!(
                        "compressing twice gave different bytes from byte {at} ({size} vs {} bytes)",
                        file_len(&again)?
                    ),
                ));
            }
        }
        Ok(())
    }

    fn later_round(&self, row: &mut FileRow) -> Result<(), Failure> {
        let copy = self.private_copy()?;
        let again = self.place.work.join("out.cmp2");
        let op = self.compress(&copy, &again)?;
        let compressed = self.place.compressed;
        if self.checks.determinism {
            if let Some(at) = first_difference(compressed, &again).map_err(harness_error)? {
                return Err((
                    Status::Nondeterministic,
                    format!(
                        "compressing again gave different bytes from byte {at} ({} vs {} bytes)",
                        file_len(compressed)?,
                        file_len(&again)?
                    ),
                ));
            }
        }
        merge_times(row, Operation::Compress, &op, true);
        self.decompress_and_compare(&copy, row, true)
    }

    fn private_copy(&self) -> Result<PathBuf, Failure> {
        let copy = self.place.input_copy();
        self.place
            .custody
            .private_copy(self.file, &copy)
            .map_err(breach)?;
        Ok(copy)
    }

    fn compress(&self, copy: &Path, output: &Path) -> Result<OpOutcome, Failure> {
        let cap = self.checks.compress_cap(self.file.size);
        let outcome = self.operate(Operation::Compress, copy, output, cap)?;
        self.after(Operation::Compress, copy, &self.file.sha256)?;
        outcome
    }

    /// Decompresses the compressed bytes, merges the times into `row` and compares the
    /// output with the private copy of the original.
    fn decompress_and_compare(
        &self,
        copy: &Path,
        row: &mut FileRow,
        repeated: bool,
    ) -> Result<(), Failure> {
        let compressed = self.place.compressed;
        let compressed_sha256 = sha256_file(compressed).map_err(|e| harness_error_text(&e))?;
        let decompressed = self.place.work.join("out.dec");
        let cap = self.checks.decompress_cap(self.file.size);
        let outcome = self.operate(Operation::Decompress, compressed, &decompressed, cap)?;
        self.after(Operation::Decompress, compressed, &compressed_sha256)?;
        let op = outcome?;
        merge_times(row, Operation::Decompress, &op, repeated);
        let restored = file_len(&decompressed)?;
        if let Some(at) = first_difference(copy, &decompressed).map_err(harness_error)? {
            return Err((
                Status::Mismatch,
                format!(
                    "decompressed output differs from the original at byte {at} \
                     ({restored} bytes restored, {} expected)",
                    self.file.size
                ),
            ));
        }
        Ok(())
    }

    /// The custody check after an operation, which comes before judging the operation: a
    /// codec that failed after changing its input is `tampered`, not merely failed.
    fn after(&self, op: Operation, input: &Path, input_sha256: &str) -> Result<(), Failure> {
        self.place
            .custody
            .after_operation(
                self.file,
                &self.codec.name,
                op,
                (input, input_sha256),
                &self.place.input_copy(),
            )
            .map_err(breach)
    }

    /// Runs one operation; the outer error is the harness's own, the inner the codec's.
    #[allow(clippy::type_complexity)]
    fn operate(
        &self,
        op: Operation,
        input: &Path,
        output: &Path,
        output_cap: u64,
    ) -> Result<Result<OpOutcome, Failure>, Failure> {
        let job = Job {
            codec: self.codec,
            op,
            input,
            output,
            output_cap,
        };
        let outcome = run_operation(
            &job,
            &self.checks.runner,
            &self.checks.limits,
            self.place.work,
        )
        .map_err(|e| {
            (
                Status::HarnessError,
                format!("{}: cannot run: {e}", op.as_str()),
            )
        })?;
        Ok(judge(
            outcome,
            op,
            self.codec,
            &self.checks.limits,
            output_cap,
        ))
    }
}

fn breach(b: Breach) -> Failure {
    match b {
        Breach::Changed(reason) => (Status::Changed, reason),
        Breach::TamperedInput(reason) | Breach::TamperedDataset(reason) => {
            (Status::Tampered, reason)
        }
    }
}

/// An operation's status and reason from how its process ended.
fn judge(
    outcome: OpOutcome,
    op: Operation,
    codec: &CodecSpec,
    limits: &Limits,
    output_cap: u64,
) -> Result<OpOutcome, Failure> {
    let name = op.as_str();
    let with_message = |text: String, message: &str| {
        if message.is_empty() {
            text
        } else {
            format!("{text}: {message}")
        }
    };
    // A shell reports a command killed by signal N as exit status 128 + N.
    let shell_signal = match &outcome.result {
        OpResult::Failed { code, .. } if codec.is_external() && (129..160).contains(code) => {
            Some(code - 128)
        }
        _ => None,
    };
    let output_limit = || {
        format!(
            "{name} wrote more than {output_cap} bytes to its output (or to a temporary file) \
             and was killed (SIGXFSZ)"
        )
    };
    match &outcome.result {
        OpResult::Ok => Ok(outcome),
        OpResult::Crashed { signal, .. } if *signal == libc::SIGXFSZ => {
            Err((Status::Crashed, output_limit()))
        }
        OpResult::Failed { .. } if shell_signal == Some(libc::SIGXFSZ) => {
            Err((Status::Crashed, output_limit()))
        }
        OpResult::Failed { code, message } if *code == PANIC_EXIT && !codec.is_external() => Err((
            Status::Crashed,
            with_message(format!("{name} panicked"), message),
        )),
        OpResult::Failed { code, message } if shell_signal.is_some() => Err((
            Status::Crashed,
            with_message(
                format!(
                    "{name} killed by {} (shell exit status {code})",
                    sys::signal_name(code - 128)
                ),
                message,
            ),
        )),
        OpResult::Failed { code, message } => Err((
            Status::Error,
            with_message(format!("{name} exited with status {code}"), message),
        )),
        OpResult::Crashed { signal, message } => Err((
            Status::Crashed,
            with_message(
                format!("{name} killed by {}", sys::signal_name(*signal)),
                message,
            ),
        )),
        OpResult::Interrupted => Err((
            Status::Interrupted,
            format!("{name} was stopped: the run was interrupted"),
        )),
        OpResult::TimedOut => Err((
            Status::Timeout,
            format!(
                "{name} exceeded the {} s time limit; it and every process it started were killed",
                limits.timeout.as_secs_f64()
            ),
        )),
    }
}

/// `reason`, naming which run of a repeated operation it is about ("run 2 of 3: ...").
fn in_round(reason: String, round: usize, repeat: usize) -> String {
    match repeat {
        0 | 1 => reason,
        _ => format!("run {round} of {repeat}: {reason}"),
    }
}

/// The columns of a row that hold one operation's times.
struct Timing<'a> {
    wall_s: &'a mut Option<f64>,
    user_s: &'a mut Option<f64>,
    sys_s: &'a mut Option<f64>,
    codec_s: &'a mut Option<f64>,
    peak_rss_bytes: &'a mut Option<u64>,
    slowest_s: &'a mut Option<f64>,
}

impl Timing<'_> {
    /// Adds one more run: the faster run's process times, the faster codec time, the larger
    /// peak memory and, with `repeated`, the slowest wall time.
    fn merge(self, op: &OpOutcome, repeated: bool) {
        if repeated {
            *self.slowest_s = Some(self.slowest_s.unwrap_or(op.wall_s).max(op.wall_s));
        }
        *self.peak_rss_bytes = Some(self.peak_rss_bytes.unwrap_or(0).max(op.peak_rss_bytes));
        if self.wall_s.is_none_or(|fastest| op.wall_s < fastest) {
            *self.wall_s = Some(op.wall_s);
            *self.user_s = Some(op.user_s);
            *self.sys_s = Some(op.sys_s);
        }
        if let Some(codec_s) = op.codec_s {
            *self.codec_s = Some(self.codec_s.map_or(codec_s, |fastest| fastest.min(codec_s)));
        }
    }
}

/// Adds one more run of `operation` to `row`'s times.
fn merge_times(row: &mut FileRow, operation: Operation, op: &OpOutcome, repeated: bool) {
    let timing = match operation {
        Operation::Compress => Timing {
            wall_s: &mut row.compress_s,
            user_s: &mut row.compress_user_s,
            sys_s: &mut row.compress_sys_s,
            codec_s: &mut row.compress_codec_s,
            peak_rss_bytes: &mut row.compress_peak_rss_bytes,
            slowest_s: &mut row.compress_slowest_s,
        },
        Operation::Decompress => Timing {
            wall_s: &mut row.decompress_s,
            user_s: &mut row.decompress_user_s,
            sys_s: &mut row.decompress_sys_s,
            codec_s: &mut row.decompress_codec_s,
            peak_rss_bytes: &mut row.decompress_peak_rss_bytes,
            slowest_s: &mut row.decompress_slowest_s,
        },
    };
    timing.merge(op, repeated);
}

fn file_len(path: &Path) -> Result<u64, Failure> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(harness_error)
}

fn harness_error(e: std::io::Error) -> Failure {
    (Status::HarnessError, format!("harness I/O error: {e}"))
}

fn harness_error_text(e: &anyhow::Error) -> Failure {
    (Status::HarnessError, format!("harness I/O error: {e:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(wall_s: f64, peak_rss_bytes: u64) -> OpOutcome {
        OpOutcome {
            result: OpResult::Ok,
            wall_s,
            user_s: wall_s / 2.0,
            sys_s: wall_s / 4.0,
            peak_rss_bytes,
            codec_s: Some(wall_s / 8.0),
        }
    }

    #[test]
    fn a_repeated_operation_keeps_the_fastest_times_and_the_largest_footprint() {
        let mut row = FileRow::unmeasured("d", "f", "text", "c", 100);
        for op in [outcome(2.0, 10), outcome(1.0, 30), outcome(1.5, 50)] {
            merge_times(&mut row, Operation::Compress, &op, true);
        }
        assert_eq!(
            (
                row.compress_s,
                row.compress_user_s,
                row.compress_sys_s,
                row.compress_peak_rss_bytes,
                row.compress_slowest_s,
                row.compress_codec_s,
            ),
            (
                Some(1.0),
                Some(0.5),
                Some(0.25),
                Some(50),
                Some(2.0),
                Some(0.125)
            )
        );
        assert_eq!(row.decompress_s, None);
        merge_times(&mut row, Operation::Decompress, &outcome(1.0, 1), true);
        merge_times(&mut row, Operation::Decompress, &outcome(1.0, 2), true);
        assert_eq!(row.decompress_peak_rss_bytes, Some(2));
    }

    #[test]
    fn a_single_run_has_no_slowest_time() {
        let mut row = FileRow::unmeasured("d", "f", "text", "c", 100);
        merge_times(&mut row, Operation::Decompress, &outcome(1.0, 1), false);
        assert_eq!(
            (row.decompress_s, row.decompress_slowest_s),
            (Some(1.0), None)
        );
    }

    #[test]
    fn only_repeated_runs_are_named_in_a_reason() {
        assert_eq!(in_round("boom".into(), 1, 1), "boom");
        assert_eq!(in_round("boom".into(), 2, 3), "run 2 of 3: boom");
    }
}
