//! PNG of a photo-like image: signature, IHDR (8-bit RGB), one zlib IDAT of Paeth-filtered
//! rows (level 6), then a tEXt comment chunk filling the planned size, and IEND. The height
//! is however many rows fit (see `fit`).

use super::rng::Stream;
use super::{bmp, fit, photo};
use flate2::write::ZlibEncoder;
use flate2::{Compression, Crc};

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// Length, type and CRC fields of a chunk.
const CHUNK_OVERHEAD: usize = 12;
const TEXT_KEYWORD: &[u8] = b"Comment\0";
/// Everything but the IDAT payload and the padding text.
const FIXED: usize = 8 + (CHUNK_OVERHEAD + 13) + 3 * CHUNK_OVERHEAD + TEXT_KEYWORD.len();

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Rows of `pixels`, each prefixed with filter type 4 (Paeth) and filtered.
fn filter(pixels: &[u8], width: usize) -> Vec<u8> {
    let row = 3 * width;
    let height = pixels.len() / row;
    let mut out = Vec::with_capacity((row + 1) * height);
    for y in 0..height {
        out.push(4);
        for x in 0..row {
            let at = y * row + x;
            let a = if x >= 3 { pixels[at - 3] } else { 0 };
            let b = if y > 0 { pixels[at - row] } else { 0 };
            let c = if x >= 3 && y > 0 {
                pixels[at - row - 3]
            } else {
                0
            };
            out.push(pixels[at].wrapping_sub(paeth(a, b, c)));
        }
    }
    out
}

/// A `len`-byte PNG from a photo of about `raw` bytes, and the padding it needed.
fn encode(rng: &Stream, len: usize, raw: usize) -> (Vec<u8>, usize) {
    let width = bmp::width_4_3(raw + bmp::HEADER, 8, 0);
    let height = (raw / (3 * width)).max(1);
    let rows = filter(&photo::render(&mut rng.clone(), width, height), width);
    let mut z = ZlibEncoder::new(Vec::new(), Compression::new(6));
    let fed = fit::fill(&mut z, &rows, 3 * width + 1, len.saturating_sub(FIXED + 64));
    let idat = z.finish().expect("writing to a Vec");

    let mut out = SIGNATURE.to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(width as u32).to_be_bytes());
    ihdr.extend_from_slice(&((fed / (3 * width + 1)) as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, adaptive filters, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    let room = len.saturating_sub(out.len() + 2 * CHUNK_OVERHEAD + TEXT_KEYWORD.len());
    let mut text = TEXT_KEYWORD.to_vec();
    text.extend(fit::filler(room));
    chunk(&mut out, b"tEXt", &text);
    chunk(&mut out, b"IEND", &[]);
    out.truncate(len);
    (out, room)
}

pub fn generate(rng: &mut Stream, len: usize) -> Vec<u8> {
    let mut raw = len * 2;
    loop {
        let (out, padding) = encode(rng, len, raw);
        if padding <= len / 64 + 3 * len.min(8192) || raw > len * 16 {
            return out;
        }
        raw *= 2;
    }
}
