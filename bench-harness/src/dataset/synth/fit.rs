//! Already-compressed files of an exact size, in one pass: the content is fed to a streaming
//! encoder in chunks, each followed by a sync flush (so the output so far is known and the
//! stream stays a single valid stream), with chunks shrinking geometrically as the output
//! nears the planned size. The stream is then finished and padded in a format-valid way:
//! gzip with a header comment (FCOMMENT), zstd with a skippable frame, xz with stream
//! padding (zero bytes; xz sizes are multiples of 4), PNG with a tEXt chunk.
//!
//! Fixed settings: gzip (deflate level 6) of prose, zstd level 3 of CSV, xz preset 1 (CRC64)
//! of prose, all single-threaded.

use super::rng::Stream;
use super::{orders, prose};
use flate2::write::{DeflateEncoder, ZlibEncoder};
use flate2::{Compression, Crc};
use liblzma::stream::{Action, Check, Status};
use std::io::Write;

/// Bytes kept free for finishing a stream (end marker, trailer, index) and the padding header.
const RESERVE: usize = 128;
/// Input per chunk before the tail, in bytes.
const CHUNK: usize = 256 << 10;

/// A compressor that can emit everything fed so far without ending the stream.
pub trait Flushing {
    /// Compresses `data`, flushes, and returns the total output length so far.
    fn feed(&mut self, data: &[u8]) -> usize;
}

impl Flushing for DeflateEncoder<Vec<u8>> {
    fn feed(&mut self, data: &[u8]) -> usize {
        self.write_all(data)
            .and_then(|_| self.flush())
            .expect("writing to a Vec");
        self.get_ref().len()
    }
}

impl Flushing for ZlibEncoder<Vec<u8>> {
    fn feed(&mut self, data: &[u8]) -> usize {
        self.write_all(data)
            .and_then(|_| self.flush())
            .expect("writing to a Vec");
        self.get_ref().len()
    }
}

impl Flushing for zstd::stream::write::Encoder<'static, Vec<u8>> {
    fn feed(&mut self, data: &[u8]) -> usize {
        self.write_all(data)
            .and_then(|_| self.flush())
            .expect("writing to a Vec");
        self.get_ref().len()
    }
}

struct Xz {
    stream: liblzma::stream::Stream,
    out: Vec<u8>,
}

impl Xz {
    /// Compresses `data` and completes `action` (a flush or the end of the stream).
    fn run(&mut self, mut data: &[u8], action: Action) {
        loop {
            self.out.reserve(data.len() / 2 + (64 << 10));
            let before = self.stream.total_in();
            let status = self
                .stream
                .process_vec(data, &mut self.out, action)
                .expect("xz compresses");
            data = &data[(self.stream.total_in() - before) as usize..];
            if status == Status::StreamEnd {
                break;
            }
        }
    }
}

impl Flushing for Xz {
    fn feed(&mut self, data: &[u8]) -> usize {
        self.run(data, Action::SyncFlush);
        self.out.len()
    }
}

/// Feeds a prefix of `input`, in whole `unit`s, while the output stays within `budget`
/// bytes. Returns the number of input bytes fed.
pub fn fill(enc: &mut impl Flushing, input: &[u8], unit: usize, budget: usize) -> usize {
    let (mut fed, mut out) = (0, 0);
    loop {
        let room = budget.saturating_sub(out);
        let mut n = if fed == 0 || out == 0 {
            CHUNK / 4
        } else {
            // Half the remaining room at the ratio so far, so the tail shrinks geometrically.
            (room as u128 * fed as u128 / out as u128 / 2).min(CHUNK as u128) as usize
        };
        // Worst case a chunk expands by a few header bytes: never risk overshooting.
        n = n.min(room.saturating_sub(48)).min(input.len() - fed);
        n -= n % unit;
        if n == 0 {
            return fed;
        }
        out = enc.feed(&input[fed..fed + n]);
        fed += n;
    }
}

/// Filler text for padding fields.
pub fn filler(n: usize) -> impl Iterator<Item = u8> {
    b"synthetic benchmark padding "
        .iter()
        .copied()
        .cycle()
        .take(n)
}

/// Runs `attempt` on ever larger inputs (`factor` × len, doubling) until it does not run out
/// of input, i.e. until its padding is at most 1/64 of the file.
fn with_enough_input(
    len: usize,
    factor: usize,
    attempt: impl Fn(usize) -> (Vec<u8>, usize),
) -> Vec<u8> {
    let mut input = len * factor + (64 << 10);
    loop {
        let (out, padding) = attempt(input);
        if padding <= len / 64 + RESERVE || input > len * factor * 8 {
            return out;
        }
        input *= 2;
    }
}

pub fn gzip(rng: &mut Stream, len: usize) -> Vec<u8> {
    with_enough_input(len, 4, |n| {
        let text = prose::generate(&mut rng.clone(), n);
        // Magic, deflate, no flags, mtime 0, XFL 0, OS 3 (Unix).
        let header = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        let mut enc = DeflateEncoder::new(header, Compression::new(6));
        let fed = fill(&mut enc, &text, 1, len.saturating_sub(RESERVE));
        let mut out = enc.finish().expect("writing to a Vec");
        let mut crc = Crc::new();
        crc.update(&text[..fed]);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&(fed as u32).to_le_bytes());
        let room = len.saturating_sub(out.len());
        if room > 0 {
            out[3] = 0x10; // FCOMMENT: a zero-terminated comment follows the header.
            out.splice(10..10, filler(room - 1).chain([0]));
        }
        out.truncate(len);
        (out, room)
    })
}

pub fn zstd(rng: &mut Stream, len: usize) -> Vec<u8> {
    with_enough_input(len, 7, |n| {
        let text = orders::generate(&mut rng.clone(), n);
        let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).expect("zstd level 3");
        fill(&mut enc, &text, 1, len.saturating_sub(RESERVE));
        let mut out = enc.finish().expect("writing to a Vec");
        let room = len.saturating_sub(out.len());
        if room >= 8 {
            // Skippable frame: magic, payload length, payload.
            out.extend_from_slice(&0x184d_2a50u32.to_le_bytes());
            out.extend_from_slice(&((room - 8) as u32).to_le_bytes());
            out.extend(filler(room - 8));
        }
        out.resize(len, 0);
        (out, room)
    })
}

pub fn xz(rng: &mut Stream, len: usize) -> Vec<u8> {
    with_enough_input(len, 4, |n| {
        let text = prose::generate(&mut rng.clone(), n);
        let stream =
            liblzma::stream::Stream::new_easy_encoder(1, Check::Crc64).expect("xz preset 1");
        let mut xz = Xz {
            stream,
            out: Vec::new(),
        };
        fill(&mut xz, &text, 1, (len & !3).saturating_sub(RESERVE));
        xz.run(&[], Action::Finish);
        let mut out = xz.out;
        let room = len.saturating_sub(out.len());
        // Stream padding: zero bytes, a multiple of 4 when `len` is (as planned).
        out.resize(len, 0);
        (out, room)
    })
}
