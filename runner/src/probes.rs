//! Hidden built-in codecs that misbehave the way a hostile candidate would, or that use a
//! known amount of memory, so that tests can check the sandbox and the figures. Each copies
//! its input unchanged when it is not failing on purpose. Named `__probe-*`, never listed.

use std::io::{self, Write};

pub const PREFIX: &str = "__probe-";

/// Runs the probe named `name` on `input`, or returns `None` when `name` is not a probe.
pub fn run(name: &str, input: &[u8], output: &mut dyn Write) -> Option<io::Result<()>> {
    let attempt = match name.strip_prefix(PREFIX)? {
        "open-file" => reopen_input(),
        "socket" => std::net::TcpStream::connect("127.0.0.1:9")
            .map(drop)
            .or_else(|e| {
                // Without a sandbox nothing listens on the discard port; that refusal is fine.
                if e.kind() == io::ErrorKind::ConnectionRefused {
                    Ok(())
                } else {
                    Err(e)
                }
            }),
        "env" => Err(io::Error::other(format!(
            "environment: {}",
            std::env::vars_os()
                .map(|(k, _)| k.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(",")
        ))),
        "alloc64" => {
            touch(64 << 20);
            Ok(())
        }
        "alloc-fail" => {
            let huge: Vec<u8> = Vec::with_capacity(1 << 44);
            std::hint::black_box(&huge);
            Ok(())
        }
        "copy" => Ok(()),
        "slow" => {
            std::thread::sleep(std::time::Duration::from_secs_f64(
                crate::builtin::WARM_BUDGET_S * 1.5,
            ));
            Ok(())
        }
        other => Err(io::Error::other(format!("unknown probe codec {other}"))),
    };
    Some(attempt.and_then(|()| output.write_all(input)))
}

/// Allocates `bytes` and writes every page, so that all of it is resident at once.
fn touch(bytes: usize) {
    let mut block = vec![0u8; bytes];
    for page in block.chunks_mut(4096) {
        page[0] = 1;
    }
    std::hint::black_box(&block);
}

/// Opens the file behind stdin again by its path, as a codec peeking at the dataset would;
/// falls back to a well-known file when the path cannot be read.
fn reopen_input() -> io::Result<()> {
    let path = std::fs::read_link("/proc/self/fd/0").unwrap_or_else(|_| "/etc/hostname".into());
    let path = if path.is_absolute() {
        path
    } else {
        "/etc/hostname".into()
    };
    std::fs::File::open(&path).map(drop)
}
