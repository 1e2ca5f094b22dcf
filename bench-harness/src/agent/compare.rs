//! `harness compare BASE ATTEMPT`: the loop's decision for two recorded runs (or two sets of
//! repeated runs, comma-separated, whose timings give medians and a noise estimate).

use super::args::CompareArgs;
use super::decide::{self, Decision, Rules};
use super::figures;
use anyhow::{bail, Result};
use std::path::Path;

pub fn compare(args: &CompareArgs, results_dir: &Path) -> Result<Decision> {
    if args.max_slowdown.is_some_and(|f| f.is_nan() || f < 1.0) {
        bail!("--max-slowdown must be at least 1.0");
    }
    let base = figures::load_list(&args.base, results_dir, &args.codec)?;
    let attempt = figures::load_list(&args.attempt, results_dir, &args.codec)?;
    if base.is_empty() || attempt.is_empty() {
        bail!("name at least one run on each side");
    }
    for side in [&base, &attempt] {
        if side.iter().any(|f| f.fingerprint != base[0].fingerprint) {
            bail!("the runs were made on different datasets; ratios would not compare");
        }
        if let Some(other) = side
            .iter()
            .find(|f| !f.selection.same_files(&base[0].selection))
        {
            bail!(
                "the runs measured different files of the dataset ({} in run {}, {} in run {}: \
                 --filter or --quick); ratios and times would not compare",
                base[0].selection.describe(),
                base[0].run_id,
                other.selection.describe(),
                other.run_id
            );
        }
    }
    let runs: Vec<&str> = [&args.base, &args.attempt]
        .iter()
        .flat_map(|list| list.split(',').map(str::trim).filter(|r| !r.is_empty()))
        .collect();
    let bases = runs
        .iter()
        .map(|r| figures::timing_basis(&figures::run_dir(r, results_dir)))
        .collect::<Result<Vec<_>>>()?;
    let repeats: Vec<u64> = bases.iter().map(|(repeat, _)| *repeat).collect();
    if repeats.iter().any(|&n| n != repeats[0]) {
        bail!(
            "the runs timed each operation a different number of times (--repeat {:?}); \
             their speeds would not compare",
            repeats
        );
    }
    if let Some(other) = bases.iter().position(|(_, t)| *t != bases[0].1) {
        bail!(
            "the runs timed different things (--timing {} in run {}, {} in run {}); \
             their speeds would not compare",
            bases[0].1,
            runs[0],
            bases[other].1,
            runs[other]
        );
    }
    let rules = Rules {
        max_slowdown: args.max_slowdown,
        ..Rules::exact(args.objective)
    };
    Ok(decide::decide(&base, &attempt, None, &rules, &[]))
}
