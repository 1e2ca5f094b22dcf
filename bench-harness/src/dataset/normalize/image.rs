//! JPEG, PNG and WebP to 24-bit BMP with the `image` crate. Alpha is dropped, grey is
//! expanded to RGB and 16-bit channels are reduced to 8 bits.

use anyhow::{Context, Result};
use image::codecs::bmp::BmpEncoder;
use image::{ExtendedColorType, ImageReader};
use std::path::Path;

pub const DECODER: &str = "image 0.25 (RGB8, 24-bit BMP)";

pub fn to_bmp(src: &Path) -> Result<Vec<u8>> {
    let decoded = ImageReader::open(src)
        .with_context(|| format!("opening {}", src.display()))?
        .with_guessed_format()?
        .decode()
        .with_context(|| format!("decoding {}", src.display()))?;
    let rgb = decoded.to_rgb8();
    let mut bmp = Vec::new();
    BmpEncoder::new(&mut bmp)
        .encode(
            rgb.as_raw(),
            rgb.width(),
            rgb.height(),
            ExtendedColorType::Rgb8,
        )
        .with_context(|| format!("encoding {} as BMP", src.display()))?;
    Ok(bmp)
}
