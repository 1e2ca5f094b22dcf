use super::{decode, encode};

/// Deterministic pseudo-random generator for test signals.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> i32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as i32 & 0xffff) - 0x8000
    }
}

/// Sine-like oscillator in integers: a rotation by a small angle (no libm needed).
fn tone(len: usize, step: i64, amp: i64) -> Vec<i32> {
    let (mut s, mut c) = (0i64, 1i64 << 30);
    (0..len)
        .map(|_| {
            s += (c * step) >> 16;
            c -= (s * step) >> 16;
            ((s * amp) >> 30) as i32
        })
        .collect()
}

fn wav(
    channels: u16,
    bits: u16,
    tag: u16,
    extra_chunk: bool,
    body: &[u8],
    trail: &[u8],
) -> Vec<u8> {
    let align = channels * bits / 8;
    let mut f = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0".to_vec();
    f.extend_from_slice(&tag.to_le_bytes());
    f.extend_from_slice(&channels.to_le_bytes());
    f.extend_from_slice(&44100u32.to_le_bytes());
    f.extend_from_slice(&(44100 * align as u32).to_le_bytes());
    f.extend_from_slice(&align.to_le_bytes());
    f.extend_from_slice(&bits.to_le_bytes());
    if extra_chunk {
        f.extend_from_slice(b"LIST\x05\0\0\0INFOx\0");
    }
    f.extend_from_slice(b"data");
    f.extend_from_slice(&(body.len() as u32).to_le_bytes());
    f.extend_from_slice(body);
    f.extend_from_slice(trail);
    let riff = (f.len() - 8) as u32;
    f[4..8].copy_from_slice(&riff.to_le_bytes());
    f
}

fn pcm(samples: &[i32]) -> Vec<u8> {
    samples
        .iter()
        .flat_map(|&s| (s.clamp(-32768, 32767) as i16).to_le_bytes())
        .collect()
}

/// Stereo music-like signal: two tones per channel, correlated channels, some noise.
fn stereo(frames: usize, noise: i32) -> Vec<i32> {
    let a = tone(frames, 2300, 9000);
    let b = tone(frames, 610, 7000);
    let mut rng = Lcg(7);
    (0..frames)
        .flat_map(|i| {
            let n1 = rng.next() % (noise + 1);
            let n2 = rng.next() % (noise + 1);
            [a[i] + b[i] + n1, a[i] / 2 + b[i] + n2]
        })
        .collect()
}

fn round_trip(file: &[u8]) -> usize {
    let payload = encode(file).expect("a 16-bit PCM WAV");
    assert_eq!(decode(&payload, file.len()).unwrap(), file);
    payload.len()
}

#[test]
fn mono_and_stereo_round_trip() {
    let mono = pcm(&tone(5000, 1500, 20000));
    round_trip(&wav(1, 16, 1, false, &mono, &[]));
    let st = pcm(&stereo(4000, 300));
    round_trip(&wav(2, 16, 1, false, &st, &[]));
    let loud: Vec<i32> = (0..6000)
        .map(|i| if i % 7 < 3 { 32767 } else { -32768 })
        .collect();
    round_trip(&wav(2, 16, 1, false, &pcm(&loud), &[]));
}

#[test]
fn extra_chunks_partial_frames_and_bad_sizes_round_trip() {
    let st = pcm(&stereo(3000, 50));
    round_trip(&wav(2, 16, 1, true, &st, b"\x01\x02\x03"));
    // Declared data size larger than the file, and a partial final frame.
    let mut f = wav(2, 16, 1, true, &st[..st.len() - 1], &[]);
    let pos = f.len() - (st.len() - 1) - 4;
    f[pos..pos + 4].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    round_trip(&f);
}

#[test]
fn other_formats_are_declined() {
    let body = vec![0u8; 6000];
    assert!(encode(&wav(1, 8, 1, false, &body, &[])).is_none());
    assert!(encode(&wav(2, 24, 1, false, &body, &[])).is_none());
    assert!(encode(&wav(1, 32, 3, false, &body, &[])).is_none());
    assert!(encode(b"RIFF....WAVEjunk").is_none());
}

#[test]
fn corrupt_payloads_fail_without_panic() {
    let st = pcm(&stereo(2000, 100));
    let file = wav(2, 16, 1, false, &st, &[]);
    let payload = encode(&file).unwrap();
    for cut in [0, 3, 9, 40, payload.len() / 2] {
        let r = decode(&payload[..cut], file.len());
        assert!(r.map(|d| d != file).unwrap_or(true));
    }
    let mut rng = Lcg(3);
    for _ in 0..20 {
        let mut bad = payload.clone();
        let i = (rng.next().unsigned_abs() as usize) % bad.len();
        bad[i] ^= 0x5a;
        let _ = decode(&bad, file.len());
        let _ = decode(&bad, file.len() + 1);
    }
    assert!(decode(&payload, 3).is_err());
}

#[test]
fn smooth_and_silent_signals_compress_well() {
    let frames = 20000;
    let st = pcm(&stereo(frames, 0));
    let size = round_trip(&wav(2, 16, 1, false, &st, &[]));
    // 80 KB of two clean tones per channel: about 0.5 bits per sample.
    assert!(size < st.len() / 10, "{size}");
    let silent = vec![0u8; 100_000];
    let size = round_trip(&wav(2, 16, 1, false, &silent, &[]));
    assert!(size < 200, "{size}");
}

#[test]
fn long_dual_mono_round_trips_through_mode_probes() {
    let t = tone(70_000, 900, 12000);
    let mut rng = Lcg(11);
    let frames: Vec<i32> = t
        .iter()
        .flat_map(|&v| {
            let v = v + rng.next() % 4;
            [v, v]
        })
        .collect();
    let body = pcm(&frames);
    let size = round_trip(&wav(2, 16, 1, false, &body, &[]));
    // The right channel repeats the left one: it must cost next to nothing.
    assert!(size < body.len() / 6, "{size}");
}

#[test]
fn zero_low_bits_are_not_coded() {
    let coarse: Vec<i32> = stereo(8000, 2000).iter().map(|&s| s & !0xff).collect();
    let body = pcm(&coarse);
    let size = round_trip(&wav(2, 16, 1, false, &body, &[]));
    // Noise of +-2000 would cost about 12 bits a sample with the low bits coded; above
    // the eight wasted bits it is +-8 steps, about 4 bits.
    assert!(size < body.len() / 3, "{size}");
}

#[test]
fn exact_repeats_of_noise_cost_little() {
    let mut rng = Lcg(99);
    let noise: Vec<i32> = (0..20_000).map(|_| rng.next() / 4).collect();
    let once = round_trip(&wav(1, 16, 1, false, &pcm(&noise), &[]));
    let mut twice = noise.clone();
    twice.extend_from_slice(&noise[5_000..]);
    let both = round_trip(&wav(1, 16, 1, false, &pcm(&twice), &[]));
    // The repeated 15,000 samples cost well under a tenth of their first coding.
    assert!(both < once + once / 10, "once {once}, with repeat {both}");
}

#[test]
fn long_files_are_coded_as_two_halves_and_bad_half_lengths_are_errors() {
    let mut rng = Lcg(5);
    let values: Vec<i32> = tone(super::SPLIT_MIN_VALUES, 700, 15000)
        .iter()
        .map(|&v| v + rng.next() % 64)
        .collect();
    let file = wav(1, 16, 1, false, &pcm(&values), &[]);
    let payload = encode(&file).unwrap();
    assert_eq!(decode(&payload, file.len()).unwrap(), file);
    // The first half's coded length follows the fixed header and the 44 header bytes.
    let at = super::FIXED_HEADER + 44;
    let first = u32::from_le_bytes(payload[at..at + 4].try_into().unwrap()) as usize;
    let rest = payload.len() - at - 4;
    // Two halves of the same signal code to about the same size.
    assert!(
        first > rest / 3 && first < rest * 2 / 3,
        "{first} of {rest}"
    );
    for bad in [rest as u32 + 1, u32::MAX] {
        let mut p = payload.clone();
        p[at..at + 4].copy_from_slice(&bad.to_le_bytes());
        assert!(decode(&p, file.len()).is_err());
    }
}

#[test]
fn copied_and_scaled_channels_of_a_six_channel_file_cost_little() {
    // Six channels: left, right, right, left, left / 2, right / 2 (a 5.1 layout made by
    // upmixing stereo). Before version 3 such files went to the general model.
    let lr = stereo(20_000, 300);
    let six: Vec<i32> = lr
        .chunks_exact(2)
        .flat_map(|f| [f[0], f[1], f[1], f[0], f[0] >> 1, f[1] >> 1])
        .collect();
    let two = round_trip(&wav(2, 16, 1, false, &pcm(&lr), &[]));
    let file = wav(6, 16, 1, false, &pcm(&six), &[]);
    let size = round_trip(&file);
    assert!(size < two + two / 2, "stereo {two}, six channels {size}");
    let mut payload = encode(&file).expect("six channels are modelled");
    assert_eq!(payload[0], 3, "payload version with partners");
    payload[12 + 2] = 2;
    assert!(
        decode(&payload, file.len()).is_err(),
        "a channel paired with itself"
    );
}

#[test]
fn every_channel_count_up_to_eight_round_trips() {
    let lr = stereo(3_000, 2000);
    for channels in 3..=8 {
        let samples: Vec<i32> = lr
            .chunks_exact(2)
            .flat_map(|f| (0..channels).map(move |c| f[c % 2] / (c as i32 + 1) + c as i32))
            .collect();
        round_trip(&wav(channels as u16, 16, 1, false, &pcm(&samples), b"x"));
    }
    let nine: Vec<i32> = lr.iter().cycle().take(9 * 3_000).copied().collect();
    assert!(encode(&wav(9, 16, 1, false, &pcm(&nine), &[])).is_none());
}
