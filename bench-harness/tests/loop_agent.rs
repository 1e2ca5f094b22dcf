//! `harness loop` driven by a scripted agent through keep, discard, guard failure, crash,
//! timeout, no change and an interrupted iteration, one iteration per invocation (so every
//! invocation also resumes), checking loop.tsv, git state and results/attempts/ each time.

mod loop_fixtures;
use loop_fixtures::*;
use std::path::PathBuf;

struct Session {
    repo: Repo,
    default_dir: PathBuf,
    holdout_dir: PathBuf,
    seen: PathBuf,
}

fn prose(seed: u8, len: usize) -> Vec<u8> {
    let words = [
        "the ", "codec ", "keeps ", "every ", "byte ", "of ", "a ", "file ", "\n",
    ];
    (0..len)
        .map(|i| (i * 7 + seed as usize * 3) % words.len())
        .flat_map(|w| words[w].bytes())
        .take(len)
        .collect()
}

impl Session {
    fn new() -> Session {
        let repo = Repo::new();
        let data = repo.tmp.path().join("data");
        let (default_dir, holdout_dir) = (data.join("default"), data.join("holdout"));
        for (dir, seed) in [(&default_dir, 1), (&holdout_dir, 2)] {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join("words.txt"), prose(seed, 20_000)).unwrap();
        }
        let seen = repo.tmp.path().join("agent-seen.txt");
        Session {
            repo,
            default_dir,
            holdout_dir,
            seen,
        }
    }

    /// Runs the loop up to `iterations` with the agent doing `action`.
    fn run(&self, action: &str, iterations: u32, agent_timeout: &str, speed_runs: &str) -> String {
        let harness = assert_cmd::cargo::cargo_bin("harness");
        let out = self
            .repo
            .harness()
            .env("AGENT_ACTION", action)
            .env("AGENT_SEEN", &self.seen)
            .env("HARNESS_HOLDOUT_SEED", "not-for-the-agent")
            .args(["loop", "--agent"])
            .arg(format!("sh {}", fixture("agent.sh").display()))
            .args(["--iterations", &iterations.to_string()])
            .args(["--agent-timeout", agent_timeout])
            .arg("--dataset")
            .arg(&self.default_dir)
            .arg("--holdout")
            .arg(&self.holdout_dir)
            .args([
                "--run-arg=--codec",
                "--run-arg=ext:candidate=sh codec/ext.sh c;sh codec/ext.sh d",
                "--run-arg=--timeout",
                "--run-arg=30",
                "--build-cmd",
                "true",
                "--test-cmd",
                "cargo test --quiet --offline",
                "--speed-runs",
                speed_runs,
                "--max-slowdown",
                "1000",
            ])
            .arg("--harness")
            .arg(harness)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "loop failed:\n{text}");
        text
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(self.repo.root().join("results/loop.tsv")).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "iteration\tutc\tcommit\tstatus\tratio\tdelta\tcompress_s\tdecompress_s\t\
             description\tholdout_ratio\tratio_with_source\treason"
        );
        lines
            .map(|l| l.split('\t').map(String::from).collect())
            .collect()
    }

    fn last(&self) -> Vec<String> {
        self.rows().pop().unwrap()
    }

    fn attempts(&self) -> Vec<String> {
        let dir = self.repo.root().join("results/attempts");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn attempt(&self, name: &str) -> String {
        std::fs::read_to_string(self.repo.root().join("results/attempts").join(name)).unwrap()
    }

    /// The work tree is clean apart from the loop's own records.
    fn assert_clean(&self) {
        let status = self
            .repo
            .git(&["status", "--porcelain", "--", ".", ":!results"]);
        assert_eq!(status, "", "work tree not clean");
    }

    fn ext_script(&self) -> String {
        std::fs::read_to_string(self.repo.root().join("codec/ext.sh")).unwrap()
    }
}

const STATUS: usize = 3;
const RATIO: usize = 4;
const DELTA: usize = 5;
const DESCRIPTION: usize = 8;
const HOLDOUT: usize = 9;
const WITH_SOURCE: usize = 10;
const REASON: usize = 11;

#[test]
fn scripted_agent_walks_the_loop_through_every_outcome() {
    let s = Session::new();
    let start = s.repo.head();

    // 1. keep: the base is measured first (iteration 0), then gzip beats copying.
    let out = s.run("better", 1, "60", "1");
    let rows = s.rows();
    assert_eq!(rows.len(), 2, "{rows:?}\n{out}");
    assert_eq!(rows[0][0], "0");
    assert_eq!(rows[0][STATUS], "base");
    assert_eq!(rows[0][2], start);
    let base_ratio: f64 = rows[0][RATIO].parse().unwrap();
    assert_eq!(base_ratio, 1.0, "the copying codec stores");
    assert_eq!(rows[1][STATUS], "keep", "{:?}\n{out}", rows[1]);
    let kept = s.repo.head();
    assert_ne!(kept, start);
    assert_eq!(rows[1][2], kept);
    assert!(rows[1][RATIO].parse::<f64>().unwrap() < 0.5);
    assert!(rows[1][DELTA].parse::<f64>().unwrap() < 0.0);
    assert!(!rows[1][HOLDOUT].is_empty() && !rows[1][WITH_SOURCE].is_empty());
    assert_eq!(
        rows[1][DESCRIPTION],
        "ext codec: gzip -9 instead of copying"
    );
    assert!(s.ext_script().contains("gzip -9"));
    assert!(s.attempts().is_empty());
    let seen = std::fs::read_to_string(&s.seen).unwrap();
    assert!(
        seen.contains("seed=unset"),
        "the holdout seed leaked: {seen}"
    );
    assert!(seen.contains("iteration=1") && seen.contains(&format!("base={start}")));
    assert!(
        seen.contains("Improve codec/. Nothing else."),
        "program.md is the prompt"
    );
    s.assert_clean();
    let report = std::fs::read_to_string(s.repo.root().join("results/report.html")).unwrap();
    assert_eq!(
        report.matches("class=\"pt keep\"").count(),
        1,
        "the report follows the loop"
    );
    let history = std::fs::read_to_string(s.repo.root().join("results/results.csv")).unwrap();
    assert!(history.contains("loop:1"), "the attempt's run is recorded");

    // 2. discard: the same bytes are not an improvement.
    s.run("same", 2, "60", "0");
    let last = s.last();
    assert_eq!(last[0], "2");
    assert_eq!(last[STATUS], "discard");
    assert!(last[REASON].contains("ratio not better"), "{last:?}");
    assert_eq!(s.repo.head(), kept, "reset to the base");
    assert!(!s.ext_script().contains("Tuned nothing"));
    assert_eq!(s.attempts(), ["0002-discard.diff"]);
    assert!(s.attempt("0002-discard.diff").contains("+# Tuned nothing"));
    s.assert_clean();

    // 3. guard failure: a file outside codec/.
    s.run("guard", 3, "60", "0");
    let last = s.last();
    assert_eq!(last[STATUS], "guard-fail");
    assert!(
        last[REASON].contains("changed outside codec/: README.md"),
        "{last:?}"
    );
    assert_eq!(last[RATIO], "", "never measured");
    assert_eq!(s.repo.head(), kept);
    let readme = std::fs::read_to_string(s.repo.root().join("README.md")).unwrap();
    assert_eq!(readme, "# tiny\n");
    assert!(s
        .attempt("0003-guard-fail.diff")
        .contains("+an agent was here"));
    s.assert_clean();

    // 4. crash: the codec dies on a signal.
    s.run("crash", 4, "60", "0");
    let last = s.last();
    assert_eq!(last[STATUS], "crash");
    assert!(last[REASON].contains("crashed"), "{last:?}");
    assert_eq!(s.repo.head(), kept);
    assert!(s.attempt("0004-crash.diff").contains("kill -SEGV"));
    s.assert_clean();

    // 5. timeout: the agent overruns; its uncommitted change is kept as a diff and reset.
    s.run("timeout", 5, "2", "0");
    let last = s.last();
    assert_eq!(last[STATUS], "timeout");
    assert!(last[REASON].contains("agent exceeded"), "{last:?}");
    assert_eq!(s.repo.head(), kept);
    assert!(s.attempt("0005-timeout.diff").contains("+# Tuned nothing"));
    s.assert_clean();

    // 6. no change at all.
    s.run("nothing", 6, "60", "0");
    let last = s.last();
    assert_eq!(last[STATUS], "discard");
    assert!(last[REASON].starts_with("no change"), "{last:?}");
    assert_eq!(s.repo.head(), kept);

    // 7. an interrupted iteration: state says 7 is in progress, the tree is dirty.
    let git_dir = s.repo.git(&["rev-parse", "--absolute-git-dir"]);
    std::fs::write(
        PathBuf::from(&git_dir).join("agent-loop/in-progress.json"),
        format!("{{\"iteration\":7,\"base\":\"{kept}\"}}"),
    )
    .unwrap();
    s.repo.write("codec/ext.sh", "half-written\n");
    s.run("nothing", 7, "60", "0");
    let rows = s.rows();
    let seven: Vec<_> = rows.iter().filter(|r| r[0] == "7").collect();
    assert_eq!(seven.len(), 1, "{rows:?}");
    assert_eq!(seven[0][STATUS], "discard");
    assert!(seven[0][REASON].contains("interrupted"));
    assert!(s.attempt("0007-discard.diff").contains("+half-written"));
    assert_eq!(s.repo.head(), kept);
    assert!(s.ext_script().contains("gzip -9"));
    s.assert_clean();

    // Already at 7 iterations: a new invocation does nothing.
    let n = s.rows().len();
    s.run("better", 7, "60", "0");
    assert_eq!(s.rows().len(), n);
    let rows = s.rows();
    let statuses: Vec<&str> = rows.iter().map(|r| r[STATUS].as_str()).collect();
    assert_eq!(
        statuses,
        [
            "base",
            "keep",
            "discard",
            "guard-fail",
            "crash",
            "timeout",
            "discard",
            "discard"
        ]
    );
}
