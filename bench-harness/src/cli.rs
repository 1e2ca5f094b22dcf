//! Command-line arguments. Parsing only; `main` dispatches.

use crate::run::row::Timing;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "harness",
    version,
    about = "Measures lossless compressors: bit-exact round trips in child processes, \
             ratios per category beside zstd / xz / bzip2 / gzip, and a history of runs"
)]
pub struct Cli {
    /// Directory of the dataset cache (generated and fetched data, in cache/)
    /// [default: <workspace>/datasets]
    #[arg(long, global = true, env = "HARNESS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Directory of dataset manifests <NAME>.toml and their locks <NAME>.lock
    /// [default: <workspace>/datasets]
    #[arg(long, global = true, value_name = "DIR", env = "HARNESS_MANIFESTS")]
    pub manifests: Option<PathBuf>,
    /// Directory for results.csv, runs/ and the baseline cache [default: <workspace>/results]
    #[arg(long, global = true, env = "HARNESS_RESULTS_DIR")]
    pub results_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Measure codecs on a dataset
    Run(RunArgs),
    /// List the datasets, their sizes and whether they are on disk
    Datasets(DatasetsArgs),
    /// Download, verify and normalize public datasets described by datasets/<NAME>.toml
    Fetch(FetchArgs),
    /// Check that an attempt changed only the codec, within the contract (exit 1 on violations)
    Guard(crate::agent::args::GuardArgs),
    /// Keep or discard: an attempt's run(s) against the base's, with timing noise (exit 1: discard)
    Compare(crate::agent::args::CompareArgs),
    /// Write results/report.html: progress over time, per-category ratios, ratio vs speed
    Report(crate::agent::args::ReportArgs),
    /// Drive an optimisation agent: N iterations of agent, guard, tests, run, keep or discard
    Loop(crate::agent::args::LoopArgs),
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// `default`, `holdout`, a dataset with a manifest (datasets/<NAME>.toml, fetched when
    /// missing), or a directory of files
    #[arg(long, default_value = "default")]
    pub dataset: String,
    /// Codec to measure; repeatable. `candidate`, `zstd[:LEVEL]`, `xz[:LEVEL]`, `bzip2[:LEVEL]`,
    /// `gzip[:LEVEL]`, or `ext:NAME=COMPRESS_CMD;DECOMPRESS_CMD` (commands read stdin and write
    /// stdout). Without it: candidate, zstd:19, xz:9, bzip2:9, gzip:9
    #[arg(long = "codec", value_name = "CODEC")]
    pub codecs: Vec<String>,
    /// Time limit of each operation, in seconds (at most a day)
    #[arg(long, default_value_t = 300.0, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: f64,
    /// Address-space limit of each codec process (bytes, or with K/M/G suffix)
    #[arg(long, value_name = "SIZE", value_parser = parse_positive_size)]
    pub max_memory: Option<u64>,
    /// Most bytes any operation may write, whatever the input's size [default: 4G, and never
    /// more than the free space where the run is written]
    #[arg(long, value_name = "SIZE", value_parser = parse_positive_size)]
    pub max_output: Option<u64>,
    /// Which seconds the MB/s figures use: `codec`, the codec call alone on in-memory buffers
    /// measured inside the runner (external commands fall back to their process time), or
    /// `process`, the whole codec process from spawn to exit
    #[arg(long, value_enum, default_value_t = Timing::Codec)]
    pub timing: Timing,
    /// Skip the second compression that checks the output is deterministic
    #[arg(long)]
    pub no_determinism: bool,
    /// Runs of each compression and decompression: the fastest run's times are reported, and
    /// every run is checked (each decompression against the original and, unless
    /// --no-determinism, each compression against the first); steadier speed figures on a busy
    /// machine
    #[arg(long, default_value_t = 1, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: u32,
    /// Largest accepted compressed/original ratio (64 bytes of headers are always allowed)
    #[arg(long, default_value_t = 1.5, value_name = "RATIO", value_parser = parse_expansion)]
    pub max_expansion: f64,
    /// Stop at the first failed file instead of going on
    #[arg(long)]
    pub fail_fast: bool,
    /// Files measured in parallel (1 keeps timings clean)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub jobs: u32,
    /// Only files whose name matches this glob (e.g. '*.wav')
    #[arg(long, value_name = "GLOB")]
    pub filter: Option<String>,
    /// Only the two smallest files of each category, for a fast check
    #[arg(long)]
    pub quick: bool,
    /// A free-text label stored with the run
    #[arg(long, default_value = "")]
    pub label: String,
    /// Append one line per codec to results/results.csv
    #[arg(long)]
    pub record: bool,
    /// Re-measure baselines instead of reusing cached results
    #[arg(long)]
    pub no_cache: bool,
    /// Seed of a generated dataset (the holdout's is secret: prefer HARNESS_HOLDOUT_SEED)
    #[arg(long)]
    pub seed: Option<String>,
    /// Size factor of generated datasets (1.0 = about 160 MiB)
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
    pub scale: f64,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
    /// Refuse to run unless the kernel can sandbox and contain codecs (Landlock, seccomp and
    /// PID namespaces)
    #[arg(long, conflicts_with = "no_sandbox")]
    pub require_sandbox: bool,
    /// Run codecs without the sandbox (no Landlock, no seccomp; they are still contained)
    #[arg(long)]
    pub no_sandbox: bool,
    /// A directory external commands may write to besides their private one (repeatable)
    #[arg(long = "ext-writable", value_name = "DIR")]
    pub ext_writable: Vec<PathBuf>,
    /// The `codec-runner` binary that runs each operation [default: the one beside this
    /// harness, built first by cargo when the harness was started by cargo]
    #[arg(long, value_name = "PATH", env = "HARNESS_RUNNER")]
    pub runner: Option<PathBuf>,
    /// How a dataset with a manifest is fetched when files are missing
    #[command(flatten)]
    pub net: crate::fetch::NetArgs,
}

#[derive(Args, Debug)]
pub struct FetchArgs {
    /// Datasets to fetch (names of manifests datasets/<NAME>.toml), or `all`
    #[arg(required = true, value_name = "NAME")]
    pub datasets: Vec<String>,
    #[command(flatten)]
    pub net: crate::fetch::NetArgs,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct DatasetsArgs {
    /// Size factor of generated datasets
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
}

/// Longest accepted `--timeout`: a day.
pub const MAX_TIMEOUT_S: f64 = 86_400.0;

fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s > 0.0 && s <= MAX_TIMEOUT_S => Ok(s),
        _ => Err(format!(
            "expected a number of seconds above 0 and at most {MAX_TIMEOUT_S} (a day)"
        )),
    }
}

fn parse_positive_size(text: &str) -> Result<u64, String> {
    match parse_size(text)? {
        0 => Err("must be more than 0 bytes".into()),
        n => Ok(n),
    }
}

fn parse_expansion(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r >= 1.0 => Ok(r),
        _ => Err("expected a finite ratio of at least 1.0".into()),
    }
}

fn parse_scale(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(f) if f > 0.0 && f <= 100.0 => Ok(f),
        _ => Err("expected a size factor above 0 and at most 100".into()),
    }
}

/// Parses `2G`, `512M`, `64K` or a plain number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, factor) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&t[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&t[..i], 1 << 30),
        Some((i, 'T' | 't')) => (&t[..i], 1 << 40),
        _ => (t, 1),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("size {text:?} is not a number with an optional K/M/G/T suffix"))?;
    n.checked_mul(factor)
        .ok_or_else(|| format!("size {text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_accept_binary_suffixes() {
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
    }
}
