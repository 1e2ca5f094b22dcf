//! Measures one (file, codec) pair: compress, decompress, compare, compress again, bound size.

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
    let mut row = FileRow {
        dataset: dataset.to_string(),
        file: file.name.clone(),
        category: file.category.to_string(),
        codec: codec.name.clone(),
        original_bytes: file.size,
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
    };
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
    let compress_cap = checks.expansion_limit(file.size).saturating_mul(2) + (1 << 20);
    let op = operate(
        codec,
        Operation::Compress,
        &file.path,
        &compressed,
        compress_cap,
        checks,
        work,
    )?;
    row.compress_s = Some(op.wall_s);
    row.compress_user_s = Some(op.user_s);
    row.compress_sys_s = Some(op.sys_s);
    row.compress_peak_rss_bytes = Some(op.peak_rss_bytes);
    let size = file_len(&compressed)?;
    row.compressed_bytes = Some(size);
    row.ratio = (file.size > 0).then(|| size as f64 / file.size as f64);

    let decompress_cap = file.size.saturating_mul(2) + (1 << 20);
    let op = operate(
        codec,
        Operation::Decompress,
        &compressed,
        &decompressed,
        decompress_cap,
        checks,
        work,
    )?;
    row.decompress_s = Some(op.wall_s);
    row.decompress_user_s = Some(op.user_s);
    row.decompress_sys_s = Some(op.sys_s);
    row.decompress_peak_rss_bytes = Some(op.peak_rss_bytes);
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
    if checks.determinism {
        let again = work.join("out.cmp2");
        operate(
            codec,
            Operation::Compress,
            &file.path,
            &again,
            compress_cap,
            checks,
            work,
        )
        .map_err(|(s, r)| (s, format!("second compression: {r}")))?;
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
