//! Flat graphics RGB image (odd width, so rows are padded): a few-colour user-interface
//! layout of uniform panels, bars, borders and blocks of text-like glyphs.

use super::bmp;
use super::rng::Stream;

pub fn width_for(len: usize) -> usize {
    bmp::width_4_3(len, 4, 1)
}

pub fn generate_bmp(rng: &mut Stream, len: usize) -> Vec<u8> {
    let (width, height, gap) = bmp::layout(len, width_for);
    let pixels = render(rng, width, height);
    bmp::encode(width, height, gap, &pixels, len)
}

struct Canvas {
    width: usize,
    height: usize,
    px: Vec<[u8; 3]>,
}

impl Canvas {
    fn fill(&mut self, x0: usize, y0: usize, w: usize, h: usize, c: [u8; 3]) {
        for y in y0.min(self.height)..(y0 + h).min(self.height) {
            let row = y * self.width;
            for x in x0.min(self.width)..(x0 + w).min(self.width) {
                self.px[row + x] = c;
            }
        }
    }

    fn frame(&mut self, x: usize, y: usize, w: usize, h: usize, t: usize, c: [u8; 3]) {
        self.fill(x, y, w, t, c);
        self.fill(x, (y + h).saturating_sub(t), w, t, c);
        self.fill(x, y, t, h, c);
        self.fill((x + w).saturating_sub(t), y, t, h, c);
    }
}

/// 5×7 glyph bitmaps, one bit per pixel, row-major in the low 35 bits.
fn glyphs(rng: &mut Stream) -> Vec<u64> {
    (0..48).map(|_| rng.u64() & ((1 << 35) - 1)).collect()
}

/// Lines of glyph "words" inside the box, at `scale` pixels per glyph dot.
fn text(
    c: &mut Canvas,
    rng: &mut Stream,
    font: &[u64],
    area: (usize, usize, usize, usize),
    scale: usize,
    ink: [u8; 3],
) {
    let (x0, y0, w, h) = area;
    let (cw, ch) = (6 * scale, 10 * scale);
    let mut y = y0;
    while y + ch <= y0 + h {
        let mut x = x0;
        let line_end = x0 + w * rng.range(50, 100) as usize / 100;
        while x + cw <= line_end {
            for _ in 0..rng.range(1, 9) {
                let g = font[rng.index(font.len()) / (1 + rng.index(2))];
                for bit in 0..35 {
                    if g >> bit & 1 == 1 {
                        c.fill(x + bit % 5 * scale, y + bit / 5 * scale, scale, scale, ink);
                    }
                }
                x += cw;
            }
            x += cw;
        }
        y += ch;
    }
}

/// Top-down RGB pixels, `width * height * 3` bytes.
pub fn render(rng: &mut Stream, width: usize, height: usize) -> Vec<u8> {
    let palette: Vec<[u8; 3]> = (0..7)
        .map(|_| {
            let v = rng.u32().to_le_bytes();
            [v[0], v[1], v[2]]
        })
        .collect();
    let (background, bar, panel, border, ink) = (
        [245, 245, 242],
        palette[0],
        [255, 255, 255],
        palette[1],
        [30, 30, 40],
    );
    let mut c = Canvas {
        width,
        height,
        px: vec![background; width * height],
    };
    let font = glyphs(rng);
    let bar_h = (height / 14).max(2);
    c.fill(0, 0, width, bar_h, bar);
    text(
        &mut c,
        rng,
        &font,
        (bar_h / 2, bar_h / 4, width / 2, bar_h / 2),
        (bar_h / 20).max(1),
        panel,
    );
    let side = width / 5;
    c.fill(0, bar_h, side, height.saturating_sub(bar_h), palette[2]);
    text(
        &mut c,
        rng,
        &font,
        (8, bar_h + 8, side.saturating_sub(16), height / 2),
        1,
        ink,
    );
    let mut y = bar_h + 12;
    while y + 40 < height {
        let panel_h = (height * rng.range(8, 30) as usize / 100)
            .min(height - y - 12)
            .max(4);
        let columns = rng.range(1, 3) as usize;
        let inner = width.saturating_sub(side + 24);
        for col in 0..columns {
            let x = side + 12 + col * inner / columns;
            let w = (inner / columns).saturating_sub(12);
            c.fill(x, y, w, panel_h, panel);
            c.frame(x, y, w, panel_h, 2, border);
            if rng.chance(300) {
                c.fill(
                    x + 8,
                    y + 8,
                    w / 3,
                    panel_h.saturating_sub(16),
                    palette[3 + rng.index(4)],
                );
                text(
                    &mut c,
                    rng,
                    &font,
                    (
                        x + w / 3 + 16,
                        y + 8,
                        (w * 2 / 3).saturating_sub(24),
                        panel_h.saturating_sub(16),
                    ),
                    1,
                    ink,
                );
            } else {
                let scale = 1 + rng.index(2);
                text(
                    &mut c,
                    rng,
                    &font,
                    (
                        x + 8,
                        y + 8,
                        w.saturating_sub(16),
                        panel_h.saturating_sub(16),
                    ),
                    scale,
                    ink,
                );
            }
        }
        y += panel_h + 12;
    }
    c.px.into_iter().flatten().collect()
}
