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
    /// Deflate streams decoded (see [`deflate`]): `transformed length (u64 LE) | side
    /// length (u32 LE) | side information | inner method (1) | inner payload`, where the
    /// inner method codes the transformed data and is never `Inflated` itself.
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
    let (method, inner) = model(&split.transformed)
        .filter(|(_, p)| p.len() < split.transformed.len())
        .unwrap_or_else(|| (Method::Stored, split.transformed.clone()));
    let mut out = Vec::with_capacity(13 + split.side.len() + inner.len());
    out.extend_from_slice(&(split.transformed.len() as u64).to_le_bytes());
    out.extend_from_slice(&(split.side.len() as u32).to_le_bytes());
    out.extend_from_slice(&split.side);
    out.push(method as u8);
    out.extend_from_slice(&inner);
    out
}

fn decode_inflated(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let field = |range: std::ops::Range<usize>| {
        payload
            .get(range)
            .ok_or_else(|| invalid("inflated payload: truncated header".into()))
    };
    let transformed_len = u64::from_le_bytes(field(0..8)?.try_into().expect("8 bytes"));
    let side_len = u32::from_le_bytes(field(8..12)?.try_into().expect("4 bytes")) as usize;
    let side = field(12..12 + side_len)?;
    let method_byte = *field(12 + side_len..13 + side_len)?
        .first()
        .expect("1 byte");
    let inner = &payload[13 + side_len..];
    let method = Method::from_byte(method_byte)
        .filter(|&m| m != Method::Inflated)
        .ok_or_else(|| invalid(format!("inflated payload: bad inner method {method_byte}")))?;
    let bound = (inner.len() as u64 + EXPANSION_ALLOWANCE).saturating_mul(MAX_EXPANSION);
    if transformed_len > bound {
        return Err(invalid(format!(
            "inflated payload: transformed length {transformed_len} is impossible for {} bytes",
            inner.len()
        )));
    }
    let transformed = decode(method, inner, transformed_len as usize)?;
    if transformed.len() as u64 != transformed_len {
        return Err(invalid(
            "inflated payload: inner data has the wrong length".into(),
        ));
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
