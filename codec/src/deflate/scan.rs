//! Where deflate streams may start: after a gzip member header, a zlib header (PNG, PDF,
//! many formats) or a ZIP local file header with method 8. Found by content, anywhere.

/// The byte offset of a deflate stream if a wrapper header starts at `at`.
pub fn deflate_start(data: &[u8], at: usize) -> Option<usize> {
    match *data.get(at)? {
        0x1f => gzip(data, at),
        b'P' => zip(data, at),
        _ => zlib(data, at),
    }
}

fn zlib(data: &[u8], at: usize) -> Option<usize> {
    let (cmf, flg) = (*data.get(at)?, *data.get(at + 1)?);
    let valid = cmf & 0x0f == 8
        && cmf >> 4 <= 7
        && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
        && flg & 0x20 == 0;
    valid.then_some(at + 2)
}

fn gzip(data: &[u8], at: usize) -> Option<usize> {
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
    (p < data.len()).then_some(p)
}

fn zip(data: &[u8], at: usize) -> Option<usize> {
    let header = data.get(at..at + 30)?;
    let u16_at = |i: usize| usize::from(u16::from_le_bytes([header[i], header[i + 1]]));
    let stored_deflate = header[..4] == *b"PK\x03\x04" && u16_at(8) == 8 && u16_at(6) & 1 == 0;
    let start = at + 30 + u16_at(26) + u16_at(28);
    (stored_deflate && start < data.len()).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_stream_after_each_wrapper() {
        assert_eq!(deflate_start(b"\x78\x9c\x01", 0), Some(2));
        assert_eq!(deflate_start(b"\x78\x9d\x01", 0), None);
        let mut gz = vec![0x1f, 0x8b, 8, 8 | 16, 0, 0, 0, 0, 0, 3];
        gz.extend_from_slice(b"name\0comment\0\x01");
        assert_eq!(deflate_start(&gz, 0), Some(gz.len() - 1));
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend_from_slice(&[20, 0, 0, 0, 8, 0]);
        zip.extend_from_slice(&[0; 16]);
        zip.extend_from_slice(&[3, 0, 1, 0]);
        zip.extend_from_slice(b"a.tx\x01");
        assert_eq!(deflate_start(&zip, 0), Some(zip.len() - 1));
    }
}
