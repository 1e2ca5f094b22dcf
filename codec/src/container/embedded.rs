//! The payload of [`Method::Embedded`]: a file holding baseline JPEGs among other bytes. Each
//! JPEG is coded by the JPEG model; the bytes around them, joined in order, by the general
//! model (or stored).

use super::method::Method;
use super::{invalid, EXPANSION_ALLOWANCE, MAX_EXPANSION};
use crate::{general, jpeg};
use std::io;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The payload for `data` holding the JPEGs `found` (by [`jpeg::embedded`]), or `None` when
/// there are none or the JPEG model refuses one.
pub fn encode(data: &[u8], found: &[Range<usize>]) -> Option<Vec<u8>> {
    if found.is_empty() {
        return None;
    }
    let rest = outside(data, found);
    // Task 0 codes the bytes around the JPEGs, task k the JPEG found[k - 1].
    let coded = on_two_threads(found.len() + 1, |k| match k {
        0 => match general::encode(&rest) {
            Some(g) if g.len() < rest.len() => Some((Method::General, g)),
            _ => Some((Method::Stored, rest.clone())),
        },
        k => jpeg::encode(&data[found[k - 1].clone()]).map(|p| (Method::Jpeg, p)),
    });
    let coded: Vec<(Method, Vec<u8>)> = coded.into_iter().collect::<Option<_>>()?;
    let mut out = Vec::new();
    out.extend_from_slice(&(found.len() as u32).to_le_bytes());
    for r in found {
        out.extend_from_slice(&(r.start as u64).to_le_bytes());
        out.extend_from_slice(&(r.len() as u64).to_le_bytes());
    }
    out.push(coded[0].0 as u8);
    for (_, p) in &coded {
        out.extend_from_slice(&(p.len() as u64).to_le_bytes());
        out.extend_from_slice(p);
    }
    Some(out)
}

/// Runs `task(0)`, ..., `task(n - 1)` on two threads, each taking the next index in turn;
/// the results come back in index order.
fn on_two_threads<T: Send>(n: usize, task: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= n {
                return done;
            }
            done.push((k, task(k)));
        }
    };
    let mut all = std::thread::scope(|s| {
        let other = s.spawn(work);
        let mut mine = work();
        mine.extend(other.join().expect("worker thread panicked"));
        mine
    });
    all.sort_by_key(|(k, _)| *k);
    all.into_iter().map(|(_, t)| t).collect()
}

/// The bytes of `data` outside `parts` (ordered, disjoint), joined.
fn outside(data: &[u8], parts: &[Range<usize>]) -> Vec<u8> {
    let mut rest = Vec::with_capacity(data.len());
    let mut at = 0;
    for r in parts {
        rest.extend_from_slice(&data[at..r.start]);
        at = r.end;
    }
    rest.extend_from_slice(&data[at..]);
    rest
}

/// Reads the payload's fields in order, failing on truncation.
struct Fields<'a> {
    payload: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: u64) -> io::Result<&'a [u8]> {
        let bytes = usize::try_from(n)
            .ok()
            .and_then(|n| self.at.checked_add(n))
            .and_then(|end| self.payload.get(self.at..end))
            .ok_or_else(|| invalid("embedded-JPEG payload: truncated".into()))?;
        self.at += bytes.len();
        Ok(bytes)
    }

    fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn u32(&mut self) -> io::Result<u64> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")).into())
    }

    /// A coded part of `len` output bytes, refused if no valid payload of its size could
    /// stand for that many.
    fn part(&mut self, len: u64) -> io::Result<&'a [u8]> {
        let coded_len = self.u64()?;
        if len > (coded_len + EXPANSION_ALLOWANCE).saturating_mul(MAX_EXPANSION) {
            return Err(invalid(format!(
                "embedded-JPEG payload: a part of {len} bytes is impossible for {coded_len} coded bytes"
            )));
        }
        self.take(coded_len)
    }
}

/// Decodes a payload made by [`encode`] into exactly `original_len` bytes.
pub fn decode(payload: &[u8], original_len: usize) -> io::Result<Vec<u8>> {
    let mut fields = Fields { payload, at: 0 };
    let count = fields.u32()?;
    let mut ranges = Vec::new();
    let mut at = 0u64;
    for _ in 0..count {
        let (start, len) = (fields.u64()?, fields.u64()?);
        let end = start
            .checked_add(len)
            .filter(|&e| start >= at && e <= original_len as u64)
            .ok_or_else(|| {
                invalid("embedded-JPEG payload: parts overlap or run past the file".into())
            })?;
        ranges.push(start as usize..end as usize);
        at = end;
    }
    let rest_len = original_len - ranges.iter().map(|r| r.len()).sum::<usize>();
    let method = fields.take(1)?[0];
    let mut coded = vec![fields.part(rest_len as u64)?];
    for r in &ranges {
        coded.push(fields.part(r.len() as u64)?);
    }
    let decoded = on_two_threads(coded.len(), |k| match k {
        0 => match Method::from_byte(method) {
            Some(Method::Stored) => Ok(coded[0].to_vec()),
            Some(Method::General) => general::decode(coded[0], rest_len),
            _ => Err(invalid(format!(
                "embedded-JPEG payload: bad method {method} for the bytes around the JPEGs"
            ))),
        },
        k => jpeg::decode(coded[k], ranges[k - 1].len()),
    });
    let decoded: Vec<Vec<u8>> = decoded.into_iter().collect::<io::Result<_>>()?;
    let lengths = std::iter::once(rest_len).chain(ranges.iter().map(|r| r.len()));
    if decoded.iter().map(|d| d.len()).ne(lengths) {
        return Err(invalid(
            "embedded-JPEG payload: a part decoded to the wrong length".into(),
        ));
    }
    let rest = &decoded[0];
    let mut data = Vec::with_capacity(original_len);
    let mut from_rest = 0;
    for (r, part) in ranges.iter().zip(&decoded[1..]) {
        let gap = r.start - data.len();
        data.extend_from_slice(&rest[from_rest..from_rest + gap]);
        from_rest += gap;
        data.extend_from_slice(part);
    }
    data.extend_from_slice(&rest[from_rest..]);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(parts: &[(u64, u64)]) -> Vec<u8> {
        let mut p = (parts.len() as u32).to_le_bytes().to_vec();
        for &(start, len) in parts {
            p.extend_from_slice(&start.to_le_bytes());
            p.extend_from_slice(&len.to_le_bytes());
        }
        p
    }

    #[test]
    fn malformed_payloads_are_errors() {
        let message = |payload: &[u8], n: usize| decode(payload, n).unwrap_err().to_string();
        assert!(message(&[1, 0], 10).contains("truncated"));
        assert!(message(&header(&[(5, 10)]), 10).contains("run past the file"));
        assert!(message(&header(&[(0, 6), (4, 2)]), 10).contains("overlap"));
        assert!(message(&header(&[(0, u64::MAX)]), 10).contains("run past"));
        let mut bad_method = header(&[]);
        bad_method.push(Method::Jpeg as u8);
        bad_method.extend_from_slice(&6u64.to_le_bytes());
        bad_method.extend_from_slice(&[0; 6]);
        assert!(message(&bad_method, 10).contains("bad method 5"));
        let mut short_rest = header(&[]);
        short_rest.push(Method::Stored as u8);
        short_rest.extend_from_slice(&5u64.to_le_bytes());
        short_rest.extend_from_slice(&[0; 5]);
        assert!(message(&short_rest, 10).contains("wrong length"));
        let mut missing_part = header(&[(0, 4)]);
        missing_part.push(Method::Stored as u8);
        missing_part.extend_from_slice(&6u64.to_le_bytes());
        missing_part.extend_from_slice(&[0; 6]);
        assert!(message(&missing_part, 10).contains("truncated"));
        let mut huge = header(&[]);
        huge.push(Method::General as u8);
        huge.extend_from_slice(&0u64.to_le_bytes());
        assert!(message(&huge, usize::MAX >> 8).contains("impossible"));
    }
}
