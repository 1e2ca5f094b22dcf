//! 24-bit BMP container: BITMAPFILEHEADER + BITMAPINFOHEADER (54 bytes), then bottom-up BGR
//! rows padded to 4 bytes. A file size that is not header + whole rows leaves a gap between
//! the headers and the pixels, recorded in `bfOffBits`; `plan` picks sizes without a gap.

pub const HEADER: usize = 54;

/// Width, height and gap of a `len`-byte image whose width is `width_for(len)`.
pub fn layout(len: usize, width_for: fn(usize) -> usize) -> (usize, usize, usize) {
    let width = width_for(len);
    let stride = stride(width);
    let height = len.saturating_sub(HEADER) / stride;
    (width, height, len.saturating_sub(HEADER + stride * height))
}

/// Bytes per padded row.
pub fn stride(width: usize) -> usize {
    (width * 3 + 3) & !3
}

/// The largest size ≤ `size` whose layout has no gap, if a few tries find one.
pub fn round_size(size: u64, width_for: fn(usize) -> usize) -> u64 {
    let mut len = size as usize;
    for _ in 0..8 {
        let (width, height, gap) = layout(len, width_for);
        if gap == 0 {
            break;
        }
        len = HEADER + stride(width) * height;
    }
    len as u64
}

/// Width ≈ 4/3 of the height for `len` bytes, rounded down to a multiple of `multiple`, then
/// with `low_bits` set (e.g. 1 to force an odd width).
pub fn width_4_3(len: usize, multiple: usize, low_bits: usize) -> usize {
    let pixels = len.saturating_sub(HEADER) / 3;
    let w = isqrt(pixels * 4 / 3);
    (w / multiple * multiple).max(multiple) | low_bits
}

pub fn isqrt(n: usize) -> usize {
    if n < 2 {
        return n;
    }
    let mut x = n;
    let mut y = x.div_ceil(2);
    while y < x {
        x = y;
        y = (x + n / x) / 2;
    }
    x
}

/// Encodes top-down RGB `pixels` (`width * height * 3` bytes) as a `len`-byte BMP.
pub fn encode(width: usize, height: usize, gap: usize, pixels: &[u8], len: usize) -> Vec<u8> {
    let stride = stride(width);
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&((HEADER + gap) as u32).to_le_bytes());
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&(width as i32).to_le_bytes());
    out.extend_from_slice(&(height as i32).to_le_bytes()); // positive: bottom-up
    out.extend_from_slice(&1u16.to_le_bytes()); // planes
    out.extend_from_slice(&24u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // BI_RGB
    out.extend_from_slice(&((stride * height) as u32).to_le_bytes());
    out.extend_from_slice(&2835i32.to_le_bytes()); // 72 dpi, in pixels per metre
    out.extend_from_slice(&2835i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.resize(HEADER + gap, 0);
    for y in (0..height).rev() {
        for px in pixels[y * width * 3..(y + 1) * width * 3].chunks_exact(3) {
            out.extend_from_slice(&[px[2], px[1], px[0]]);
        }
        out.resize(out.len() + stride - width * 3, 0);
    }
    out.resize(len, 0);
    out
}
