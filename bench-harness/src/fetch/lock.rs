//! `datasets/<name>.lock`: sizes and sha256 of what was fetched, extracted and derived.
//! Trust on first use: whatever a manifest does not pin is recorded by the first successful
//! fetch, and every later fetch must match it. The file is meant to be committed.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Downloads, by manifest `name`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub download: BTreeMap<String, Pin>,
    /// Archive members, by their path in the dataset.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub member: BTreeMap<String, Pin>,
    /// Raw versions made by normalization, by their path in the dataset.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub derived: BTreeMap<String, DerivedPin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// Bytes.
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivedPin {
    /// Path in the dataset of the file it was decoded from.
    pub source: String,
    pub source_sha256: String,
    /// Decoder and its version: the same decoder on the same source gives the same bytes.
    pub decoder: String,
    /// Bytes.
    pub size: u64,
    pub sha256: String,
}

const HEADER: &str =
    "# Written by `harness fetch`: size and sha256 of every file fetched, extracted or\n\
# derived, recorded on first use. Later fetches must match. Commit this file; delete an\n\
# entry only to accept a deliberate upstream change.\n\n";

pub fn lock_path(data_dir: &Path, dataset: &str) -> PathBuf {
    data_dir.join(format!("{dataset}.lock"))
}

impl Lock {
    /// The lock of `dataset`, empty when there is none yet.
    pub fn load(data_dir: &Path, dataset: &str) -> Result<Lock> {
        let path = lock_path(data_dir, dataset);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lock::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn save(&self, data_dir: &Path, dataset: &str) -> Result<()> {
        let path = lock_path(data_dir, dataset);
        let text = format!("{HEADER}{}", toml::to_string(self)?);
        crate::dataset::write_atomically(&path, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_toml_in_a_stable_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut lock = Lock::default();
        for name in ["b.txt", "a.tar.gz"] {
            lock.download.insert(
                name.into(),
                Pin {
                    size: 1,
                    sha256: "ab".into(),
                },
            );
        }
        lock.derived.insert(
            "p.jpg.bmp".into(),
            DerivedPin {
                source: "p.jpg".into(),
                source_sha256: "cd".into(),
                decoder: "image 0.25".into(),
                size: 2,
                sha256: "ef".into(),
            },
        );
        lock.save(dir.path(), "d").unwrap();
        assert_eq!(Lock::load(dir.path(), "d").unwrap(), lock);
        let text = std::fs::read_to_string(lock_path(dir.path(), "d")).unwrap();
        assert!(text.find("a.tar.gz").unwrap() < text.find("b.txt").unwrap());
        assert!(text.starts_with("# Written by `harness fetch`"));
        assert_eq!(Lock::load(dir.path(), "none").unwrap(), Lock::default());
    }
}
