//! The subcommands `guard`, `compare`, `report`, `loop`, and the sandbox set-up of `run`,
//! as `main` dispatches them.

use super::args::{CompareArgs, GuardArgs, LoopArgs, ReportArgs};
use super::decide::Verdict;
use super::{compare as cmp, cycle, guard as grd};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn guard(args: &GuardArgs, root: &Path) -> Result<ExitCode> {
    let violations = grd::check(root, &args.base, !args.no_compile)?;
    if violations.is_empty() {
        println!(
            "guard: OK (only codec/ changed since {}, within the contract)",
            args.base
        );
        return Ok(ExitCode::SUCCESS);
    }
    for v in &violations {
        println!("VIOLATION {v}");
    }
    println!("guard: {} violation(s)", violations.len());
    Ok(ExitCode::from(1))
}

pub fn compare(args: &CompareArgs, results_dir: &Path) -> Result<ExitCode> {
    let decision = cmp::compare(args, results_dir)?;
    println!("codec {}", args.codec);
    print!("{}", decision.render());
    Ok(match decision.verdict {
        Verdict::Keep => ExitCode::SUCCESS,
        Verdict::Discard => ExitCode::from(1),
    })
}

pub fn report(args: &ReportArgs, results_dir: &Path) -> Result<ExitCode> {
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| results_dir.join("report.html"));
    crate::report::html::write(results_dir, &out, args.dataset.as_deref())?;
    println!("report: {}", out.display());
    Ok(ExitCode::SUCCESS)
}

pub fn run_loop(
    args: LoopArgs,
    root: PathBuf,
    results_dir: PathBuf,
    data_dir: PathBuf,
) -> Result<ExitCode> {
    cycle::run(args, root, results_dir, data_dir)?;
    Ok(ExitCode::SUCCESS)
}
