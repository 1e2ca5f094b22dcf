//! Integer sine: a 4096-entry Q15 table computed at compile time from a Taylor series in Q60
//! fixed point, with linear interpolation. No floating point, so identical everywhere.

const STEPS: usize = 4096;
/// π · 2^60, rounded.
const PI_Q60: i128 = 3_622_009_729_038_561_421;
const ONE_Q60: i128 = 1 << 60;

/// sin(x) · 2^60 for `x` (Q60 radians) in [0, π/2].
const fn taylor_sin(x: i128) -> i128 {
    let x2 = x * x / ONE_Q60;
    let mut term = x;
    let mut sum = x;
    let mut k = 1;
    while k < 14 {
        term = -term * x2 / ONE_Q60 / ((2 * k) * (2 * k + 1));
        sum += term;
        k += 1;
    }
    sum
}

const fn build() -> [i16; STEPS] {
    let mut table = [0i16; STEPS];
    let mut i = 0;
    while i <= STEPS / 4 {
        // Angle 2π·i/STEPS = π·i/(STEPS/2).
        let s = taylor_sin(PI_Q60 * i as i128 / (STEPS as i128 / 2));
        let v = ((s * 32767 + ONE_Q60 / 2) / ONE_Q60) as i16;
        table[i] = v;
        table[STEPS / 2 - i] = v;
        if i > 0 {
            table[STEPS - i] = -v;
        }
        table[STEPS / 2 + i] = -v;
        i += 1;
    }
    table
}

static TABLE: [i16; STEPS] = build();

/// sin(2π · phase / 2^32) · 32767, in -32767..=32767.
pub fn sin(phase: u32) -> i32 {
    let i = (phase >> 20) as usize;
    let frac = ((phase >> 4) & 0xffff) as i32;
    let a = i32::from(TABLE[i]);
    let b = i32::from(TABLE[(i + 1) % STEPS]);
    a + (((b - a) * frac) >> 16)
}

/// Phase increment per sample for `millihertz` at `rate` samples per second.
pub fn increment(millihertz: u64, rate: u32) -> u32 {
    ((millihertz << 32) / (1000 * u64::from(rate))) as u32
}

/// Frequency in millihertz of `semitones` above (or below) A4 = 440 Hz, equal temperament.
pub fn note_millihertz(semitones: i32) -> u64 {
    /// 2^(1/12) · 2^30, rounded.
    const SEMITONE_Q30: i128 = 1_137_589_835;
    let mut f: i128 = 440_000 << 20;
    for _ in 0..semitones.unsigned_abs() {
        f = if semitones > 0 {
            (f * SEMITONE_Q30) >> 30
        } else {
            (f << 30) / SEMITONE_Q30
        };
    }
    (f >> 20) as u64
}
