//! Reads the little-endian fields of a payload in order, failing with a message naming the
//! payload when it is truncated, or when bytes are left over at its end.

use crate::error::invalid;
use std::io;

pub struct Fields<'a> {
    payload: &'a [u8],
    at: usize,
    /// Names the payload in error messages ("inflated payload").
    what: &'static str,
}

impl<'a> Fields<'a> {
    pub fn new(payload: &'a [u8], what: &'static str) -> Self {
        Fields {
            payload,
            at: 0,
            what,
        }
    }

    /// Names the payload in error messages.
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: u64) -> io::Result<&'a [u8]> {
        let bytes = usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.remaining())
            .map(|n| &self.payload[self.at..self.at + n])
            .ok_or_else(|| {
                invalid(format!(
                    "{}: truncated ({n} bytes wanted, {} left)",
                    self.what,
                    self.remaining()
                ))
            })?;
        self.at += bytes.len();
        Ok(bytes)
    }

    /// A count (u32 LE) of entries of at least `entry_bytes` each (`entries` names them),
    /// checked to fit in the bytes not read yet.
    pub fn count(&mut self, entry_bytes: usize, entries: &str) -> io::Result<u64> {
        let count = self.u32()?;
        if count > (self.remaining() / entry_bytes) as u64 {
            return Err(invalid(format!(
                "{}: {count} {entries} cannot fit in {} bytes",
                self.what,
                self.remaining()
            )));
        }
        Ok(count)
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.payload.len() - self.at
    }

    /// The bytes not read yet, to the end of the payload.
    pub fn rest(self) -> &'a [u8] {
        &self.payload[self.at..]
    }

    /// Succeeds when every byte has been read: a valid payload ends with its last field.
    pub fn finish(self) -> io::Result<()> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(invalid(format!(
                "{}: {n} bytes after the end of the payload",
                self.what
            ))),
        }
    }

    pub fn byte(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> io::Result<u64> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")).into())
    }

    pub fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_past_the_end_and_leftover_bytes_are_errors() {
        let payload = [1, 0, 0, 0, 9, 9];
        let mut fields = Fields::new(&payload, "test payload");
        assert_eq!(fields.u32().unwrap(), 1);
        for n in [3, u64::MAX, u64::MAX - 40, u32::MAX.into()] {
            let err = Fields::new(&payload[4..], "test payload")
                .take(n)
                .unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData);
            assert!(err.to_string().contains("test payload: truncated"), "{err}");
        }
        let err = Fields::new(&payload, "test payload").finish().unwrap_err();
        assert!(err.to_string().contains("6 bytes after the end"), "{err}");
        assert_eq!(fields.take(2).unwrap(), [9, 9]);
        fields.finish().unwrap();
    }
}
