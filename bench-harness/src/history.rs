//! The committed history `results/results.csv`: one line per codec per recorded run.

use crate::metrics::CodecSummary;
use crate::provenance::Provenance;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

/// A line of the history. Ratios are compressed / original; seconds are wall-clock sums.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HistoryRow {
    pub run_id: String,
    pub utc: String,
    pub git_commit: String,
    pub git_dirty: bool,
    pub label: String,
    pub dataset: String,
    pub dataset_fingerprint: String,
    pub codec: String,
    pub overall_ratio: Option<f64>,
    pub compressible_ratio: Option<f64>,
    pub already_compressed_ratio: Option<f64>,
    pub mean_file_ratio: Option<f64>,
    pub compress_s: f64,
    pub decompress_s: f64,
    pub max_peak_rss_bytes: u64,
    pub files_failed: usize,
    /// Original bytes of the measured files.
    #[serde(default)]
    pub dataset_bytes: u64,
    /// Candidate only, runs before the token charge: xz-compressed size of `codec/src`, bytes.
    #[serde(default)]
    pub source_xz_bytes: Option<u64>,
    /// Candidate only: overall ratio with the source size added to the compressed total.
    #[serde(default)]
    pub ratio_with_source: Option<f64>,
    /// Candidate on `holdout` only: holdout ratio minus the default ratio of the same code.
    #[serde(default)]
    pub holdout_gap: Option<f64>,
    /// Runs of each operation; the seconds are the fastest run's (1 before `--repeat`).
    #[serde(default = "one_run")]
    pub repeat: usize,
    /// Fingerprint of the files measured; empty on lines recorded before it was kept.
    #[serde(default)]
    pub selection_fingerprint: String,
    /// Where the run was measured (see [`Provenance`]); empty on older lines.
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub cpu: String,
    #[serde(default)]
    pub cores: Option<usize>,
    #[serde(default)]
    pub kernel: String,
    #[serde(default)]
    pub rustc: String,
    #[serde(default)]
    pub c_compiler: String,
    #[serde(default)]
    pub harness_version: String,
    #[serde(default)]
    pub baseline_libraries: String,
    /// Which seconds `compress_s` / `decompress_s` are: `codec` or `process` (every line
    /// recorded before the column existed timed whole processes).
    #[serde(default = "process_timing")]
    pub timing: String,
    /// Candidate only: the codec library's charged size (tokens without comments or tests).
    #[serde(default)]
    pub source_bytes: Option<u64>,
}

fn one_run() -> usize {
    1
}

fn process_timing() -> String {
    "process".into()
}

impl HistoryRow {
    pub fn from_summary(meta: &RunMeta, s: &CodecSummary) -> Self {
        HistoryRow {
            run_id: meta.run_id.clone(),
            utc: meta.utc.clone(),
            git_commit: meta.git.commit.clone(),
            git_dirty: meta.git.dirty,
            label: meta.label.clone(),
            dataset: meta.dataset.clone(),
            dataset_fingerprint: meta.fingerprint.clone(),
            codec: s.codec.clone(),
            overall_ratio: s.overall.ratio,
            compressible_ratio: s.compressible.ratio,
            already_compressed_ratio: s.already_compressed.ratio,
            mean_file_ratio: s.mean_file_ratio,
            compress_s: s.compress_s,
            decompress_s: s.decompress_s,
            max_peak_rss_bytes: s.max_peak_rss_bytes,
            files_failed: s.files_failed,
            dataset_bytes: s.overall.original_bytes,
            source_xz_bytes: None,
            ratio_with_source: None,
            holdout_gap: None,
            repeat: meta.repeat,
            selection_fingerprint: meta.selection.clone(),
            host: meta.machine.host.clone(),
            cpu: meta.machine.cpu.clone(),
            cores: Some(meta.machine.cores),
            kernel: meta.machine.kernel.clone(),
            rustc: meta.machine.rustc.clone(),
            c_compiler: meta.machine.c_compiler.clone(),
            harness_version: meta.machine.harness_version.clone(),
            baseline_libraries: meta.machine.baseline_libraries.clone(),
            timing: meta.timing.as_str().to_string(),
            source_bytes: None,
        }
    }

    /// Whether the line measured every file of its dataset: unknown (`None`) on lines older
    /// than the `selection_fingerprint` column.
    pub fn whole_dataset(&self) -> Option<bool> {
        (!self.selection_fingerprint.is_empty())
            .then(|| self.selection_fingerprint == self.dataset_fingerprint)
    }
}

/// What identifies a run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunMeta {
    pub run_id: String,
    pub utc: String,
    pub git: GitState,
    pub label: String,
    pub dataset: String,
    pub fingerprint: String,
    /// Fingerprint of the files measured (`--filter`, `--quick`): equal to `fingerprint` when
    /// the run measured the whole dataset.
    pub selection: String,
    /// Runs of each operation; times are the fastest run's.
    pub repeat: usize,
    /// Which seconds the speed figures use: `codec` (the codec call inside the runner;
    /// external commands fall back to their process) or `process`.
    pub timing: crate::run::row::Timing,
    /// The machine, compilers and baseline libraries of the run.
    pub machine: Provenance,
    /// Present when the run measured one shard of its pairs (`--shard K/N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::run::shard::ShardInfo>,
}

impl RunMeta {
    /// True when the run measured every file of its dataset.
    pub fn whole_dataset(&self) -> bool {
        self.selection == self.fingerprint
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitState {
    /// Commit hash of HEAD; outside the checkout, the commit the harness was built from
    /// (`unknown` when it was built without git).
    pub commit: String,
    /// Uncommitted changes outside `results/`; outside the checkout, changes to the compiled
    /// sources (`codec/src`, `bench-harness/src`, the manifests and Cargo.lock) at build time.
    pub dirty: bool,
}

/// The sources compiled into a codec runner: as it was built (`codec-runner --probe`) or as a
/// checkout holds them now (`codec-runner --sources`).
#[derive(Clone, Debug)]
pub struct RunnerSources {
    pub git: GitState,
    /// `clean`, or a digest of the uncommitted changes to those sources; equal digests of the
    /// same commit mean the same code.
    pub digest: String,
}

/// The state of the code a run measures: the checkout at `root`, or `built` (the sources the
/// codec runner was built from) outside a checkout, without git, or when the runner was not
/// built from the checkout as it is (`now`, its compiled sources today, as the runner tells
/// them). In that last case the second value says so, for the user to rebuild the runner.
pub fn git_state(
    root: &Path,
    built: &RunnerSources,
    now: Option<&RunnerSources>,
) -> (GitState, Option<String>) {
    let built_from = &built.git;
    if !crate::workspace::is_root(root) {
        return (built_from.clone(), None);
    }
    let run = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(commit) = run(&["rev-parse", "HEAD"]) else {
        return (built_from.clone(), None);
    };
    let short = |c: &str| c.chars().take(12).collect::<String>();
    let rebuild = "this run measures the runner's code and records its commit; rebuild it \
                   (`cargo build --release -p codec-runner`) or run through `cargo harness`";
    if built_from.commit != "unknown" && built_from.commit != commit {
        let warning = format!(
            "warning: the codec runner was built from {}, not from the checkout's HEAD {}: \
             {rebuild}",
            short(&built_from.commit),
            short(&commit)
        );
        return (built_from.clone(), Some(warning));
    }
    if let Some(now) = now.filter(|now| now.digest != built.digest) {
        let warning = if built_from.dirty {
            format!(
                "warning: the codec runner was built from {} with uncommitted changes to the \
                 codec or the runner that differ from the checkout's ({} against {}): {rebuild}",
                short(&commit),
                built.digest,
                now.digest
            )
        } else {
            format!(
                "warning: the checkout has uncommitted changes to the codec or the runner that \
                 the codec runner (built from {}, clean) does not hold: {rebuild}",
                short(&commit)
            )
        };
        return (built_from.clone(), Some(warning));
    }
    let dirty = run(&["status", "--porcelain", "--", ".", ":(exclude)results"])
        .is_some_and(|s| !s.is_empty());
    (GitState { commit, dirty }, None)
}

/// Appends `rows` to the history at `path` under an exclusive lock, writing the header if the
/// file is new, so two runs finishing at once never interleave lines. A history written by an
/// older harness (fewer columns) is first rewritten with this header, its lines kept and the
/// new columns given their defaults.
pub fn append(path: &Path, rows: &[HistoryRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.lock()
        .with_context(|| format!("locking {}", path.display()))?;
    let new_lines = to_csv(rows)?;
    let header_end = new_lines
        .iter()
        .position(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let mut existing = Vec::new();
    file.read_to_end(&mut existing)
        .with_context(|| format!("reading {}", path.display()))?;
    let bytes = if existing.is_empty() {
        new_lines
    } else if existing.starts_with(&new_lines[..header_end]) {
        let mut bytes = new_lines[header_end..].to_vec();
        if !existing.ends_with(b"\n") {
            bytes.insert(0, b'\n');
        }
        bytes
    } else {
        let mut all: Vec<HistoryRow> = csv::Reader::from_reader(existing.as_slice())
            .deserialize()
            .collect::<Result<_, _>>()
            .with_context(|| {
                format!(
                    "{} has other columns than this harness writes and cannot be read to \
                     add them (left as it was)",
                    path.display()
                )
            })?;
        all.extend_from_slice(rows);
        file.set_len(0)
            .with_context(|| format!("rewriting {}", path.display()))?;
        to_csv(&all)?
    };
    file.write_all(&bytes)
        .with_context(|| format!("appending to {}", path.display()))?;
    Ok(())
}

fn to_csv(rows: &[HistoryRow]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row)?;
    }
    Ok(writer.into_inner()?)
}

/// Every line of the history.
pub fn read(path: &Path) -> Result<Vec<HistoryRow>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    reader
        .deserialize()
        .collect::<Result<_, _>>()
        .with_context(|| format!("parsing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(run: &str) -> HistoryRow {
        HistoryRow {
            run_id: run.into(),
            utc: "2026-01-01T00:00:00Z".into(),
            git_commit: "abc".into(),
            git_dirty: false,
            label: "l".into(),
            dataset: "default".into(),
            dataset_fingerprint: "f".into(),
            codec: "candidate".into(),
            overall_ratio: Some(0.5),
            compressible_ratio: None,
            already_compressed_ratio: Some(1.0),
            mean_file_ratio: Some(0.4),
            compress_s: 1.0,
            decompress_s: 2.0,
            max_peak_rss_bytes: 3,
            files_failed: 0,
            dataset_bytes: 10,
            source_xz_bytes: Some(7),
            ratio_with_source: None,
            holdout_gap: None,
            repeat: 1,
            selection_fingerprint: "f".into(),
            host: "h".into(),
            cpu: "c".into(),
            cores: Some(2),
            kernel: "k".into(),
            rustc: "r".into(),
            c_compiler: "cc".into(),
            harness_version: "v".into(),
            baseline_libraries: "l".into(),
            timing: "codec".into(),
            source_bytes: None,
        }
    }

    #[test]
    fn concurrent_appends_keep_one_header_and_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        std::thread::scope(|s| {
            for t in 0..8 {
                let path = &path;
                s.spawn(move || {
                    for i in 0..10 {
                        append(path, &[row(&format!("run-{t}-{i}"))]).unwrap();
                    }
                });
            }
        });
        let rows = read(&path).unwrap();
        assert_eq!(rows.len(), 80);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("run_id").count(), 1);
    }

    #[test]
    fn a_history_without_the_newer_columns_is_rewritten_with_its_lines_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        let old_header = "run_id,utc,git_commit,git_dirty,label,dataset,dataset_fingerprint,\
            codec,overall_ratio,compressible_ratio,already_compressed_ratio,mean_file_ratio,\
            compress_s,decompress_s,max_peak_rss_bytes,files_failed,dataset_bytes,\
            source_xz_bytes,ratio_with_source,holdout_gap";
        let old_line =
            "old-run,2026-11-23T11:26:43.049178258Z,202e945,false,\"a, \"\"quoted\"\" label\",\
            real-small,61fbb31d,candidate,0.20792686367021432,0.20497850119005817,\
            1.000146230898589,0.26683856487034474,39.62922073,40.925444845,284811264,0,\
            33197947,43644,0.20924152327853285,";
        std::fs::write(&path, format!("{old_header}\n{old_line}\n")).unwrap();
        let mut new = row("new-run");
        new.repeat = 3;
        append(&path, &[new]).unwrap();
        append(&path, &[row("later")]).unwrap();

        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(
            lines[0],
            format!(
                "{old_header},repeat,selection_fingerprint,host,cpu,cores,kernel,rustc,\
                 c_compiler,harness_version,baseline_libraries,timing,source_bytes"
            )
        );
        assert_eq!(lines[1], format!("{old_line},1,,,,,,,,,,process,"));
        let rows = read(&path).unwrap();
        let runs: Vec<(&str, usize)> = rows.iter().map(|r| (r.run_id.as_str(), r.repeat)).collect();
        assert_eq!(runs, [("old-run", 1), ("new-run", 3), ("later", 1)]);
        assert_eq!(rows[0].label, "a, \"quoted\" label");
        assert_eq!(rows[0].whole_dataset(), None, "not recorded then");
        assert_eq!(
            (rows[0].timing.as_str(), rows[1].timing.as_str()),
            ("process", "codec")
        );
        assert_eq!(rows[1].whole_dataset(), Some(true));
    }

    #[test]
    fn an_unreadable_history_is_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        let garbage = "run_id,utc\nonly-two,fields,and-a-third\n";
        std::fs::write(&path, garbage).unwrap();
        let err = append(&path, &[row("new")]).unwrap_err();
        assert!(format!("{err:#}").contains("left as it was"), "{err:#}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), garbage);
    }
}
