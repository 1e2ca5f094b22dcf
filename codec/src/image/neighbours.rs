//! Positions of the causal neighbours of a pixel, with replication at the borders:
//! outside the first row every missing neighbour copies N (or W/NE as below); on the
//! first row they copy W; the very first pixel points at itself (its arrays still hold
//! the zero they were created with when it is read).

/// Neighbour indices into a `width * height` plane and into a two-row ring buffer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Neighbours {
    pub w: usize,
    pub n: usize,
    pub nw: usize,
    pub ne: usize,
    pub ww: usize,
    pub nn: usize,
    pub nne: usize,
    /// Ring-buffer (row parity * width + x) indices of W, N, NW, NE, WW and the pixel itself.
    pub ring: [usize; 6],
}

pub const RING_W: usize = 0;
pub const RING_N: usize = 1;
pub const RING_NW: usize = 2;
pub const RING_NE: usize = 3;
pub const RING_WW: usize = 4;
pub const RING_CUR: usize = 5;

impl Neighbours {
    pub fn at(x: usize, y: usize, width: usize) -> Self {
        let i = y * width + x;
        let cur = (y & 1) * width;
        let prev = ((y + 1) & 1) * width;
        // Positions as (plane index, ring index).
        let (w, n, nw, ne, ww, nn, nne);
        let (rw, rn, rnw, rne, rww);
        if y == 0 {
            w = if x > 0 { i - 1 } else { i };
            ww = if x > 1 { i - 2 } else { w };
            rw = if x > 0 { cur + x - 1 } else { cur + x };
            rww = if x > 1 { cur + x - 2 } else { rw };
            n = w;
            nw = w;
            ne = w;
            nn = w;
            nne = w;
            rn = rw;
            rnw = rw;
            rne = rw;
        } else {
            n = i - width;
            rn = prev + x;
            nn = if y > 1 { n - width } else { n };
            if x > 0 {
                w = i - 1;
                nw = n - 1;
                rw = cur + x - 1;
                rnw = prev + x - 1;
            } else {
                w = n;
                nw = n;
                rw = rn;
                rnw = rn;
            }
            if x > 1 {
                ww = i - 2;
                rww = cur + x - 2;
            } else {
                ww = w;
                rww = rw;
            }
            if x + 1 < width {
                ne = n + 1;
                rne = prev + x + 1;
            } else {
                ne = n;
                rne = rn;
            }
            nne = if y > 1 && x + 1 < width { nn + 1 } else { ne };
        }
        Neighbours {
            w,
            n,
            nw,
            ne,
            ww,
            nn,
            nne,
            ring: [rw, rn, rnw, rne, rww, cur + x],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interior_and_borders() {
        let n = Neighbours::at(2, 2, 5);
        assert_eq!(
            (n.w, n.n, n.nw, n.ne, n.ww, n.nn, n.nne),
            (11, 7, 6, 8, 10, 2, 3)
        );
        let e = Neighbours::at(4, 1, 5);
        assert_eq!((e.ne, e.nne), (4, 4));
        let l = Neighbours::at(0, 1, 5);
        assert_eq!((l.w, l.nw, l.ww), (0, 0, 0));
        let t = Neighbours::at(3, 0, 5);
        assert_eq!((t.w, t.n, t.ne, t.ww), (2, 2, 2, 1));
    }
}
