//! The image model's memory follows the rows it needs, not the picture: decoding a BMP twice
//! as tall costs its output bytes more, not whole-band copies of its pixels and errors (two
//! `i32` per sample until session 21). Counted by the allocator, never timed.

#[path = "../support/meter.rs"]
#[allow(dead_code)]
mod meter;

use std::io::Cursor;

#[global_allocator]
static ALLOCATOR: meter::Counting = meter::Counting;

/// A 24-bit BMP of `width * height` pixels: smooth shading with a little noise, photo-like
/// enough that the image model codes it.
fn bmp(width: usize, height: usize) -> Vec<u8> {
    let row = (width * 3 + 3) & !3;
    let size = 54 + row * height;
    let mut f = b"BM".to_vec();
    f.extend_from_slice(&(size as u32).to_le_bytes());
    f.extend_from_slice(&[0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0]);
    f.extend_from_slice(&(width as u32).to_le_bytes());
    f.extend_from_slice(&(height as u32).to_le_bytes());
    f.extend_from_slice(&[1, 0, 24, 0, 0, 0, 0, 0]);
    f.extend_from_slice(&((row * height) as u32).to_le_bytes());
    f.extend_from_slice(&[0; 16]);
    let mut s = 5u32;
    for y in 0..height {
        for x in 0..width {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let noise = (s >> 28) as usize;
            for c in 0..3 {
                f.push(((x * (c + 1) + y * (3 - c) + noise) / 8) as u8);
            }
        }
        f.resize(54 + row * (y + 1), 0);
    }
    f
}

/// Peak heap bytes of decoding the BMP of `width * height` (coded by `compress`).
fn decode_peak(width: usize, height: usize) -> usize {
    let file = bmp(width, height);
    let mut packed = Cursor::new(Vec::new());
    codec::compress(Cursor::new(&file), &mut packed).unwrap();
    let packed = packed.into_inner();
    assert_eq!(packed[5], 3, "coded by the image model");
    let cost = meter::decode(&packed, usize::MAX);
    assert_eq!(cost.result.unwrap(), file);
    cost.peak
}

#[test]
fn a_taller_picture_costs_its_bytes_not_copies_of_its_pixels() {
    let _alone = meter::alone();
    // Bands of at least 2^19 pixels, so both pictures get the same (largest) tables.
    let (width, short, tall) = (1024, 1024, 2048);
    let added_samples = width * (tall - short) * 3;
    let growth = decode_peak(width, tall).saturating_sub(decode_peak(width, short));
    eprintln!("image decode: {growth} more bytes at peak for {added_samples} more samples");
    assert!(
        growth < 4 * added_samples,
        "{growth} more bytes for {added_samples} more samples"
    );
}
