//! Adaptive probability map (secondary estimation): refines a probability given a context by
//! interpolating between 33 learned points over the stretched domain `-2048..=2048`.

use super::logit16::Logit16;

#[derive(Clone)]
pub struct Apm {
    t: Vec<u16>,
    mask: usize,
    idx: usize,
    rate: u32,
}

impl Apm {
    /// `n` contexts (rounded up to a power of two); `rate` is the update shift (higher = slower).
    pub fn new(n: usize, rate: u32) -> Self {
        let n = n.max(1).next_power_of_two();
        let l = Logit16::new();
        let mut t = Vec::with_capacity(n * 33);
        for _ in 0..n {
            for j in 0..33 {
                t.push(l.squash((j - 16) * 128) as u16);
            }
        }
        Apm {
            t,
            mask: n - 1,
            idx: 0,
            rate,
        }
    }

    /// Refined 16-bit P(1) for stretched input `st` in context `ctx` (masked to the size).
    #[inline]
    pub fn p(&mut self, st: i32, ctx: usize) -> u32 {
        let s = st.clamp(-2047, 2047) + 2048;
        let w = (s & 127) as u32;
        let base = (ctx & self.mask) * 33 + (s >> 7) as usize;
        self.idx = base + (w >> 6) as usize;
        (self.t[base] as u32 * (128 - w) + self.t[base + 1] as u32 * w) >> 7
    }

    /// Moves the point nearest the last query towards `bit`.
    #[inline]
    pub fn update(&mut self, bit: u32) {
        let v = &mut self.t[self.idx];
        let target = if bit != 0 { 65535i32 } else { 0 };
        let cur = *v as i32;
        let d = target - cur;
        // Round away from the current value so the point can reach both ends of the range.
        let step = if d > 0 {
            (d + (1 << self.rate) - 1) >> self.rate
        } else {
            d >> self.rate
        };
        *v = (cur + step).clamp(0, 65535) as u16;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_near_identity_and_adapts() {
        let mut a = Apm::new(2, 6);
        let p = a.p(0, 1);
        assert!((p as i32 - 32768).abs() < 64);
        for _ in 0..500 {
            a.p(0, 1);
            a.update(0);
        }
        assert!(a.p(0, 1) < 2000);
        assert!((a.p(0, 0) as i32 - 32768).abs() < 64);
    }

    #[test]
    fn reaches_both_ends_of_the_range() {
        let mut a = Apm::new(1, 6);
        for _ in 0..3000 {
            a.p(2047, 0);
            a.update(1);
        }
        assert!(a.p(2047, 0) >= 65534, "{}", a.p(2047, 0));
        for _ in 0..3000 {
            a.p(-2047, 0);
            a.update(0);
        }
        assert!(a.p(-2047, 0) <= 1);
    }
}
