//! Reuses baseline measurements: a baseline's result depends only on the input bytes, the
//! codec with its settings and library versions, the limits it ran under, and how the harness
//! measures (an entry carries the [`MEASUREMENT`] version that wrote it; others are ignored).
//! Only successful rows are cached, each after every one of its operations was followed by a
//! check that the original file is intact; the expansion check is re-applied on reuse.

use super::row::FileRow;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The harness version and the version of how it measures; bumped when a figure's meaning
/// changes (2: times and peak memory measured inside the codec runner; 3: the runner fixes
/// glibc's mmap threshold before a built-in codec's call, so peak memory no longer counts
/// blocks glibc kept after the codec freed them).
pub const MEASUREMENT: &str = concat!(env!("CARGO_PKG_VERSION"), "/measurement-3");

#[derive(Serialize, Deserialize)]
struct Entry {
    #[serde(default)]
    harness: String,
    key: String,
    determinism_checked: bool,
    row: FileRow,
}

pub struct BaselineCache {
    path: PathBuf,
    entries: Mutex<HashMap<String, (bool, FileRow)>>,
}

impl BaselineCache {
    /// Opens (or starts) the cache at `path`; unreadable lines are ignored.
    pub fn open(path: &Path) -> Self {
        let mut entries = HashMap::new();
        if let Ok(file) = File::open(path) {
            for line in BufReader::new(file).lines().map_while(Result::ok) {
                match serde_json::from_str::<Entry>(&line) {
                    Ok(e) if e.harness == MEASUREMENT => {
                        entries.insert(e.key, (e.determinism_checked, e.row));
                    }
                    _ => {}
                }
            }
        }
        BaselineCache {
            path: path.to_path_buf(),
            entries: Mutex::new(entries),
        }
    }

    pub fn key(sha256: &str, identity: &str, limits: &str) -> String {
        format!("{sha256}|{identity}|{limits}")
    }

    /// A cached row usable for a run that does (or does not) need the determinism check.
    pub fn get(&self, key: &str, need_determinism: bool) -> Option<FileRow> {
        let entries = self.entries.lock().expect("cache lock");
        let (checked, row) = entries.get(key)?;
        (*checked || !need_determinism).then(|| row.clone())
    }

    pub fn put(&self, key: String, determinism_checked: bool, row: &FileRow) -> Result<()> {
        let entry = Entry {
            harness: MEASUREMENT.to_string(),
            key: key.clone(),
            determinism_checked,
            row: row.clone(),
        };
        let mut line = serde_json::to_string(&entry)?;
        line.push('\n');
        let mut entries = self.entries.lock().expect("cache lock");
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .with_context(|| format!("opening {}", self.path.display()))?;
        file.lock()?;
        file.write_all(line.as_bytes())?;
        entries.insert(key, (determinism_checked, row.clone()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_measured_the_previous_way_are_not_reused() {
        let dir = std::env::temp_dir().join(format!("cache-test-{}", std::process::id()));
        let path = dir.join("baselines.jsonl");
        let row = FileRow::unmeasured("d", "f", "text", "xz:9", 10);
        BaselineCache::open(&path)
            .put("k".into(), true, &row)
            .unwrap();
        assert!(BaselineCache::open(&path).get("k", true).is_some());
        // The same line as the runner wrote it before it fixed glibc's mmap threshold.
        let text = fs::read_to_string(&path).unwrap();
        let (version, _) = MEASUREMENT.rsplit_once('-').unwrap();
        fs::write(&path, text.replace(MEASUREMENT, &format!("{version}-2"))).unwrap();
        assert!(BaselineCache::open(&path).get("k", true).is_none());
        fs::remove_dir_all(&dir).unwrap();
    }
}
