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
    /// List the built-in codecs, their levels and library versions
    Codecs,
    /// Drive an optimisation agent: N iterations of agent, guard, tests, run, keep or discard
    Loop(crate::agent::args::LoopArgs),
    /// Join the shards of one run (`run --shard K/N`, measured anywhere) into that run
    Merge(MergeArgs),
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shard runs: their directories, or run ids under the results directory's runs/
    #[arg(value_name = "RUN", required = true)]
    pub runs: Vec<String>,
    /// Label of the merged run [default: the shards' label]
    #[arg(long)]
    pub label: Option<String>,
    /// Add the merged run to the history (results.csv)
    #[arg(long)]
    pub record: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Files to measure, as a dataset of their own (instead of --dataset)
    #[arg(value_name = "FILE", conflicts_with = "dataset")]
    pub files: Vec<PathBuf>,
    /// `default`, `holdout`, a dataset with a manifest (datasets/<NAME>.toml, fetched when
    /// missing), or a directory of files [default: default]
    #[arg(long)]
    pub dataset: Option<String>,
    /// Codecs to measure; repeatable, and each may be a list. `candidate`, `zstd[:LEVELS]`,
    /// `xz[:LEVELS]`, `bzip2[:LEVELS]`, `gzip[:LEVELS]` (LEVELS: `19`, `1,3,19`, `1-19`), several
    /// separated by `,` or `/` (`zstd:1,3,xz:9,gzip`), or `ext:NAME=COMPRESS_CMD;DECOMPRESS_CMD`
    /// (commands read stdin and write stdout). Without it: candidate, zstd:19, xz:9, bzip2:9,
    /// gzip:9. `harness codecs` lists them
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
    /// Only the two smallest files of each category, for a fast check; a generated dataset is
    /// generated at --scale 0.03 unless --scale is given
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
    /// Measure only shard K of N of the (file, codec) pairs (every Nth pair from the Kth), for
    /// N machines or SLURM array jobs; `harness merge` joins the shards into one run
    #[arg(long, value_name = "K/N", value_parser = crate::run::shard::Shard::parse)]
    pub shard: Option<crate::run::shard::Shard>,
    /// Size factor of generated datasets (1.0 = about 160 MiB; a scaled run's dataset is named
    /// like `default@0.03`) [default: 1, or 0.03 with --quick]
    #[arg(long, value_name = "F", value_parser = parse_scale)]
    pub scale: Option<f64>,
    /// Order of the codecs in the table and the exports: as given, or by overall ratio
    /// (best first), compress or decompress speed (fastest first), or name
    #[arg(long, value_enum, default_value_t = crate::report::export::SortBy::Given)]
    pub sort: crate::report::export::SortBy,
    /// Also write the summary table (one row per codec) as Markdown to FILE
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Also write the summary table as CSV to FILE
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
    /// Also write the summary table as JSON to FILE
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
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

/// Scale of a generated dataset for `harness run --quick` without `--scale`: about 4.8 MiB
/// in all, of which the two smallest files of each category are 2.6 MiB.
pub const QUICK_SCALE: f64 = 0.03;

impl RunArgs {
    /// The `--scale` in force: as given, else 0.03 with `--quick`, else 1.
    pub fn scale(&self) -> f64 {
        match (self.scale, self.quick) {
            (Some(scale), _) => scale,
            (None, true) => QUICK_SCALE,
            (None, false) => 1.0,
        }
    }
}

/// Expands `--codec` arguments into one codec name each, in order: `zstd:1,3,19` and
/// `zstd,1,3,19` (lzbench's form) give `zstd:1`, `zstd:3`, `zstd:19`; `zstd:1-3` gives
/// levels 1 to 3; `,` or `/` separate codecs (`zstd:1,xz:9/gzip`). An `ext:` codec is
/// taken whole (its commands may hold commas).
pub fn codec_names(args: &[String]) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for arg in args {
        if arg.starts_with("ext:") {
            names.push(arg.clone());
            continue;
        }
        // The family whose levels bare numbers continue, and whether it has one of its own
        // yet (a bare `zstd` followed by levels takes those levels instead of its default).
        let mut family: Option<(String, bool)> = None;
        for token in arg.split([',', '/']).map(str::trim) {
            if token.is_empty() {
                return Err(format!("codec list {arg:?} has an empty item"));
            }
            let levels = if token.starts_with(|c: char| c.is_ascii_digit()) {
                let Some((name, has_level)) = family.as_mut() else {
                    return Err(format!(
                        "codec list {arg:?}: level {token:?} follows no codec name"
                    ));
                };
                if !*has_level {
                    names.pop();
                    *has_level = true;
                }
                level_range(token, arg)?
                    .map(|level| format!("{name}:{level}"))
                    .collect()
            } else {
                match token.split_once(':') {
                    Some((name, levels)) => {
                        family = Some((name.to_string(), true));
                        level_range(levels, arg)?
                            .map(|level| format!("{name}:{level}"))
                            .collect()
                    }
                    None => {
                        family = Some((token.to_string(), false));
                        vec![token.to_string()]
                    }
                }
            };
            names.extend(levels);
        }
    }
    Ok(names)
}

/// `7` or `1-19` as the levels it names.
fn level_range(text: &str, arg: &str) -> Result<std::ops::RangeInclusive<i64>, String> {
    let number = |t: &str| {
        t.trim().parse::<i64>().map_err(|_| {
            format!("codec list {arg:?}: level {t:?} is not a number or a range like 1-19")
        })
    };
    let (lo, hi) = match text.split_once('-') {
        Some((lo, hi)) => (number(lo)?, number(hi)?),
        None => (number(text)?, number(text)?),
    };
    if lo > hi {
        return Err(format!("codec list {arg:?}: range {text:?} goes downwards"));
    }
    if hi - lo > 100 {
        return Err(format!("codec list {arg:?}: range {text:?} is too wide"));
    }
    Ok(lo..=hi)
}

#[derive(Args, Debug)]
pub struct FetchArgs {
    /// Datasets to fetch (names of manifests datasets/<NAME>.toml), or `all`; `default` and
    /// `holdout` are generated instead
    #[arg(required = true, value_name = "NAME")]
    pub datasets: Vec<String>,
    /// Size factor of a generated dataset
    #[arg(long, default_value_t = 1.0, value_name = "F", value_parser = parse_scale)]
    pub scale: f64,
    /// Seed of a generated dataset (the holdout's is secret: prefer HARNESS_HOLDOUT_SEED)
    #[arg(long)]
    pub seed: Option<String>,
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
    use super::{codec_names, parse_size};

    fn names(args: &[&str]) -> Result<Vec<String>, String> {
        codec_names(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn codec_lists_take_lzbench_levels_ranges_and_several_codecs() {
        assert_eq!(
            names(&["zstd:1,3,19"]).unwrap(),
            ["zstd:1", "zstd:3", "zstd:19"]
        );
        assert_eq!(
            names(&["zstd,1,3,19"]).unwrap(),
            ["zstd:1", "zstd:3", "zstd:19"]
        );
        assert_eq!(
            names(&["zstd:1-3"]).unwrap(),
            ["zstd:1", "zstd:2", "zstd:3"]
        );
        assert_eq!(
            names(&["candidate,zstd:1,xz:9/gzip", "bzip2"]).unwrap(),
            ["candidate", "zstd:1", "xz:9", "gzip", "bzip2"]
        );
        assert_eq!(
            names(&["ext:b=brotli -c, -q 5;brotli -d"]).unwrap(),
            ["ext:b=brotli -c, -q 5;brotli -d"]
        );
        assert!(names(&["zstd:3-1"]).unwrap_err().contains("goes downwards"));
        assert!(names(&["3,zstd"])
            .unwrap_err()
            .contains("follows no codec name"));
        assert!(names(&["zstd:x"]).unwrap_err().contains("not a number"));
        assert!(names(&["zstd,,xz"]).unwrap_err().contains("empty item"));
    }

    #[test]
    fn sizes_accept_binary_suffixes() {
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
    }
}
