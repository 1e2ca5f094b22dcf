//! Adaptive map from a small context (e.g. a bit-history state) to a probability.
//! Each entry packs a 22-bit probability (high bits) and a 10-bit hit count (low bits);
//! the update rate is `~1 / (count + 1.5)` until the count reaches `limit`.

#[derive(Clone)]
pub struct StateMap {
    t: Vec<u32>,
    mask: usize,
    limit: u32,
    idx: usize,
}

/// `65536 * 2 / (2n + 3)`: reciprocal step sizes by count.
const fn rates() -> [i32; 1024] {
    let mut t = [0i32; 1024];
    let mut n = 0;
    while n < 1024 {
        t[n] = 131_072 / (2 * n as i32 + 3);
        n += 1;
    }
    t
}

static RATE: [i32; 1024] = rates();

impl StateMap {
    /// `n` contexts (rounded up to a power of two), entry `ctx` starting at `p16_init(ctx)`.
    pub fn new(n: usize, limit: u32, p16_init: impl Fn(usize) -> u32) -> Self {
        let n = n.max(1).next_power_of_two();
        let t = (0..n).map(|i| entry(p16_init(i))).collect();
        StateMap {
            t,
            mask: n - 1,
            limit: limit.min(1023),
            idx: 0,
        }
    }

    /// 16-bit P(1) for context `ctx` (masked to the size); remembers it for `update`.
    #[inline]
    pub fn p(&mut self, ctx: usize) -> u32 {
        self.idx = ctx & self.mask;
        entry_p16(self.t[self.idx])
    }

    /// Moves the last queried entry towards `bit`.
    #[inline]
    pub fn update(&mut self, bit: u32) {
        self.update_at(self.idx, bit);
    }

    /// Moves entry `ctx` (masked) towards `bit`.
    #[inline]
    pub fn update_at(&mut self, ctx: usize, bit: u32) {
        adapt(&mut self.t[ctx & self.mask], bit, self.limit);
    }
}

/// A packed entry holding `p16` (at most 65535), with a count of 0.
pub fn entry(p16: u32) -> u32 {
    (p16.min(65535) << 16) & 0xffff_fc00
}

/// 16-bit P(1) held by a packed entry.
#[inline]
pub fn entry_p16(e: u32) -> u32 {
    e >> 16
}

/// Moves a packed entry towards `bit`; its count saturates at `limit` (at most 1023).
#[inline]
pub fn adapt(e: &mut u32, bit: u32, limit: u32) {
    let n = *e & 1023;
    let p = (*e >> 10) as i64;
    let target = if bit != 0 { (1i64 << 22) - 1 } else { 0 };
    // Every rate is below 1, so `p` moves within `p..=target`: it never leaves 22 bits.
    let p = p + (((target - p) * RATE[n as usize] as i64) >> 16);
    let n = if n < limit.min(1023) { n + 1 } else { n };
    *e = ((p as u32) << 10) | n;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adapting_stays_within_the_packed_fields() {
        for (start, bit) in [(65535, 1), (0, 0), (65535, 0), (0, 1)] {
            let mut e = entry(start);
            for _ in 0..5000 {
                let before = e >> 10;
                adapt(&mut e, bit, 5000);
                let after = e >> 10;
                // Moves towards the bit, never past either end of the 22-bit range.
                assert!(if bit == 1 {
                    after >= before
                } else {
                    after <= before
                });
            }
            assert_eq!(e & 1023, 1023, "the count saturates");
            let p = entry_p16(e);
            assert!(if bit == 1 { p >= 65500 } else { p <= 35 }, "{p}");
        }
    }

    #[test]
    fn learns_a_skewed_source_quickly() {
        let mut sm = StateMap::new(4, 1023, |_| 32768);
        for _ in 0..200 {
            sm.p(1);
            sm.update(1);
        }
        assert!(sm.p(1) > 65000);
        assert_eq!(sm.p(2), 32768);
        for _ in 0..3 {
            sm.p(1);
            sm.update(0);
        }
        assert!(sm.p(1) < 65000);
    }
}
