//! The agent's prompt: the operator's instructions, then this session: the objective and the
//! base's score, the loop's recent rows, what went wrong last time (the failure trace), and,
//! when it applies, that this session reworks a failed attempt or that the loop is stuck.

use crate::agent::objective::Objective;
use std::fmt::Write;

pub struct Session<'a> {
    pub iteration: u32,
    pub iterations: u32,
    pub base: &'a str,
    pub objective: Objective,
    pub base_score: Option<f64>,
    pub dataset: &'a str,
    pub min_holdout_share: Option<f64>,
    pub recent_rows: &'a str,
    /// The last attempt's status, reason and trace, when it failed.
    pub last_failure: Option<(String, String, String)>,
    /// The iteration this session reworks.
    pub rework_of: Option<u32>,
    /// Discards in a row, when at least the stuck threshold.
    pub stuck: Option<u32>,
}

pub fn render(program: &str, s: &Session) -> String {
    let mut out = String::from(program.trim_end());
    let score = s.base_score.map_or("-".into(), |v| format!("{v:.8}"));
    let _ = write!(
        out,
        "\n\n## This session\n\nIteration {} of {}. Base commit {}.\n\nObjective: `{}`, {}. \
         The base scores {score} on the `{}` dataset; an attempt is kept only when it scores \
         lower.",
        s.iteration,
        s.iterations,
        &s.base[..s.base.len().min(12)],
        s.objective.as_str(),
        s.objective.explain(),
        s.dataset,
    );
    if let Some(share) = s.min_holdout_share {
        let _ = write!(
            out,
            " A hidden holdout must improve by at least {:.0}% of the relative gain on the main \
             dataset.",
            100.0 * share
        );
    }
    let _ = write!(
        out,
        "\n\nLast rows of results/loop.tsv:\n\n{}\n",
        s.recent_rows
    );
    if let Some(k) = s.rework_of {
        let _ = write!(
            out,
            "\n## Rework\n\nThis session reworks iteration {k}: your scratch clone is as that \
             session left it. It failed as shown below. Fix that failure; do not start over.\n"
        );
    }
    if let Some((status, reason, trace)) = &s.last_failure {
        let _ = write!(
            out,
            "\n## The last attempt failed ({status})\n\n{reason}\n\n```\n{}\n```\n",
            trace.trim_end()
        );
    }
    if let Some(n) = s.stuck {
        let _ = write!(
            out,
            "\n## Stuck\n\nThe last {n} attempts were all discarded. Ideas like them are not \
             working: try a different kind of idea (another model, another transform, another \
             category of data), not a variation of the last ones.\n"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_names_the_objective_the_failure_and_the_situation() {
        let text = render(
            "# program",
            &Session {
                iteration: 4,
                iterations: 9,
                base: "0123456789abcdef",
                objective: Objective::MedianFile,
                base_score: Some(0.5),
                dataset: "default",
                min_holdout_share: Some(0.5),
                recent_rows: "iteration\tstatus",
                last_failure: Some((
                    "guard-fail".into(),
                    "codec/src/lib.rs:3: uses std::fs".into(),
                    "codec/src/lib.rs:3: uses std::fs".into(),
                )),
                rework_of: Some(3),
                stuck: Some(5),
            },
        );
        for needle in [
            "Iteration 4 of 9. Base commit 0123456789ab.",
            "Objective: `median-file`",
            "scores 0.50000000",
            "at least 50% of the relative gain",
            "reworks iteration 3",
            "The last attempt failed (guard-fail)",
            "uses std::fs",
            "The last 5 attempts were all discarded",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in {text}");
        }
    }
}
