//! Lossless model for 16-bit PCM WAV (mono, stereo, up to [`partners::MAX_CHANNELS`]).
//!
//! Payload: `version (1) | channels (1) | stereo mode (1) | wasted low bits (1) |
//! head_len (u32 LE) | tail_len (u32 LE) | partners | head | tail | coded residuals`, where
//! `partners` (version 3, more than two channels) is one byte per channel naming the channel
//! it is predicted with ([`partners`]); versions 2 and 3 code the rest alike. `head` is every
//! byte before the first sample frame and `tail` every byte after the last whole frame,
//! both verbatim; the frame count follows from `original_len`. Samples are shifted right by
//! the wasted low bits, stereo frames transformed by [`stereo::Mode`], then each value is
//! predicted by [`predictor::Predictor`] (or, while the last values exactly repeat earlier
//! ones, by [`repeat::Repeats`]) and its residual coded by [`residual::ResidualCoder`]
//! through the arithmetic coder.
//!
//! From [`SPLIT_MIN_VALUES`] values on, the frames are coded as two halves, each by a model
//! of its own starting afresh, so that both directions run them on two threads (payload
//! version 2): the coded residuals are then `first half's length (u32 LE) | first half |
//! second half`. The models learn a signal within a few thousand values, so the second
//! start costs little.

mod lms;
mod mix;
mod nlms;
mod ols;
mod partners;
mod predictor;
mod repeat;
mod residual;
mod stereo;
mod wav;

#[cfg(test)]
mod tests;

use crate::coder::{Decoder, Encoder};
use crate::error::invalid;
use crate::grow;
use crate::model::adaptive_bit::BitIo;
use predictor::Predictor;
use repeat::Repeats;
use residual::ResidualCoder;
use std::io;
use stereo::Mode;

/// Payload version of mono and stereo files; [`VERSION_PARTNERS`] for more channels.
const VERSION: u8 = 2;
const VERSION_PARTNERS: u8 = 3;
const FIXED_HEADER: usize = 12;
/// Low bits that are zero in every sample are not coded (at most this many).
const MAX_SHIFT: u32 = 15;
/// Values (samples of every channel) from which the frames are coded as two halves.
const SPLIT_MIN_VALUES: usize = 1 << 20;

/// Length of the PCM WAV at the start of `data` (its RIFF chunk, or through its samples when
/// the RIFF size does not fit), if it is one this model takes.
pub fn extent(data: &[u8]) -> Option<usize> {
    let layout = wav::parse(data)?;
    let samples_end = layout.start + layout.frames * 2 * layout.channels;
    let riff_end =
        (u32::from_le_bytes(data.get(4..8)?.try_into().ok()?) as usize).checked_add(8)?;
    Some(if (samples_end..=data.len()).contains(&riff_end) {
        riff_end
    } else {
        samples_end
    })
}

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
    let mut samples: Vec<i32> = data[layout.start..tail_start]
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]) as i32)
        .collect();
    let all = samples.iter().fold(0, |acc, &s| acc | s);
    let shift = if all == 0 {
        0
    } else {
        all.trailing_zeros().min(MAX_SHIFT)
    };
    for s in &mut samples {
        *s >>= shift;
    }
    let (mode, coded) = if channels == 2 {
        choose_mode(&samples)
    } else {
        (Mode::LeftRight, None)
    };
    let partners = partners::choose(&samples, channels);
    let mut out = Vec::with_capacity(FIXED_HEADER + head.len() + tail.len() + body_len / 2);
    out.push(if channels > 2 {
        VERSION_PARTNERS
    } else {
        VERSION
    });
    out.push(channels as u8);
    out.push(mode as u8);
    out.push(shift as u8);
    out.extend_from_slice(&u32::try_from(head.len()).ok()?.to_le_bytes());
    out.extend_from_slice(&u32::try_from(tail.len()).ok()?.to_le_bytes());
    if channels > 2 {
        out.extend(partners.iter().map(|&p| p as u8));
    }
    out.extend_from_slice(head);
    out.extend_from_slice(tail);
    match halves(samples.len() / channels, channels) {
        Some(first) => {
            debug_assert!(
                coded.is_none(),
                "only short files are coded whole to pick a mode"
            );
            let (a, b) = samples.split_at(first * channels);
            let (a, b) = at_once(
                || code_samples(a, mode, &partners),
                || code_samples(b, mode, &partners),
            );
            let a = a.expect("coding thread panicked");
            out.extend_from_slice(&u32::try_from(a.len()).ok()?.to_le_bytes());
            out.extend_from_slice(&a);
            out.extend_from_slice(&b);
        }
        None => {
            out.extend_from_slice(&coded.unwrap_or_else(|| code_samples(&samples, mode, &partners)))
        }
    }
    Some(out)
}

/// Frames in the first half when `frames` frames of `channels` channels are coded as two.
fn halves(frames: usize, channels: usize) -> Option<usize> {
    (frames * channels >= SPLIT_MIN_VALUES).then_some(frames / 2)
}

/// Stereo files at most this many frames are coded whole in each candidate mode.
const PROBE_WHOLE: usize = 1 << 16;
/// Otherwise candidates are compared on this many frames from each of three places.
const PROBE_FRAMES: usize = 1 << 15;

/// Picks between left/right and the mode [`stereo::choose`] guesses by coding with both:
/// the whole file when it is short (the winner's stream is returned too), else probes.
fn choose_mode(samples: &[i32]) -> (Mode, Option<Vec<u8>>) {
    let guess = stereo::choose(samples);
    if guess == Mode::LeftRight {
        return (guess, None);
    }
    let frames = samples.len() / 2;
    if frames <= PROBE_WHOLE {
        let (a, b) = both(|m| code_samples(samples, m, STEREO), guess);
        return if a.len() <= b.len() {
            (Mode::LeftRight, Some(a))
        } else {
            (guess, Some(b))
        };
    }
    let mut probe = Vec::with_capacity(6 * PROBE_FRAMES);
    for quarter in 1..=3 {
        let start = frames * quarter / 4 - PROBE_FRAMES / 2;
        probe.extend_from_slice(&samples[2 * start..2 * (start + PROBE_FRAMES)]);
    }
    let (a, b) = both(|m| code_samples(&probe, m, STEREO).len(), guess);
    (if a <= b { Mode::LeftRight } else { guess }, None)
}

/// `(f(LeftRight), f(other))`, computed on two threads; the result does not depend on
/// scheduling.
fn both<T: Send, F: Fn(Mode) -> T + Sync>(f: F, other: Mode) -> (T, T) {
    let (b, a) = at_once(|| f(other), || f(Mode::LeftRight));
    (a, b.expect("coding thread panicked"))
}

/// `(first(), second())`, the first on a thread of its own (its `Err` if it panicked). Each
/// builds its model itself, so the two never share a cache line.
fn at_once<A: Send, B>(
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B,
) -> (std::thread::Result<A>, B) {
    std::thread::scope(|s| {
        let h = s.spawn(first);
        let b = second();
        (h.join(), b)
    })
}

/// The partners of a stereo file.
const STEREO: &[usize] = &[1, 0];

/// Codes interleaved `samples` of `partners.len()` channels in stereo `mode`.
fn code_samples(samples: &[i32], mode: Mode, partners: &[usize]) -> Vec<u8> {
    let channels = partners.len();
    let mut enc = Encoder::new();
    let mut codec = SampleCodec::new(mode, partners, samples.len(), samples.len());
    for frame in samples.chunks_exact(channels) {
        if channels == 2 {
            let (a, b) = mode.forward(frame[0], frame[1]);
            codec.code(&mut enc, 0, a);
            codec.code(&mut enc, 1, b);
        } else {
            for (c, &x) in frame.iter().enumerate() {
                codec.code(&mut enc, c, x);
            }
        }
    }
    enc.finish()
}

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let fixed = payload.get(..FIXED_HEADER).ok_or_else(|| {
        invalid(format!(
            "audio payload of {} bytes is truncated",
            payload.len()
        ))
    })?;
    let channels = fixed[1] as usize;
    let (allowed, partner_bytes) = match fixed[0] {
        VERSION => (1..=2, 0),
        VERSION_PARTNERS => (3..=partners::MAX_CHANNELS, channels),
        v => return Err(invalid(format!("audio payload version {v} unknown"))),
    };
    if !allowed.contains(&channels) {
        return Err(invalid(format!(
            "audio payload version {} has {channels} channels",
            fixed[0]
        )));
    }
    let mode = Mode::from_byte(fixed[2]).ok_or_else(|| {
        invalid(format!(
            "audio payload has unknown stereo mode {}",
            fixed[2]
        ))
    })?;
    let shift = fixed[3] as u32;
    if shift > MAX_SHIFT {
        return Err(invalid(format!("audio payload drops {shift} low bits")));
    }
    let head_len = u32::from_le_bytes(fixed[4..8].try_into().expect("4 bytes")) as usize;
    let tail_len = u32::from_le_bytes(fixed[8..12].try_into().expect("4 bytes")) as usize;
    let verbatim = head_len
        .checked_add(tail_len)
        .ok_or_else(|| invalid("audio payload: verbatim lengths overflow".into()))?;
    let partners = if partner_bytes == 0 {
        partners::choose(&[], channels)
    } else {
        let bytes = payload
            .get(FIXED_HEADER..FIXED_HEADER + partner_bytes)
            .ok_or_else(|| invalid("audio payload ends in its channel partners".into()))?;
        let partners: Vec<usize> = bytes.iter().map(|&p| p as usize).collect();
        if !partners::valid(&partners) {
            return Err(invalid(format!(
                "audio payload has channel partners {partners:?}"
            )));
        }
        partners
    };
    let head_start = FIXED_HEADER + partner_bytes;
    let verbatim_end = head_start
        .checked_add(verbatim)
        .filter(|&end| end <= payload.len())
        .ok_or_else(|| invalid("audio payload shorter than its verbatim bytes".into()))?;
    let body_len = original_len
        .checked_sub(verbatim)
        .filter(|len| len % (2 * channels) == 0)
        .ok_or_else(|| {
            invalid(format!(
                "original length {original_len} does not fit {head_len}+{tail_len} verbatim bytes and whole {channels}-channel frames"
            ))
        })?;
    let head = &payload[head_start..head_start + head_len];
    let tail = &payload[head_start + head_len..verbatim_end];
    let what = "audio model output";
    let mut out = Vec::new();
    grow::append(&mut out, head, original_len, what)?;
    let coded = &payload[verbatim_end..];
    let frames = body_len / (2 * channels);
    let decode = |coded, frames, out: &mut Vec<u8>| {
        decode_samples(coded, frames, &partners, mode, shift, out)
    };
    match halves(frames, channels) {
        Some(first) => {
            let len = coded
                .get(..4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
                .filter(|&len| len <= coded.len() - 4)
                .ok_or_else(|| invalid("audio payload: bad length of the first half".into()))?;
            let (a, b) = coded[4..].split_at(len);
            let decoded = |coded, frames| {
                let mut pcm = Vec::new();
                decode(coded, frames, &mut pcm).map(|()| pcm)
            };
            let (a, b) = at_once(|| decoded(a, first), || decoded(b, frames - first));
            let a = a.map_err(|_| invalid("audio decoder failed".into()))??;
            grow::append(&mut out, &a, original_len, what)?;
            grow::append(&mut out, &b?, original_len, what)?;
        }
        None => decode(coded, frames, &mut out)?,
    }
    grow::append(&mut out, tail, original_len, what)?;
    Ok(out)
}

/// Appends to `out` the PCM bytes of `frames` frames decoded from `coded`, or fails when the
/// coded stream ends before them or holds more.
fn decode_samples(
    coded: &[u8],
    frames: usize,
    partners: &[usize],
    mode: Mode,
    shift: u32,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    let channels = partners.len();
    let limit = out.len() + frames * channels * 2;
    let mut dec = Decoder::new(coded);
    let values = frames * channels;
    let mut codec = SampleCodec::new(mode, partners, values, 0);
    for f in 0..frames {
        if f % grow::CHUNK == 0 {
            let more = (frames - f).min(grow::CHUNK) * channels;
            grow::room(out, 2 * more, limit, "audio model output")?;
            codec.repeats.reserve(more, values)?;
        }
        if channels == 2 {
            let a = codec.code(&mut dec, 0, 0);
            let b = codec.code(&mut dec, 1, 0);
            let (l, r) = mode.inverse(a, b);
            out.extend_from_slice(&((l << shift) as i16).to_le_bytes());
            out.extend_from_slice(&((r << shift) as i16).to_le_bytes());
        } else {
            for c in 0..channels {
                let x = codec.code(&mut dec, c, 0);
                out.extend_from_slice(&((x << shift) as i16).to_le_bytes());
            }
        }
        if dec.exhausted() {
            return Err(invalid(
                "audio model: coded stream ended before the samples".into(),
            ));
        }
    }
    dec.end("audio model")
}

/// Prediction plus residual coding, shared by both directions.
struct SampleCodec {
    /// Inclusive range of each coded channel's values.
    ranges: Vec<(i32, i32)>,
    partners: Vec<usize>,
    predictor: Predictor,
    residuals: ResidualCoder,
    repeats: Repeats,
}

impl SampleCodec {
    /// `values`: how many values will be coded (sizes the repeat history). `reserved` of
    /// them are given room at once (an encoder holds them all; a decoder grows the room).
    fn new(mode: Mode, partners: &[usize], values: usize, reserved: usize) -> Self {
        SampleCodec {
            ranges: (0..partners.len()).map(|c| mode.range(c)).collect(),
            partners: partners.to_vec(),
            predictor: Predictor::new(partners),
            residuals: ResidualCoder::new(partners.len()),
            repeats: Repeats::new(values, reserved),
        }
    }

    /// Codes sample `x` of channel `c` (ignored when decoding); returns the sample coded.
    /// A decoded value outside the channel's range (only from corrupt input) is clamped.
    fn code<C: BitIo>(&mut self, io: &mut C, c: usize, x: i32) -> i32 {
        let (lo, hi) = self.ranges[c];
        let linear = self.predictor.predict(c);
        let mut hint = self.predictor.hint();
        // An exact repeat of earlier values overrides the linear prediction while it lasts.
        let p = match self.repeats.expected() {
            Some((v, len)) => {
                hint.repeat = if len < 64 { 1 } else { 2 };
                v
            }
            None => linear,
        }
        .clamp(lo, hi);
        let r = self.residuals.code(io, c, self.partners[c], hint, x - p);
        let x = (p + r).clamp(lo, hi);
        self.predictor.update(c, x);
        self.repeats.push(x);
        x
    }
}
