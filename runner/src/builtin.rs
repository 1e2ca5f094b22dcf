//! The worker of a built-in codec: the input read into memory, the sandbox closed, then the
//! codec called on in-memory buffers and timed around that call alone.

use crate::args::{Codec, Direction, Operation};
use crate::memory::ResidentMemory;
use crate::protocol::line;
use crate::{probes, sandbox, sys, worker};
use std::fs::File;
use std::io::{self, BufWriter, Cursor, Read, Seek, SeekFrom, Write};
use std::os::fd::AsFd;
use std::time::Instant;

/// Exit status of a worker whose codec panicked (the Rust runtime's convention).
const PANIC_EXIT: i32 = 101;

/// Seconds of calls after which no further warm call is made. A first call faster than this
/// is repeated (at most [`MAX_CALLS`] calls in all) on the same input into a reused in-memory
/// buffer, and the fastest call is the codec's time, as criterion and lzbench time warm calls:
/// a cold call also pays for faulting in its fresh allocations.
pub const WARM_BUDGET_S: f64 = 0.1;
const MAX_CALLS: u32 = 5;

/// Runs the built-in codec of `op`; returns the worker's exit status (1: the codec failed,
/// with one line on stderr; [`PANIC_EXIT`] after a panic, also with one line).
pub fn work(op: &Operation, messages: &mut File) -> i32 {
    report_panics_on_one_line();
    let Codec::Builtin { name, level } = &op.codec else {
        return 2;
    };
    let coded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        prepare_and_code(op, name, *level, messages)
    }));
    match coded {
        // The panic hook already wrote the one line.
        Err(_) => PANIC_EXIT,
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            let denied = e.kind() == io::ErrorKind::PermissionDenied
                && op.sandbox != crate::args::SandboxMode::Off;
            let hint = if denied {
                " (denied by the sandbox: a codec may only use its input and output)"
            } else {
                ""
            };
            eprintln!("{name} {}: {e}{hint}", op.direction.as_str());
            1
        }
    }
}

fn prepare_and_code(op: &Operation, name: &str, level: i32, messages: &mut File) -> io::Result<()> {
    crate::memory::return_freed_blocks();
    let mut memory = ResidentMemory::open();
    let mut stdin = File::from(io::stdin().as_fd().try_clone_to_owned()?);
    let mut input = Vec::new();
    if let Ok(meta) = stdin.metadata() {
        input
            .try_reserve_exact(meta.len() as usize)
            .map_err(|e| io::Error::other(format!("cannot hold the input in memory: {e}")))?;
    }
    stdin.read_to_end(&mut input)?;
    let output = sys::memory_file(c"codec-output")?;
    let address_space = op
        .max_memory
        .map(|limit| memory.address_space().unwrap_or(0).saturating_add(limit));
    worker::apply_limits(address_space, op.max_output)?;
    sandbox::restrict_builtin(op.sandbox).map_err(io::Error::other)?;

    let before = memory.current();
    memory.reset_peak();
    let mut writer = BufWriter::with_capacity(1 << 20, output);
    let started = Instant::now();
    code(name, level, op.direction, &input, &mut writer)?;
    writer.flush()?;
    let first_s = started.elapsed().as_secs_f64();
    let peak = memory.peak();
    let (codec_s, calls) = warm_calls(name, level, op.direction, &input, first_s);

    let mut output = writer.into_inner().map_err(|e| e.into_error())?;
    output.seek(SeekFrom::Start(0))?;
    let mut stdout = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    io::copy(&mut output, &mut stdout)?;
    let mut text = line("codec_s", codec_s);
    text += &line("codec_first_s", first_s);
    text += &line("codec_calls", calls);
    if let (Some(before), Some(peak)) = (before, peak) {
        text += &line("codec_peak_rss_bytes", peak.saturating_sub(before));
    }
    messages.write_all(text.as_bytes())
}

/// Repeats a call that took `first_s` while the calls so far took less than
/// [`WARM_BUDGET_S`]; returns the fastest call's seconds and the number of calls. A warm call
/// that fails or panics ends the repeats: only the first call's output and outcome count.
fn warm_calls(
    name: &str,
    level: i32,
    direction: Direction,
    input: &[u8],
    first_s: f64,
) -> (f64, u32) {
    let (mut fastest, mut spent, mut calls) = (first_s, first_s, 1);
    let mut scratch = Cursor::new(Vec::new());
    while spent < WARM_BUDGET_S && calls < MAX_CALLS {
        scratch.get_mut().clear();
        scratch.set_position(0);
        let started = Instant::now();
        let coded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            code(name, level, direction, input, &mut scratch)
        }));
        let seconds = started.elapsed().as_secs_f64();
        if !matches!(coded, Ok(Ok(()))) {
            break;
        }
        fastest = fastest.min(seconds);
        spent += seconds;
        calls += 1;
    }
    (fastest, calls)
}

/// One call of codec `name` from `input` into `output`.
fn code<W: Write + Seek>(
    name: &str,
    level: i32,
    direction: Direction,
    input: &[u8],
    output: &mut W,
) -> io::Result<()> {
    if let Some(result) = probes::run(name, input, output) {
        return result;
    }
    match (name, direction) {
        ("candidate", Direction::Compress) => codec::compress(Cursor::new(input), output),
        ("candidate", Direction::Decompress) => codec::decompress(Cursor::new(input), output),
        ("zstd", Direction::Compress) => zstd::stream::copy_encode(input, output, level),
        ("zstd", Direction::Decompress) => zstd::stream::copy_decode(input, output),
        ("xz", Direction::Compress) => {
            let mut encoder = liblzma::write::XzEncoder::new(output, level as u32);
            encoder.write_all(input)?;
            encoder.finish().map(drop)
        }
        ("xz", Direction::Decompress) => {
            io::copy(&mut liblzma::read::XzDecoder::new(input), output).map(drop)
        }
        ("bzip2", Direction::Compress) => {
            let level = bzip2::Compression::new(level as u32);
            let mut encoder = bzip2::write::BzEncoder::new(output, level);
            encoder.write_all(input)?;
            encoder.finish().map(drop)
        }
        ("bzip2", Direction::Decompress) => {
            io::copy(&mut bzip2::read::MultiBzDecoder::new(input), output).map(drop)
        }
        ("gzip", Direction::Compress) => {
            let level = flate2::Compression::new(level as u32);
            let mut encoder = flate2::write::GzEncoder::new(output, level);
            encoder.write_all(input)?;
            encoder.finish().map(drop)
        }
        ("gzip", Direction::Decompress) => {
            io::copy(&mut flate2::read::MultiGzDecoder::new(input), output).map(drop)
        }
        _ => Err(io::Error::other(format!(
            "no built-in codec named {name:?}"
        ))),
    }
}

/// Replaces the default panic output (message, then a note about backtraces) with one line
/// that the harness can quote as the reason a row failed.
fn report_panics_on_one_line() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic payload".into());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("{}{location}", message.replace('\n', " "));
    }));
}
