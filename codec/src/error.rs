//! The error a decoder returns for bytes it cannot decode. Every module may use it; it uses
//! nothing of the crate.

use std::io;

/// An `InvalidData` error whose message names what failed.
pub fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// An `OutOfMemory` error: `bytes` more bytes for `what` were refused.
pub fn out_of_memory(what: &str, bytes: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::OutOfMemory,
        format!("{what}: {bytes} more bytes of memory were refused"),
    )
}
