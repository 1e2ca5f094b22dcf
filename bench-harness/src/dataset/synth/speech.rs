//! Speech-like mono 16 kHz WAV: utterances of syllables (an optional noise burst, then a voiced
//! vowel whose pitch pulses excite three decaying formant sinusoids) separated by pauses of
//! near-silence.

use super::rng::Stream;
use super::{sine, wav};

const RATE: u32 = 16_000;
/// Formant frequencies (Hz) of a few vowels.
const VOWELS: [[u32; 3]; 6] = [
    [270, 2290, 3010],
    [730, 1090, 2440],
    [300, 870, 2240],
    [530, 1840, 2480],
    [570, 840, 2410],
    [660, 1720, 2410],
];

fn ms(n: i64) -> usize {
    (n * i64::from(RATE) / 1000) as usize
}

/// A fricative: high-passed noise under a triangular envelope.
fn burst(rng: &mut Stream, out: &mut Vec<i16>, frames: usize, loudness: i32) {
    let mut prev = 0;
    for t in 0..frames {
        let noise = rng.bell() * 8;
        let env = (t.min(frames - t) * 2 * 256 / frames) as i32;
        out.push(wav::clip(((noise - prev) * loudness / 2048 * env) >> 8));
        prev = noise;
    }
}

/// A vowel at `pitch` millihertz, gliding by `glide` millihertz over its length.
fn vowel(
    out: &mut Vec<i16>,
    frames: usize,
    pitch: i64,
    glide: i64,
    formants: [u32; 3],
    loudness: i32,
) {
    let steps = formants.map(|f| sine::increment(u64::from(f) * 1000, RATE));
    let amps = [loudness, loudness * 5 / 8, loudness / 4];
    let mut phases = [0u32; 3];
    let mut until_pulse = 0i64;
    let mut decay = 0i32;
    for t in 0..frames {
        if until_pulse <= 0 {
            let f0 = pitch + glide * t as i64 / frames as i64;
            until_pulse += i64::from(RATE) * 1000 * 1000 / f0;
            phases = [0; 3];
            decay = 32767;
        }
        until_pulse -= 1000;
        let mut v = 0;
        for k in 0..3 {
            v += (amps[k] * sine::sin(phases[k])) >> 15;
            phases[k] = phases[k].wrapping_add(steps[k]);
        }
        let attack = ms(25);
        let env = if t < attack {
            t * 256 / attack
        } else if frames - t < attack * 2 {
            (frames - t) * 128 / attack
        } else {
            256
        } as i32;
        out.push(wav::clip((((v * decay) >> 15) * env) >> 8));
        decay = (decay * 31_400) >> 15;
    }
}

pub fn generate(rng: &mut Stream, len: usize) -> Vec<u8> {
    let frames = wav::frames(len, 1);
    let mut out: Vec<i16> = Vec::with_capacity(frames + ms(2000));
    let base_pitch = rng.range(100_000, 210_000);
    while out.len() < frames {
        let pause = ms(rng.range(250, 1200));
        for _ in 0..pause {
            out.push((rng.bell() >> 7) as i16);
        }
        let syllables = rng.range(2, 12);
        let loudness = rng.range(6000, 14000) as i32;
        for s in 0..syllables {
            if rng.chance(450) {
                let n = ms(rng.range(30, 90));
                burst(rng, &mut out, n, loudness / 3);
            }
            // Pitch falls across the utterance (declination).
            let pitch = base_pitch + rng.range(-15_000, 25_000) - s * 3_000;
            let n = ms(rng.range(80, 250));
            let formants = VOWELS[rng.index(VOWELS.len())];
            vowel(
                &mut out,
                n,
                pitch,
                rng.range(-20_000, 10_000),
                formants,
                loudness,
            );
            let gap = ms(rng.range(10, 60));
            out.resize(out.len() + gap, 0);
        }
    }
    out.truncate(frames);
    wav::encode(1, RATE, &out, len)
}
