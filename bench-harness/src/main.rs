//! `harness`: parse arguments, dispatch, print errors with context.

use anyhow::{bail, Context, Result};
use bench_harness::cli::{self, Cli, Command, DatasetsArgs, RunArgs};
use bench_harness::codecs::{CodecSpec, DEFAULT_BASELINES};
use bench_harness::dataset;
use bench_harness::run::row::Timing;
use bench_harness::run::{self, select, Checks, Paths, RunOptions};
use bench_harness::runner::{locate, sandbox, Limits, Runner};
use bench_harness::{agent, redact, report, workspace};
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Exit status when the candidate failed a file (errors of the harness itself exit with 2).
const EXIT_CANDIDATE_FAILED: u8 = 1;
const EXIT_ERROR: u8 = 2;
/// Exit status of a run stopped by SIGINT or SIGTERM (the shell convention for SIGINT).
const EXIT_INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Ok(seed) = std::env::var(dataset::HOLDOUT_SEED_VAR) {
        redact::register(&seed);
    }
    let root = workspace::root();
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(|| root.join("datasets"));
    let dirs = bench_harness::fetch::Dirs {
        manifests: cli
            .manifests
            .clone()
            .unwrap_or_else(|| root.join("datasets")),
        data: data_dir.clone(),
    };
    let results_dir = cli
        .results_dir
        .clone()
        .unwrap_or_else(|| root.join("results"));
    let outcome = match cli.command {
        Command::Run(args) => run_command(args, root, &dirs, results_dir),
        Command::Datasets(args) => datasets_command(args, &dirs).map(|_| ExitCode::SUCCESS),
        Command::Codecs => {
            print!("{}", bench_harness::catalog::render());
            Ok(ExitCode::SUCCESS)
        }
        Command::Fetch(args) => args
            .net
            .options(args.quiet)
            .and_then(|opts| {
                let generated = bench_harness::fetch::Generated {
                    scale: args.scale,
                    seed: args.seed.clone(),
                };
                bench_harness::fetch::command(&args.datasets, &opts, &dirs, &generated)
            })
            .map(|_| ExitCode::SUCCESS),
        Command::Guard(args) => agent::commands::guard(&args, &root),
        Command::Compare(args) => agent::commands::compare(&args, &results_dir),
        Command::Report(args) => agent::commands::report(&args, &results_dir),
        Command::Loop(args) => agent::commands::run_loop(args, root, results_dir, data_dir),
        Command::Merge(args) => merge_command(args, root, results_dir),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(EXIT_ERROR)
    })
}

fn run_command(
    args: RunArgs,
    root: PathBuf,
    dirs: &bench_harness::fetch::Dirs,
    results_dir: PathBuf,
) -> Result<ExitCode> {
    let _ballast = test_ballast();
    let codecs = codec_list(&args.codecs)?;
    if args.dataset.as_deref() == Some("holdout") {
        if let Some(seed) = &args.seed {
            redact::register(seed);
        }
    }
    let runner = locate::find(args.runner.clone(), &root)?;
    let probe = locate::probe(&runner)?;
    let support = probe.support;
    let mode = sandbox::Mode::from_flags(args.require_sandbox, args.no_sandbox);
    if let Some(message) = sandbox::plan(mode, support).map_err(anyhow::Error::msg)? {
        eprintln!("{message}");
    }
    let max_output = output_ceiling(args.max_output, &results_dir);
    let fetch = args.net.options(args.quiet)?;
    let quiet = args.quiet;
    let log = move |m: &str| {
        if !quiet {
            eprintln!("{m}");
        }
    };
    let data = if args.files.is_empty() {
        let name = args.dataset.as_deref().unwrap_or("default");
        bench_harness::fetch::open(name, args.seed.as_deref(), args.scale(), dirs, &fetch, &log)
            .with_context(|| format!("materializing dataset {name}"))?
    } else {
        dataset::from_files(&args.files)?
    };
    let mut files = select::filter(data.files.clone(), args.filter.as_deref())?;
    if let (Some(glob), true) = (&args.filter, files.is_empty()) {
        bail!(
            "no file of dataset {} matches --filter {glob} (it is matched against each file's \
             path in the dataset and its base name){}",
            data.name,
            substring_hint(glob, &data.files)
        );
    }
    if args.quick {
        files = select::quick(files);
    }
    let opts = RunOptions {
        codecs,
        checks: Checks {
            limits: Limits {
                timeout: Duration::from_secs_f64(args.timeout),
                max_memory: args.max_memory,
                max_output,
            },
            runner: Runner {
                executable: runner,
                sandbox: mode,
                writable: args.ext_writable.clone(),
                confines_writes: support.confines_writes(mode),
                built_from: probe.built_from,
            },
            determinism: !args.no_determinism,
            max_expansion: args.max_expansion,
            repeat: args.repeat as usize,
        },
        jobs: args.jobs as usize,
        fail_fast: args.fail_fast,
        use_cache: !args.no_cache,
        label: args.label,
        record: args.record,
        quiet: args.quiet,
        timing: args.timing,
        shard: args.shard,
    };
    log(&format!(
        "dataset {} ({} of {} files, {:.1} MiB, fingerprint {}), codecs: {}",
        data.name,
        files.len(),
        data.files.len(),
        files.iter().map(|f| f.size).sum::<u64>() as f64 / (1 << 20) as f64,
        data.fingerprint(),
        opts.codecs
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let report = run::execute(&data, &files, &opts, &Paths { root, results_dir })?;
    print_run_line(
        &report.meta,
        match (
            report.ending.interrupted,
            &report.ending.halted,
            report.ending.stopped_early,
        ) {
            (true, _, _) => " INTERRUPTED",
            (false, Some(_), _) => " STOPPED: a codec changed the dataset",
            (false, None, true) => " STOPPED EARLY (--fail-fast)",
            (false, None, false) => "",
        },
    );
    if let Some(shard) = &report.meta.shard {
        println!(
            "shard {}: {} of the run's {} (file, codec) pairs; not added to the history: \
             `harness merge` joins the shards into one run",
            shard.shard, shard.shard_pairs, shard.run_pairs
        );
    }
    if !data.missing.is_empty() {
        println!(
            "partial: {} lacks {} (--partial); every figure covers the {} files present",
            args.dataset.as_deref().unwrap_or("default"),
            data.missing.join(", "),
            data.files.len()
        );
    }
    println!("{}", report.meta.machine.header_line());
    if !report.meta.whole_dataset() {
        println!(
            "files: {} of the dataset's {} (--filter, --quick); every figure covers these only",
            files.len(),
            data.files.len()
        );
    }
    finish_run(
        &report,
        &Display {
            sort: args.sort,
            timing: args.timing,
            export_markdown: args.export_markdown,
            export_csv: args.export_csv,
            export_json: args.export_json,
        },
    )
}

/// `harness merge`: the shards' run directories (or ids under `results_dir/runs`) joined.
fn merge_command(args: cli::MergeArgs, root: PathBuf, results_dir: PathBuf) -> Result<ExitCode> {
    let dirs: Vec<PathBuf> = args
        .runs
        .iter()
        .map(|run| {
            let path = PathBuf::from(run);
            if path.is_dir() {
                path
            } else {
                results_dir.join("runs").join(run)
            }
        })
        .collect();
    let paths = Paths { root, results_dir };
    let report = run::merge::merge(&dirs, args.label.as_deref(), args.record, &paths)?;
    print_run_line(
        &report.meta,
        &format!(", merged from {} shards", dirs.len()),
    );
    println!("{}", report.meta.machine.header_line());
    finish_run(
        &report,
        &Display {
            sort: report::export::SortBy::Given,
            timing: report.meta.timing,
            export_markdown: None,
            export_csv: None,
            export_json: None,
        },
    )
}

/// `run ID on DATASET (fingerprint F, git COMMIT[+dirty])` then `tail`: the line scripts find
/// a run's id by.
fn print_run_line(meta: &bench_harness::history::RunMeta, tail: &str) {
    println!(
        "run {} on {} (fingerprint {}, git {}{}){tail}",
        meta.run_id,
        meta.dataset,
        meta.fingerprint,
        short(&meta.git.commit),
        if meta.git.dirty { "+dirty" } else { "" },
    );
}

/// How a finished run is shown: the order of the table and the exports asked for.
struct Display {
    sort: report::export::SortBy,
    timing: Timing,
    export_markdown: Option<PathBuf>,
    export_csv: Option<PathBuf>,
    export_json: Option<PathBuf>,
}

/// Prints a finished run's table, scores and failures; its exit status.
fn finish_run(report: &run::RunReport, display: &Display) -> Result<ExitCode> {
    let mut summaries = report.summaries.clone();
    report::export::sort(&mut summaries, display.sort);
    print!("{}", report::table::render(&summaries));
    print!(
        "{}",
        timing_note(display.timing, &report.rows, &report.summaries)
    );
    if report.meta.repeat > 1 {
        println!(
            "\ntimes: the fastest of {} runs of each operation; the slowest runs took longer by \
             (compress / decompress, over the files that passed; - when none was timed in this \
             run, as with cached baselines):",
            report.meta.repeat
        );
        for s in &summaries {
            println!(
                "  {:<12} {} / {}",
                s.codec,
                report::table::spread_text(s.compress_spread),
                report::table::spread_text(s.decompress_spread)
            );
        }
    }
    report::export::write_all(
        &report::export::rows(&summaries),
        display.export_markdown.as_deref(),
        display.export_csv.as_deref(),
        display.export_json.as_deref(),
    )?;
    print!("{}", report.scores.render());
    for row in report.rows.iter().filter(|r| !r.ok()) {
        println!(
            "FAILED {} {}: {} ({})",
            row.codec,
            row.file,
            row.status.as_str(),
            row.reason
        );
    }
    println!(
        "rows: {}\nsummary: {}",
        report.run_dir.join("files.csv").display(),
        report.run_dir.join("summary.json").display()
    );
    if let Some(reason) = &report.ending.halted {
        println!("STOPPED: {reason}");
    }
    for file in &report.ending.data_changed {
        println!(
            "DATA CHANGED: {file} changed during the run (not by a codec); its pairs were not \
             measured and the run is not trustworthy: materialize the dataset again"
        );
    }
    if report.ending.interrupted {
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    if report.ending.halted.is_some() && report.candidate_failures == 0 {
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    if !report.ending.data_changed.is_empty() {
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    if report.candidate_failures > 0 {
        eprintln!("the candidate failed {} file(s)", report.candidate_failures);
        return Ok(ExitCode::from(EXIT_CANDIDATE_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

fn codec_list(args: &[String]) -> Result<Vec<CodecSpec>> {
    let names: Vec<String> = if args.is_empty() {
        std::iter::once("candidate")
            .chain(DEFAULT_BASELINES)
            .map(String::from)
            .collect()
    } else {
        cli::codec_names(args).map_err(anyhow::Error::msg)?
    };
    let mut codecs: Vec<CodecSpec> = Vec::new();
    for name in &names {
        let spec: CodecSpec = name.parse().map_err(anyhow::Error::msg)?;
        if codecs.iter().any(|c| c.name == spec.name) {
            bail!("codec {} is given twice", spec.name);
        }
        codecs.push(spec);
    }
    Ok(codecs)
}

fn datasets_command(args: DatasetsArgs, dirs: &bench_harness::fetch::Dirs) -> Result<()> {
    let mut listings = dataset::listing::list_synthetic(&dirs.data, args.scale);
    listings.extend(bench_harness::fetch::list(dirs));
    print!("{}", dataset::listing::render(&listings));
    println!("any directory path is also a dataset: harness run --dataset path/to/dir");
    Ok(())
}

/// The output ceiling: `asked`, or 4 GiB by default; never more than the free space where
/// the run writes.
fn output_ceiling(asked: Option<u64>, results_dir: &std::path::Path) -> u64 {
    const DEFAULT: u64 = 4 << 30;
    let _ = std::fs::create_dir_all(results_dir);
    let free = free_bytes(results_dir).unwrap_or(u64::MAX);
    let wanted = asked.unwrap_or(DEFAULT);
    if wanted > free {
        eprintln!(
            "warning: output limited to the {} MiB free in {} (asked for {} MiB)",
            free >> 20,
            results_dir.display(),
            wanted >> 20
        );
    }
    wanted.min(free).max(1)
}

fn free_bytes(dir: &std::path::Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: an all-zero statvfs is a valid value of this plain C struct.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid NUL-terminated path and out-pointer.
    if unsafe { libc::statvfs(path.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    Some(stat.f_bavail as u64 * stat.f_frsize as u64)
}

/// Which seconds the speed figures are, and which codecs had only process time.
/// For a `--filter` without wildcards that matched nothing: the files whose names contain
/// it, as the glob `*NAME*` would select them.
fn substring_hint(glob: &str, files: &[dataset::DatasetFile]) -> String {
    if glob.contains(['*', '?', '[']) {
        return String::new();
    }
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| n.contains(glob))
        .collect();
    match names.len() {
        0 => String::new(),
        n => format!(
            "; --filter '*{glob}*' would match {n} file{} ({})",
            if n == 1 { "" } else { "s" },
            names.iter().take(5).copied().collect::<Vec<_>>().join(", ")
        ),
    }
}

fn timing_note(
    timing: Timing,
    rows: &[bench_harness::run::row::FileRow],
    summaries: &[bench_harness::metrics::CodecSummary],
) -> String {
    match timing {
        Timing::Process => {
            "times: whole codec processes, from spawn to exit (--timing process)\n".into()
        }
        Timing::Codec => {
            let process_only: Vec<&str> = summaries
                .iter()
                .map(|s| s.codec.as_str())
                .filter(|c| {
                    rows.iter()
                        .any(|r| &r.codec == c && r.process_timed(Timing::Codec))
                })
                .collect();
            let mut note =
                "times: the codec call alone (fastest warm call), on in-memory buffers inside the runner"
                    .to_string();
            if !process_only.is_empty() {
                note += &format!(
                    "; {} timed as whole processes (process time: external commands)",
                    process_only.join(", ")
                );
            }
            note + "\n"
        }
    }
}

/// A test seam: with `HARNESS_TEST_BALLAST_MIB=N` the harness holds N MiB it has written,
/// as a harness with a large dataset in memory would; no codec's figures may show it.
fn test_ballast() -> Vec<u8> {
    let mib: usize = std::env::var("HARNESS_TEST_BALLAST_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut ballast = vec![0u8; mib << 20];
    for page in ballast.chunks_mut(4096) {
        page[0] = 1;
    }
    std::hint::black_box(ballast)
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}
