//! Buffers of decoded data, grown as the data is produced rather than reserved for the
//! length a header declares, and grown fallibly: memory refused is an `OutOfMemory` error
//! instead of an abort.

use crate::error::out_of_memory;
use std::io;

/// Elements decoders produce between two calls to [`room`] when they produce them one by
/// one.
pub const CHUNK: usize = 1 << 16;

/// Makes room for `more` elements in `buf`, whose producer never takes it past `limit`
/// elements: the capacity at least doubles (so growth stays amortised) but never passes
/// `limit`. `what` names the buffer in the error.
pub fn room<T>(buf: &mut Vec<T>, more: usize, limit: usize, what: &str) -> io::Result<()> {
    let needed = buf
        .len()
        .checked_add(more)
        .ok_or_else(|| out_of_memory(what, usize::MAX))?;
    if needed <= buf.capacity() {
        return Ok(());
    }
    let target = buf.capacity().saturating_mul(2).min(limit).max(needed);
    let extra = target - buf.len();
    buf.try_reserve_exact(extra)
        .map_err(|_| out_of_memory(what, extra.saturating_mul(std::mem::size_of::<T>())))
}

/// Appends `bytes` to `buf` (see [`room`]).
pub fn append<T: Copy>(buf: &mut Vec<T>, bytes: &[T], limit: usize, what: &str) -> io::Result<()> {
    room(buf, bytes.len(), limit, what)?;
    buf.extend_from_slice(bytes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_doubles_up_to_the_limit() {
        let mut buf: Vec<u8> = Vec::new();
        room(&mut buf, 10, 1000, "test").unwrap();
        assert!(buf.capacity() >= 10 && buf.capacity() < 1000);
        append(&mut buf, &[1; 600], 1000, "test").unwrap();
        append(&mut buf, &[2; 300], 1000, "test").unwrap();
        assert_eq!(buf.capacity(), 1000, "capped at the limit");
        assert_eq!(buf.len(), 900);
    }

    #[test]
    fn refused_memory_is_an_error() {
        let mut buf: Vec<u64> = vec![0; 4];
        let err = room(&mut buf, usize::MAX / 16, usize::MAX, "test buffer").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::OutOfMemory);
        assert!(err.to_string().contains("test buffer"), "{err}");
        let err = room(&mut buf, usize::MAX, usize::MAX, "test buffer").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::OutOfMemory);
    }
}
