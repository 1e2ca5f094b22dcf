//! Lossless model for uncompressed 24-bit and 32-bit BMP files, and 8-bit grey ones.
//!
//! Payload: `format (1: FORMAT for 24- and 32-bit bitmaps, GREY for 8-bit ones) | pixel
//! offset (u32 LE) | the file's first `offset` bytes verbatim | padding flag (1: 0 = every
//! row-padding byte is zero, 1 = they follow raw) | [padding] | bytes after the pixel array,
//! raw | band count (1) | coded length of every band but the last (u32 LE each) | the bands'
//! arithmetic-coded streams`.
//! Bands are horizontal stripes coded independently (so two threads can run), each a
//! pixel-by-pixel, plane-by-plane prediction + context-mixed residual coder ([`strip`]).

mod bmp;
mod cm;
mod lms;
mod neighbours;
mod predict;
mod residual;
mod strip;
#[cfg(test)]
mod tests;

use crate::coder::{Decoder, Encoder};
use crate::error::invalid;
use crate::grow;
use bmp::Layout;
use std::io;

const FORMAT: u8 = 1;
/// The format byte of an 8-bit grey bitmap's payload (older builds refuse it by number).
const GREY: u8 = 2;
/// Plane `p` holds byte `CHANNEL_OF_PLANE[p]` of each pixel (BMP stores B, G, R, A).
const CHANNEL_OF_PLANE: [usize; 4] = [1, 2, 0, 3];

/// The byte of each pixel that each plane holds, for pixels of `channels` bytes.
fn channels_of_planes(channels: usize) -> &'static [usize] {
    if channels == 1 {
        &[0]
    } else {
        &CHANNEL_OF_PLANE
    }
}

/// The format byte of a payload of this bitmap.
fn format_byte(layout: &Layout) -> u8 {
    if layout.channels == 1 {
        GREY
    } else {
        FORMAT
    }
}

/// Bands are only split when each half has at least this many pixels.
const MIN_BAND_PIXELS: usize = 1 << 16;

/// Row counts of the bands an image of this size is coded in.
fn bands(layout: &Layout) -> Vec<usize> {
    let h = layout.height;
    if h >= 2 && layout.width * (h / 2) >= MIN_BAND_PIXELS {
        vec![h / 2, h - h / 2]
    } else {
        vec![h]
    }
}

/// Length of the BMP at the start of `data` (its declared file size, or through its pixels when
/// that does not fit), if it is one this model takes.
pub fn extent(data: &[u8]) -> Option<usize> {
    let layout = bmp::parse(data, data.len())?;
    let declared = u32::from_le_bytes(data.get(2..6)?.try_into().ok()?) as usize;
    Some(if (layout.end()..=data.len()).contains(&declared) {
        declared
    } else {
        layout.end()
    })
}

/// Returns the coded payload, or `None` when `data` is not a BMP this model handles.
pub fn encode(data: &[u8]) -> Option<Vec<u8>> {
    encode_with(data, true)
}

/// [`encode`], the bands on threads of their own when `parallel` (else one after the
/// other, holding one band's tables at a time); the bytes are the same.
pub fn encode_with(data: &[u8], parallel: bool) -> Option<Vec<u8>> {
    let layout = bmp::parse(data, data.len())?;
    let offset = u32::try_from(layout.offset).ok()?;
    let pixels = &data[layout.offset..layout.end()];
    let mut out = vec![format_byte(&layout)];
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(&data[..layout.offset]);
    let pad = layout.padding();
    let padding: Vec<u8> = pixels
        .chunks_exact(layout.stride)
        .flat_map(|row| row[layout.row_bytes()..].iter().copied())
        .collect();
    if padding.iter().all(|&b| b == 0) {
        out.push(0);
    } else {
        out.push(1);
        out.extend_from_slice(&padding);
    }
    debug_assert_eq!(padding.len(), pad * layout.height);
    out.extend_from_slice(&data[layout.end()..]);

    let rows = bands(&layout);
    let mut first_row = 0;
    let mut jobs = Vec::new();
    for &h in &rows {
        let planes = split_planes(pixels, &layout, first_row, h);
        jobs.push((h, planes));
        first_row += h;
    }
    let code_band = |h: usize, planes: &Vec<Vec<u8>>| {
        let mut enc = Encoder::new();
        strip::code_strip(&mut enc, layout.width, h, layout.channels, Some(planes)).ok()?;
        Some(enc.finish())
    };
    let streams: Vec<Vec<u8>> = if parallel {
        std::thread::scope(|s| {
            let handles: Vec<_> = jobs
                .iter()
                .map(|(h, planes)| s.spawn(move || code_band(*h, planes)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("band encoder panicked"))
                .collect::<Option<_>>()
        })?
    } else {
        jobs.iter()
            .map(|(h, planes)| code_band(*h, planes))
            .collect::<Option<_>>()?
    };
    out.push(streams.len() as u8);
    for s in &streams[..streams.len() - 1] {
        out.extend_from_slice(&u32::try_from(s.len()).ok()?.to_le_bytes());
    }
    for s in &streams {
        out.extend_from_slice(s);
    }
    Some(out)
}

/// The planes of rows `first..first + rows` of the pixel array.
fn split_planes(pixels: &[u8], layout: &Layout, first: usize, rows: usize) -> Vec<Vec<u8>> {
    let ch = layout.channels;
    let order = channels_of_planes(ch);
    let mut planes = vec![Vec::with_capacity(layout.width * rows); ch];
    for row in pixels.chunks_exact(layout.stride).skip(first).take(rows) {
        for px in row[..layout.row_bytes()].chunks_exact(ch) {
            for (plane, &c) in planes.iter_mut().zip(order) {
                plane.push(px[c]);
            }
        }
    }
    planes
}

/// Reads `n` bytes at `*pos`, advancing it.
fn take<'a>(payload: &'a [u8], pos: &mut usize, n: usize, what: &str) -> io::Result<&'a [u8]> {
    let end = pos
        .checked_add(n)
        .filter(|&e| e <= payload.len())
        .ok_or_else(|| invalid(format!("image payload truncated in the {what}")))?;
    let s = &payload[*pos..end];
    *pos = end;
    Ok(s)
}

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    decode_with(payload, original_len, true)
}

/// [`decode`], the bands on threads of their own when `parallel` (else one after the other,
/// holding one band's tables at a time); the bytes are the same.
pub fn decode_with(payload: &[u8], original_len: usize, parallel: bool) -> io::Result<Vec<u8>> {
    let mut pos = 0;
    let format = take(payload, &mut pos, 1, "format byte")?[0];
    if format != FORMAT && format != GREY {
        return Err(invalid(format!("unknown image payload format {format}")));
    }
    let b = take(payload, &mut pos, 4, "pixel offset")?;
    let offset = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    if offset > original_len {
        return Err(invalid(format!(
            "pixel offset {offset} beyond the {original_len}-byte file"
        )));
    }
    let head = take(payload, &mut pos, offset, "BMP headers")?;
    let layout = bmp::parse(head, original_len)
        .filter(|l| l.offset == offset && format_byte(l) == format)
        .ok_or_else(|| invalid("stored BMP headers are not a supported bitmap".into()))?;
    let what = "image model output";
    let mut out = Vec::new();
    grow::append(&mut out, head, original_len, what)?;
    // At most 3 bytes of padding per row, and the rows fit in the file.
    let pad_len = layout.padding() * layout.height;
    let padding = match take(payload, &mut pos, 1, "padding flag")?[0] {
        0 => None,
        1 => Some(take(payload, &mut pos, pad_len, "row padding")?),
        f => return Err(invalid(format!("bad padding flag {f}"))),
    };
    let trailing = take(
        payload,
        &mut pos,
        original_len - layout.end(),
        "trailing bytes",
    )?;
    let rows = bands(&layout);
    let count = take(payload, &mut pos, 1, "band count")?[0] as usize;
    if count != rows.len() {
        return Err(invalid(format!(
            "{count} bands stored, {} expected for this size",
            rows.len()
        )));
    }
    let mut lens = Vec::new();
    for _ in 1..count {
        let b = take(payload, &mut pos, 4, "band lengths")?;
        lens.push(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
    }
    let mut streams = Vec::new();
    for &n in &lens {
        streams.push(take(payload, &mut pos, n, "band stream")?);
    }
    streams.push(&payload[pos..]);

    let band = |stream: &[u8], h: usize| {
        let mut dec = Decoder::new(stream);
        let planes = strip::code_strip(&mut dec, layout.width, h, layout.channels, None)?;
        dec.end("image model band").map(|()| planes)
    };
    let decoded = if parallel {
        std::thread::scope(|s| {
            let handles: Vec<_> = streams
                .iter()
                .zip(&rows)
                .map(|(stream, &h)| s.spawn(move || band(stream, h)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("band decoder panicked"))
                .collect::<io::Result<Vec<Vec<Vec<u8>>>>>()
        })?
    } else {
        streams
            .iter()
            .zip(&rows)
            .map(|(stream, &h)| band(stream, h))
            .collect::<io::Result<Vec<Vec<Vec<u8>>>>>()?
    };

    let pad = layout.padding();
    let row_len = layout.row_bytes() + pad;
    let order = channels_of_planes(layout.channels);
    let mut row_index = 0;
    for band in &decoded {
        let rows_here = band.first().map_or(0, |p| p.len() / layout.width);
        for r in 0..rows_here {
            grow::room(&mut out, row_len, original_len, what)?;
            for x in 0..layout.width {
                let mut px = [0u8; 4];
                for (plane, &c) in band.iter().zip(order) {
                    px[c] = plane[r * layout.width + x];
                }
                out.extend_from_slice(&px[..layout.channels]);
            }
            match padding {
                Some(bytes) => out.extend_from_slice(&bytes[row_index * pad..][..pad]),
                None => out.extend(std::iter::repeat_n(0u8, pad)),
            }
            row_index += 1;
        }
    }
    grow::append(&mut out, trailing, original_len, what)?;
    Ok(out)
}

/// Whether three in four pixels of a BMP repeat their left neighbour exactly (drawn graphics,
/// screenshots): such images are also tried with the general model, whose match model finds
/// repeated shapes that pixel prediction cannot.
pub fn mostly_flat(data: &[u8]) -> bool {
    let Some(layout) = bmp::parse(data, data.len()) else {
        return false;
    };
    let c = layout.channels;
    let (mut same, mut total) = (0usize, 0usize);
    // Every 8th row is plenty to tell a photo from a drawing.
    for row in data[layout.offset..layout.end()]
        .chunks_exact(layout.stride)
        .step_by(8)
    {
        let px = &row[..layout.row_bytes()];
        for (a, b) in px.chunks_exact(c).zip(px.chunks_exact(c).skip(1)) {
            same += (a == b) as usize;
            total += 1;
        }
    }
    same * 4 > total * 3
}
