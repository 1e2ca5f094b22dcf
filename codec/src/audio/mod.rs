//! Lossless model for 16-bit PCM WAV (mono or stereo).
//!
//! Payload: `version (1) | channels (1) | head_len (u32 LE) | tail_len (u32 LE) | head |
//! tail | coded residuals`. `head` is every byte before the first sample frame and `tail`
//! every byte after the last whole frame, both verbatim; the frame count follows from
//! `original_len`. Each sample is predicted by [`predictor::Predictor`] and its residual
//! coded by [`residual::ResidualCoder`].

mod bits;
mod lms;
mod nlms;
mod predictor;
mod residual;
mod wav;

#[cfg(test)]
mod tests;

use crate::coder::{Decoder, Encoder};
use crate::container::invalid;
use bits::BitIo;
use predictor::Predictor;
use residual::ResidualCoder;
use std::io;

const VERSION: u8 = 1;
const FIXED_HEADER: usize = 10;

/// Returns the coded payload, or `None` when this model does not apply to `data`.
pub fn encode(data: &[u8]) -> Option<Vec<u8>> {
    let layout = wav::parse(data)?;
    let channels = layout.channels;
    let body_len = layout.frames * 2 * channels;
    let tail_start = layout.start + body_len;
    let head = &data[..layout.start];
    let tail = &data[tail_start..];
    // Worth modelling only when samples dominate the file.
    if body_len < 1024 || head.len() + tail.len() > body_len {
        return None;
    }
    let mut out = Vec::with_capacity(FIXED_HEADER + head.len() + tail.len() + body_len / 2);
    out.push(VERSION);
    out.push(channels as u8);
    out.extend_from_slice(&u32::try_from(head.len()).ok()?.to_le_bytes());
    out.extend_from_slice(&u32::try_from(tail.len()).ok()?.to_le_bytes());
    out.extend_from_slice(head);
    out.extend_from_slice(tail);
    let mut enc = Encoder::new();
    let samples = data[layout.start..tail_start]
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]) as i32);
    let mut codec = SampleCodec::new(channels);
    let mut c = 0;
    for x in samples {
        codec.code(&mut enc, c, x);
        c = if c + 1 == channels { 0 } else { c + 1 };
    }
    out.extend_from_slice(&enc.finish());
    Some(out)
}

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let fixed = payload.get(..FIXED_HEADER).ok_or_else(|| {
        invalid(format!(
            "audio payload of {} bytes is truncated",
            payload.len()
        ))
    })?;
    if fixed[0] != VERSION {
        return Err(invalid(format!(
            "audio payload version {} unknown",
            fixed[0]
        )));
    }
    let channels = fixed[1] as usize;
    if !(1..=2).contains(&channels) {
        return Err(invalid(format!("audio payload has {channels} channels")));
    }
    let head_len = u32::from_le_bytes(fixed[2..6].try_into().expect("4 bytes")) as usize;
    let tail_len = u32::from_le_bytes(fixed[6..10].try_into().expect("4 bytes")) as usize;
    let verbatim_end = FIXED_HEADER
        .checked_add(head_len)
        .and_then(|v| v.checked_add(tail_len))
        .filter(|&end| end <= payload.len())
        .ok_or_else(|| invalid("audio payload shorter than its verbatim bytes".into()))?;
    let body_len = original_len
        .checked_sub(head_len + tail_len)
        .filter(|len| len % (2 * channels) == 0)
        .ok_or_else(|| {
            invalid(format!(
                "original length {original_len} does not fit {head_len}+{tail_len} verbatim bytes and whole {channels}-channel frames"
            ))
        })?;
    let head = &payload[FIXED_HEADER..FIXED_HEADER + head_len];
    let tail = &payload[FIXED_HEADER + head_len..verbatim_end];
    let mut out = Vec::with_capacity(original_len);
    out.extend_from_slice(head);
    let mut dec = Decoder::new(&payload[verbatim_end..]);
    let mut codec = SampleCodec::new(channels);
    let mut c = 0;
    for _ in 0..body_len / 2 {
        let x = codec.code(&mut dec, c, 0);
        out.extend_from_slice(&(x as i16).to_le_bytes());
        c = if c + 1 == channels { 0 } else { c + 1 };
    }
    out.extend_from_slice(tail);
    Ok(out)
}

/// Prediction plus residual coding, shared by both directions.
struct SampleCodec {
    predictor: Predictor,
    residuals: Vec<ResidualCoder>,
}

impl SampleCodec {
    fn new(channels: usize) -> Self {
        SampleCodec {
            predictor: Predictor::new(channels),
            residuals: (0..channels).map(|_| ResidualCoder::default()).collect(),
        }
    }

    /// Codes sample `x` of channel `c` (ignored when decoding); returns the sample coded.
    /// A decoded sample outside 16 bits (only from corrupt input) is wrapped, never trusted.
    fn code<C: BitIo>(&mut self, io: &mut C, c: usize, x: i32) -> i32 {
        let p = self.predictor.predict(c);
        let r = self.residuals[c].code(io, x - p);
        let x = (p + r) as i16 as i32;
        self.predictor.update(c, x);
        x
    }
}
