//! Placeholder until this model lands: it never applies.

use std::io;

/// Returns the coded payload, or `None` when this model does not apply to `data`.
pub fn encode(_data: &[u8]) -> Option<Vec<u8>> {
    None
}

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(_payload: &[u8], _original_len: usize) -> io::Result<Vec<u8>> {
    Err(crate::container::invalid(
        "this model is not implemented in this build".into(),
    ))
}
