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
            .env("HARNESS_RUNNER", runner())
            .env_remove("HARNESS_HOLDOUT_SEED");
        cmd
    }

    /// `harness` as a plain process, with the same environment as [`Sandbox::harness`], for
    /// tests that act while it runs.
    pub fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("harness"));
        cmd.env("HARNESS_DATA_DIR", self.data_dir())
            .env("HARNESS_RESULTS_DIR", self.results_dir())
            .env("HARNESS_RUNNER", runner())
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

    /// The `summary.json` of run `id`.
    pub fn summary_of(&self, id: &str) -> Value {
        let path = self
            .results_dir()
            .join("runs")
            .join(id)
            .join("summary.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    pub fn summary(&self) -> Value {
        let text = std::fs::read_to_string(self.run_dir().join("summary.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

/// The id of the run a harness command printed (its line `run ID on ...`).
pub fn run_id(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("run "))
        .and_then(|l| l.split_whitespace().next())
        .map(str::to_string)
}

/// The `codec-runner` of this build, brought up to date by cargo once per test binary (cargo
/// builds only the binaries of the package under test).
pub fn runner() -> PathBuf {
    static BUILT: std::sync::Once = std::sync::Once::new();
    let harness = assert_cmd::cargo::cargo_bin("harness");
    let runner = harness.with_file_name("codec-runner");
    BUILT.call_once(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let profile = harness.parent().and_then(Path::file_name).unwrap();
        let mut cmd = std::process::Command::new(cargo);
        cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .args(["build", "--quiet", "-p", "codec-runner"]);
        if profile != "debug" {
            cmd.arg("--profile").arg(profile);
        }
        let status = cmd.status().expect("cargo");
        assert!(status.success(), "building codec-runner failed");
    });
    runner
}

/// `(file, codec) -> compressed bytes` of the run in `run_dir` (its `files.csv`).
pub fn compressed_bytes_by_pair(
    run_dir: &Path,
) -> std::collections::BTreeMap<(String, String), String> {
    let path = run_dir.join("files.csv");
    let (file, codec, bytes) = (
        column(&path, "file"),
        column(&path, "codec"),
        column(&path, "compressed_bytes"),
    );
    rows_of(&path)
        .iter()
        .map(|r| {
            (
                (r[file].to_string(), r[codec].to_string()),
                r[bytes].to_string(),
            )
        })
        .collect()
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

/// Processes whose command line has an argument equal to `marker`.
pub fn processes_with_arg(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline
            .split(|&b| b == 0)
            .any(|arg| arg == marker.as_bytes())
        {
            found.push(pid);
        }
    }
    found
}

/// Waits until no process has `marker` as an argument; the processes still there after
/// `patience` (a bound on the kernel's clean-up, not a measurement).
pub fn survivors_after(marker: &str, patience: std::time::Duration) -> Vec<u32> {
    let start = std::time::Instant::now();
    loop {
        let left = processes_with_arg(marker);
        if left.is_empty() || start.elapsed() > patience {
            return left;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A number of seconds for `sleep` that no other process on the machine uses as its argument.
pub fn unique_sleep_marker() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{}.{}{:09}",
        90_000 + std::process::id() % 9_000,
        NEXT.fetch_add(1, Ordering::SeqCst),
        nanos
    )
}

/// Kills what a failed test left behind, so that a failure does not leave sleepers around.
pub fn kill_all(pids: &[u32]) {
    for &pid in pids {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    }
}

/// Every file under `dir` with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}
