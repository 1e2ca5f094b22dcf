//! Codes a band of rows of an image, plane by plane within each pixel (plane 0 is green,
//! then red and blue which use the planes coded before them as references, then alpha).
//! The same function encodes (given the planes) and decodes (given none).
//!
//! Per sample: the sub-predictors of [`super::predict`] plus an NLMS predictor are blended
//! by their recent errors (sharp blend = the prediction, soft blend = a hint); the residual
//! is coded by [`ResidualModel`] under contexts made of: local error activity, the
//! reference planes' errors at this pixel, neighbour errors, disagreement between the
//! prediction and other predictors (MED, colour-difference gradient, soft blend, best
//! sub-predictor, NLMS), equality flags for flat graphics, position in the 8x8 grid (JPEG
//! block artefacts of decoded photos), and three hashes of exact neighbouring values.

use super::lms::{self, Lms};
use super::neighbours::{Neighbours, RING_CUR, RING_N, RING_NE, RING_NW, RING_W, RING_WW};
use super::predict::{blend, med, sub_predictions, Reference, Window, K};
use super::residual::{Contexts, ResidualModel};
use crate::error::invalid;
use crate::grow;
use crate::model::adaptive_bit::BitIo;
use std::io;

/// Planes at most (green, red, blue, alpha).
pub const MAX_PLANES: usize = 4;
const NT: usize = 10;
/// Slowest learning rates (as counts) of the fixed and the hashed context tables.
const FIXED_LIMIT: u32 = 1023;
const HASHED_LIMIT: u32 = 127;
/// Slots of each hashed context table, at most (fewer for small bands).
const MAX_HASH_SLOTS: usize = 1 << 17;

/// Log-like quantiser: 0,1,2,3 exact, then two steps per octave.
#[inline]
fn qlog(v: u32) -> usize {
    if v < 4 {
        v as usize
    } else {
        let b = 31 - v.leading_zeros();
        (2 * b + ((v >> (b - 1)) & 1)) as usize
    }
}

/// Signed quantiser into `2 * lim + 1` levels.
#[inline]
fn qsigned(v: i32, lim: usize) -> usize {
    let m = qlog(v.unsigned_abs()).min(lim);
    if v < 0 {
        lim - m
    } else {
        lim + m
    }
}

#[inline]
fn sign3(v: i32) -> usize {
    (v.signum() + 1) as usize
}

const QA: usize = 24;
const FIXED_SIZES: [usize; NT - 3] = [
    MAX_PLANES * QA * 4,
    MAX_PLANES * 8 * 13 * 7,
    MAX_PLANES * 9 * 9 * 8,
    MAX_PLANES * 11 * 11 * 11 * 4,
    MAX_PLANES * 64 * 4 * 4,
    MAX_PLANES * 64 * 8,
    MAX_PLANES * 13 * 11 * 4,
];

/// Slot of a hashed context made of exact sample values.
#[inline]
fn hash_slot(vals: &[i32], slots: usize) -> usize {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    for &v in vals {
        h = (h ^ v as u32 as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93);
        h ^= h >> 29;
    }
    (h >> 20) as usize & (slots - 1)
}
const MIXER_SETS: usize = MAX_PLANES * 8;
const APM1: usize = MAX_PLANES * QA;
const APM2: usize = MAX_PLANES * 13 * 3;
const APM3: usize = MAX_PLANES * 11 * 11;

/// Per-plane state of the band being coded.
struct Plane {
    /// True error of the final prediction (prediction - value, eighths), two-row ring (the
    /// ring of [`Neighbours`]: W, N, NW and NE are read).
    te: Vec<i32>,
    /// Absolute error of each sub-predictor, two-row ring, `K` per pixel.
    sub_err: Vec<u16>,
}

/// Codes `planes` pixels of a `width * height` band. `src` holds the planes when encoding
/// (each `width * height` bytes); the coded (or decoded) planes are returned. Fails when a
/// decoder needs a byte past its input, or memory is refused.
pub fn code_strip<IO: BitIo>(
    io: &mut IO,
    width: usize,
    height: usize,
    planes: usize,
    src: Option<&[Vec<u8>]>,
) -> io::Result<Vec<Vec<u8>>> {
    let len = width * height;
    let mut st: Vec<Plane> = (0..planes)
        .map(|_| Plane {
            te: vec![0; 2 * width],
            sub_err: vec![0; 2 * width * K],
        })
        .collect();
    let mut out: Vec<Vec<u8>> = vec![Vec::new(); planes];
    let slots = (len / 4).next_power_of_two().clamp(256, MAX_HASH_SLOTS);
    let mut sizes = [slots; NT];
    sizes[..NT - 3].copy_from_slice(&FIXED_SIZES);
    let mut limits = [HASHED_LIMIT; NT];
    limits[..NT - 3].fill(FIXED_LIMIT);
    let mut model = ResidualModel::<NT>::new(sizes, limits, MIXER_SETS, [APM1, APM2, APM3]);
    let mut preds = [0i32; K];
    let mut lmss: Vec<Lms> = (0..planes).map(|_| Lms::new()).collect();
    let mut errs = [0u32; K];
    for y in 0..height {
        // Rows are added as they are coded: a decoder's memory follows what it decoded.
        let rows_end = (y + 1) * width;
        for out in &mut out {
            grow::room(out, width, len, "image model output")?;
            out.resize(rows_end, 0);
        }
        for x in 0..width {
            if io.exhausted() {
                return Err(invalid(
                    "image model: coded band ended before its pixels".into(),
                ));
            }
            let nb = Neighbours::at(x, y, width);
            let i = y * width + x;
            let mut refs = [Reference::default(); 2];
            // Unused references must not leak earlier pixels into the hashed contexts.
            let mut prev_te = [0i32; 2];
            for p in 0..planes {
                let nrefs = match p {
                    1 => 1,
                    2 => 2,
                    _ => 0,
                };
                // The plane's pixels so far are its output (the pixel itself, read only at
                // the very first, is still the zero it was created with).
                let win = {
                    let px = &out[p];
                    Window {
                        w: px[nb.w].into(),
                        n: px[nb.n].into(),
                        nw: px[nb.nw].into(),
                        ne: px[nb.ne].into(),
                        ww: px[nb.ww].into(),
                        nn: px[nb.nn].into(),
                        nne: px[nb.nne].into(),
                    }
                };
                let r = nb.ring;
                let tev = &st[p].te;
                let te = [
                    tev[r[RING_W]],
                    tev[r[RING_N]],
                    tev[r[RING_NW]],
                    tev[r[RING_NE]],
                ];
                let k = sub_predictions(&win, te, &refs[..nrefs], &mut preds);
                let mut feats = [0i32; lms::INPUTS];
                feats[..6].copy_from_slice(&[
                    win.n - win.w,
                    win.nw - win.w,
                    win.ne - win.w,
                    win.ww - win.w,
                    win.nn - win.w,
                    win.nne - win.w,
                ]);
                for (j, r) in refs[..nrefs].iter().enumerate() {
                    feats[6 + 4 * j..10 + 4 * j].copy_from_slice(&[
                        r.cur - r.win.w,
                        r.cur - r.win.n,
                        r.cur - r.win.nw,
                        r.cur - r.win.ne,
                    ]);
                }
                let lms_pred = lmss[p].predict(win.w, &feats[..6 + 4 * nrefs]);
                preds[k] = lms_pred;
                let k = k + 1;
                let se = &st[p].sub_err;
                let mut min_err = u32::MAX;
                let mut best = 0;
                for (j, e) in errs.iter_mut().enumerate().take(k) {
                    let s = se[r[RING_W] * K + j] as u32
                        + se[r[RING_N] * K + j] as u32
                        + se[r[RING_NW] * K + j] as u32
                        + se[r[RING_WW] * K + j] as u32
                        + se[r[RING_NE] * K + j] as u32;
                    *e = s;
                    if s < min_err {
                        min_err = s;
                        best = j;
                    }
                }
                let pred8 = blend(&preds, &errs, k, 4);
                let soft8 = blend(&preds, &errs, k, 32);
                let act = te[0].unsigned_abs()
                    + te[1].unsigned_abs()
                    + (te[2].unsigned_abs() + te[3].unsigned_abs()) / 2;
                let qa = qlog(act).min(QA - 1);
                let qa8 = qa / 3;
                let pred8 = pred8.clamp(0, 255 * 8);
                let pred = (pred8 + 4) >> 3;

                let d1 = med(win.w, win.n, win.nw) * 8 - pred8;
                let (d2, rg, rg2) = if nrefs > 0 {
                    (preds[7] - pred8, prev_te[0], prev_te[1])
                } else {
                    (win.w * 8 - pred8, 0, 0)
                };
                let d3 = soft8 - pred8;
                let qw8 = qlog(min_err / 2).min(23) / 3;
                let mut eq = (win.w == win.n) as usize
                    | ((win.n == win.ne) as usize) << 1
                    | ((win.n == win.nw) as usize) << 2
                    | ((win.w == win.ww) as usize) << 3;
                if nrefs > 0 {
                    let g = &refs[0];
                    eq |= ((g.cur == g.win.w) as usize) << 4 | ((g.cur == g.win.n) as usize) << 5;
                }
                let zeros = (te[0] == 0) as usize | ((te[1] == 0) as usize) << 1;
                let ctx = Contexts {
                    table: [
                        (p * QA + qa) * 4 + ((pred8 & 7) >> 1) as usize,
                        ((p * 8 + qa8) * 13 + qsigned(rg, 6)) * 7 + qsigned(rg2, 3),
                        ((p * 9 + qsigned(te[0], 4)) * 9 + qsigned(te[1], 4)) * 8 + qw8,
                        (((p * 11 + qsigned(d1 / 2, 5)) * 11 + qsigned(d2 / 2, 5)) * 11
                            + qsigned(d3 / 2, 5))
                            * 4
                            + qa8 / 2,
                        ((p * 64 + eq) * 4 + zeros) * 4 + qa8 / 2,
                        ((p * 8 + (x & 7)) * 8 + (y & 7)) * 8 + qa8,
                        ((p * 13 + qsigned(preds[best] - pred8, 6)) * 11
                            + qsigned((lms_pred - pred8) / 2, 5))
                            * 4
                            + ((pred8 & 7) >> 1) as usize,
                        hash_slot(
                            &[
                                p as i32,
                                win.w,
                                win.n,
                                win.nw,
                                win.ne,
                                pred,
                                refs[0].cur,
                                refs[1].cur,
                            ],
                            slots,
                        ),
                        hash_slot(&[p as i32 + 16, win.w, win.n, pred, refs[0].cur], slots),
                        hash_slot(
                            &[
                                p as i32 + 32,
                                win.w,
                                win.ww,
                                win.n,
                                win.nw,
                                win.ne,
                                win.nn,
                                win.nne,
                                refs[0].cur,
                                refs[1].cur,
                            ],
                            slots,
                        ),
                    ],
                    mixer: p * 8 + qa8,
                    apm1: p * QA + qa,
                    apm2: (p * 13 + qsigned(if nrefs > 0 { rg } else { te[1] }, 6)) * 3
                        + sign3(te[0]),
                    apm3: (p * 11 + qsigned(d1 / 2, 5)) * 11 + qsigned(d2 / 2, 5),
                };
                let value = src.map_or(0, |s| s[p][i] as i32);
                let res = model.code(io, &ctx, value - pred, pred, 255 - pred);
                let v = pred + res;

                // Updates.
                let plane = &mut st[p];
                lmss[p].update(v * 8 - lms_pred);
                let true_err = pred8 - v * 8;
                plane.te[r[RING_CUR]] = true_err;
                let cur = r[RING_CUR] * K;
                for (e, &pj) in plane.sub_err[cur..cur + k].iter_mut().zip(&preds[..k]) {
                    *e = (pj - v * 8).unsigned_abs().min(65535) as u16;
                }
                out[p][i] = v as u8;
                if p < 2 {
                    refs[p] = Reference { win, cur: v };
                    prev_te[p] = true_err;
                }
            }
        }
    }
    Ok(out)
}
