//! Where deflate streams may start: after a gzip member header, a zlib header (PNG, PDF,
//! many formats) or a ZIP local file header with method 8. Found by content, anywhere; a
//! stream only counts if the checksum its wrapper stores matches its decoded bytes, so
//! bytes that merely look like a stream (in pixels, samples, noise) are never taken.

use crate::crc32::crc32;

/// The checksum a wrapper stores for the decoded bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// zlib: Adler-32, big-endian, right after the stream.
    Adler32,
    /// gzip: CRC-32 and the length mod 2^32, little-endian, right after the stream.
    Gzip,
    /// ZIP: CRC-32 from the local header, or (flag bit 3) from the data descriptor after
    /// the stream.
    Zip { crc: Option<u32> },
}

impl Check {
    /// Bytes of the checksum after the stream that ends at `end` in `data` (read by
    /// [`Self::holds`]).
    pub fn bytes_after(self, data: &[u8], end: usize) -> usize {
        match self {
            Check::Adler32 => 4,
            Check::Gzip => 8,
            Check::Zip { crc: Some(_) } => 0,
            Check::Zip { crc: None } if data.get(end..end + 4) == Some(b"PK\x07\x08") => 8,
            Check::Zip { crc: None } => 4,
        }
    }

    /// Whether the stream that ends at `end` in `data` and decodes to `decoded` carries a
    /// matching checksum.
    pub fn holds(self, data: &[u8], end: usize, decoded: &[u8]) -> bool {
        let word = |at: usize| data.get(at..at + 4).map(|b| [b[0], b[1], b[2], b[3]]);
        match self {
            Check::Adler32 => word(end).map(u32::from_be_bytes) == Some(adler32(decoded)),
            Check::Gzip => {
                word(end).map(u32::from_le_bytes) == Some(crc32(decoded))
                    && word(end + 4).map(u32::from_le_bytes) == Some(decoded.len() as u32)
            }
            Check::Zip { crc: Some(crc) } => crc == crc32(decoded),
            Check::Zip { crc: None } => {
                let signed = word(end) == Some(*b"PK\x07\x08");
                let at = if signed { end + 4 } else { end };
                word(at).map(u32::from_le_bytes) == Some(crc32(decoded))
            }
        }
    }
}

pub fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that can be summed before `b` could overflow.
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    b << 16 | a
}

/// The byte offset of a deflate stream and its wrapper's check, if a wrapper header
/// starts at `at`.
pub fn deflate_start(data: &[u8], at: usize) -> Option<(usize, Check)> {
    match *data.get(at)? {
        0x1f => gzip(data, at),
        b'P' => zip(data, at),
        _ => zlib_header(data, at).then_some((at + 2, Check::Adler32)),
    }
}

/// Whether a zlib header (deflate, window up to 32 KiB, no preset dictionary) is at `at`.
pub fn zlib_header(data: &[u8], at: usize) -> bool {
    let (Some(&cmf), Some(&flg)) = (data.get(at), data.get(at + 1)) else {
        return false;
    };
    cmf & 0x0f == 8
        && cmf >> 4 <= 7
        && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
        && flg & 0x20 == 0
}

fn gzip(data: &[u8], at: usize) -> Option<(usize, Check)> {
    let header = data.get(at..at + 10)?;
    if header[..3] != [0x1f, 0x8b, 8] || header[3] & 0xe0 != 0 {
        return None;
    }
    let flags = header[3];
    let mut p = at + 10;
    if flags & 4 != 0 {
        let extra = data.get(p..p + 2)?;
        p += 2 + usize::from(u16::from_le_bytes([extra[0], extra[1]]));
    }
    for flag in [8, 16] {
        if flags & flag != 0 {
            p += data.get(p..)?.iter().position(|&b| b == 0)? + 1;
        }
    }
    if flags & 2 != 0 {
        p += 2;
    }
    (p < data.len()).then_some((p, Check::Gzip))
}

fn zip(data: &[u8], at: usize) -> Option<(usize, Check)> {
    let header = data.get(at..at + 30)?;
    let u16_at = |i: usize| usize::from(u16::from_le_bytes([header[i], header[i + 1]]));
    let flags = u16_at(6);
    let deflated = header[..4] == *b"PK\x03\x04" && u16_at(8) == 8 && flags & 1 == 0;
    let start = at + 30 + u16_at(26) + u16_at(28);
    let crc = u32::from_le_bytes([header[14], header[15], header[16], header[17]]);
    let check = Check::Zip {
        crc: (flags & 8 == 0).then_some(crc),
    };
    (deflated && start < data.len()).then_some((start, check))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_matches_the_standard_value() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(&[0xff; 100_000]), {
            let (mut a, mut b) = (1u64, 0u64);
            for _ in 0..100_000 {
                a = (a + 255) % 65521;
                b = (b + a) % 65521;
            }
            (b << 16 | a) as u32
        });
    }

    #[test]
    fn finds_the_stream_after_each_wrapper() {
        assert_eq!(deflate_start(b"\x78\x9c\x01", 0), Some((2, Check::Adler32)));
        assert_eq!(deflate_start(b"\x78\x9d\x01", 0), None);
        let mut gz = vec![0x1f, 0x8b, 8, 8 | 16, 0, 0, 0, 0, 0, 3];
        gz.extend_from_slice(b"name\0comment\0\x01");
        assert_eq!(deflate_start(&gz, 0), Some((gz.len() - 1, Check::Gzip)));
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend_from_slice(&[20, 0, 0, 0, 8, 0]);
        zip.extend_from_slice(&[0; 16]);
        zip.extend_from_slice(&[3, 0, 1, 0]);
        zip.extend_from_slice(b"a.tx\x01");
        let zip_check = Check::Zip { crc: Some(0) };
        assert_eq!(deflate_start(&zip, 0), Some((zip.len() - 1, zip_check)));
    }
}
