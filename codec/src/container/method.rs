//! The coding methods a container can name, and the choice between them.

use super::{invalid, EXPANSION_ALLOWANCE, MAX_EXPANSION};
use crate::{audio, deflate, general, image};
use std::io;

/// How a payload was coded. The byte values are part of the format: never renumber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Method {
    /// The payload is the original bytes.
    Stored = 0,
    /// Context-mixing model for text and general binary data.
    General = 1,
    /// 16-bit PCM WAV: linear prediction per channel, residuals coded adaptively.
    Audio = 2,
    /// 24-bit BMP: pixel prediction per colour plane, residuals coded with contexts.
    Image = 3,
    /// Deflate streams decoded (see [`deflate`]): `side length (u32 LE) | side information |
    /// segment count (u32 LE) | per segment: length (u64 LE) | method (1) | payload length
    /// (u64 LE) | payload`. The segments, concatenated, are the transformed data; each
    /// segment's method is never `Inflated` itself.
    Inflated = 4,
}

impl Method {
    pub fn from_byte(b: u8) -> Option<Method> {
        Some(match b {
            0 => Method::Stored,
            1 => Method::General,
            2 => Method::Audio,
            3 => Method::Image,
            4 => Method::Inflated,
            _ => return None,
        })
    }
}

/// Picks the method giving the smallest payload; falls back to storing.
pub fn choose(data: &[u8]) -> (Method, Vec<u8>) {
    let modelled = match deflate::split(data) {
        Some(split) => Some((Method::Inflated, inflated_payload(&split))),
        None => model(data),
    };
    match modelled {
        Some((method, payload)) if payload.len() < data.len() => (method, payload),
        _ => (Method::Stored, data.to_vec()),
    }
}

/// The best model for `data` by its content (audio, image or general), if one applies.
fn model(data: &[u8]) -> Option<(Method, Vec<u8>)> {
    if let Some(p) = audio::encode(data) {
        Some((Method::Audio, p))
    } else if let Some(p) = image::encode(data) {
        let general = image::mostly_flat(data)
            .then(|| general::encode(data))
            .flatten()
            .filter(|g| g.len() < p.len());
        match general {
            Some(g) => Some((Method::General, g)),
            None => Some((Method::Image, p)),
        }
    } else {
        general::encode(data).map(|p| (Method::General, p))
    }
}

fn inflated_payload(split: &deflate::Split) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(split.side.len() as u32).to_le_bytes());
    out.extend_from_slice(&split.side);
    out.extend_from_slice(&(split.segments.len() as u32).to_le_bytes());
    for range in &split.segments {
        let data = &split.transformed[range.clone()];
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

/// Reads the fields of an inflated payload in order, failing on truncation.
struct Fields<'a> {
    payload: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        let bytes = self
            .at
            .checked_add(n)
            .and_then(|end| self.payload.get(self.at..end))
            .ok_or_else(|| invalid("inflated payload: truncated".into()))?;
        self.at += n;
        Ok(bytes)
    }

    fn u32(&mut self) -> io::Result<u64> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")).into())
    }

    fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
}

fn decode_inflated(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let mut fields = Fields { payload, at: 0 };
    let side_len = fields.u32()? as usize;
    let side = fields.take(side_len)?;
    let segments = fields.u32()?;
    let mut transformed = Vec::new();
    for _ in 0..segments {
        let len = fields.u64()?;
        let method_byte = fields.take(1)?[0];
        let inner_len = fields.u64()?;
        let inner = fields.take(usize::try_from(inner_len).unwrap_or(usize::MAX))?;
        let method = Method::from_byte(method_byte)
            .filter(|&m| m != Method::Inflated)
            .ok_or_else(|| invalid(format!("inflated payload: bad inner method {method_byte}")))?;
        let bound = (inner_len + EXPANSION_ALLOWANCE).saturating_mul(MAX_EXPANSION);
        if len > bound {
            return Err(invalid(format!(
                "inflated payload: segment length {len} is impossible for {inner_len} bytes"
            )));
        }
        let segment = decode(method, inner, len as usize)?;
        if segment.len() as u64 != len {
            return Err(invalid(
                "inflated payload: a segment has the wrong length".into(),
            ));
        }
        transformed.extend_from_slice(&segment);
    }
    deflate::join(&transformed, side, original_len)
}

/// Decodes `payload` coded with `method` into exactly `original_len` bytes (or an error).
pub fn decode(method: Method, payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    match method {
        Method::Stored => Ok(payload.to_vec()),
        Method::General => general::decode(payload, original_len),
        Method::Audio => audio::decode(payload, original_len),
        Method::Image => image::decode(payload, original_len),
        Method::Inflated => decode_inflated(payload, original_len),
    }
}
