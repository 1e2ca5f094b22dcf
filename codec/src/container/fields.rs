//! Reads the little-endian fields of a method's payload in order, failing with a message
//! naming the payload when it is truncated or a part claims more than its bytes can hold.

use super::{invalid, EXPANSION_ALLOWANCE, MAX_EXPANSION};
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

    pub fn take(&mut self, n: u64) -> io::Result<&'a [u8]> {
        let bytes = usize::try_from(n)
            .ok()
            .and_then(|n| self.at.checked_add(n))
            .and_then(|end| self.payload.get(self.at..end))
            .ok_or_else(|| invalid(format!("{}: truncated", self.what)))?;
        self.at += bytes.len();
        Ok(bytes)
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.payload.len() - self.at
    }

    /// The bytes not read yet, to the end of the payload.
    pub fn rest(self) -> &'a [u8] {
        &self.payload[self.at..]
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

    /// A length-prefixed coded part that decodes to `len` bytes, refused when no valid
    /// payload of its size could stand for that many (the container's invariant).
    pub fn part(&mut self, len: u64) -> io::Result<&'a [u8]> {
        let coded_len = self.u64()?;
        if len > (coded_len + EXPANSION_ALLOWANCE).saturating_mul(MAX_EXPANSION) {
            return Err(invalid(format!(
                "{}: a part of {len} bytes is impossible for {coded_len} coded bytes",
                self.what
            )));
        }
        self.take(coded_len)
    }
}
