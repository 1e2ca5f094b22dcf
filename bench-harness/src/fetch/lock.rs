//! `<name>.lock` beside the manifest `<name>.toml`: sizes and sha256 of the dataset's files
//! as fetched, extracted and derived. Trust on first use: whatever a manifest does not pin is
//! recorded once the file has passed every check, and every later fetch must match it.
//! Archives are not pinned (their members are), so that any mirror or repack of an archive
//! serves. The file is meant to be committed.

use super::verify::Digest;
use crate::dataset::manifest::Expected;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Downloads that are themselves files of the dataset, by manifest `name`.
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

impl Pin {
    pub fn of(digest: &Digest) -> Pin {
        Pin {
            size: digest.size,
            sha256: digest.sha256.clone(),
        }
    }

    pub fn expected(&self) -> Expected {
        Expected {
            size: Some(self.size),
            sha256: Some(self.sha256.clone()),
            md5: None,
        }
    }
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
# derived, recorded on first use once it passed every check. Later fetches must match.\n\
# Commit this file; delete an entry only to accept a deliberate upstream change.\n\n";

/// `<dir>/<dataset>.lock`, where `dir` holds the manifest.
pub fn lock_path(dir: &Path, dataset: &str) -> PathBuf {
    dir.join(format!("{dataset}.lock"))
}

/// The two tables of pins a fetch checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Download,
    Member,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Download => "download",
            Table::Member => "member",
        }
    }
}

/// The header of an entry of `table` (`download`, `member`, `derived`) as the lock file
/// writes it: `[member."large/E.coli"]`.
pub fn entry_header(table: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare {
        format!("[{table}.{key}]")
    } else {
        format!("[{table}.{}]", toml::Value::String(key.to_string()))
    }
}

impl Lock {
    pub fn get(&self, table: Table, key: &str) -> Option<&Pin> {
        match table {
            Table::Download => self.download.get(key),
            Table::Member => self.member.get(key),
        }
    }

    pub fn table_mut(&mut self, table: Table) -> &mut BTreeMap<String, Pin> {
        match table {
            Table::Download => &mut self.download,
            Table::Member => &mut self.member,
        }
    }

    /// The lock of `dataset` in `dir`, empty when there is none yet.
    pub fn load(dir: &Path, dataset: &str) -> Result<Lock> {
        let path = lock_path(dir, dataset);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lock::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn save(&self, dir: &Path, dataset: &str) -> Result<()> {
        let path = lock_path(dir, dataset);
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
        lock.member.insert(
            "large/E.coli".into(),
            Pin {
                size: 3,
                sha256: "cd".into(),
            },
        );
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
        for (table, key) in [
            ("download", "a.tar.gz"),
            ("member", "large/E.coli"),
            ("derived", "p.jpg.bmp"),
        ] {
            let header = entry_header(table, key);
            assert!(text.contains(&format!("{header}\n")), "{header} in\n{text}");
        }
        assert_eq!(entry_header("member", "dickens"), "[member.dickens]");
        assert_eq!(Lock::load(dir.path(), "none").unwrap(), Lock::default());
    }
}
