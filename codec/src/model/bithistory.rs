//! Bit-history states: one byte `n0 << 4 | n1` counting the zeros and ones seen in a context
//! (each saturating at 15). Seeing a bit discounts the opposite count above 2 (`n / 2 + 1`), so
//! states track recent behaviour; an adaptive map turns a state into a probability.

/// Next state after `bit`, indexed `[state * 2 + bit]`.
#[derive(Clone)]
pub struct BitHistory {
    next: [u8; 512],
}

impl Default for BitHistory {
    fn default() -> Self {
        Self::new()
    }
}

fn discount(n: u8) -> u8 {
    if n > 2 {
        n / 2 + 1
    } else {
        n
    }
}

impl BitHistory {
    pub fn new() -> Self {
        let mut next = [0u8; 512];
        for s in 0..256usize {
            let (n0, n1) = ((s >> 4) as u8, (s & 15) as u8);
            next[s * 2] = ((n0 + 1).min(15) << 4) | discount(n1);
            next[s * 2 + 1] = (discount(n0) << 4) | (n1 + 1).min(15);
        }
        BitHistory { next }
    }

    #[inline]
    pub fn next(&self, state: u8, bit: u32) -> u8 {
        self.next[state as usize * 2 + (bit as usize & 1)]
    }
}

/// How much evidence a state holds (`n0 + n1`), used to pick hash-table victims.
#[inline]
pub fn weight(state: u8) -> u8 {
    (state >> 4) + (state & 15)
}

/// A fair initial 16-bit probability for a state: `(n1 + 0.4) / (n0 + n1 + 0.8)`.
pub fn initial_p16(state: u8) -> u32 {
    let (n0, n1) = ((state >> 4) as u32, (state & 15) as u32);
    (n1 * 10 + 4) * 65536 / ((n0 + n1) * 10 + 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_saturate_and_discount() {
        let h = BitHistory::new();
        let mut s = 0u8;
        for _ in 0..40 {
            s = h.next(s, 1);
        }
        assert_eq!(s, 15);
        s = h.next(s, 0);
        assert_eq!(s, (1 << 4) | 8);
        assert_eq!(weight(s), 9);
        assert!(initial_p16(0x0f) > 60000 && initial_p16(0xf0) < 5000);
    }
}
