//! Codes one segment bit by bit with the lane's predictor and a fresh arithmetic coder.

use super::pipeline::RemoteInputs;
use super::predictor::Predictor;
use crate::coder::{Decoder, Encoder};
use crate::error::invalid;
use crate::grow;
use std::io;

/// Codes `data`; a predictor made with remote contexts takes their inputs from `remote`.
pub fn encode(p: &mut Predictor, data: &[u8], mut remote: Option<&mut RemoteInputs>) -> Vec<u8> {
    let mut enc = Encoder::new();
    for &c in data {
        for k in (0..8).rev() {
            let bit = (c >> k) as u32 & 1;
            let pr = match remote.as_deref_mut() {
                Some(r) => p.predict_with(r.next_bit()),
                None => p.predict(),
            };
            enc.encode(bit, pr);
            p.update(bit);
        }
    }
    enc.finish()
}

/// Appends exactly `n` decoded bytes to `out`, which never grows past `out_limit` bytes nor
/// the predictor's history past `history_limit`; fails as soon as the decoder needs a byte
/// past the coded bytes, and when any coded byte is left unread.
pub fn decode(
    p: &mut Predictor,
    coded: &[u8],
    n: usize,
    out: &mut Vec<u8>,
    [out_limit, history_limit]: [usize; 2],
) -> io::Result<()> {
    let mut dec = Decoder::new(coded);
    let mut left = n;
    while left > 0 {
        let chunk = left.min(grow::CHUNK);
        grow::room(out, chunk, out_limit, "general model output")?;
        p.reserve_history(chunk, history_limit)?;
        for _ in 0..chunk {
            let mut c = 0u32;
            for _ in 0..8 {
                let bit = dec.decode(p.predict());
                p.update(bit);
                c = (c << 1) | bit;
            }
            out.push(c as u8);
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
