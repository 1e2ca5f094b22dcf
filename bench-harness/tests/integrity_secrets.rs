//! The codec process sees a minimal environment: no `HARNESS_*` variable and no secret; and a
//! reason that quotes the holdout seed anyway has it redacted wherever it is stored or printed.

mod common;
use common::*;

const SEED: &str = "sesame-7f3a9c-holdout";

fn all_written_text(sandbox: &Sandbox, out: &std::process::Output) -> String {
    let mut text = output_text(out);
    for (path, bytes) in snapshot(&sandbox.results_dir()) {
        text += &format!(
            "\n== {}\n{}",
            path.display(),
            String::from_utf8_lossy(&bytes)
        );
    }
    text
}

#[test]
fn an_external_codec_sees_no_harness_variable_and_no_seed() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(5_000))]);
    let out = sandbox
        .harness()
        .env("HARNESS_HOLDOUT_SEED", SEED)
        .env("MY_API_TOKEN", "token-4242")
        .args(["run", "--quiet", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(format!("ext:snoop={};cat", script("env-report.sh")))
        .output()
        .unwrap();
    let rows = sandbox.rows();
    assert_eq!(&rows[0][STATUS], "error");
    assert!(
        rows[0][REASON].ends_with("harness variables: 0; seed=[]"),
        "{:?}",
        &rows[0][REASON]
    );
    let text = all_written_text(&sandbox, &out);
    assert!(!text.contains(SEED), "{text}");
    assert!(!text.contains("token-4242"), "{text}");
}

#[test]
fn a_built_in_codec_sees_only_the_fixed_environment() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(5_000))]);
    let out = sandbox
        .harness()
        .env("HARNESS_HOLDOUT_SEED", SEED)
        .args(["run", "--quiet", "--codec", "__probe-env", "--dataset"])
        .arg(&dataset)
        .output()
        .unwrap();
    let rows = sandbox.rows();
    // The probe fails on purpose, listing the names of the variables it sees.
    assert_eq!(&rows[0][STATUS], "error", "{}", output_text(&out));
    let reason = &rows[0][REASON];
    let listed = reason
        .split("environment: ")
        .nth(1)
        .unwrap_or_else(|| panic!("{reason:?}"));
    let mut names: Vec<&str> = listed.split(',').filter(|n| !n.is_empty()).collect();
    names.sort();
    assert_eq!(
        names,
        ["HOME", "LANG", "LC_ALL", "PATH", "TMPDIR"],
        "{reason}"
    );
    assert!(!all_written_text(&sandbox, &out).contains(SEED));
}

#[test]
fn a_reason_that_quotes_the_seed_is_redacted_everywhere() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(5_000))]);
    let out = sandbox
        .harness()
        .env("HARNESS_HOLDOUT_SEED", SEED)
        .args(["run", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(format!(
            "ext:quoter=cat >/dev/null; echo 'the seed is {SEED}' >&2; exit 1;cat"
        ))
        .output()
        .unwrap();
    let rows = sandbox.rows();
    assert_eq!(&rows[0][STATUS], "error");
    assert!(
        rows[0][REASON].contains("the seed is [redacted]"),
        "{:?}",
        &rows[0][REASON]
    );
    let text = all_written_text(&sandbox, &out);
    assert!(!text.contains(SEED), "{text}");
}
