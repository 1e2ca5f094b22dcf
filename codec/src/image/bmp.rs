//! BMP header parsing: where the pixel array is and how its rows are laid out.
//!
//! Only uncompressed 24-bit (BI_RGB) and 32-bit (BI_RGB or BI_BITFIELDS) bitmaps, and 8-bit
//! ones whose palette is the grey ramp (entry `i` is grey level `i`, so that an index is a
//! brightness a neighbour's predicts), are accepted; every other byte of the file (headers, masks, palette gap, padding, trailing
//! data) is carried verbatim by the caller, so only the fields that locate pixels matter.

/// Where the pixels of a bitmap live inside the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Byte offset of the pixel array (`bfOffBits`).
    pub offset: usize,
    pub width: usize,
    /// Number of rows (absolute value of `biHeight`).
    pub height: usize,
    /// Bytes per pixel: 1 (grey), 3 or 4.
    pub channels: usize,
    /// Bytes per stored row, a multiple of 4.
    pub stride: usize,
}

impl Layout {
    /// Pixel bytes per row, without padding.
    pub fn row_bytes(&self) -> usize {
        self.width * self.channels
    }

    /// Padding bytes at the end of every row.
    pub fn padding(&self) -> usize {
        self.stride - self.row_bytes()
    }

    /// Size of the whole pixel array, padding included.
    pub fn pixel_bytes(&self) -> usize {
        self.stride * self.height
    }

    /// First byte after the pixel array.
    pub fn end(&self) -> usize {
        self.offset + self.pixel_bytes()
    }
}

const FILE_HEADER: usize = 14;
const BI_RGB: u32 = 0;
const BI_BITFIELDS: u32 = 3;
const PALETTE_ENTRIES: usize = 256;

fn u16_at(h: &[u8], at: usize) -> Option<u32> {
    let b = h.get(at..at + 2)?;
    Some(u16::from_le_bytes([b[0], b[1]]) as u32)
}

fn u32_at(h: &[u8], at: usize) -> Option<u32> {
    let b = h.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Parses the headers at the start of `head` for a file of `file_len` bytes.
/// `head` must hold at least the two headers; returns `None` for anything unsupported
/// or inconsistent (the pixel array must fit inside the file).
pub fn parse(head: &[u8], file_len: usize) -> Option<Layout> {
    if head.get(..2)? != b"BM" {
        return None;
    }
    let offset = u32_at(head, 10)? as usize;
    let info_size = u32_at(head, 14)? as usize;
    if !matches!(info_size, 40 | 52 | 56 | 108 | 124) {
        return None;
    }
    let width = u32_at(head, 18)? as i32;
    let height = u32_at(head, 22)? as i32;
    let planes = u16_at(head, 26)?;
    let bpp = u16_at(head, 28)?;
    let compression = u32_at(head, 30)?;
    let channels = match (bpp, compression) {
        (8, BI_RGB) if grey_ramp(head, info_size, offset) => 1,
        (24, BI_RGB) => 3,
        (32, BI_RGB) | (32, BI_BITFIELDS) => 4,
        _ => return None,
    };
    if planes != 1 || width <= 0 || height == 0 || height == i32::MIN {
        return None;
    }
    if offset < FILE_HEADER + info_size || offset > file_len {
        return None;
    }
    let width = width as usize;
    let height = height.unsigned_abs() as usize;
    let stride = width.checked_mul(channels)?.checked_add(3)? & !3;
    let layout = Layout {
        offset,
        width,
        height,
        channels,
        stride,
    };
    let pixel_bytes = stride.checked_mul(height)?;
    if offset.checked_add(pixel_bytes)? > file_len {
        return None;
    }
    Some(layout)
}

/// Whether an 8-bit bitmap's palette (after the info header, before the pixels at `offset`)
/// has all 256 entries and entry `i` is grey level `i` (its fourth byte, unused, may be
/// anything).
fn grey_ramp(head: &[u8], info_size: usize, offset: usize) -> bool {
    let used = u32_at(head, 46).unwrap_or(u32::MAX) as usize;
    let start = FILE_HEADER + info_size;
    let end = start + 4 * PALETTE_ENTRIES;
    if !matches!(used, 0 | PALETTE_ENTRIES) || end > offset {
        return false;
    }
    head.get(start..end).is_some_and(|palette| {
        palette
            .chunks_exact(4)
            .enumerate()
            .all(|(i, e)| e[..3] == [i as u8; 3])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn header(width: i32, height: i32, bpp: u16, compression: u32) -> Vec<u8> {
        let mut h = Vec::new();
        h.extend_from_slice(b"BM");
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&54u32.to_le_bytes());
        h.extend_from_slice(&40u32.to_le_bytes());
        h.extend_from_slice(&width.to_le_bytes());
        h.extend_from_slice(&height.to_le_bytes());
        h.extend_from_slice(&1u16.to_le_bytes());
        h.extend_from_slice(&bpp.to_le_bytes());
        h.extend_from_slice(&compression.to_le_bytes());
        h.extend_from_slice(&[0u8; 20]);
        h
    }

    #[test]
    fn parses_24_bit_with_padding_and_negative_height() {
        let h = header(5, -3, 24, 0);
        let l = parse(&h, 54 + 16 * 3).unwrap();
        assert_eq!((l.width, l.height, l.channels, l.stride), (5, 3, 3, 16));
        assert_eq!(l.padding(), 1);
        assert!(
            parse(&h, 54 + 16 * 3 - 1).is_none(),
            "pixel array past the end"
        );
    }

    /// An 8-bit bitmap of `width` x `height` with `palette` after its header.
    pub(crate) fn paletted(width: i32, height: i32, palette: &[[u8; 4]]) -> Vec<u8> {
        let mut h = header(width, height, 8, 0);
        let offset = (h.len() + 4 * palette.len()) as u32;
        h[10..14].copy_from_slice(&offset.to_le_bytes());
        for e in palette {
            h.extend_from_slice(e);
        }
        h
    }

    pub(crate) fn grey_palette() -> Vec<[u8; 4]> {
        (0..=255u8).map(|i| [i, i, i, 0]).collect()
    }

    #[test]
    fn takes_8_bit_bitmaps_whose_palette_is_the_grey_ramp_only() {
        let grey = paletted(5, 2, &grey_palette());
        let l = parse(&grey, grey.len() + 16).unwrap();
        assert_eq!((l.width, l.height, l.channels, l.stride), (5, 2, 1, 8));
        let mut colours = grey_palette();
        colours[200] = [200, 201, 200, 0];
        let coloured = paletted(5, 2, &colours);
        assert!(parse(&coloured, coloured.len() + 16).is_none());
        assert!(parse(&paletted(5, 2, &grey_palette()[..255]), 2000).is_none());
        let mut unused_byte = grey_palette();
        unused_byte[7][3] = 9;
        let unused = paletted(5, 2, &unused_byte);
        assert!(parse(&unused, unused.len() + 16).is_some());
    }

    #[test]
    fn rejects_unsupported_formats() {
        assert!(parse(&header(4, 4, 8, 0), 1000).is_none());
        assert!(parse(&header(4, 4, 24, 1), 1000).is_none());
        assert!(parse(&header(4, 4, 16, 0), 1000).is_none());
        assert!(parse(&header(0, 4, 24, 0), 1000).is_none());
        assert!(parse(&header(4, 0, 24, 0), 1000).is_none());
        assert!(parse(&header(4, 4, 24, 0)[..30], 1000).is_none());
        assert!(parse(&header(4, 4, 32, 0), 1000).is_some());
    }
}
