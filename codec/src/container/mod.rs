//! The container: `MAGIC (4) | version (1) | method (1) | original length (u64 LE) |
//! CRC-32 of the original (u32 LE) | payload`.
//!
//! Invariant every method's decoder relies on: the declared original length is at most
//! `MAX_EXPANSION` times the payload length (plus a small allowance), so a decoder never
//! allocates or loops more than a bounded multiple of what it was given. Methods that code
//! every output bit through the arithmetic coder with `p1` clamped to `1..=65535` satisfy it.

mod embedded;
#[cfg(test)]
mod embedded_tests;
pub(crate) mod fields;
mod inflated;
mod method;

use crate::crc32::crc32;
pub use method::Method;
use std::io;

pub const MAGIC: [u8; 4] = *b"RCZ\x1a";
/// Bumped whenever any method's bitstream changes, so streams of another build are refused by
/// version rather than failing their CRC. 2: word-pair context, third mixer selector, x86
/// Jcc and RIP-relative transform, audio repeats, drawn BMPs through the general model.
/// 3: deflate streams recompressed (method 4); baseline JPEG (method 5), JPEG, WAV and BMP
/// files embedded in other bytes (method 6) and progressive JPEG (method 7) were added later
/// without a bump, as no existing stream decodes differently and older builds refuse the new
/// methods by number. 4: the general model's match model follows a failed match on past the
/// differing byte. 5: the general model's layout 2 is a trunk forked into two halves, not two
/// independent halves. 6: the general model codes long repeats as segments of their own.
/// 7: the fork's trunk is 1/16 of the input (at least 1 MiB), not 1/3. 8: the fork's two
/// models size their tables for the bytes each codes, not for the whole input. 9: WAVs of at
/// least 2^20 values are coded as two halves, each by a model of its own.
pub const VERSION: u8 = 9;
const HEADER_LEN: usize = 4 + 1 + 1 + 8 + 4;
/// Output bytes one payload byte may stand for (see the module invariant).
pub const MAX_EXPANSION: u64 = 1 << 16;
pub const EXPANSION_ALLOWANCE: u64 = 64;

/// Compresses `data` with the best applicable method, never worse than storing it.
pub fn encode(data: &[u8]) -> Vec<u8> {
    let (method, payload) = method::choose(data);
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    out.push(method as u8);
    out.extend_from_slice(&(data.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// Decodes a container produced by [`encode`]; errors are `InvalidData` with a reason.
pub fn decode(packed: &[u8]) -> io::Result<Vec<u8>> {
    if packed.len() < HEADER_LEN {
        return Err(invalid(format!(
            "input is {} bytes, shorter than the {HEADER_LEN}-byte header",
            packed.len()
        )));
    }
    if packed[..4] != MAGIC {
        return Err(invalid("not a codec stream (bad magic)".into()));
    }
    if packed[4] != VERSION {
        return Err(invalid(format!(
            "format version {} is not supported (this build reads version {VERSION})",
            packed[4]
        )));
    }
    let method = Method::from_byte(packed[5])
        .ok_or_else(|| invalid(format!("unknown method {}", packed[5])))?;
    let original_len = u64::from_le_bytes(packed[6..14].try_into().expect("8 bytes"));
    let expected_crc = u32::from_le_bytes(packed[14..18].try_into().expect("4 bytes"));
    let payload = &packed[HEADER_LEN..];
    let bound = (payload.len() as u64 + EXPANSION_ALLOWANCE).saturating_mul(MAX_EXPANSION);
    if original_len > bound || usize::try_from(original_len).is_err() {
        return Err(invalid(format!(
            "declared length {original_len} is impossible for a {}-byte payload",
            payload.len()
        )));
    }
    let data = method::decode(method, payload, original_len as usize)?;
    if data.len() as u64 != original_len {
        return Err(invalid(format!(
            "decoded {} bytes, header declares {original_len}",
            data.len()
        )));
    }
    let actual_crc = crc32(&data);
    if actual_crc != expected_crc {
        return Err(invalid(format!(
            "CRC-32 mismatch: header {expected_crc:08x}, decoded data {actual_crc:08x}"
        )));
    }
    Ok(data)
}

pub fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_foreign_and_future_streams() {
        let good = encode(b"hello hello hello");
        assert_eq!(decode(&good).unwrap(), b"hello hello hello");
        let mut future = good.clone();
        future[4] = VERSION + 1;
        let err = decode(&future).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("version"));
        assert!(decode(b"\x1f\x8b\x08\x00 not ours at all")
            .unwrap_err()
            .to_string()
            .contains("magic"));
    }

    #[test]
    fn rejects_impossible_declared_length() {
        let mut packed = encode(b"");
        packed[6..14].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(decode(&packed)
            .unwrap_err()
            .to_string()
            .contains("impossible"));
    }

    #[test]
    fn detects_corruption_through_crc() {
        let mut packed = encode(&[7u8; 100]);
        packed[14] ^= 1;
        assert!(decode(&packed).is_err());
    }
}
