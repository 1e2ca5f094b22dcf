//! Places the labels of a scatter chart so that no two overlap and none covers a point:
//! each label tries positions around its point, nearest first, and takes the first free
//! one; a label with no free position nearby moves further out and gets a leader line.
//! Sizes are pixels; text boxes are estimated generously (see [`CHAR_WIDTH`]).

/// Width of one character of 11-pixel sans-serif text, rounded up so that the estimate
/// covers the widest glyphs of codec names (digits, `m`, `w`).
pub const CHAR_WIDTH: f64 = 7.0;
/// Height of a line of 11-pixel text, with its descenders.
pub const LINE_HEIGHT: f64 = 13.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    fn inside(&self, area: &Rect) -> bool {
        self.x >= area.x
            && self.y >= area.y
            && self.x + self.w <= area.x + area.w
            && self.y + self.h <= area.y + area.h
    }
}

/// Where a label goes: its text box, and whether it sits far enough from its point to need
/// a leader line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    pub rect: Rect,
    pub leader: bool,
}

impl Placed {
    /// The baseline's left end, for an SVG `<text>` anchored at its start.
    pub fn text_origin(&self) -> (f64, f64) {
        (self.rect.x, self.rect.y + LINE_HEIGHT - 3.0)
    }
}

/// Places `labels` (text, point) inside `area`, avoiding each other and every point (drawn
/// with `radius`). Labels are placed in the order given.
pub fn place(labels: &[(&str, (f64, f64))], radius: f64, area: Rect) -> Vec<Placed> {
    let points: Vec<Rect> = labels
        .iter()
        .map(|(_, (x, y))| Rect {
            x: x - radius,
            y: y - radius,
            w: 2.0 * radius,
            h: 2.0 * radius,
        })
        .collect();
    let mut taken: Vec<Rect> = Vec::new();
    let mut out = Vec::new();
    for (text, (px, py)) in labels {
        let w = text.chars().count() as f64 * CHAR_WIDTH;
        let h = LINE_HEIGHT;
        let free = |r: &Rect| {
            r.inside(&area)
                && !taken.iter().any(|t| t.overlaps(r))
                && !points.iter().any(|p| p.overlaps(r))
        };
        let gap = radius + 3.0;
        let mut chosen = None;
        // Rings of growing distance; on each, right, left, above, below, then the diagonals.
        'rings: for ring in 0..12 {
            let d = gap + ring as f64 * 8.0;
            let candidates = [
                (px + d, py - h / 2.0),
                (px - d - w, py - h / 2.0),
                (px - w / 2.0, py - d - h),
                (px - w / 2.0, py + d),
                (px + d * 0.7, py - d * 0.7 - h),
                (px - d * 0.7 - w, py - d * 0.7 - h),
                (px + d * 0.7, py + d * 0.7),
                (px - d * 0.7 - w, py + d * 0.7),
            ];
            for (x, y) in candidates {
                let r = Rect { x, y, w, h };
                if free(&r) {
                    chosen = Some(Placed {
                        rect: r,
                        leader: ring > 1,
                    });
                    break 'rings;
                }
            }
        }
        // Nowhere free nearby: below the plot's other labels, at the area's top left corner
        // stacked downwards, with a leader line.
        let placed = chosen.unwrap_or_else(|| {
            let mut y = area.y;
            loop {
                let r = Rect {
                    x: area.x + 4.0,
                    y,
                    w,
                    h,
                };
                if free(&r) || y > area.y + area.h {
                    break Placed {
                        rect: r,
                        leader: true,
                    };
                }
                y += h + 2.0;
            }
        });
        taken.push(placed.rect);
        out.push(placed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crowded_labels_never_overlap_each_other_or_the_points() {
        let area = Rect {
            x: 0.0,
            y: 0.0,
            w: 600.0,
            h: 300.0,
        };
        // The case of the issue: zstd-cli and zstd:19 at almost the same place, and a
        // crowd of levels around them.
        let mut labels: Vec<(String, (f64, f64))> = vec![
            ("zstd-cli".into(), (300.0, 150.0)),
            ("zstd:19".into(), (302.0, 151.0)),
        ];
        for i in 0..10 {
            labels.push((
                format!("zstd:{i}"),
                (290.0 + 4.0 * i as f64, 140.0 + 2.0 * i as f64),
            ));
        }
        let refs: Vec<(&str, (f64, f64))> = labels.iter().map(|(t, p)| (t.as_str(), *p)).collect();
        let placed = place(&refs, 5.0, area);
        for (i, a) in placed.iter().enumerate() {
            assert!(a.rect.inside(&area), "{i} outside: {a:?}");
            for b in &placed[i + 1..] {
                assert!(!a.rect.overlaps(&b.rect), "{a:?} overlaps {b:?}");
            }
            for (_, (x, y)) in &refs {
                let point = Rect {
                    x: x - 5.0,
                    y: y - 5.0,
                    w: 10.0,
                    h: 10.0,
                };
                assert!(
                    !a.rect.overlaps(&point),
                    "{a:?} covers the point at {x},{y}"
                );
            }
        }
        // A lone point keeps its label right beside it.
        let lone = place(&[("xz:9", (100.0, 100.0))], 5.0, area);
        assert_eq!(lone[0].rect.x, 108.0);
        assert!(!lone[0].leader);
    }
}
