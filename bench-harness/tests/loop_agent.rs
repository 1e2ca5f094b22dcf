//! `harness loop` driven by a scripted agent through keep, discard, guard failure and its
//! rework, a failing test, timeout, no change and an interrupted iteration, one iteration per
//! invocation (so every invocation also resumes), checking loop.tsv, the repository, the
//! attempts kept in results/attempts/ and what the agent was shown each time.

mod loop_fixtures;
use loop_fixtures::*;

#[test]
fn scripted_agent_walks_the_loop_through_every_outcome() {
    let c = Campaign::new(STUB);
    let start = c.repo.head();
    let stuck = ["--stuck-after", "2"];

    // 1. keep: the base is measured first (iteration 0), then run-length coding beats copying.
    let out = c.run("rle", 1, &stuck);
    let rows = c.rows();
    assert_eq!(rows.len(), 2, "{rows:?}\n{out}");
    assert_eq!(
        (rows[0]["iteration"].as_str(), rows[0]["status"].as_str()),
        ("0", "base")
    );
    assert_eq!(rows[0]["commit"], start);
    assert_eq!(rows[0]["ratio"], "1", "the copying codec stores");
    let kept = &rows[1];
    assert_eq!(kept["status"], "keep", "{kept:?}\n{out}");
    assert_eq!(kept["description"], "rle");
    assert_eq!(kept["objective"], "total");
    assert!(kept["ratio"].parse::<f64>().unwrap() < 1.0);
    assert!(kept["score_delta"].parse::<f64>().unwrap() < 0.0);
    assert!(!kept["holdout_ratio"].is_empty());
    assert!(kept["category_deltas"].contains(':'), "{kept:?}");
    let kept_commit = c.repo.head();
    assert_eq!(
        kept["commit"], kept_commit,
        "the repository is fast-forwarded to it"
    );
    assert_eq!(c.lib(), codec("rle"));
    let seen = c.seen();
    assert!(seen.contains("seed=unset"), "{seen}");
    assert!(seen.contains(&format!("base={start}")), "{seen}");
    assert!(
        seen.contains(".git/agent-loop/scratch"),
        "works in its scratch clone: {seen}"
    );
    for needle in [
        "Improve codec/. Nothing else.",
        "Objective: `total`",
        "scores 1.0",
    ] {
        assert!(seen.contains(needle), "the prompt lacks {needle:?}: {seen}");
    }
    let report = std::fs::read_to_string(c.repo.root().join("results/report.html")).unwrap();
    assert_eq!(
        report.matches("class=\"pt keep\"").count(),
        1,
        "the report follows the loop"
    );
    assert!(!c.repo.root().join("results/attempts").exists());

    // 2. discard: the same bytes are not an improvement.
    c.run("same", 2, &stuck);
    let last = c.last();
    assert_eq!(
        (last["iteration"].as_str(), last["status"].as_str()),
        ("2", "discard")
    );
    assert!(
        last["reason"].starts_with("total score not better"),
        "{last:?}"
    );
    assert_eq!(c.repo.head(), kept_commit, "the repository did not move");
    assert!(c
        .attempt("0002-discard.diff")
        .contains("+// Tuned nothing."));

    // 3. guard failure: a better codec, and a file outside codec/.
    c.run("guard", 3, &stuck);
    let last = c.last();
    assert_eq!(last["status"], "guard-fail");
    assert_eq!(last["reason"], "changed outside codec/: README.md");
    assert_eq!(last["ratio"], "", "never measured");
    let readme = std::fs::read_to_string(c.repo.root().join("README.md")).unwrap();
    assert_eq!(readme, "# tiny\n");
    let diff = c.attempt("0003-guard-fail.diff");
    assert!(
        diff.contains("# changed outside codec/ (not carried over): README.md"),
        "{diff}"
    );
    assert!(
        diff.contains("+//! LZ77"),
        "the codec part of the attempt: {diff}"
    );

    // 4. its rework: the same scratch clone, the failure in the prompt; fixed, it is kept.
    c.run("fix-guard", 4, &stuck);
    let seen = c.seen();
    assert!(seen.contains("This session reworks iteration 3"), "{seen}");
    assert!(
        seen.contains("The last attempt failed (guard-fail)"),
        "{seen}"
    );
    let last = c.last();
    assert_eq!(last["status"], "keep", "{last:?}");
    assert_eq!(
        last["description"],
        "rework of 3: lz77, and a README edit; undo the README edit"
    );
    assert_eq!(c.lib(), codec("lz77"));
    let lz77_commit = c.repo.head();

    // 5. a bug the contract's round trips find (no dataset file is that short).
    c.run("broken", 5, &stuck);
    let last = c.last();
    assert_eq!(last["status"], "crash");
    assert!(
        last["reason"].starts_with("codec tests: harness_contract"),
        "{last:?}"
    );
    assert!(
        last["reason"].contains("mixed content of 2 bytes: the round trip changed the bytes"),
        "{last:?}"
    );

    // 6. its rework overruns the agent's time limit; its uncommitted change is kept as a diff.
    c.run(
        "timeout",
        6,
        &["--stuck-after", "2", "--agent-timeout", "3"],
    );
    let last = c.last();
    assert_eq!(last["status"], "timeout");
    assert!(last["description"].starts_with("rework of 5"), "{last:?}");
    assert!(last["reason"].contains("agent exceeded"), "{last:?}");
    assert!(c
        .attempt("0006-timeout.diff")
        .contains("+// Tuned nothing."));

    // 7. no change at all, after two failures in a row: the prompt says the loop is stuck.
    c.run("nothing", 7, &stuck);
    assert!(
        c.seen().contains("The last 2 attempts were all discarded"),
        "{}",
        c.seen()
    );
    let last = c.last();
    assert_eq!(last["status"], "discard");
    assert!(last["reason"].starts_with("no change"), "{last:?}");
    assert_eq!(c.repo.head(), lz77_commit);

    // 8. an interrupted iteration is recorded as such when the loop resumes.
    std::fs::write(
        c.repo.loop_dir().join("in-progress.json"),
        format!("{{\"iteration\":8,\"base\":\"{lz77_commit}\"}}"),
    )
    .unwrap();
    c.run("nothing", 8, &stuck);
    let last = c.last();
    assert_eq!(
        (last["iteration"].as_str(), last["status"].as_str()),
        ("8", "discard")
    );
    assert!(last["reason"].contains("interrupted"), "{last:?}");

    // Already at 8 iterations: a new invocation does nothing.
    let n = c.rows().len();
    c.run("rle", 8, &stuck);
    assert_eq!(c.rows().len(), n);
    let statuses: Vec<String> = c.rows().iter().map(|r| r["status"].clone()).collect();
    assert_eq!(
        statuses,
        [
            "base",
            "keep",
            "discard",
            "guard-fail",
            "keep",
            "crash",
            "timeout",
            "discard",
            "discard"
        ]
    );
    assert_eq!(
        c.repo
            .git(&["status", "--porcelain", "--", ".", ":!results"]),
        ""
    );
}
