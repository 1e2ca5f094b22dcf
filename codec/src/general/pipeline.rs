//! Encoder-side parallelism within one lane. The encoder knows every bit before it codes it,
//! and a context bank depends on nothing but the bits and the history, so a second thread can
//! run some of the contexts ahead of the coder and hand their mixer inputs over in chunks.
//! The predictions, and so the coded bytes, are exactly those of one predictor running every
//! context; the decoder (which cannot know the bits ahead) runs them all itself.

use super::bank::{ContextBank, Sizes};
use super::hashes::{self, ContextHashes};
use super::history::History;
use super::predictor::{Params, Predictor};
use super::segments::{self, Coding, Planned};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Bytes whose inputs travel together.
const CHUNK_BYTES: usize = 1024;
/// Chunks the context thread may run ahead of the coder.
const AHEAD: usize = 3;

/// How many of `params`'s contexts (the last ones in [`hashes::kinds`] order) the context
/// thread runs for a lane that models `n` bytes; 0 when a second thread would not pay.
pub fn remote_contexts(params: Params, n: usize) -> usize {
    const MIN_BYTES: usize = 16 << 10;
    let parallel = std::thread::available_parallelism().map_or(1, |p| p.get());
    if n < MIN_BYTES || parallel < 2 {
        return 0;
    }
    // The coder's thread also runs the match model, the mixer and the APMs.
    (hashes::kinds(params).len() * 3).div_ceil(4)
}

/// Codes the segments `segs` of `data` (see [`segments::code`]) with `predictor`, which has
/// seen nothing yet, made with tables of `bits` and its last `remote` contexts run elsewhere: this runs them on a thread
/// of their own meanwhile, then gives them back to `predictor`. The output does not depend on
/// `remote`.
pub fn code(
    predictor: Option<&mut Predictor>,
    data: &[u8],
    segs: &[Planned],
    params: Params,
    bits: Sizes,
    remote: usize,
) -> Vec<u8> {
    match predictor {
        Some(p) if remote > 0 => std::thread::scope(|s| {
            let (run, mut inputs) = feed(data, segs, params, bits, remote);
            let contexts = s.spawn(run);
            let coded = segments::code(Some(&mut *p), &[], data, segs, Some(&mut inputs), None)
                .expect("no limit");
            p.absorb(contexts.join().expect("context thread panicked"));
            joined(coded)
        }),
        p => joined(segments::code(p, &[], data, segs, None, None).expect("no limit")),
    }
}

fn joined(parts: segments::Parts) -> Vec<u8> {
    let mut out = Vec::new();
    segments::append(&mut out, parts);
    out
}

/// The coder's end: the context thread's inputs, one bit after another.
pub struct RemoteInputs {
    per_bit: usize,
    chunk: Vec<i16>,
    pos: usize,
    full: Receiver<Vec<i16>>,
    empty: SyncSender<Vec<i16>>,
}

impl RemoteInputs {
    /// The inputs for the next coded bit.
    #[inline]
    pub fn next_bit(&mut self) -> &[i16] {
        if self.pos == self.chunk.len() {
            let used = std::mem::take(&mut self.chunk);
            // The context thread may have finished; then the buffer is simply dropped.
            let _ = self.empty.try_send(used);
            self.chunk = self
                .full
                .recv()
                .expect("the context thread ended before the coder");
            self.pos = 0;
        }
        let x = &self.chunk[self.pos..self.pos + self.per_bit];
        self.pos += self.per_bit;
        x
    }
}

/// Runs the last `remote` contexts of `params` over `lane` (segments as planned, the stored
/// and repeated ones only observed) for a predictor with tables of `bits`. Run the returned
/// closure on its own thread and read the inputs from the returned end; the closure returns
/// its bank, which a predictor can [`absorb`](super::predictor::Predictor::absorb).
pub fn feed<'a>(
    lane: &'a [u8],
    segs: &'a [Planned],
    params: Params,
    bits: Sizes,
    remote: usize,
) -> (impl FnOnce() -> ContextBank + Send + 'a, RemoteInputs) {
    let kinds = hashes::kinds(params);
    let kinds = kinds[kinds.len() - remote..].to_vec();
    let per_bit = kinds.len();
    let (full_tx, full) = sync_channel::<Vec<i16>>(AHEAD);
    let (empty, empty_rx) = sync_channel::<Vec<i16>>(AHEAD + 2);
    let run = move || {
        let mut bank = ContextBank::new(&kinds, bits);
        let mut hashes = ContextHashes::new(params);
        let cap = CHUNK_BYTES * 8 * per_bit;
        // Filled from the front; `used` lanes hold inputs.
        let mut chunk: Vec<i16> = vec![0; cap];
        let mut used = 0;
        for &(start, end, coding) in segs {
            if coding != Coding::Modelled {
                for &c in &lane[start..end - 1] {
                    hashes.shift(c);
                }
                hashes.end_byte(History::flat(&lane[..end]));
                bank.begin_byte(&hashes.all);
                continue;
            }
            for pos in start..end {
                let c = lane[pos];
                for k in (0..8).rev() {
                    let bit = (c >> k) as u32 & 1;
                    bank.inputs(&mut chunk[used..used + per_bit]);
                    used += per_bit;
                    bank.update(bit);
                }
                hashes.end_byte(History::flat(&lane[..=pos]));
                bank.begin_byte(&hashes.all);
                if used == cap {
                    // A buffer back from the coder is whole, or the empty one it started with.
                    let mut next = empty_rx.try_recv().unwrap_or_default();
                    next.resize(cap, 0);
                    if full_tx.send(std::mem::replace(&mut chunk, next)).is_err() {
                        return bank;
                    }
                    used = 0;
                }
            }
        }
        if used > 0 {
            chunk.truncate(used);
            let _ = full_tx.send(chunk);
        }
        bank
    };
    let inputs = RemoteInputs {
        per_bit,
        chunk: Vec::new(),
        pos: 0,
        full,
        empty,
    };
    (run, inputs)
}
