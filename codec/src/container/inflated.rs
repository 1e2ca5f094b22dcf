//! The payload of [`Method::Inflated`]: the deflate side information, then the transformed
//! file in segments, each coded by the model its content selects.

use super::method::{self, model, Method};
use super::possible;
use crate::deflate;
use crate::error::invalid;
use crate::fields::Fields;
use crate::grow;
use std::io;
use std::ops::Range;

/// The coded segments of `transformed`, as they follow the side information in the payload.
pub fn encode_segments(transformed: &[u8], segments: &[Range<usize>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(segments.len() as u32).to_le_bytes());
    for range in segments {
        let data = &transformed[range.clone()];
        let (method, inner) = model(data)
            .filter(|(_, p)| p.len() < data.len())
            .unwrap_or_else(|| (Method::Stored, data.to_vec()));
        out.extend_from_slice(&(data.len() as u64).to_le_bytes());
        out.push(method as u8);
        out.extend_from_slice(&(inner.len() as u64).to_le_bytes());
        out.extend_from_slice(&inner);
    }
    out
}

/// The payload of a file whose deflate streams were decoded (see [`Method::Inflated`]):
/// the side information, then the segments made by [`encode_segments`].
pub fn payload(side: &[u8], segments: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + side.len() + segments.len());
    out.extend_from_slice(&(side.len() as u32).to_le_bytes());
    out.extend_from_slice(side);
    out.extend_from_slice(segments);
    out
}

/// Most bytes of transformed data per byte of the file: a deflate stream decodes to at most
/// 1,032 bytes per byte (a 258-byte match in two bits), and a PNG's BMP of them is at most
/// 1.2 times its scanlines plus a 54-byte header.
const MAX_INFLATION: u64 = 2048;
/// Bytes of a segment's header: length (8), method (1), payload length (8).
const SEGMENT_HEADER: usize = 17;

/// Reverses [`encode`]: checks every segment's header, then decodes the segments and
/// rebuilds the deflate streams.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let mut fields = Fields::new(payload, "inflated payload");
    let side_len = fields.u32()?;
    let side = fields.take(side_len)?;
    let count = fields.u32()?;
    if count > (fields.remaining() / SEGMENT_HEADER) as u64 {
        return Err(invalid(format!(
            "inflated payload: {count} segments cannot fit in {} bytes",
            fields.remaining()
        )));
    }
    let mut segments = Vec::new();
    let mut total = 0u64;
    for _ in 0..count {
        let len = fields.u64()?;
        let method_byte = fields.byte()?;
        // Never a method that holds other methods' payloads, so that nesting stays shallow
        // (method 8 inside method 4 inside method 8 ... once overflowed the stack).
        let method = Method::from_byte(method_byte)
            .filter(|m| !matches!(m, Method::Inflated | Method::Long))
            .ok_or_else(|| invalid(format!("inflated payload: bad inner method {method_byte}")))?;
        let coded_len = fields.u64()?;
        let inner = fields.take(coded_len)?;
        if !possible(len, inner.len()) {
            return Err(invalid(format!(
                "inflated payload: a segment of {len} bytes is impossible for {coded_len} coded bytes"
            )));
        }
        total = total.saturating_add(len);
        segments.push((method, inner, len as usize));
    }
    fields.finish()?;
    let most = (original_len as u64).saturating_mul(MAX_INFLATION);
    if total > most || !possible(total, payload.len()) {
        return Err(invalid(format!(
            "inflated payload: segments of {total} bytes in all are impossible for a \
             {original_len}-byte file coded in {} bytes",
            payload.len()
        )));
    }
    let total = total as usize;
    let mut transformed = Vec::new();
    // Two segments at a time, one on a thread of its own (the models decode on one core).
    for pair in segments.chunks(2) {
        let decode = |&(method, inner, len): &(Method, &[u8], usize)| {
            method::decode(method, inner, len).and_then(|segment| {
                if segment.len() == len {
                    Ok(segment)
                } else {
                    Err(invalid(
                        "inflated payload: a segment has the wrong length".into(),
                    ))
                }
            })
        };
        let decoded = std::thread::scope(|s| {
            let second = pair.get(1).map(|seg| s.spawn(|| decode(seg)));
            let first = decode(&pair[0]);
            let second = second.map(|h| h.join().expect("segment thread panicked"));
            (first, second)
        });
        grow::append(&mut transformed, &decoded.0?, total, "inflated payload")?;
        if let Some(second) = decoded.1 {
            grow::append(&mut transformed, &second?, total, "inflated payload")?;
        }
    }
    deflate::join(&transformed, side, original_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_payloads_are_errors() {
        let message = |payload: &[u8]| decode(payload, 100).unwrap_err().to_string();
        assert!(message(&[1, 0]).contains("truncated"));
        let mut nested = vec![0, 0, 0, 0, 1, 0, 0, 0];
        nested.extend_from_slice(&5u64.to_le_bytes());
        nested.push(Method::Inflated as u8);
        nested.extend_from_slice(&0u64.to_le_bytes());
        assert!(message(&nested).contains("bad inner method"));
        let mut huge = vec![0, 0, 0, 0, 1, 0, 0, 0];
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        huge.push(Method::Stored as u8);
        huge.extend_from_slice(&0u64.to_le_bytes());
        assert!(message(&huge).contains("impossible"));
    }
}
