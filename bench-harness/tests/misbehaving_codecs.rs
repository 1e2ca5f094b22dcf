//! Every way an external codec can misbehave fails its own rows, with a status and a reason,
//! while the other rows of the run stay correct.

mod common;
use common::*;

fn ext(name: &str, compress: &str, decompress: &str) -> String {
    format!("ext:{name}={compress};{decompress}")
}

#[test]
fn each_misbehaviour_gets_its_status_and_the_run_goes_on() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[
        ("book.txt", prose(20_000)),
        (
            "table.bin",
            (0..30_000u32).flat_map(|i| (i / 7).to_le_bytes()).collect(),
        ),
    ]);
    let codecs = [
        ext("good", "gzip -c", "gzip -dc"),
        ext("sleeper", &script("sleeper.sh"), "cat"),
        ext("fails", &script("fails.sh"), "cat"),
        ext("corrupts", "cat", &script("corrupts.sh")),
        ext(
            "nondeterministic",
            &script("random-tail.sh"),
            &script("strip-tail.sh"),
        ),
        ext("expands", &script("triple.sh"), &script("untriple.sh")),
        ext("segfaults", &script("segfault.sh"), "cat"),
    ];
    let mut cmd = sandbox.harness();
    cmd.args(["run", "--dataset"])
        .arg(&dataset)
        .args(["--timeout", "2"]);
    for c in &codecs {
        cmd.arg("--codec").arg(c);
    }
    let output = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The candidate is not part of this run, so failures of others do not fail the process.
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let rows = sandbox.rows();
    assert_eq!(rows.len(), 2 * codecs.len());
    let expect = [
        ("good", "ok", ""),
        ("sleeper", "timeout", "exceeded the 2 s time limit"),
        (
            "fails",
            "error",
            "exited with status 1: boom: this codec always fails",
        ),
        ("corrupts", "mismatch", "differs from the original at byte"),
        (
            "nondeterministic",
            "nondeterministic",
            "compressing twice gave different bytes",
        ),
        ("expands", "expanded", "over the limit"),
        ("segfaults", "crashed", "SIGSEGV"),
    ];
    for (codec, status, reason) in expect {
        let mine: Vec<_> = rows.iter().filter(|r| &r[CODEC] == codec).collect();
        assert_eq!(mine.len(), 2, "{codec}");
        for r in mine {
            assert_eq!(
                &r[STATUS], status,
                "{codec} on {}: {}",
                &r[FILE], &r[REASON]
            );
            assert!(
                r[REASON].contains(reason),
                "{codec}: reason {:?}",
                &r[REASON]
            );
        }
    }
    let good: Vec<_> = rows.iter().filter(|r| &r[CODEC] == "good").collect();
    for r in good {
        let compressed: u64 = r[COMPRESSED].parse().unwrap();
        let original: u64 = r[ORIGINAL].parse().unwrap();
        assert!(compressed < original / 3, "gzip should shrink {}", &r[FILE]);
    }
    let corrupt_book = rows
        .iter()
        .find(|r| &r[CODEC] == "corrupts" && &r[FILE] == "book.txt")
        .unwrap();
    assert!(
        corrupt_book[REASON].contains("at byte 20000"),
        "{:?}",
        &corrupt_book[REASON]
    );
    assert!(
        stdout.contains("FAILED sleeper book.txt: timeout"),
        "{stdout}"
    );
    let summary = sandbox.summary();
    let failed: Vec<u64> = summary["codecs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["files_failed"].as_u64().unwrap())
        .collect();
    assert_eq!(failed, [0, 2, 2, 2, 2, 2, 2]);
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(1000)), ("b.txt", prose(2000))]);
    let output = sandbox
        .harness()
        .args(["run", "--fail-fast", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(ext("fails", &script("fails.sh"), "cat"))
        .args(["--codec", "gzip"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let rows = sandbox.rows();
    assert_eq!(rows.len(), 1, "only the failing pair ran");
    assert_eq!(&rows[0][STATUS], "error");
    assert_eq!(sandbox.summary()["stopped_early"], true);
}

#[test]
fn a_failing_candidate_fails_the_process_but_keeps_every_row() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(5000))]);
    // One MiB of address space is too little for any runner process to start.
    sandbox
        .harness()
        .args(["run", "--max-memory", "1M", "--dataset"])
        .arg(&dataset)
        .args(["--codec", "candidate"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("the candidate failed 1 file"));
    let rows = sandbox.rows();
    assert_eq!(rows.len(), 1);
    assert_ne!(&rows[0][STATUS], "ok");
}
