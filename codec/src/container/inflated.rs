//! The payload of [`Method::Inflated`]: the deflate side information, then the transformed
//! file in segments, each coded by the model its content selects.

use super::fields::Fields;
use super::invalid;
use super::method::{self, model, Method};
use crate::deflate;
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

/// Reverses [`encode`]: decodes the segments, then rebuilds the deflate streams.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let mut fields = Fields::new(payload, "inflated payload");
    let side_len = fields.u32()?;
    let side = fields.take(side_len)?;
    let segments = fields.u32()?;
    let mut transformed = Vec::new();
    for _ in 0..segments {
        let len = fields.u64()?;
        let method_byte = fields.byte()?;
        let inner = fields.part(len)?;
        let method = Method::from_byte(method_byte)
            .filter(|&m| m != Method::Inflated)
            .ok_or_else(|| invalid(format!("inflated payload: bad inner method {method_byte}")))?;
        let segment = method::decode(method, inner, len as usize)?;
        if segment.len() as u64 != len {
            return Err(invalid(
                "inflated payload: a segment has the wrong length".into(),
            ));
        }
        transformed.extend_from_slice(&segment);
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
