//! The container: `MAGIC (4) | version (1) | method (1) | original length (u64 LE) |
//! CRC-32 of the original (u32 LE) | payload`.
//!
//! # What decoding may cost
//!
//! Decoding a container of `N` bytes, whatever they hold, returns the original or an error
//! naming what failed (`InvalidData`, or `OutOfMemory` for memory refused); it never panics,
//! and its work and memory follow from `N`, not from what its fields claim:
//!
//! - Every length, offset and count is checked before it is used (arithmetic never
//!   overflows), and a payload ends exactly where its last field or coded stream does: any
//!   byte after it, such as a second container, is an error.
//! - Output: the declared length is at most [`MAX_EXPANSION`]` * (N + `
//!   [`EXPANSION_ALLOWANCE`]`)` (2^16 bytes per byte). The lengths of a payload's segments or
//!   parts are added up and checked, against the declared length and against the bytes that
//!   hold them, before any is decoded; so all stages of a decode (each segment, then the file
//!   it rebuilds) produce at most twice that. Long-repeat references ([`Method::Long`], and
//!   [`Method::InflatedRepeats`]'s in the transformed data; 24 bytes for at most 1 MiB each)
//!   are checked in order, inside the data they rebuild and reaching back no further than
//!   its start, and their residual is shorter than it: they add one copy of at most the
//!   length they rebuild, which is rebuilt in place. Methods nest at most three deep: a
//!   residual is never method 8 or 10, a piece never method 8 or 10 (method 10 is only ever
//!   the container's own), and a deflate segment never method 4, 8, 9 or 10.
//! - Pieces ([`Method::Pieces`]): each piece's header is checked (its length within what is
//!   left of the declared length, its payload within the bytes left) before its payload is
//!   read, and each piece is decoded, written out and dropped before the next is read: such
//!   a decode holds one piece's payload, bytes and models, not the output. Its CRC-32 is
//!   checked after the last piece, so a corrupt stream may have written pieces when it fails.
//! - Work: every arithmetic-coded stream is decoded only while its decoder stays within its
//!   own bytes; one that needs a byte past them fails at once. A stream of `n` bytes holds at
//!   most [`MAX_STEPS_PER_BYTE`](crate::coder::MAX_STEPS_PER_BYTE)` * n` coder steps
//!   (363,416 per byte, see [`crate::coder`]), so a decode takes at most 363,416 `N` steps,
//!   each the prediction and update of one bit, and besides them copies at most the bytes
//!   above. [`crate::decoder_steps`] counts the steps (in builds with debug assertions).
//! - Deflate rebuilds: rebuilding deflate streams (methods 4 and 9) walks hash chains, which
//!   coder steps do not count. It walks at most
//!   [`LINKS_PER_CODED_BYTE`](crate::deflate::LINKS_PER_CODED_BYTE)` * n` links for a
//!   payload of `n` bytes (65,536 per byte), and fails as soon as a walk would go past that.
//!   A link compares at most one match of up to 258 bytes; a crafted stream walked 130
//!   million in 0.85 s (6.5 ns each), so the bound is about 0.4 ms per byte, under the
//!   coder's 80 ms. Real streams walk at most 652 links per byte (measured in session
//!   24, format 10); the encoder leaves a file's streams deflated rather than pass the bound.
//!   [`crate::chain_links`] counts the links.
//! - Memory: buffers grow as bytes are produced (to at most twice what was produced, or one
//!   chunk of 64 Ki elements ahead, never past the declared length); memory refused for them
//!   is an error, not an abort. Besides them a decode holds its models' tables, which the
//!   declared length sizes and which are capped whatever it claims: the general model's at
//!   most 140 MiB per predictor (two when forked), the image model's 66 MiB per band (at most
//!   two), the JPEG models' 16 and 20 MiB, the audio model's under 1 MiB per half (an
//!   inflated payload decodes two segments at once, each with its own models); a
//!   progressive JPEG's coefficients take 128 bytes per block of its frame (at most 6 Mi
//!   blocks, and 8 per byte of its scans). A table region of 8 to 34 MiB reserves 34 MiB
//!   of address space (so that the allocator unmaps it when it is dropped, `model/huge.rs`),
//!   whose pages past the tables are never written.
//!
//! Valid streams reach the bound on work: one whose model predicts every bit at the coder's
//! limit holds 45,427 bytes per coded byte (8 steps each), about 80 ms of the general
//! model's time per input byte. Only a lower limit on the probabilities models may give the
//! coder, a change of format, would lower it.
//!
//! `tests/decode_bound/` checks these bounds on the streams of every method crafted to break
//! them, `tests/length_sweep/` with every length field of every method set to extreme values.

mod embedded;
#[cfg(test)]
mod embedded_tests;
mod inflated;
mod long;
mod method;
mod pieces;
#[cfg(test)]
mod pieces_tests;

use crate::crc32::{crc32, Crc32};
use crate::error::invalid;
pub use method::Method;
pub use pieces::{Sizes, SIZES as PIECES};
use std::io::{self, Read, Seek, SeekFrom, Write};

pub const MAGIC: [u8; 4] = *b"RCZ\x1a";
/// Bumped whenever any method's bitstream changes, so streams of another build are refused by
/// version rather than failing their CRC. 2: word-pair context, third mixer selector, x86
/// Jcc and RIP-relative transform, audio repeats, drawn BMPs through the general model.
/// 3: deflate streams recompressed (method 4); baseline JPEG (method 5), JPEG, WAV and BMP
/// files embedded in other bytes (method 6) and progressive JPEG (method 7) were added later
/// without a bump, as no existing stream decodes differently and older builds refuse the new
/// methods by number. 4: the general model's match model follows a failed match on past the
/// differing byte. 5: the general model's layout 2 is a trunk forked into two halves, not two
/// independent halves. 6: the general model codes long repeats as segments of their own.
/// 7: the fork's trunk is 1/16 of the input (at least 1 MiB), not 1/3. 8: the fork's two
/// models size their tables for the bytes each codes, not for the whole input. 9: WAVs of at
/// least 2^20 values are coded as two halves, each by a model of its own. Method 8 (long
/// repeats as references, see [`Method::Long`]) was added without a bump: no stream of
/// another method decodes differently, and older builds refuse it by number. Likewise the
/// general model's layout 3 (forked, tables sized for memory, for inputs over 64 MiB; session
/// 21): streams of layout 2 decode as before, and older builds refuse layout 3 by number.
/// Method 9 (method 4 with long repeats as references, session 22) likewise, method 10
/// (an input over 64 MiB in pieces, session 25) and the general model's layouts 4 (one lane,
/// tables sized for memory, session 26) and 5 (forked, tables within 3/8 of the input, for
/// inputs over 64 MiB coded at more than layout 3 leaves room for; session 27). Version 10
/// (session 24): the deflate token model walks its hash chains at least 16 links deep and
/// never shallower than the deepest likely depth its stream has shown, instead of at least
/// 256, and codes a length that is not the longest match's as its distance below it.
pub const VERSION: u8 = 10;
const HEADER_LEN: usize = 4 + 1 + 1 + 8 + 4;
/// Output bytes one payload byte may stand for. The models' own limits are lower: a byte of
/// an arithmetic-coded stream holds at most 45,427 bytes of a model that codes 8 steps per
/// byte, and a repeat of the general model (13 bytes for 512 KiB) 40,330.
pub const MAX_EXPANSION: u64 = 1 << 16;
/// Payload bytes added to the actual count, for tiny payloads and their headers.
pub const EXPANSION_ALLOWANCE: u64 = 64;

/// Whether `coded` payload bytes may stand for `len` decoded bytes.
pub fn possible(len: u64, coded: usize) -> bool {
    len <= (coded as u64)
        .saturating_add(EXPANSION_ALLOWANCE)
        .saturating_mul(MAX_EXPANSION)
}

/// Compresses `data` with the best applicable method, never worse than storing it.
#[cfg(test)]
pub fn encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_owned(data.to_vec(), &mut out).expect("writes to memory");
    out
}

/// Compresses the bytes of `input` from its position to its end into one container written
/// to `output`: in pieces when `sizes` say so ([`pieces`]), each read from `input` as it is
/// coded; else read whole and coded by [`encode_owned`].
pub fn encode_from<S: Read + Seek, W: Write>(
    input: &mut S,
    output: &mut W,
    sizes: Sizes,
) -> io::Result<()> {
    let start = input.stream_position()?;
    let len = input.seek(SeekFrom::End(0))?.saturating_sub(start);
    if len > sizes.from {
        if let Some(plan) = pieces::plan(input, start, len, sizes)? {
            write_header(output, Method::Pieces, len, plan.crc)?;
            return pieces::encode(input, start, &plan, output);
        }
    }
    input.seek(SeekFrom::Start(start))?;
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    encode_owned(data, output)
}

/// Writes the container of `data` to `output`, taking the input: once long repeats are cut
/// out of it, only the residual is kept while the models run (a 150 MB input of repeats
/// peaked at 2.5 times its size).
pub fn encode_owned<W: Write>(data: Vec<u8>, output: &mut W) -> io::Result<()> {
    let (len, crc) = (data.len() as u64, crc32(&data));
    let (method, payload) = method::choose(data);
    write_header(output, method, len, crc)?;
    output.write_all(&payload)
}

fn write_header<W: Write>(output: &mut W, method: Method, len: u64, crc: u32) -> io::Result<()> {
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(&MAGIC);
    header.push(VERSION);
    header.push(method as u8);
    header.extend_from_slice(&len.to_le_bytes());
    header.extend_from_slice(&crc.to_le_bytes());
    output.write_all(&header)
}

/// Decodes a container produced by [`encode`]; errors are `InvalidData` with a reason.
#[cfg(test)]
pub fn decode(packed: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    decode_from(&mut &packed[..], packed.len() as u64, &mut out)?;
    Ok(out)
}

/// Decodes the container of `packed_len` bytes that `input` holds, writing the original to
/// `output`: whole once it is decoded and checked, or for [`Method::Pieces`] piece by piece
/// as each is decoded (the CRC-32 is checked after the last, so a corrupt stream may have
/// written some of its pieces when it fails).
pub fn decode_from<R: Read, W: Write>(
    input: &mut R,
    packed_len: u64,
    output: &mut W,
) -> io::Result<()> {
    if packed_len < HEADER_LEN as u64 {
        return Err(invalid(format!(
            "input is {packed_len} bytes, shorter than the {HEADER_LEN}-byte header"
        )));
    }
    let mut header = [0u8; HEADER_LEN];
    input.read_exact(&mut header)?;
    if header[..4] != MAGIC {
        return Err(invalid("not a codec stream (bad magic)".into()));
    }
    if header[4] != VERSION {
        return Err(invalid(format!(
            "format version {} is not supported (this build reads version {VERSION})",
            header[4]
        )));
    }
    let method = Method::from_byte(header[5])
        .ok_or_else(|| invalid(format!("unknown method {}", header[5])))?;
    let original_len = u64::from_le_bytes(header[6..14].try_into().expect("8 bytes"));
    let expected_crc = u32::from_le_bytes(header[14..18].try_into().expect("4 bytes"));
    let payload_len = packed_len - HEADER_LEN as u64;
    let payload_len_usize = usize::try_from(payload_len)
        .map_err(|_| invalid(format!("a payload of {payload_len} bytes is too long")))?;
    if !possible(original_len, payload_len_usize) || usize::try_from(original_len).is_err() {
        return Err(invalid(format!(
            "declared length {original_len} is impossible for a {payload_len}-byte payload"
        )));
    }
    if method == Method::Pieces {
        let mut crc = Crc32::new();
        pieces::decode(input, payload_len, original_len, &mut |bytes| {
            crc.update(bytes);
            output.write_all(bytes)
        })?;
        check_crc(expected_crc, crc.finish())
    } else {
        let mut payload = vec![0; payload_len_usize];
        input.read_exact(&mut payload)?;
        let data = method::decode_owned(method, payload, original_len as usize)?;
        if data.len() as u64 != original_len {
            return Err(invalid(format!(
                "decoded {} bytes, header declares {original_len}",
                data.len()
            )));
        }
        check_crc(expected_crc, crc32(&data))?;
        output.write_all(&data)
    }
}

fn check_crc(expected: u32, actual: u32) -> io::Result<()> {
    if actual != expected {
        return Err(invalid(format!(
            "CRC-32 mismatch: header {expected:08x}, decoded data {actual:08x}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_foreign_and_future_streams() {
        let good = encode(b"hello hello hello");
        assert_eq!(decode(&good).unwrap(), b"hello hello hello");
        let mut future = good.clone();
        future[4] = VERSION + 1;
        let err = decode(&future).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("version"));
        assert!(decode(b"\x1f\x8b\x08\x00 not ours at all")
            .unwrap_err()
            .to_string()
            .contains("magic"));
    }

    #[test]
    fn rejects_impossible_declared_length() {
        let mut packed = encode(b"");
        packed[6..14].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(decode(&packed)
            .unwrap_err()
            .to_string()
            .contains("impossible"));
    }

    #[test]
    fn detects_corruption_through_crc() {
        let mut packed = encode(&[7u8; 100]);
        packed[14] ^= 1;
        assert!(decode(&packed).is_err());
    }
}
