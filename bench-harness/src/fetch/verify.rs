//! Sizes and digests of files on disk, checked against what a manifest or lock expects.

use crate::dataset::manifest::Expected;
use anyhow::Result;
use md5::Md5;
use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};

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

/// Where an expected value comes from, so that a refusal can say what refused the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authority {
    Manifest(PathBuf),
    /// An entry of a lock file, recorded by an earlier fetch; `entry` is its table header.
    Lock {
        path: PathBuf,
        entry: String,
    },
}

impl Authority {
    /// `mismatch`, followed by where the expected value comes from and, for a lock entry,
    /// how to drop it.
    pub fn explain(&self, mismatch: &Mismatch) -> String {
        match self {
            Authority::Manifest(path) => format!("{mismatch} (pinned by {})", path.display()),
            Authority::Lock { path, entry } => format!(
                "{mismatch}; the expected value is entry {entry} of {}, recorded by an earlier \
                 fetch: delete that entry (its header and its lines) to accept this file",
                path.display()
            ),
        }
    }
}

/// Everything a file must match, each expectation with its authority.
#[derive(Debug, Clone, Default)]
pub struct Pins(Vec<(Expected, Authority)>);

impl Pins {
    pub fn add(&mut self, expected: Expected, authority: Authority) {
        self.0.push((expected, authority));
    }

    /// The first contradiction and where the value it contradicts comes from.
    pub fn mismatch(&self, actual: &Digest) -> Option<(Mismatch, &Authority)> {
        self.0
            .iter()
            .find_map(|(expected, authority)| check(expected, actual).err().map(|m| (m, authority)))
    }

    /// The first contradiction, explained; `Ok` when there is none.
    pub fn check(&self, actual: &Digest) -> Result<(), String> {
        match self.mismatch(actual) {
            Some((m, authority)) => Err(authority.explain(&m)),
            None => Ok(()),
        }
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

    #[test]
    fn refusals_name_the_manifest_or_the_lock_entry_that_refused() {
        let d = Digest {
            size: 3,
            sha256: "ab".repeat(32),
            md5: "cd".repeat(16),
        };
        let mut pins = Pins::default();
        pins.add(
            Expected {
                size: Some(3),
                ..Expected::default()
            },
            Authority::Manifest("/m/d.toml".into()),
        );
        assert_eq!(pins.check(&d), Ok(()));
        pins.add(
            Expected {
                size: Some(4),
                ..Expected::default()
            },
            Authority::Lock {
                path: "/m/d.lock".into(),
                entry: "[member.\"a/b\"]".into(),
            },
        );
        assert_eq!(
            pins.check(&d).unwrap_err(),
            "size mismatch: expected 4 bytes, got 3 bytes; the expected value is entry \
             [member.\"a/b\"] of /m/d.lock, recorded by an earlier fetch: delete that entry \
             (its header and its lines) to accept this file"
        );
    }
}
