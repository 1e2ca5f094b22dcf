//! Codes one segment bit by bit with the lane's predictor and a fresh arithmetic coder.

use super::pipeline::RemoteInputs;
use super::predictor::Predictor;
use crate::coder::{Decoder, Encoder};
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

/// Appends exactly `n` decoded bytes to `out`; fails once the decoder has read well past the
/// coded bytes, which a valid stream never does.
pub fn decode(p: &mut Predictor, coded: &[u8], n: usize, out: &mut Vec<u8>) -> io::Result<()> {
    let mut dec = Decoder::new(coded);
    for _ in 0..n {
        let mut c = 0u32;
        for _ in 0..8 {
            let bit = dec.decode(p.predict());
            p.update(bit);
            c = (c << 1) | bit;
        }
        out.push(c as u8);
        if dec.position() > coded.len() + 8 {
            return Err(crate::container::invalid(
                "general model: coded stream ended before the data".into(),
            ));
        }
    }
    Ok(())
}
