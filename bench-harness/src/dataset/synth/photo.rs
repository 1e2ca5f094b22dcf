//! Photo-like RGB image: sky and ground gradients split by a wavy horizon, soft shaded
//! ellipses, a vignette, and per-pixel noise shared mostly across channels.

use super::rng::Stream;
use super::{bmp, sine};

pub fn width_for(len: usize) -> usize {
    bmp::width_4_3(len, 8, 0)
}

pub fn generate_bmp(rng: &mut Stream, len: usize) -> Vec<u8> {
    let (width, height, gap) = bmp::layout(len, width_for);
    let pixels = render(rng, width, height);
    bmp::encode(width, height, gap, &pixels, len)
}

fn colour(rng: &mut Stream, base: [i64; 3], spread: i64) -> [i64; 3] {
    base.map(|c| (c + rng.range(-spread, spread)).clamp(0, 255))
}

/// `a + (b - a) * t / 256`, per channel.
fn mix(a: [i64; 3], b: [i64; 3], t: i64) -> [i64; 3] {
    [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t / 256)
}

struct Blob {
    cx: i64,
    cy: i64,
    rx: i64,
    ry: i64,
    colour: [i64; 3],
}

/// Top-down RGB pixels, `width * height * 3` bytes.
pub fn render(rng: &mut Stream, width: usize, height: usize) -> Vec<u8> {
    let (w, h) = (width as i64, height as i64);
    let sky_top = colour(rng, [60, 110, 190], 30);
    let sky_low = colour(rng, [200, 215, 235], 20);
    let ground_far = colour(rng, [110, 130, 70], 30);
    let ground_near = colour(rng, [70, 60, 40], 20);
    let horizon = h * rng.range(40, 65) / 100;
    let wave_amp = h * rng.range(2, 8) / 100;
    let wave_step = ((rng.range(1, 4) as u64) << 32) / w.max(1) as u64;
    let wave_phase = rng.u32();

    let mut img = vec![[0i64; 3]; width * height];
    for x in 0..w {
        let phase = wave_phase.wrapping_add((x as u64 * wave_step) as u32);
        let edge = horizon + wave_amp * i64::from(sine::sin(phase)) / 32767;
        for y in 0..h {
            img[(y * w + x) as usize] = if y < edge {
                mix(sky_top, sky_low, y * 256 / edge.max(1))
            } else {
                mix(
                    ground_far,
                    ground_near,
                    (y - edge) * 256 / (h - edge).max(1),
                )
            };
        }
    }

    let blobs: Vec<Blob> = (0..rng.range(12, 28))
        .map(|_| {
            let r = (w.min(h) * rng.range(3, 18) / 100).max(2);
            Blob {
                cx: rng.range(0, w),
                cy: rng.range(0, h),
                rx: r * rng.range(60, 160) / 100,
                ry: r,
                colour: colour(rng, [120, 120, 110], 100),
            }
        })
        .collect();
    for b in &blobs {
        for y in (b.cy - b.ry).max(0)..(b.cy + b.ry).min(h) {
            for x in (b.cx - b.rx).max(0)..(b.cx + b.rx).min(w) {
                // d = squared normalised distance in Q16 (65536 at the rim).
                let (dx, dy) = (x - b.cx, y - b.cy);
                let d = (dx * dx * 65536 / (b.rx * b.rx)) + (dy * dy * 65536 / (b.ry * b.ry));
                if d >= 65536 {
                    continue;
                }
                // Opaque inside, fading over the outer third; lit from the top left.
                let alpha = ((65536 - d) * 3 / 256).min(256);
                let light = 256 - (dx * 40 / b.rx + dy * 40 / b.ry);
                let lit = b.colour.map(|c| (c * light / 256).clamp(0, 255));
                let p = &mut img[(y * w + x) as usize];
                *p = mix(*p, lit, alpha);
            }
        }
    }

    let mut out = Vec::with_capacity(width * height * 3);
    let max_r2 = (w * w + h * h) / 4 + 1;
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x - w / 2, y - h / 2);
            let vignette = 256 - (dx * dx + dy * dy) * 70 / max_r2;
            let v = rng.u32();
            let luma =
                ((v & 0xff) + (v >> 8 & 0xff)) as i64 - ((v >> 16 & 0xff) + (v >> 24)) as i64;
            let c = rng.u32();
            let p = img[(y * w + x) as usize];
            for (i, channel) in p.iter().enumerate() {
                let chroma = (c >> (8 * i) & 7) as i64 - 3;
                let value = channel * vignette / 256 + luma / 40 + chroma / 2;
                out.push(value.clamp(0, 255) as u8);
            }
        }
    }
    out
}
