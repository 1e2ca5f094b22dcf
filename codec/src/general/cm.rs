//! Codes one segment bit by bit with the lane's predictor and a fresh arithmetic coder.

use super::history::History;
use super::limit::CodedLimit;
use super::pipeline::RemoteInputs;
use super::predictor::Predictor;
use crate::coder::{Decoder, Encoder};
use crate::error::invalid;
use crate::grow;
use std::io;

/// Input bytes between two counts of the coded bytes against a [`CodedLimit`].
const COUNTED_EVERY: usize = 1 << 16;

/// Codes `lane[range]`, where the predictor's history is `head` followed by `lane` (the
/// bytes before the range seen); a predictor made with remote contexts takes their inputs
/// from `remote`. `None` once the coded bytes pass `limit` (never with remote contexts,
/// whose thread would wait for this one).
pub fn encode(
    p: &mut Predictor,
    head: &[u8],
    lane: &[u8],
    range: std::ops::Range<usize>,
    mut remote: Option<&mut RemoteInputs>,
    limit: Option<&CodedLimit>,
) -> Option<Vec<u8>> {
    debug_assert!(limit.is_none() || remote.is_none());
    let mut enc = Encoder::new();
    let mut counted = 0;
    for pos in range {
        if let Some(limit) = limit.filter(|_| pos % COUNTED_EVERY == 0) {
            let written = enc.bytes_written();
            if !limit.take(written - counted) {
                return None;
            }
            counted = written;
        }
        let c = lane[pos];
        let before = History::new(head, &lane[..pos]);
        let after = History::new(head, &lane[..=pos]);
        for k in (0..8).rev() {
            let bit = (c >> k) as u32 & 1;
            let pr = match remote.as_deref_mut() {
                Some(r) => p.predict_with(before, r.next_bit()),
                None => p.predict(before),
            };
            enc.encode(bit, pr);
            p.update(bit, after);
        }
    }
    let coded = enc.finish();
    match limit {
        Some(limit) if !limit.take(coded.len() - counted) => None,
        _ => Some(coded),
    }
}

/// Appends exactly `n` decoded bytes to `out` (the predictor's history is `head` followed by
/// `out`), which never grows past `out_limit` bytes; fails as soon as the decoder needs a byte
/// past the coded bytes, and when any coded byte is left unread.
pub fn decode(
    p: &mut Predictor,
    coded: &[u8],
    n: usize,
    head: &[u8],
    out: &mut Vec<u8>,
    out_limit: usize,
) -> io::Result<()> {
    let mut dec = Decoder::new(coded);
    let mut left = n;
    while left > 0 {
        let chunk = left.min(grow::CHUNK);
        grow::room(out, chunk, out_limit, "general model output")?;
        for _ in 0..chunk {
            let mut c = 0u32;
            for k in 0..8 {
                let bit = dec.decode(p.predict(History::new(head, out)));
                c = (c << 1) | bit;
                if k == 7 {
                    out.push(c as u8);
                }
                p.update(bit, History::new(head, out));
            }
            if dec.exhausted() {
                return Err(invalid(
                    "general model: coded stream ended before the data".into(),
                ));
            }
        }
        left -= chunk;
    }
    dec.end("general model")
}
