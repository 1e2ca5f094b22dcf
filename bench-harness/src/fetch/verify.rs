//! Sizes and digests of files on disk, checked against what a manifest or lock expects.

use crate::dataset::manifest::Expected;
use anyhow::Result;
use md5::Md5;
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// What a file actually is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Bytes.
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
    pub md5: String,
}

/// One property that differs from what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} mismatch: expected {expected}, got {actual}")]
pub struct Mismatch {
    /// `size`, `sha256` or `md5`.
    pub what: &'static str,
    pub expected: String,
    pub actual: String,
}

pub fn digest_file(path: &Path) -> Result<Digest> {
    let mut sha = Sha256::new();
    let mut md5 = Md5::new();
    let size = crate::dataset::for_each_chunk(path, |chunk| {
        sha.update(chunk);
        md5.update(chunk);
    })?;
    Ok(Digest {
        size,
        sha256: hex::encode(sha.finalize()),
        md5: hex::encode(md5.finalize()),
    })
}

/// The first property of `actual` that contradicts `expected` (unknown ones always pass).
pub fn check(expected: &Expected, actual: &Digest) -> Result<(), Mismatch> {
    if let Some(size) = expected.size {
        if size != actual.size {
            return Err(Mismatch {
                what: "size",
                expected: format!("{size} bytes"),
                actual: format!("{} bytes", actual.size),
            });
        }
    }
    for (what, want, got) in [
        ("sha256", &expected.sha256, &actual.sha256),
        ("md5", &expected.md5, &actual.md5),
    ] {
        if let Some(want) = want {
            if !want.eq_ignore_ascii_case(got) {
                return Err(Mismatch {
                    what,
                    expected: want.to_ascii_lowercase(),
                    actual: got.clone(),
                });
            }
        }
    }
    Ok(())
}

/// `a` with every property `a` leaves unknown taken from `b`.
pub fn merge(a: &Expected, b: &Expected) -> Expected {
    Expected {
        size: a.size.or(b.size),
        sha256: a.sha256.clone().or_else(|| b.sha256.clone()),
        md5: a.md5.clone().or_else(|| b.md5.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_mismatches_name_both_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        let d = digest_file(&path).unwrap();
        assert_eq!(d.size, 3);
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d.md5, "900150983cd24fb0d6963f7d28e17f72");
        let mut e = Expected {
            size: Some(3),
            md5: Some("900150983CD24FB0D6963F7D28E17F72".into()),
            ..Expected::default()
        };
        assert_eq!(check(&e, &d), Ok(()));
        e.size = Some(4);
        let m = check(&e, &d).unwrap_err();
        assert_eq!(
            m.to_string(),
            "size mismatch: expected 4 bytes, got 3 bytes"
        );
        e.size = None;
        e.sha256 = Some("00".repeat(32));
        assert_eq!(check(&e, &d).unwrap_err().what, "sha256");
    }
}
