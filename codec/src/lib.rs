//! The reference compressor of the suite, and the one surface an agent loop may edit.
//!
//! The two public functions keep this exact signature forever. Compressed data is a versioned
//! container (see [`container`]): a header naming the model that coded the payload, the
//! original length and its CRC-32, so foreign, old or corrupt input is rejected with
//! `io::ErrorKind::InvalidData` instead of producing wrong bytes.
// The exceptions are `model::prefetch` (a cache hint) and `model::huge` (tables aligned to
// 2 MiB).
#![deny(unsafe_code)]

use std::io::{self, Read, Seek, SeekFrom, Write};

mod anchored;
mod audio;
mod coder;
mod container;
mod crc32;
mod deflate;
mod error;
mod fields;
mod general;
mod grow;
mod image;
mod jpeg;
mod model;
#[cfg(test)]
mod test_noise;

/// Compresses everything readable from `input` (from its current position to the end) and
/// writes one container to `output`. The whole input is held in memory, except for inputs
/// over 64 MiB that are coded in pieces, each read when it is coded.
pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    container::encode_from(&mut input, &mut output, container::PIECES)?;
    output.flush()
}

/// Reverses [`compress`]. Any byte string is accepted as input: it either decodes to exactly the
/// original bytes (checked against the stored length and CRC-32) or returns an error; it never
/// panics, and its work and memory are bounded by the input's size (the bound is stated in
/// the container's documentation, `codec/src/container/mod.rs`).
pub fn decompress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let start = input.stream_position()?;
    let len = input.seek(SeekFrom::End(0))?.saturating_sub(start);
    input.seek(SeekFrom::Start(start))?;
    container::decode_from(&mut io::BufReader::new(input), len, &mut output)?;
    output.flush()
}

/// [`compress`], coding an input of more than `from` bytes in pieces of `piece` bytes
/// when its deflate streams span an eighth of it or more or a quarter of it looks
/// incompressible (instead of more than 64 MiB in pieces of 8 MiB): small streams of the
/// method for tests. Not part of the codec's contract.
#[doc(hidden)]
pub fn compress_in_pieces<S: Read + Seek, W: Write + Seek>(
    mut input: S,
    mut output: W,
    from: u64,
    piece: usize,
) -> io::Result<()> {
    let sizes = container::Sizes {
        from,
        piece,
        ..container::PIECES
    };
    container::encode_from(&mut input, &mut output, sizes)?;
    output.flush()
}

/// Arithmetic-coder steps (bits decoded) taken so far by the decoders of this process: the
/// unit in which the decoder's work bound is stated and tested. Counted in builds with debug
/// assertions (the tests' profile), always 0 in release builds. Not part of the codec's
/// contract.
#[doc(hidden)]
pub fn decoder_steps() -> u64 {
    coder::steps_so_far()
}

/// Hash-chain links walked so far by this process's deflate rebuilds (methods 4 and 9;
/// the encoder's checks and trials included): the unit in which the bound on their work is
/// stated and tested. Not part of the codec's contract.
#[doc(hidden)]
pub fn chain_links() -> u64 {
    deflate::links_so_far()
}
