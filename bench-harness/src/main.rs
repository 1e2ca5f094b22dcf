//! `harness`: parse arguments, dispatch, print errors with context.

use anyhow::{bail, Context, Result};
use bench_harness::cli::{self, Cli, Command, DatasetsArgs, ExecArgs, RunArgs};
use bench_harness::codecs::{CodecSpec, DEFAULT_BASELINES};
use bench_harness::dataset;
use bench_harness::run::{self, select, Checks, Paths, RunOptions};
use bench_harness::runner::{child, Limits};
use bench_harness::{agent, report, workspace};
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
    let root = workspace::root();
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(|| root.join("datasets"));
    let results_dir = cli
        .results_dir
        .clone()
        .unwrap_or_else(|| root.join("results"));
    let outcome = match cli.command {
        Command::Run(args) => run_command(args, root, data_dir, results_dir),
        Command::Datasets(args) => datasets_command(args, &data_dir).map(|_| ExitCode::SUCCESS),
        Command::Codecs => {
            print!("{}", bench_harness::catalog::render());
            Ok(ExitCode::SUCCESS)
        }
        Command::Fetch(args) => args
            .net
            .options(args.quiet)
            .and_then(|opts| bench_harness::fetch::command(&args.datasets, &opts, &data_dir))
            .map(|_| ExitCode::SUCCESS),
        Command::Exec(args) => exec_command(args).map(|_| ExitCode::SUCCESS),
        Command::Guard(args) => agent::commands::guard(&args, &root),
        Command::Compare(args) => agent::commands::compare(&args, &results_dir),
        Command::Report(args) => agent::commands::report(&args, &results_dir),
        Command::Loop(args) => agent::commands::run_loop(args, root, results_dir, data_dir),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(EXIT_ERROR)
    })
}

fn run_command(
    args: RunArgs,
    root: PathBuf,
    data_dir: PathBuf,
    results_dir: PathBuf,
) -> Result<ExitCode> {
    let codecs = codec_list(&args.codecs)?;
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        bail!("--timeout must be a positive number of seconds");
    }
    if args.max_expansion.is_nan() || args.max_expansion < 1.0 {
        bail!("--max-expansion must be at least 1.0");
    }
    let max_memory = args
        .max_memory
        .as_deref()
        .map(cli::parse_size)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let fetch = args.net.options(args.quiet)?;
    agent::commands::prepare_sandbox(args.require_sandbox, args.no_sandbox)?;
    let quiet = args.quiet;
    let log = move |m: &str| {
        if !quiet {
            eprintln!("{m}");
        }
    };
    let data = if args.files.is_empty() {
        let name = args.dataset.as_deref().unwrap_or("default");
        let source =
            dataset::resolve_in(name, args.seed.as_deref(), args.scale(), &data_dir, fetch)?;
        dataset::materialize(&source, &data_dir, &log)
            .with_context(|| format!("materializing dataset {name}"))?
    } else {
        dataset::from_files(&args.files)?
    };
    let mut files = select::filter(data.files.clone(), args.filter.as_deref())?;
    if let (Some(glob), true) = (&args.filter, files.is_empty()) {
        bail!(
            "no file of dataset {} matches --filter {glob} (it is matched against each file's \
             path in the dataset and its base name)",
            data.name
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
                max_memory,
            },
            determinism: !args.no_determinism,
            max_expansion: args.max_expansion,
            repeat: args.repeat as usize,
        },
        jobs: args.jobs.max(1),
        fail_fast: args.fail_fast,
        use_cache: !args.no_cache,
        label: args.label,
        record: args.record,
        quiet: args.quiet,
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
    println!(
        "run {} on {} (fingerprint {}, git {}{}){}",
        report.meta.run_id,
        report.meta.dataset,
        report.meta.fingerprint,
        short(&report.meta.git.commit),
        if report.meta.git.dirty { "+dirty" } else { "" },
        match (report.interrupted, report.stopped_early) {
            (true, _) => " INTERRUPTED",
            (false, true) => " STOPPED EARLY (--fail-fast)",
            (false, false) => "",
        }
    );
    println!("{}", report.meta.machine.header_line());
    if !report.meta.whole_dataset() {
        println!(
            "files: {} of the dataset's {} (--filter, --quick); every figure covers these only",
            files.len(),
            data.files.len()
        );
    }
    let mut summaries = report.summaries.clone();
    report::export::sort(&mut summaries, args.sort);
    print!("{}", report::table::render(&summaries));
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
        args.export_markdown.as_deref(),
        args.export_csv.as_deref(),
        args.export_json.as_deref(),
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
    if report.interrupted {
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
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

fn datasets_command(args: DatasetsArgs, data_dir: &std::path::Path) -> Result<()> {
    println!(
        "{:<12}{:>7}{:>12}  {:<14}location",
        "dataset", "files", "MiB", "materialized"
    );
    for l in dataset::list_synthetic(data_dir, args.scale)
        .into_iter()
        .chain(dataset::list_manifests(data_dir))
    {
        println!(
            "{:<12}{:>7}{:>12.1}  {:<14}{}",
            l.name,
            l.files,
            l.bytes as f64 / (1 << 20) as f64,
            l.materialized,
            l.location
        );
    }
    println!("any directory path is also a dataset: harness run --dataset path/to/dir");
    Ok(())
}

fn exec_command(args: ExecArgs) -> Result<()> {
    let spec: CodecSpec = args.codec.parse().map_err(anyhow::Error::msg)?;
    child::exec(&spec, args.op, args.max_memory, args.max_output)
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}
