//! A resumed `harness loop` takes its base's figures from the base's recorded run, and when
//! an attempt's run measured other files (the dataset changed between sessions) it measures
//! the base again instead of judging the attempt against figures of other files.

mod loop_fixtures;
use loop_fixtures::*;

/// (status, commit, ratio) of each row of loop.tsv.
fn rows(c: &Campaign) -> Vec<(String, String, f64)> {
    c.rows()
        .iter()
        .map(|r| {
            (
                r["status"].clone(),
                r["commit"].clone(),
                r["ratio"].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_resumed_loop_measures_its_base_again_when_the_dataset_changed() {
    let c = Campaign::new(STUB);
    let no_holdout = ["--holdout", "none"];

    // Session 1: the base, then run-length coding is kept.
    c.run("rle", 1, &no_holdout);
    let first = rows(&c);
    assert_eq!(
        first.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["base", "keep"]
    );
    let (kept, kept_ratio) = (first[1].1.clone(), first[1].2);

    // Session 2, resumed on the same files: the kept row's recorded run is the base, as it is.
    let out = c.run("same", 2, &no_holdout);
    assert!(!out.contains("measuring it again"), "{out}");
    let second = rows(&c);
    assert_eq!(second.len(), 3);
    assert_eq!(second[2].0, "discard", "same bytes: {out}");

    // Session 3, after the dataset grew a file run-length coding shrinks 60-fold: judged
    // against the kept row's ratio the same bytes would look far better; the base is measured
    // again.
    std::fs::write(c.default_dir.join("zeros.bin"), vec![0u8; 800_000]).unwrap();
    let out = c.run("same", 3, &no_holdout);
    assert!(
        out.contains("was measured on other files (dataset fingerprint"),
        "{out}"
    );
    let third = rows(&c);
    assert_eq!(third.len(), 5, "{third:?}");
    let (status, commit, ratio) = &third[3];
    assert_eq!((status.as_str(), commit), ("base", &kept));
    assert!(*ratio < kept_ratio / 4.0, "{ratio} against {kept_ratio}");
    assert_eq!(third[4].0, "discard", "{out}");
    assert_eq!(c.repo.head(), kept);

    // Session 4: the new base row's recorded run has the same files; nothing is measured again.
    let out = c.run("same", 4, &no_holdout);
    assert!(!out.contains("measuring it again"), "{out}");
    assert!(!out.contains("measuring the base"), "{out}");
    let fourth = rows(&c);
    assert_eq!(fourth.len(), 6);
    assert_eq!(fourth[5].0, "discard");
}

#[test]
fn the_objective_is_named_in_rows_prompts_and_the_report() {
    let c = Campaign::new(STUB);
    c.run(
        "rle",
        1,
        &["--holdout", "none", "--objective", "median-file"],
    );
    let rows = c.rows();
    assert!(
        rows.iter().all(|r| r["objective"] == "median-file"),
        "{rows:?}"
    );
    assert_eq!(rows[1]["status"], "keep");
    assert!(c
        .seen()
        .contains("Objective: `median-file`, the median of the per-file ratios"));
    let report = std::fs::read_to_string(c.repo.root().join("results/report.html")).unwrap();
    assert!(report.contains("objective: median-file"));
}
