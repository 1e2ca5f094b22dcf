//! 16-bit PCM WAV container: 44-byte RIFF header then interleaved little-endian samples.

pub const HEADER: u64 = 44;

/// The largest valid size ≤ `size` holding whole frames of `block_align` bytes.
pub fn round_size(size: u64, block_align: u64) -> u64 {
    let size = size.max(HEADER + block_align);
    HEADER + (size - HEADER) / block_align * block_align
}

/// Frames of `channels` 16-bit samples that fit in a file of `len` bytes.
pub fn frames(len: usize, channels: usize) -> usize {
    len.saturating_sub(HEADER as usize) / (2 * channels)
}

/// A WAV file of exactly `len` bytes holding `samples` (interleaved); bytes beyond the last
/// whole frame (only for sizes not produced by `plan`) are zero.
pub fn encode(channels: u16, rate: u32, samples: &[i16], len: usize) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let block_align = channels * 2;
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
    out.extend_from_slice(&block_align.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out.resize(len, 0);
    out.truncate(len);
    out
}

/// Saturates a mixed sample to 16 bits.
pub fn clip(v: i32) -> i16 {
    v.clamp(-32768, 32767) as i16
}
