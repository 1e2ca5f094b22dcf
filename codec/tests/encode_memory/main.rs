//! What compressing holds, counted by the allocator, never timed: an incompressible input's
//! coded bytes are held about once beside it, not once per copy made on the way.

#[path = "../support/meter.rs"]
#[allow(dead_code)]
mod meter;

use std::io::{self, Cursor, Seek, SeekFrom, Write};

#[global_allocator]
static ALLOCATOR: meter::Counting = meter::Counting;

/// An output that keeps nothing, so that only the codec's own memory is counted.
#[derive(Default)]
struct Discard {
    at: u64,
    len: u64,
}

impl Write for Discard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.at += buf.len() as u64;
        self.len = self.len.max(self.at);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for Discard {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.at = match to {
            SeekFrom::Start(at) => at,
            SeekFrom::End(d) => self.len.saturating_add_signed(d),
            SeekFrom::Current(d) => self.at.saturating_add_signed(d),
        };
        Ok(self.at)
    }
}

fn noise(n: usize) -> Vec<u8> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn an_incompressible_input_is_held_with_its_coded_bytes_once() {
    let _alone = meter::alone();
    // Over 4 MiB, so the general model forks; under 64 MiB, so it is coded whole. Its lanes
    // held a copy of every stored byte, then the payload another (3 times the input).
    let data = noise(12 << 20);
    let mut out = Discard::default();
    let (result, peak) = meter::peak_during(|| codec::compress(Cursor::new(&data), &mut out));
    result.unwrap();
    assert_eq!(out.len, data.len() as u64 + 18, "stored");
    assert!(
        peak < data.len() * 9 / 4,
        "{peak} bytes held for {} of input",
        data.len()
    );
}

#[test]
fn the_residual_of_long_repeats_is_held_with_its_coded_bytes_once() {
    let _alone = meter::alone();
    // Noise and a repeat of some of it: the residual (the noise) held its coded bytes twice
    // more, as the residual's payload and as the payload with the references before it.
    let noise = noise(12 << 20);
    let data = [&noise[..], &noise[..2 << 20]].concat();
    let mut out = Discard::default();
    let (result, peak) = meter::peak_during(|| codec::compress(Cursor::new(&data), &mut out));
    result.unwrap();
    assert!(out.len < noise.len() as u64 + 4096, "{} bytes", out.len);
    assert!(
        peak < data.len() * 9 / 4,
        "{peak} bytes held for {} of input",
        data.len()
    );
}
