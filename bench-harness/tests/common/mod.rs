//! Helpers shared by the CLI tests: a harness command with private data and results
//! directories, and readers for what a run writes.

#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("datasets")
    }

    pub fn results_dir(&self) -> PathBuf {
        self.dir.path().join("results")
    }

    /// `harness` with this sandbox's data and results directories.
    pub fn harness(&self) -> Command {
        let mut cmd = Command::cargo_bin("harness").expect("harness binary");
        cmd.env("HARNESS_DATA_DIR", self.data_dir())
            .env("HARNESS_RESULTS_DIR", self.results_dir())
            .env_remove("HARNESS_HOLDOUT_SEED");
        cmd
    }

    /// A dataset directory with the given files.
    pub fn dataset(&self, files: &[(&str, Vec<u8>)]) -> PathBuf {
        let dir = self.dir.path().join("files");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        dir
    }

    /// The only run directory.
    pub fn run_dir(&self) -> PathBuf {
        let runs: Vec<_> = std::fs::read_dir(self.results_dir().join("runs"))
            .expect("runs directory")
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(runs.len(), 1, "expected one run, found {runs:?}");
        runs[0].clone()
    }

    pub fn rows(&self) -> Vec<csv::StringRecord> {
        let path = self.run_dir().join("files.csv");
        let headers = csv::Reader::from_path(&path)
            .unwrap()
            .headers()
            .unwrap()
            .clone();
        assert_eq!(&headers[0], "dataset");
        rows_of(&path)
    }

    pub fn summary(&self) -> Value {
        let text = std::fs::read_to_string(self.run_dir().join("summary.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

pub fn rows_of(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader.records().map(|r| r.unwrap()).collect()
}

/// Column index by name in files.csv.
pub const FILE: usize = 1;
pub const CATEGORY: usize = 2;
pub const CODEC: usize = 3;
pub const ORIGINAL: usize = 4;
pub const COMPRESSED: usize = 5;
pub const STATUS: usize = 11;
pub const REASON: usize = 12;
pub const CACHED: usize = 17;

pub fn script(name: &str) -> String {
    format!("{}/tests/codecs/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Prose-like bytes that any codec shrinks.
pub fn prose(len: usize) -> Vec<u8> {
    b"It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. "
        .iter()
        .copied()
        .cycle()
        .take(len)
        .collect()
}

/// The column named `name` of a CSV file's header.
pub fn column(path: &Path, name: &str) -> usize {
    let headers = csv::Reader::from_path(path)
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {}", path.display()))
}

/// What a finished command printed: its standard output, then its standard error.
pub fn output_text(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}
