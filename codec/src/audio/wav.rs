//! Finds the 16-bit PCM sample frames inside a RIFF/WAVE file.
//!
//! Only the layout is extracted; every byte outside the whole sample frames is kept
//! verbatim by the caller, so header quirks never need to be understood, only located.

use super::partners::MAX_CHANNELS;

/// Where the modelled samples lie in a WAV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Interleaved channels per frame (1 to [`MAX_CHANNELS`]).
    pub channels: usize,
    /// Byte offset of the first sample frame.
    pub start: usize,
    /// Number of whole frames (each `2 * channels` bytes) that follow `start`.
    pub frames: usize,
}

/// The GUID tail shared by every `WAVE_FORMAT_EXTENSIBLE` sub-format.
const GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

fn u16_at(data: &[u8], pos: usize) -> Option<u16> {
    Some(u16::from_le_bytes(data.get(pos..pos + 2)?.try_into().ok()?))
}

fn u32_at(data: &[u8], pos: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(pos..pos + 4)?.try_into().ok()?))
}

/// Channel count if `fmt` (the body of a `fmt ` chunk) describes 16-bit integer PCM.
fn pcm16_channels(fmt: &[u8]) -> Option<usize> {
    let tag = u16_at(fmt, 0)?;
    let channels = u16_at(fmt, 2)? as usize;
    let block_align = u16_at(fmt, 12)? as usize;
    let bits = u16_at(fmt, 14)?;
    let pcm = match tag {
        1 => true,
        0xfffe => {
            let sub = fmt.get(24..40)?;
            sub[0..2] == [1, 0] && sub[2..] == GUID_TAIL
        }
        _ => false,
    };
    let ok =
        pcm && bits == 16 && (1..=MAX_CHANNELS).contains(&channels) && block_align == 2 * channels;
    ok.then_some(channels)
}

/// Locates the samples of a 16-bit PCM WAV of 1 to [`MAX_CHANNELS`] channels; `None` for
/// anything else.
pub fn parse(data: &[u8]) -> Option<Layout> {
    if data.get(0..4)? != b"RIFF" || data.get(8..12)? != b"WAVE" {
        return None;
    }
    let mut pos = 12usize;
    let mut channels = None;
    loop {
        let id = data.get(pos..pos + 4)?;
        let size = u32_at(data, pos + 4)? as usize;
        let body = pos + 8;
        if id == b"fmt " {
            let fmt = data.get(body..body.checked_add(size)?)?;
            channels = Some(pcm16_channels(fmt)?);
        } else if id == b"data" {
            let channels = channels?;
            let available = size.min(data.len() - body);
            return Some(Layout {
                channels,
                start: body,
                frames: available / (2 * channels),
            });
        }
        pos = body.checked_add(size)?.checked_add(size & 1)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(tag: u16, channels: u16, bits: u16, data_len: u32) -> Vec<u8> {
        let align = channels * bits / 8;
        let mut h = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0".to_vec();
        h.extend_from_slice(&tag.to_le_bytes());
        h.extend_from_slice(&channels.to_le_bytes());
        h.extend_from_slice(&44100u32.to_le_bytes());
        h.extend_from_slice(&(44100 * align as u32).to_le_bytes());
        h.extend_from_slice(&align.to_le_bytes());
        h.extend_from_slice(&bits.to_le_bytes());
        h.extend_from_slice(b"data");
        h.extend_from_slice(&data_len.to_le_bytes());
        h
    }

    #[test]
    fn finds_frames_and_clips_to_file() {
        let mut f = header(1, 2, 16, 1000);
        f.extend_from_slice(&[0u8; 11]);
        let l = parse(&f).unwrap();
        assert_eq!((l.channels, l.start, l.frames), (2, 44, 2));
    }

    #[test]
    fn accepts_extensible_pcm_only() {
        let ext = |sub: u8| {
            let mut f = b"RIFF\0\0\0\0WAVEfmt \x28\0\0\0\xfe\xff\x02\0".to_vec();
            f.extend_from_slice(&44100u32.to_le_bytes());
            f.extend_from_slice(&(44100u32 * 4).to_le_bytes());
            f.extend_from_slice(&[4, 0, 16, 0, 22, 0, 16, 0, 3, 0, 0, 0, sub, 0]);
            f.extend_from_slice(&GUID_TAIL);
            f.extend_from_slice(b"data\x08\0\0\0");
            f.extend_from_slice(&[0u8; 8]);
            f
        };
        assert_eq!(parse(&ext(1)).map(|l| (l.channels, l.frames)), Some((2, 2)));
        assert_eq!(parse(&ext(3)), None);
    }

    #[test]
    fn rejects_other_formats() {
        for (tag, ch, bits) in [(1, 1, 8), (1, 2, 24), (3, 1, 32), (1, 9, 16), (2, 1, 16)] {
            let mut f = header(tag, ch, bits, 8);
            f.extend_from_slice(&[0u8; 8]);
            assert_eq!(parse(&f), None, "tag {tag} ch {ch} bits {bits}");
        }
        assert_eq!(parse(b"RIFF\0\0\0\0WAVEdata\x04\0\0\0abcd"), None);
    }
}
