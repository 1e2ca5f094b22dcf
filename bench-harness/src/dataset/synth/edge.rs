//! Random bytes and short repeating patterns.

use super::rng::Stream;

pub fn random(rng: &mut Stream, len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    rng.fill(&mut out);
    out
}

/// A random pattern of 3 to 17 bytes repeated to `len`.
pub fn repeats(rng: &mut Stream, len: usize) -> Vec<u8> {
    let period = rng.range(3, 17) as usize;
    let pattern = random(rng, period);
    pattern.iter().copied().cycle().take(len).collect()
}
