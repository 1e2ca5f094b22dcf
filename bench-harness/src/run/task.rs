//! Measures one (file, codec) pair: compress, decompress, compare, compress again, bound size;
//! with a repeat count, each operation runs that many times and the fastest run is reported.

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
    /// Times each operation runs (at least 1). The fastest run's times and the largest peak
    /// memory are reported; every run is checked: each decompression against the original
    /// and, with `determinism`, each compression against the first.
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
}

/// Runs every step for `file` with `codec`, using `work` (a private directory) for outputs.
pub fn measure(
    dataset: &str,
    file: &DatasetFile,
    codec: &CodecSpec,
    checks: &Checks,
    work: &Path,
) -> FileRow {
    let mut row = FileRow::unmeasured(
        dataset,
        &file.name,
        &file.category.to_string(),
        &codec.name,
        file.size,
    );
    if let Err((status, reason)) = steps(file, codec, checks, work, &mut row) {
        row.status = status;
        row.reason = reason;
    }
    for suffix in ["cmp", "dec", "cmp2"] {
        let _ = std::fs::remove_file(work.join(format!("out.{suffix}")));
    }
    row
}

type Failure = (Status, String);

fn steps(
    file: &DatasetFile,
    codec: &CodecSpec,
    checks: &Checks,
    work: &Path,
    row: &mut FileRow,
) -> Result<(), Failure> {
    let compressed = work.join("out.cmp");
    let decompressed = work.join("out.dec");
    let again = work.join("out.cmp2");
    let repeat = checks.repeat.max(1);
    let compress_cap = checks.expansion_limit(file.size).saturating_mul(2) + (1 << 20);
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
    let mut fastest = compress(&compressed)?;
    let size = file_len(&compressed)?;
    row.compressed_bytes = Some(size);
    row.ratio = (file.size > 0).then(|| size as f64 / file.size as f64);
    set_compress_times(row, &fastest);
    for round in 2..=repeat {
        let op = compress(&again).map_err(|(s, r)| (s, in_round(r, round, repeat)))?;
        if checks.determinism {
            if let Some(at) = first_difference(&compressed, &again).map_err(harness_error)? {
                return Err((
                    Status::Nondeterministic,
                    in_round(
                        format!(
                            "compressing again gave different bytes from byte {at} \
                             ({size} vs {} bytes)",
                            file_len(&again)?
                        ),
                        round,
                        repeat,
                    ),
                ));
            }
        }
        row.compress_slowest_s = Some(
            row.compress_slowest_s
                .unwrap_or(fastest.wall_s)
                .max(op.wall_s),
        );
        fastest = faster(fastest, op);
        set_compress_times(row, &fastest);
    }

    let decompress_cap = file.size.saturating_mul(2) + (1 << 20);
    let mut fastest: Option<OpOutcome> = None;
    for round in 1..=repeat {
        let op = operate(
            codec,
            Operation::Decompress,
            &compressed,
            &decompressed,
            decompress_cap,
            checks,
            work,
        )
        .map_err(|(s, r)| (s, in_round(r, round, repeat)))?;
        let best = match fastest.take() {
            None => op,
            Some(best) => {
                let slowest = row.decompress_slowest_s.unwrap_or(best.wall_s);
                row.decompress_slowest_s = Some(slowest.max(op.wall_s));
                faster(best, op)
            }
        };
        set_decompress_times(row, &best);
        fastest = Some(best);
        let restored = file_len(&decompressed)?;
        if let Some(at) = first_difference(&file.path, &decompressed).map_err(harness_error)? {
            return Err((
                Status::Mismatch,
                in_round(
                    format!(
                        "decompressed output differs from the original at byte {at} \
                         ({restored} bytes restored, {} expected)",
                        file.size
                    ),
                    round,
                    repeat,
                ),
            ));
        }
    }
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
    // Repeated compressions have already been compared with the first.
    if checks.determinism && repeat == 1 {
        compress(&again).map_err(|(s, r)| (s, format!("second compression: {r}")))?;
        if let Some(at) = first_difference(&compressed, &again).map_err(harness_error)? {
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

/// `reason`, naming which run of a repeated operation it is about ("run 2 of 3: ...").
fn in_round(reason: String, round: usize, repeat: usize) -> String {
    match repeat {
        1 => reason,
        _ => format!("run {round} of {repeat}: {reason}"),
    }
}

fn set_compress_times(row: &mut FileRow, op: &OpOutcome) {
    row.compress_s = Some(op.wall_s);
    row.compress_user_s = Some(op.user_s);
    row.compress_sys_s = Some(op.sys_s);
    row.compress_peak_rss_bytes = Some(op.peak_rss_bytes);
}

fn set_decompress_times(row: &mut FileRow, op: &OpOutcome) {
    row.decompress_s = Some(op.wall_s);
    row.decompress_user_s = Some(op.user_s);
    row.decompress_sys_s = Some(op.sys_s);
    row.decompress_peak_rss_bytes = Some(op.peak_rss_bytes);
}

/// The outcome with the shorter wall time, carrying the larger peak memory of the two: a
/// repeated operation reports its fastest run and its largest footprint.
fn faster(a: OpOutcome, b: OpOutcome) -> OpOutcome {
    let peak_rss_bytes = a.peak_rss_bytes.max(b.peak_rss_bytes);
    let mut best = if b.wall_s < a.wall_s { b } else { a };
    best.peak_rss_bytes = peak_rss_bytes;
    best
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
        let best = [outcome(2.0, 10), outcome(1.0, 30), outcome(1.5, 50)]
            .into_iter()
            .reduce(faster)
            .unwrap();
        assert_eq!(
            (best.wall_s, best.user_s, best.sys_s, best.peak_rss_bytes),
            (1.0, 0.5, 0.25, 50)
        );
        let tie = faster(outcome(1.0, 1), outcome(1.0, 2));
        assert_eq!(tie.peak_rss_bytes, 2);
    }

    #[test]
    fn only_repeated_runs_are_named_in_a_reason() {
        assert_eq!(in_round("boom".into(), 1, 1), "boom");
        assert_eq!(in_round("boom".into(), 2, 3), "run 2 of 3: boom");
    }
}
