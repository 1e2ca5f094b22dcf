//! Measures one (file, codec) pair: compress, decompress, compare, compress again, bound size.
//! With a repeat count the pair is measured again in later rounds of the run (`again`), each
//! round checked like the first, and the fastest round's times are reported.

use super::row::{FileRow, Status};
use super::verify::first_difference;
use crate::codecs::{CodecSpec, Operation};
use crate::dataset::DatasetFile;
use crate::runner::{run_operation, sys, Limits, OpOutcome, OpResult};
use std::path::Path;

/// How strictly a run checks each codec.
#[derive(Clone, Debug)]
pub struct Checks {
    pub limits: Limits,
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

    fn compress_cap(&self, original: u64) -> u64 {
        self.expansion_limit(original).saturating_mul(2) + (1 << 20)
    }
}

/// The first round: runs every step for `file` with `codec`, writing the compressed bytes to
/// `compressed` (kept by the caller for later rounds) and temporaries to `work` (private).
pub fn measure(
    dataset: &str,
    file: &DatasetFile,
    codec: &CodecSpec,
    checks: &Checks,
    work: &Path,
    compressed: &Path,
) -> FileRow {
    let mut row = FileRow::unmeasured(
        dataset,
        &file.name,
        &file.category.to_string(),
        &codec.name,
        file.size,
    );
    if let Err((status, reason)) = first_round(file, codec, checks, work, compressed, &mut row) {
        row.status = status;
        row.reason = reason;
    }
    remove_temporaries(work);
    row
}

/// Round `round` of a repeated pair whose earlier rounds passed and left `compressed`: one more
/// compression (compared with `compressed`) and one more decompression of `compressed`
/// (compared with the original), merged into `row`. A failure replaces the row's status and
/// names the round.
pub fn again(
    file: &DatasetFile,
    codec: &CodecSpec,
    checks: &Checks,
    work: &Path,
    compressed: &Path,
    round: usize,
    mut row: FileRow,
) -> FileRow {
    if let Err((status, reason)) = later_round(file, codec, checks, work, compressed, &mut row) {
        row.status = status;
        row.reason = in_round(reason, round, checks.repeat);
    }
    remove_temporaries(work);
    row
}

fn remove_temporaries(work: &Path) {
    for suffix in ["dec", "cmp2"] {
        let _ = std::fs::remove_file(work.join(format!("out.{suffix}")));
    }
}

type Failure = (Status, String);

fn first_round(
    file: &DatasetFile,
    codec: &CodecSpec,
    checks: &Checks,
    work: &Path,
    compressed: &Path,
    row: &mut FileRow,
) -> Result<(), Failure> {
    let repeated = checks.repeat > 1;
    let round = |reason: String| in_round(reason, 1, checks.repeat);
    let compress_cap = checks.compress_cap(file.size);
    let compress = |output: &Path| {
        operate(
            codec,
            Operation::Compress,
            &file.path,
            output,
            compress_cap,
            checks,
            work,
        )
    };
    let op = compress(compressed).map_err(|(s, r)| (s, round(r)))?;
    let size = file_len(compressed)?;
    row.compressed_bytes = Some(size);
    row.ratio = (file.size > 0).then(|| size as f64 / file.size as f64);
    merge_times(row, Operation::Compress, &op, repeated);
    decompress_and_compare(file, codec, checks, work, compressed, row, repeated)
        .map_err(|(s, r)| (s, round(r)))?;
    let limit = checks.expansion_limit(file.size);
    if size > limit {
        return Err((
            Status::Expanded,
            format!(
                "compressed to {size} bytes, over the limit of {limit} ({}x the input + {EXPANSION_ALLOWANCE} bytes)",
                checks.max_expansion
            ),
        ));
    }
    // With repeats, each later round's compression is compared with this one instead.
    if checks.determinism && !repeated {
        let again = work.join("out.cmp2");
        compress(&again).map_err(|(s, r)| (s, format!("second compression: {r}")))?;
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

fn later_round(
    file: &DatasetFile,
    codec: &CodecSpec,
    checks: &Checks,
    work: &Path,
    compressed: &Path,
    row: &mut FileRow,
) -> Result<(), Failure> {
    let again = work.join("out.cmp2");
    let op = operate(
        codec,
        Operation::Compress,
        &file.path,
        &again,
        checks.compress_cap(file.size),
        checks,
        work,
    )?;
    if checks.determinism {
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
    decompress_and_compare(file, codec, checks, work, compressed, row, true)
}

/// Decompresses `compressed`, merges the times into `row` and compares the output with the
/// original.
fn decompress_and_compare(
    file: &DatasetFile,
    codec: &CodecSpec,
    checks: &Checks,
    work: &Path,
    compressed: &Path,
    row: &mut FileRow,
    repeated: bool,
) -> Result<(), Failure> {
    let decompressed = work.join("out.dec");
    let op = operate(
        codec,
        Operation::Decompress,
        compressed,
        &decompressed,
        file.size.saturating_mul(2) + (1 << 20),
        checks,
        work,
    )?;
    merge_times(row, Operation::Decompress, &op, repeated);
    let restored = file_len(&decompressed)?;
    if let Some(at) = first_difference(&file.path, &decompressed).map_err(harness_error)? {
        return Err((
            Status::Mismatch,
            format!(
                "decompressed output differs from the original at byte {at} \
                 ({restored} bytes restored, {} expected)",
                file.size
            ),
        ));
    }
    Ok(())
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
    peak_rss_bytes: &'a mut Option<u64>,
    slowest_s: &'a mut Option<f64>,
}

impl Timing<'_> {
    /// Adds one more run: the faster run's times, the larger peak memory and, with
    /// `repeated`, the slowest wall time.
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
    }
}

/// Adds one more run of `operation` to `row`'s times.
fn merge_times(row: &mut FileRow, operation: Operation, op: &OpOutcome, repeated: bool) {
    let (wall_s, user_s, sys_s, peak_rss_bytes, slowest_s) = match operation {
        Operation::Compress => (
            &mut row.compress_s,
            &mut row.compress_user_s,
            &mut row.compress_sys_s,
            &mut row.compress_peak_rss_bytes,
            &mut row.compress_slowest_s,
        ),
        Operation::Decompress => (
            &mut row.decompress_s,
            &mut row.decompress_user_s,
            &mut row.decompress_sys_s,
            &mut row.decompress_peak_rss_bytes,
            &mut row.decompress_slowest_s,
        ),
    };
    Timing {
        wall_s,
        user_s,
        sys_s,
        peak_rss_bytes,
        slowest_s,
    }
    .merge(op, repeated);
}

fn operate(
    codec: &CodecSpec,
    op: Operation,
    input: &Path,
    output: &Path,
    file_size_limit: u64,
    checks: &Checks,
    work: &Path,
) -> Result<OpOutcome, Failure> {
    let outcome = run_operation(
        codec,
        op,
        input,
        output,
        file_size_limit,
        &checks.limits,
        work,
    )
    .map_err(|e| {
        (
            Status::HarnessError,
            format!("{}: cannot run: {e}", op.as_str()),
        )
    })?;
    let name = op.as_str();
    let with_message = |text: String, message: &str| {
        if message.is_empty() {
            text
        } else {
            format!("{text}: {message}")
        }
    };
    match &outcome.result {
        OpResult::Ok => Ok(outcome),
        OpResult::Failed { code, message } if *code == PANIC_EXIT && !codec.is_external() => Err((
            Status::Crashed,
            with_message(format!("{name} panicked"), message),
        )),
        // A shell reports a command killed by signal N as exit status 128 + N.
        OpResult::Failed { code, message } if codec.is_external() && (129..160).contains(code) => Err((
            Status::Crashed,
            with_message(
                format!("{name} killed by {} (shell exit status {code})", sys::signal_name(code - 128)),
                message,
            ),
        )),
        OpResult::Failed { code, message } => Err((
            Status::Error,
            with_message(format!("{name} exited with status {code}"), message),
        )),
        OpResult::Crashed { signal, message } if *signal == libc::SIGXFSZ => Err((
            Status::Crashed,
            format!("{name} wrote more than the {file_size_limit}-byte output limit and was killed (SIGXFSZ)"),
        ))
        .map_err(|(s, r)| (s, with_message(r, message))),
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
                "{name} exceeded the {} s time limit; its process group was killed",
                checks.limits.timeout.as_secs_f64()
            ),
        )),
    }
}

fn file_len(path: &Path) -> Result<u64, Failure> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(harness_error)
}

fn harness_error(e: std::io::Error) -> Failure {
    (Status::HarnessError, format!("harness I/O error: {e}"))
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
                row.compress_slowest_s
            ),
            (Some(1.0), Some(0.5), Some(0.25), Some(50), Some(2.0))
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
