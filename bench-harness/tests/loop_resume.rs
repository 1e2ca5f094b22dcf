//! A resumed `harness loop` takes its base's figures from the base's recorded run, and when
//! an attempt's run measured other files (the dataset changed between sessions) it measures
//! the base again instead of judging the attempt against figures of other files.

mod loop_fixtures;
use loop_fixtures::*;
use std::path::Path;

fn run_loop(repo: &Repo, data: &Path, action: &str, iterations: u32) -> String {
    let out = repo
        .harness()
        .env("AGENT_ACTION", action)
        .env("AGENT_SEEN", repo.tmp.path().join("agent-seen.txt"))
        .args(["loop", "--agent"])
        .arg(format!("sh {}", fixture("agent.sh").display()))
        .args(["--iterations", &iterations.to_string()])
        .arg("--dataset")
        .arg(data)
        .args([
            "--holdout",
            "none",
            "--run-arg=--codec",
            "--run-arg=ext:candidate=sh codec/ext.sh c;sh codec/ext.sh d",
            "--build-cmd",
            "true",
            "--test-cmd",
            "true",
            "--speed-runs",
            "0",
            "--max-slowdown",
            "1000",
        ])
        .arg("--harness")
        .arg(assert_cmd::cargo::cargo_bin("harness"))
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "loop failed:\n{text}");
    text
}

/// (status, commit, ratio) of each row of loop.tsv.
fn rows(repo: &Repo) -> Vec<(String, String, f64)> {
    let text = std::fs::read_to_string(repo.root().join("results/loop.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[3].to_string(), f[2].to_string(), f[4].parse().unwrap())
        })
        .collect()
}

#[test]
fn a_resumed_loop_measures_its_base_again_when_the_dataset_changed() {
    let repo = Repo::new();
    let data = repo.tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut state = 7u32;
    let words: String = (0..4_000)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            [
                "the ", "codec ", "keeps ", "every ", "byte ", "of ", "a ", "file\n",
            ][(state >> 29) as usize]
        })
        .collect();
    std::fs::write(data.join("words.txt"), words).unwrap();

    // Session 1: the base, then gzip is kept.
    run_loop(&repo, &data, "better", 1);
    let first = rows(&repo);
    assert_eq!(
        first.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["base", "keep"]
    );
    let (kept, kept_ratio) = (first[1].1.clone(), first[1].2);

    // Session 2, resumed on the same files: the kept row's recorded run is the base, as it is.
    let out = run_loop(&repo, &data, "same", 2);
    assert!(!out.contains("measuring it again"), "{out}");
    let second = rows(&repo);
    assert_eq!(second.len(), 3);
    assert_eq!(second[2].0, "discard", "same bytes: {out}");

    // Session 3, after the dataset grew a file gzip shrinks 1000-fold: judged against the
    // kept row's ratio the same bytes would look far better; the base is measured again.
    std::fs::write(data.join("zeros.bin"), vec![0u8; 400_000]).unwrap();
    let out = run_loop(&repo, &data, "same", 3);
    assert!(
        out.contains("was measured on other files (dataset fingerprint"),
        "{out}"
    );
    let third = rows(&repo);
    assert_eq!(third.len(), 5, "{third:?}");
    let (status, commit, ratio) = &third[3];
    assert_eq!((status.as_str(), commit), ("base", &kept));
    assert!(*ratio < kept_ratio / 10.0, "{ratio} against {kept_ratio}");
    assert_eq!(third[4].0, "discard", "{out}");
    assert_eq!(repo.head(), kept);

    // Session 4: the new base row's recorded run has the same files; nothing is measured again.
    let out = run_loop(&repo, &data, "same", 4);
    assert!(!out.contains("measuring it again"), "{out}");
    assert!(!out.contains("measuring the base"), "{out}");
    let fourth = rows(&repo);
    assert_eq!(fourth.len(), 6);
    assert_eq!(fourth[5].0, "discard");
}
