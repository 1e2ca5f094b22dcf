//! PNG image data. The payloads of a PNG's IDAT chunks form one zlib stream, so the chunk
//! framing is taken off before inflating and put back (with recomputed CRCs) when
//! rebuilding. For 8-bit RGB and RGBA images without interlacing, the decoded scanlines
//! are also unfiltered into a BMP, so the image model codes the pixels; the filter type of
//! each row goes to the side information.

use crate::crc32::crc32;

const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
/// Chunk length, type and CRC fields.
const CHUNK_OVERHEAD: usize = 12;

/// The IDAT chunks of one PNG: they span `start..end` of the file.
pub struct Idat {
    pub start: usize,
    pub end: usize,
    /// Payload length of each chunk, in order.
    pub chunks: Vec<usize>,
    /// The payloads joined: a zlib stream (plus whatever follows it).
    pub zlib: Vec<u8>,
    pub image: Option<Image>,
}

/// An image whose scanlines can be turned into BMP pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    /// 1 (grey), 3 (RGB) or 4 (RGBA), one byte each.
    pub channels: usize,
}

impl Image {
    /// Bytes of one scanline, its filter type byte included.
    pub fn scanline(&self) -> usize {
        1 + self.width * self.channels
    }

    /// Bytes of the BMP that [`to_bmp`] makes.
    pub fn bmp_len(&self) -> usize {
        self.bmp_header_len() + self.bmp_stride() * self.height
    }

    /// Bytes of its headers: a grey image's take the grey ramp as their palette.
    fn bmp_header_len(&self) -> usize {
        if self.channels == 1 {
            BMP_HEADER + GREY_PALETTE
        } else {
            BMP_HEADER
        }
    }

    fn bmp_stride(&self) -> usize {
        (self.width * self.channels + 3) & !3
    }
}

fn be32(data: &[u8], at: usize) -> Option<usize> {
    let b = data.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// The IDAT chunks of a PNG whose signature starts at `at`, if every one has a valid CRC.
pub fn find(data: &[u8], at: usize) -> Option<Idat> {
    if data.get(at..at + 8)? != SIGNATURE {
        return None;
    }
    let mut p = at + 8;
    let mut image = None;
    let mut idat: Option<Idat> = None;
    // A truncated file ends the walk like IEND does.
    while let Some((len, kind, body)) = chunk(data, p) {
        let end = p + len + CHUNK_OVERHEAD;
        match (kind, idat.as_mut()) {
            (b"IHDR", None) if len == 13 => image = ihdr(body),
            (b"IDAT", _) => {
                if be32(data, p + 8 + len)? != crc32(&data[p + 4..p + 8 + len]) as usize {
                    return None;
                }
                let run = idat.get_or_insert_with(|| Idat {
                    start: p,
                    end: p,
                    chunks: Vec::new(),
                    zlib: Vec::new(),
                    image,
                });
                run.chunks.push(len);
                run.zlib.extend_from_slice(body);
                run.end = end;
            }
            (b"IEND", _) => break,
            (_, Some(_)) => break,
            _ => {}
        }
        p = end;
    }
    idat
}

/// Length, type and body of the chunk at `p`, if it lies within `data`.
fn chunk(data: &[u8], p: usize) -> Option<(usize, &[u8], &[u8])> {
    let len = be32(data, p)?;
    let kind = data.get(p + 4..p + 8)?;
    let body = data.get(p + 8..p.checked_add(8 + len)?)?;
    data.get(p + 8 + len..p + 12 + len)?;
    Some((len, kind, body))
}

/// The image of an IHDR chunk body, if it is one whose pixels we can take out.
fn ihdr(body: &[u8]) -> Option<Image> {
    let (width, height) = (be32(body, 0)?, be32(body, 4)?);
    // Bit depth, colour type, compression, filter method, interlace.
    let channels = match body.get(8..13)? {
        [8, 0, 0, 0, 0] => 1,
        [8, 2, 0, 0, 0] => 3,
        [8, 6, 0, 0, 0] => 4,
        _ => return None,
    };
    let image = Image {
        width,
        height,
        channels,
    };
    // Keep the BMP's dimensions representable and its size sane.
    let sane = width > 0
        && height > 0
        && width < 1 << 24
        && height < 1 << 24
        && width.checked_mul(height)?.checked_mul(channels)? < 1 << 31;
    // The side information names a grey image by its BMP's length alone (see
    // `wrapper::code_pixels`). No grey image of `GREY_MIN_PIXELS` is as long as its colour
    // BMP would be: the rows differ by 4 bytes or more (by none for width 1, where the
    // palette tells them apart), so equal lengths need a height of at most 256 and a width of
    // about 512 / height.
    let grey_worth_it = channels != 1 || width.checked_mul(height)? >= GREY_MIN_PIXELS;
    (sane && grey_worth_it).then_some(image)
}

/// The IDAT chunks again: `zlib` cut into chunks of the given lengths, with CRCs.
pub fn frame(zlib: &[u8], chunks: &[usize]) -> Option<Vec<u8>> {
    if chunks.iter().sum::<usize>() != zlib.len() {
        return None;
    }
    let mut out = Vec::with_capacity(zlib.len() + chunks.len() * CHUNK_OVERHEAD);
    let mut from = 0;
    for &len in chunks {
        let typed_start = out.len() + 4;
        out.extend_from_slice(&u32::try_from(len).ok()?.to_be_bytes());
        out.extend_from_slice(b"IDAT");
        out.extend_from_slice(&zlib[from..from + len]);
        let crc = crc32(&out[typed_start..]);
        out.extend_from_slice(&crc.to_be_bytes());
        from += len;
    }
    Some(out)
}

const BMP_HEADER: usize = 54;
/// Bytes of the grey ramp as a BMP palette (256 entries of 4 bytes).
const GREY_PALETTE: usize = 1024;
/// Pixels of the smallest grey image taken out as a BMP: on fewer, the image model has too
/// little to learn from and the general model codes the filtered scanlines as well or
/// better (crops of two grey photos, session 28: 128 x 128 as large or 2% larger, 256 x 256
/// 12-13% smaller).
const GREY_MIN_PIXELS: usize = 1 << 16;

fn predictor(filter: u8, a: u8, b: u8, c: u8) -> u8 {
    match filter {
        1 => a,
        2 => b,
        3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
        4 => {
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
        _ => 0,
    }
}

/// Undoes the filter of one scanline in place; `prior` is the previous row's raw bytes
/// (zeros for the first row).
fn unfilter_row(filter: u8, row: &mut [u8], prior: &[u8], bpp: usize) {
    for x in 0..row.len() {
        let (a, c) = if x >= bpp {
            (row[x - bpp], prior[x - bpp])
        } else {
            (0, 0)
        };
        row[x] = row[x].wrapping_add(predictor(filter, a, prior[x], c));
    }
}

/// Appends the raw scanline `raw` filtered with `filter` to `out`.
fn filter_row(filter: u8, raw: &[u8], prior: &[u8], bpp: usize, out: &mut Vec<u8>) {
    for x in 0..raw.len() {
        let (a, c) = if x >= bpp {
            (raw[x - bpp], prior[x - bpp])
        } else {
            (0, 0)
        };
        out.push(raw[x].wrapping_sub(predictor(filter, a, prior[x], c)));
    }
}

/// Appends `pixels` with the first and third byte of each pixel swapped: PNG's RGB(A) to
/// BMP's BGR(A), and back.
fn swap_red_blue(pixels: &[u8], channels: usize, out: &mut Vec<u8>) {
    if channels == 1 {
        out.extend_from_slice(pixels);
        return;
    }
    for px in pixels.chunks_exact(channels) {
        out.extend_from_slice(&[px[2], px[1], px[0]]);
        out.extend_from_slice(&px[3..]);
    }
}

/// The scanlines as a top-down BMP (BGR or BGRA) and the filter type of each row;
/// `None` if the data does not have the image's size or uses an unknown filter.
pub fn to_bmp(scanlines: &[u8], image: &Image) -> Option<(Vec<u8>, Vec<u8>)> {
    if scanlines.len() != image.scanline().checked_mul(image.height)? {
        return None;
    }
    let mut bmp = bmp_header(image);
    let mut filters = Vec::with_capacity(image.height);
    let row_len = image.scanline() - 1;
    let mut prior = vec![0u8; row_len];
    let pad = image.bmp_stride() - row_len;
    for line in scanlines.chunks_exact(image.scanline()) {
        let filter = line[0];
        if filter > 4 {
            return None;
        }
        filters.push(filter);
        let mut row = line[1..].to_vec();
        unfilter_row(filter, &mut row, &prior, image.channels);
        swap_red_blue(&row, image.channels, &mut bmp);
        bmp.extend(std::iter::repeat_n(0, pad));
        prior = row;
    }
    Some((bmp, filters))
}

/// Reverses [`to_bmp`]; `None` if `bmp` or `filters` do not fit the image.
pub fn from_bmp(bmp: &[u8], image: &Image, filters: &[u8]) -> Option<Vec<u8>> {
    if bmp.len() != image.bmp_len() || filters.len() != image.height {
        return None;
    }
    let row_len = image.scanline() - 1;
    let mut out = Vec::with_capacity(image.scanline() * image.height);
    let mut prior = vec![0u8; row_len];
    let mut row = Vec::with_capacity(row_len);
    for (line, &filter) in bmp[image.bmp_header_len()..]
        .chunks_exact(image.bmp_stride())
        .zip(filters)
    {
        row.clear();
        swap_red_blue(&line[..row_len], image.channels, &mut row);
        out.push(filter);
        filter_row(filter, &row, &prior, image.channels, &mut out);
        std::mem::swap(&mut prior, &mut row);
    }
    Some(out)
}

fn bmp_header(image: &Image) -> Vec<u8> {
    let mut h = Vec::with_capacity(image.bmp_len());
    h.extend_from_slice(b"BM");
    h.extend_from_slice(&(image.bmp_len() as u32).to_le_bytes());
    h.extend_from_slice(&[0; 4]);
    h.extend_from_slice(&(image.bmp_header_len() as u32).to_le_bytes());
    h.extend_from_slice(&40u32.to_le_bytes());
    h.extend_from_slice(&(image.width as i32).to_le_bytes());
    h.extend_from_slice(&(-(image.height as i32)).to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&(8 * image.channels as u16).to_le_bytes());
    h.extend_from_slice(&[0; 24]);
    if image.channels == 1 {
        for level in 0..=255u8 {
            h.extend_from_slice(&[level, level, level, 0]);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_round_trips_through_the_bmp() {
        let image = Image {
            width: 5,
            height: 6,
            channels: 4,
        };
        let mut scanlines = Vec::new();
        for y in 0..6u8 {
            scanlines.push(y % 5);
            scanlines.extend((0..20u8).map(|x| x.wrapping_mul(37).wrapping_add(y * 11)));
        }
        let (bmp, filters) = to_bmp(&scanlines, &image).unwrap();
        assert_eq!(bmp.len(), image.bmp_len());
        assert_eq!(filters, [0, 1, 2, 3, 4, 0]);
        assert_eq!(from_bmp(&bmp, &image, &filters).unwrap(), scanlines);
        scanlines[0] = 5;
        assert!(to_bmp(&scanlines, &image).is_none());
    }

    #[test]
    fn chunks_are_framed_with_their_crcs() {
        let framed = frame(b"abcdefg", &[3, 4]).unwrap();
        let mut png = SIGNATURE.to_vec();
        png.extend_from_slice(&framed);
        let idat = find(&png, 0).unwrap();
        assert_eq!((idat.start, idat.end), (8, png.len()));
        assert_eq!(idat.chunks, [3, 4]);
        assert_eq!(idat.zlib, b"abcdefg");
        png[8 + 9] ^= 1;
        assert!(find(&png, 0).is_none(), "bad CRC");
    }
}
