//! The runner side (`harness __exec`): input on stdin, output on stdout, both files.

use super::{probe_codecs, sandbox, sys};
use crate::codecs::{run_builtin, CodecKind, CodecSpec, Operation};
use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Applies the limits, then codes. Returns only on failure for external commands (which
/// replace this process); for built-in codecs returns when coding is done.
pub fn exec(
    spec: &CodecSpec,
    op: Operation,
    max_memory: Option<u64>,
    max_output: Option<u64>,
) -> anyhow::Result<()> {
    sys::limit_self(max_memory, max_output)?;
    match &spec.kind {
        CodecKind::External {
            compress,
            decompress,
        } => {
            let command = match op {
                Operation::Compress => compress,
                Operation::Decompress => decompress,
            };
            let err = Command::new("/bin/sh").arg("-c").arg(command).exec();
            Err(anyhow::anyhow!("cannot run `sh -c {command}`: {err}"))
        }
        _ => {
            report_panics_on_one_line();
            let input = File::from(io::stdin().as_fd().try_clone_to_owned()?);
            let output = File::from(io::stdout().as_fd().try_clone_to_owned()?);
            let mode = sandbox::mode_from_env();
            sandbox::apply(mode).map_err(anyhow::Error::msg)?;
            probe_codecs::run(&spec.name, input.try_clone()?, output.try_clone()?)
                .unwrap_or_else(|| run_builtin(spec, op, input, output))
                .map_err(|e| {
                    let denied =
                        e.kind() == io::ErrorKind::PermissionDenied && mode != sandbox::Mode::Off;
                    let hint = if denied {
                        " (denied by the sandbox: a codec may only use its input and output)"
                    } else {
                        ""
                    };
                    anyhow::anyhow!("{} {}: {e}{hint}", spec.name, op.as_str())
                })
        }
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
