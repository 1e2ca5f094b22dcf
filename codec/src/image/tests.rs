//! Round trips of generated bitmaps and rejection of what the model does not handle.

use super::{decode, encode};

fn header(width: i32, height: i32, bpp: u16, compression: u32, pixel_bytes: usize) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend_from_slice(b"BM");
    h.extend_from_slice(&(54 + pixel_bytes as u32).to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(&54u32.to_le_bytes());
    h.extend_from_slice(&40u32.to_le_bytes());
    h.extend_from_slice(&width.to_le_bytes());
    h.extend_from_slice(&height.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&bpp.to_le_bytes());
    h.extend_from_slice(&compression.to_le_bytes());
    h.extend_from_slice(&(pixel_bytes as u32).to_le_bytes());
    h.extend_from_slice(&[0u8; 16]);
    h
}

/// A bitmap whose pixel bytes come from `pixel(x, y, channel)`.
fn bitmap(
    width: usize,
    height: i32,
    bpp: u16,
    pixel: impl Fn(usize, usize, usize) -> u8,
) -> Vec<u8> {
    let ch = bpp as usize / 8;
    let stride = (width * ch + 3) & !3;
    let rows = height.unsigned_abs() as usize;
    let mut data = header(width as i32, height, bpp, 0, stride * rows);
    for y in 0..rows {
        for x in 0..width {
            for c in 0..ch {
                data.push(pixel(x, y, c));
            }
        }
        data.extend(std::iter::repeat_n(0, stride - width * ch));
    }
    data
}

fn noise(x: usize, y: usize, c: usize) -> u8 {
    let mut h =
        (x as u32).wrapping_mul(0x9E37_79B9) ^ (y as u32).wrapping_mul(0x85EB_CA6B) ^ c as u32;
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 12;
    (h & 7) as u8
}

fn gradient(x: usize, y: usize, c: usize) -> u8 {
    ((x * 3 + y * 2 + c * 40) as u8).wrapping_add(noise(x, y, c))
}

fn roundtrip(data: &[u8]) -> usize {
    let payload = encode(data).expect("model applies");
    assert_eq!(decode(&payload, data.len()).unwrap(), data);
    payload.len()
}

#[test]
fn noisy_gradient_round_trips_and_compresses() {
    let data = bitmap(61, 40, 24, gradient);
    let size = roundtrip(&data);
    assert!(size < data.len() / 2, "{size} of {}", data.len());
}

#[test]
fn flat_graphic_costs_almost_nothing() {
    let data = bitmap(200, 160, 24, |x, y, c| {
        if (x / 50 + y / 40) % 2 == 0 {
            [30, 200, 90][c]
        } else {
            [255, 255, 255][c]
        }
    });
    let size = roundtrip(&data);
    assert!(size < 600, "{size} bytes for {} pixels", 200 * 160);
}

#[test]
fn large_image_uses_two_bands() {
    let data = bitmap(300, 480, 24, gradient);
    let payload = encode(&data).unwrap();
    assert_eq!(decode(&payload, data.len()).unwrap(), data);
}

#[test]
fn odd_widths_top_down_and_trailing_bytes() {
    for w in 1..6 {
        roundtrip(&bitmap(w, 3, 24, gradient));
        roundtrip(&bitmap(w, -4, 24, noise));
    }
    let mut data = bitmap(7, 5, 24, gradient);
    data.extend_from_slice(b"trailing junk");
    roundtrip(&data);
}

#[test]
fn nonzero_padding_is_kept() {
    let mut data = bitmap(5, 4, 24, gradient);
    let stride = 16;
    for row in 0..4 {
        data[54 + row * stride + 15] = row as u8 + 1;
    }
    roundtrip(&data);
}

#[test]
fn thirty_two_bit_round_trips() {
    roundtrip(&bitmap(9, 7, 32, |x, y, c| {
        if c == 3 {
            255
        } else {
            gradient(x, y, c)
        }
    }));
}

/// An 8-bit bitmap with the grey ramp as its palette, pixels from `pixel(x, y)`.
fn grey_bitmap(width: usize, height: i32, pixel: impl Fn(usize, usize) -> u8) -> Vec<u8> {
    let stride = (width + 3) & !3;
    let rows = height.unsigned_abs() as usize;
    let mut data = header(width as i32, height, 8, 0, 1024 + stride * rows);
    data[10..14].copy_from_slice(&(54u32 + 1024).to_le_bytes());
    for i in 0..=255u8 {
        data.extend_from_slice(&[i, i, i, 0]);
    }
    for y in 0..rows {
        data.extend((0..width).map(|x| pixel(x, y)));
        data.extend(std::iter::repeat_n(0, stride - width));
    }
    data
}

#[test]
fn grey_bitmaps_round_trip_as_one_plane() {
    for w in 1..6 {
        roundtrip(&grey_bitmap(w, 3, |x, y| gradient(x, y, 0)));
        roundtrip(&grey_bitmap(w, -4, |x, y| noise(x, y, 0)));
    }
    let mut data = grey_bitmap(7, 5, |x, y| gradient(x, y, 1));
    data.extend_from_slice(b"trailing junk");
    roundtrip(&data);
    let data = grey_bitmap(300, 480, |x, y| gradient(x, y, 2));
    let payload = encode(&data).unwrap();
    assert_eq!(payload[0], super::GREY);
    assert_eq!(decode(&payload, data.len()).unwrap(), data);
    // A gradient with three bits of noise: little more than those three bits a pixel.
    assert!(payload.len() < 300 * 480 * 5 / 8, "{} bytes", payload.len());
}

#[test]
fn a_payload_whose_format_byte_disagrees_with_its_bitmap_is_refused() {
    let grey = grey_bitmap(9, 7, |x, y| gradient(x, y, 0));
    let colour = bitmap(9, 7, 24, gradient);
    for (data, other) in [(grey, super::FORMAT), (colour, super::GREY)] {
        let mut payload = encode(&data).unwrap();
        payload[0] = other;
        let err = decode(&payload, data.len()).unwrap_err();
        assert!(err.to_string().contains("not a supported bitmap"), "{err}");
    }
}

#[test]
fn other_bitmaps_are_not_taken() {
    let mut eight = header(4, 4, 8, 0, 16);
    eight.extend_from_slice(&[0; 16 + 1024]);
    assert!(encode(&eight).is_none());
    let mut rle = header(4, 4, 24, 1, 48);
    rle.extend_from_slice(&[0; 48]);
    assert!(encode(&rle).is_none());
    let short = bitmap(4, 4, 24, gradient);
    assert!(encode(&short[..short.len() - 1]).is_none());
    assert!(encode(b"BM not a bitmap").is_none());
}

#[test]
fn corrupt_payloads_fail_or_decode_without_panic() {
    let data = bitmap(13, 9, 24, gradient);
    let payload = encode(&data).unwrap();
    for cut in [0, 1, 5, 30, 60, payload.len() - 1] {
        let _ = decode(&payload[..cut], data.len());
    }
    assert!(decode(&payload[..30], data.len()).is_err());
    let mut bad = payload.clone();
    bad[0] = 9;
    assert!(decode(&bad, data.len()).is_err());
    for i in (0..payload.len()).step_by(3) {
        let mut flipped = payload.clone();
        flipped[i] ^= 0x55;
        if let Ok(out) = decode(&flipped, data.len()) {
            assert_eq!(out.len(), data.len());
        }
    }
}

/// A drawing: flat background with copies of one noisy 16x16 sprite at scattered places.
fn sprites(width: usize, height: i32) -> Vec<u8> {
    let sprite =
        |x: usize, y: usize, c: usize| (((x * 31 + y * 17 + c * 7) * 2654435761) >> 13) as u8;
    bitmap(width, height, 24, move |x, y, c| {
        let (tx, ty) = (x / 16, y / 16);
        if (tx * 7 + ty * 3) % 5 == 0 {
            sprite(x % 16, y % 16, c)
        } else {
            [40, 90, 200][c]
        }
    })
}

#[test]
fn drawings_are_flat_photos_are_not() {
    assert!(super::mostly_flat(&sprites(200, 120)));
    let noisy = bitmap(200, 120, 24, |x, y, c| {
        (((x * 13 + y * 29 + c) * 2654435761) >> 11) as u8
    });
    assert!(!super::mostly_flat(&noisy));
    assert!(!super::mostly_flat(b"not a bitmap"));
}

#[test]
fn repeated_sprites_go_to_the_general_model_when_it_wins() {
    let file = sprites(320, 240);
    let packed = crate::container::encode(&file);
    assert_eq!(packed[5], crate::container::Method::General as u8);
    let image_only = encode(&file).expect("a 24-bit BMP").len();
    assert!(
        packed.len() < image_only,
        "{} vs {image_only}",
        packed.len()
    );
    assert_eq!(crate::container::decode(&packed).unwrap(), file);
}
