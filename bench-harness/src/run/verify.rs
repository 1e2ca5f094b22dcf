//! Byte-level checks between files: where two files first differ.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

/// Offset of the first differing byte of two files, or `None` if they are identical.
pub fn first_difference(a: &Path, b: &Path) -> io::Result<Option<u64>> {
    let mut ra = BufReader::with_capacity(1 << 20, File::open(a)?);
    let mut rb = BufReader::with_capacity(1 << 20, File::open(b)?);
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let mut offset = 0u64;
    loop {
        let na = read_full(&mut ra, &mut ba)?;
        let nb = read_full(&mut rb, &mut bb)?;
        let n = na.min(nb);
        if let Some(i) = (0..n).find(|&i| ba[i] != bb[i]) {
            return Ok(Some(offset + i as u64));
        }
        if na != nb {
            return Ok(Some(offset + n as u64));
        }
        if na == 0 {
            return Ok(None);
        }
        offset += n as u64;
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_first_difference_and_length_changes() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        std::fs::write(p("a"), vec![1u8; 100_000]).unwrap();
        let mut b = vec![1u8; 100_000];
        b[70_000] = 2;
        std::fs::write(p("b"), &b).unwrap();
        std::fs::write(p("c"), vec![1u8; 99_999]).unwrap();
        assert_eq!(first_difference(&p("a"), &p("a")).unwrap(), None);
        assert_eq!(first_difference(&p("a"), &p("b")).unwrap(), Some(70_000));
        assert_eq!(first_difference(&p("a"), &p("c")).unwrap(), Some(99_999));
    }
}
