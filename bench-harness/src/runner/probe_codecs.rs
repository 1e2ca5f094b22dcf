//! Hidden built-in codecs that misbehave the way a cheating candidate would, so tests can
//! show that the sandbox stops them. Each tries its forbidden access first and, if that
//! succeeds (no sandbox), copies its input unchanged, so it passes a run without a sandbox.
//! Accepted by codec parsing (`__probe-open-file`, `__probe-socket`), never listed in help.

use std::fs::File;
use std::io::{self, Read, Write};

pub const PREFIX: &str = "__probe-";

/// Runs the probe named `name`, or returns `None` when `name` is not a probe.
pub fn run(name: &str, mut input: File, mut output: File) -> Option<io::Result<()>> {
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
        other => Err(io::Error::other(format!("unknown probe codec {other}"))),
    };
    Some(attempt.and_then(|()| {
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes)?;
        output.write_all(&bytes)
    }))
}

/// Opens the dataset file behind stdin again by its path, as a codec peeking at the data
/// set would; falls back to a well-known file when the path cannot be read.
fn reopen_input() -> io::Result<()> {
    let path = std::fs::read_link("/proc/self/fd/0").unwrap_or_else(|_| "/etc/hostname".into());
    let path = if path.is_absolute() {
        path
    } else {
        "/etc/hostname".into()
    };
    File::open(&path).map(drop)
}
