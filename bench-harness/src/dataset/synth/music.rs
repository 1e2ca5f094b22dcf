//! Music-like stereo 44.1 kHz WAV: a chord progression with bass, pads and a melody; each note
//! is a few harmonics under an attack/decay/release envelope, panned so the channels are
//! correlated, plus a little noise.

use super::rng::Stream;
use super::{sine, wav};

const RATE: u32 = 44_100;
/// Frames per beat (100 beats per minute).
const BEAT: usize = RATE as usize * 60 / 100;
/// Semitone offsets of the major scale.
const SCALE: [i32; 7] = [0, 2, 4, 5, 7, 9, 11];
/// Chord roots as scale degrees (I, V, vi, IV and variants).
const PROGRESSIONS: [[usize; 4]; 3] = [[0, 4, 5, 3], [0, 5, 3, 4], [5, 3, 0, 4]];

struct Note {
    start: usize,
    frames: usize,
    /// Phase increment of the fundamental.
    step: u32,
    /// Amplitudes of harmonics 1.. (Q15 of full scale).
    harmonics: [i32; 4],
    /// Left and right gains, Q8.
    pan: (i32, i32),
}

fn scale_semitones(degree: i32) -> i32 {
    let octave = degree.div_euclid(7);
    SCALE[degree.rem_euclid(7) as usize] + 12 * octave
}

fn note(rng: &mut Stream, start: usize, frames: usize, semitones: i32, loudness: i32) -> Note {
    let bright = rng.range(2, 6) as i32;
    let pan = rng.range(64, 192) as i32;
    Note {
        start,
        frames,
        step: sine::increment(sine::note_millihertz(semitones), RATE),
        harmonics: [
            loudness,
            loudness * bright / 10,
            loudness * bright / 25,
            loudness / 20,
        ],
        pan: (256 - pan, pan),
    }
}

fn compose(rng: &mut Stream, total: usize) -> Vec<Note> {
    let key = rng.range(-9, 2) as i32;
    let progression = PROGRESSIONS[rng.index(PROGRESSIONS.len())];
    let mut notes = Vec::new();
    let mut bar = 0;
    while bar * 4 * BEAT < total {
        let start = bar * 4 * BEAT;
        let root = progression[bar % 4] as i32;
        notes.push(note(
            rng,
            start,
            4 * BEAT,
            key - 24 + scale_semitones(root),
            5000,
        ));
        for third in [0, 2, 4] {
            let semis = key - 12 + scale_semitones(root + third);
            notes.push(note(rng, start, 4 * BEAT, semis, 1800));
        }
        let mut beat = 0;
        let mut degree = root + 7;
        while beat < 8 {
            let halves = if rng.chance(300) { 2 } else { 1 };
            degree += rng.range(-2, 2) as i32;
            degree = degree.clamp(3, 14);
            if !rng.chance(150) {
                let semis = key + scale_semitones(degree);
                let len = halves * BEAT / 2;
                notes.push(note(rng, start + beat * BEAT / 2, len, semis, 4200));
            }
            beat += halves;
        }
        bar += 1;
    }
    notes
}

/// Envelope in Q12: 10 ms attack, decay to 60% over 200 ms, 60 ms release.
fn envelope(t: usize, len: usize) -> i32 {
    const ATTACK: usize = 441;
    const DECAY: usize = 8820;
    const RELEASE: usize = 2646;
    let mut e = if t < ATTACK {
        (t * 4096 / ATTACK) as i32
    } else if t < ATTACK + DECAY {
        4096 - ((t - ATTACK) * 1638 / DECAY) as i32
    } else {
        2458
    };
    let left = len - t;
    if left < RELEASE {
        e = e * left as i32 / RELEASE as i32;
    }
    e
}

pub fn generate(rng: &mut Stream, len: usize) -> Vec<u8> {
    let frames = wav::frames(len, 2);
    let notes = compose(rng, frames);
    let mut mix = vec![0i32; frames * 2];
    for n in &notes {
        let end = (n.start + n.frames).min(frames);
        let mut phase = 0u32;
        for t in 0..end.saturating_sub(n.start) {
            let mut v = 0;
            for (h, amp) in n.harmonics.iter().enumerate() {
                v += (amp * sine::sin(phase.wrapping_mul(h as u32 + 1))) >> 15;
            }
            v = (v * envelope(t, n.frames)) >> 12;
            let i = (n.start + t) * 2;
            mix[i] += (v * n.pan.0) >> 8;
            mix[i + 1] += (v * n.pan.1) >> 8;
            phase = phase.wrapping_add(n.step);
        }
    }
    let mut samples = Vec::with_capacity(frames * 2);
    // A short cross-channel echo (15 ms) correlates the channels further.
    const ECHO: usize = 2 * 661;
    for i in 0..frames * 2 {
        let echo = if i >= ECHO {
            mix[i - ECHO + 1 - 2 * (i & 1)] / 4
        } else {
            0
        };
        let noise = rng.bell() >> 6;
        samples.push(wav::clip(mix[i] + echo + noise));
    }
    wav::encode(2, RATE, &samples, len)
}
