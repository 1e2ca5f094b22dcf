//! Pixel prediction: a set of simple sub-predictors (spatial ones on the plane being coded,
//! and cross-plane ones that add the already-coded reference plane's local change), blended
//! by weights inversely proportional to each sub-predictor's recent error around the pixel
//! (the idea of JPEG XL's self-correcting weighted predictor).
//! All predictions are in eighths of a sample value.

/// Most sub-predictors any plane uses.
pub const K: usize = 19;

/// Values of one plane around the current pixel.
#[derive(Clone, Copy, Debug, Default)]
pub struct Window {
    pub w: i32,
    pub n: i32,
    pub nw: i32,
    pub ne: i32,
    pub ww: i32,
    pub nn: i32,
    pub nne: i32,
}

/// A reference plane (already coded at this pixel): its window and its current value.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reference {
    pub win: Window,
    pub cur: i32,
}

/// Median edge detector of LOCO-I.
#[inline]
pub fn med(w: i32, n: i32, nw: i32) -> i32 {
    let (lo, hi) = if w < n { (w, n) } else { (n, w) };
    if nw >= hi {
        lo
    } else if nw <= lo {
        hi
    } else {
        w + n - nw
    }
}

impl Window {
    /// Element-wise difference `self - other`.
    pub fn minus(&self, o: &Window) -> Window {
        Window {
            w: self.w - o.w,
            n: self.n - o.n,
            nw: self.nw - o.nw,
            ne: self.ne - o.ne,
            ww: self.ww - o.ww,
            nn: self.nn - o.nn,
            nne: self.nne - o.nne,
        }
    }
}

/// The eight spatial sub-predictions of a window, plus `base` (eighths).
/// `te`: true errors (prediction - value, eighths) of the final prediction at W, N, NW, NE.
fn spatial(c: &Window, te: [i32; 4], base: i32, out: &mut [i32]) {
    let [te_w, te_n, te_nw, te_ne] = te;
    out[0] = base + (c.w + c.ne - c.n) * 8;
    out[1] = base + c.n * 8 - (((te_w + te_n + te_ne) * 16) >> 5);
    out[2] = base + c.w * 8 - (((te_w + te_n + te_nw) * 10) >> 5);
    out[3] = base + c.n * 8 - (((te_nw + te_n + te_ne) * 7) >> 5);
    out[4] = base + med(c.w, c.n, c.nw) * 8;
    out[5] = base + (c.w + c.ne) * 4;
    out[6] = base + (c.n + c.ne - c.nne) * 8;
    out[7] = base + (c.w + c.n - c.nw) * 8;
}

/// Fills `out` with the sub-predictions for a plane; returns how many there are.
/// With references, the spatial set runs on the difference to the first reference
/// (whose value here is known), and a second reference adds two more of that kind.
pub fn sub_predictions(c: &Window, te: [i32; 4], refs: &[Reference], out: &mut [i32; K]) -> usize {
    match refs {
        [] => {
            spatial(c, te, 0, &mut out[..8]);
            8
        }
        [g, rest @ ..] => {
            let d = c.minus(&g.win);
            spatial(&d, te, g.cur * 8, &mut out[..8]);
            spatial(c, te, 0, &mut out[8..16]);
            let mut k = 16;
            if let Some(r) = rest.first() {
                let d = c.minus(&r.win);
                out[16] = (r.cur + d.w + d.n - d.nw) * 8;
                out[17] = (r.cur + med(d.w, d.n, d.nw)) * 8;
                k = 18;
            }
            k
        }
    }
}

/// Blends `preds[..k]` with weights from `err_sums` (each predictor's summed recent absolute
/// error, eighths); returns the blended prediction in eighths. `soft` is added to every
/// error sum: larger values flatten the weights.
pub fn blend(preds: &[i32; K], err_sums: &[u32; K], k: usize, soft: u64) -> i32 {
    let mut num: i64 = 0;
    let mut den: i64 = 0;
    for i in 0..k {
        let e = err_sums[i] as u64 + soft;
        // f64 division is exactly rounded (IEEE 754), so this is the same on every machine.
        let w = ((1u64 << 40) as f64 / (e * e) as f64).max(1.0) as i64;
        num += w * preds[i] as i64;
        den += w;
    }
    ((num + den / 2).div_euclid(den)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn med_picks_the_edge_side() {
        assert_eq!(med(10, 20, 25), 10);
        assert_eq!(med(10, 20, 5), 20);
        assert_eq!(med(10, 20, 15), 15);
    }

    #[test]
    fn blend_prefers_the_accurate_predictor() {
        let mut preds = [0; K];
        preds[0] = 800;
        preds[1] = 1600;
        let mut errs = [0; K];
        errs[0] = 4;
        errs[1] = 400;
        let p = blend(&preds, &errs, 2, 4);
        assert!((800..820).contains(&p), "{p}");
    }
}
