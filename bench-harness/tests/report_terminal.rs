//! What a run prints and writes for a new user and for lzbench and hyperfine habits: the
//! quick sample, the machine header and provenance, lists and ranges of codec levels, files
//! named on the command line, `harness codecs`, the summary exports and `--sort`, the
//! progress's last line, and messages that name what went wrong.

mod common;
use common::*;
use serde_json::Value;

fn text_of(cmd: &mut assert_cmd::Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn quick_measures_two_small_files_of_every_category_of_a_small_generated_set() {
    let sandbox = Sandbox::new();
    let (code, stdout, stderr) = text_of(
        sandbox
            .harness()
            .args(["run", "--quick", "--codec", "gzip:1", "--record"]),
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let summary = sandbox.summary();
    assert_eq!(summary["dataset"], "default@0.03");
    assert_eq!(summary["dataset_files"], 18);
    let bytes = summary["dataset_bytes"].as_u64().unwrap();
    assert!((2 << 20..3 << 20).contains(&bytes), "{bytes} bytes");
    let rows = sandbox.rows();
    assert!(rows.iter().all(|r| &r[0] == "default@0.03"));
    let history = sandbox.results_dir().join("results.csv");
    assert_eq!(
        &rows_of(&history)[0][column(&history, "dataset")],
        "default@0.03"
    );
    assert!(
        stdout.starts_with(&format!("run {}", summary["run_id"].as_str().unwrap()))
            && stdout.contains(" on default@0.03 "),
        "{stdout}"
    );
    // The progress says what it counts, then leaves a last line.
    assert!(
        stderr.contains("measuring 18 files x 1 codecs (2."),
        "{stderr}"
    );
    assert!(
        stderr.contains("[1/18 (file, codec) pairs, about "),
        "{stderr}"
    );
    assert!(
        stderr.contains("measured 18 of 18 (file, codec) pairs, 2."),
        "{stderr}"
    );
}

#[test]
fn every_run_says_where_it_was_measured() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(5000))]);
    let (code, stdout, stderr) = text_of(
        sandbox
            .harness()
            .args(["run", "--codec", "gzip:1", "--record", "--dataset"])
            .arg(&dataset),
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let summary = sandbox.summary();
    let machine = &summary["machine"];
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = machine["cpu"].as_str().unwrap();
    assert!(cpuinfo.contains(cpu), "{machine}");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(machine["host"], host.trim());
    assert_eq!(
        machine["cores"].as_u64().unwrap() as usize,
        std::thread::available_parallelism().unwrap().get()
    );
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert_eq!(machine["kernel"], format!("Linux {}", release.trim()));
    assert!(machine["rustc"].as_str().unwrap().starts_with("rustc 1."));
    assert!(machine["harness_version"]
        .as_str()
        .unwrap()
        .starts_with("0."));
    let libraries = machine["baseline_libraries"].as_str().unwrap();
    assert!(libraries.contains("zstd-") && libraries.contains("flate2-"));
    let header = stdout.lines().nth(1).unwrap();
    assert_eq!(
        header,
        format!(
            "machine: {}, {cpu} ({} cores), {}; {}; C: {}; harness {}; {libraries}",
            host.trim(),
            machine["cores"],
            machine["kernel"].as_str().unwrap(),
            machine["rustc"].as_str().unwrap(),
            machine["c_compiler"].as_str().unwrap(),
            machine["harness_version"].as_str().unwrap(),
        )
    );
    let history = sandbox.results_dir().join("results.csv");
    let line = &rows_of(&history)[0];
    assert_eq!(&line[column(&history, "cpu")], cpu);
    assert_eq!(&line[column(&history, "host")], host.trim());
    assert_eq!(&line[column(&history, "baseline_libraries")], libraries);
    assert_eq!(
        &line[column(&history, "rustc")],
        machine["rustc"].as_str().unwrap()
    );
}

#[test]
fn codec_levels_come_as_lists_and_ranges_and_files_as_arguments() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dataset(&[("notes.txt", prose(6000)), ("table.csv", prose(3000))]);
    let (code, stdout, stderr) = text_of(
        sandbox
            .harness()
            .args([
                "run",
                "--quiet",
                "--codec",
                "gzip:1,6",
                "--codec",
                "bzip2:1-2/xz,0",
            ])
            .arg(dir.join("notes.txt"))
            .arg(dir.join("table.csv")),
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let summary = sandbox.summary();
    assert_eq!(summary["dataset"], "files");
    let codecs: Vec<&str> = summary["codecs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["codec"].as_str().unwrap())
        .collect();
    assert_eq!(codecs, ["gzip:1", "gzip:6", "bzip2:1", "bzip2:2", "xz:0"]);
    let mut files: Vec<String> = sandbox.rows().iter().map(|r| r[FILE].to_string()).collect();
    files.sort();
    files.dedup();
    assert_eq!(files, ["notes.txt", "table.csv"]);

    // One file is a dataset named after it.
    let one = Sandbox::new();
    let (code, _, stderr) = text_of(
        one.harness()
            .args(["run", "--quiet", "--codec", "gzip:1"])
            .arg(dir.join("notes.txt")),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(one.summary()["dataset"], "notes.txt");
}

#[test]
fn codecs_lists_the_builtin_codecs_and_their_levels() {
    let sandbox = Sandbox::new();
    let (code, stdout, _) = text_of(sandbox.harness().arg("codecs"));
    assert_eq!(code, Some(0));
    let zstd: Vec<&str> = stdout
        .lines()
        .find(|l| l.starts_with("zstd "))
        .unwrap()
        .split_whitespace()
        .take(3)
        .collect();
    assert_eq!(zstd, ["zstd", "1-22", "19"]);
    assert!(
        stdout.contains("ext:NAME=COMPRESS_CMD;DECOMPRESS_CMD"),
        "{stdout}"
    );
}

#[test]
fn the_summary_table_exports_and_sorts() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(20_000))]);
    let out = sandbox.dir.path();
    let (code, stdout, stderr) = text_of(
        sandbox
            .harness()
            .args([
                "run",
                "--quiet",
                "--codec",
                "gzip:1,xz:6",
                "--sort",
                "ratio",
            ])
            .arg("--export-markdown")
            .arg(out.join("t.md"))
            .arg("--export-csv")
            .arg(out.join("t.csv"))
            .arg("--export-json")
            .arg(out.join("t.json"))
            .arg("--dataset")
            .arg(&dataset),
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("t.json")).unwrap()).unwrap();
    let order: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["codec"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["xz:6", "gzip:1"], "best ratio first");
    let summary = sandbox.summary();
    let xz = summary["codecs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["codec"] == "xz:6")
        .unwrap();
    assert_eq!(json[0]["ratio"], xz["overall"]["ratio"]);
    let csv = rows_of(&out.join("t.csv"));
    assert_eq!(&csv[0][0], "xz:6");
    assert_eq!(
        csv[0][1].parse::<f64>().unwrap(),
        xz["overall"]["ratio"].as_f64().unwrap()
    );
    let md = std::fs::read_to_string(out.join("t.md")).unwrap();
    assert!(md.starts_with("| codec | ratio |"), "{md}");
    assert!(
        md.lines().nth(2).unwrap().starts_with("| `xz:6` | "),
        "{md}"
    );
    // The terminal table in the same order: xz:6's column first.
    let header = stdout
        .lines()
        .find(|l| l.starts_with("ratio ") && l.contains("MiB"))
        .unwrap();
    assert!(
        header.find("xz:6").unwrap() < header.find("gzip:1").unwrap(),
        "{header}"
    );
}

#[test]
fn the_timing_noise_comes_after_the_table() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(5000))]);
    let (code, stdout, stderr) = text_of(
        sandbox
            .harness()
            .args([
                "run",
                "--quiet",
                "--codec",
                "gzip:1",
                "--repeat",
                "2",
                "--dataset",
            ])
            .arg(&dataset),
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let noise = stdout
        .find("times: the fastest of 2 runs")
        .expect("the noise block");
    let table = stdout.find("files failed").expect("the table's last line");
    assert!(table < noise, "{stdout}");
    assert_eq!(
        stdout.matches("files failed").count(),
        1,
        "one table: {stdout}"
    );
}

#[test]
fn messages_name_what_went_wrong() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(500))]);
    let (code, _, stderr) = text_of(
        sandbox
            .harness()
            .args(["run", "--codec", "gzip:1", "--filter", "*.wav", "--dataset"])
            .arg(&dataset),
    );
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("no file of dataset files matches --filter *.wav"),
        "{stderr}"
    );
    assert!(!stderr.contains("Some("), "{stderr}");

    // A plain name is a glob of that whole name; the message offers the substring glob.
    let (code, _, stderr) = text_of(
        sandbox
            .harness()
            .args(["run", "--codec", "gzip:1", "--filter", "a", "--dataset"])
            .arg(&dataset),
    );
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--filter '*a*' would match 1 file (a.txt)"),
        "{stderr}"
    );

    let (code, _, stderr) = text_of(sandbox.harness().args(["run", "--scale", "0"]));
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with(
            "error: invalid value '0' for '--scale <F>': expected a size factor above 0"
        ),
        "{stderr}"
    );

    let (code, _, stderr) = text_of(sandbox.harness().args(["run", "--dataset", "defualt"]));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("unknown dataset \"defualt\": did you mean \"default\"?"),
        "{stderr}"
    );

    let (code, _, stderr) = text_of(sandbox.harness().args(["run", "--codec", "zstd:5-1"]));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("range \"5-1\" goes downwards"), "{stderr}");
}

#[test]
fn compare_compares_the_codec_it_is_given() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(30_000))]);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (code, stdout, stderr) = text_of(
            sandbox
                .harness()
                .args([
                    "run",
                    "--codec",
                    "candidate,gzip:1",
                    "--no-cache",
                    "--dataset",
                ])
                .arg(&dataset),
        );
        assert_eq!(code, Some(0), "{stdout}{stderr}");
        ids.push(
            stdout
                .lines()
                .next()
                .unwrap()
                .split_whitespace()
                .nth(1)
                .unwrap()
                .to_string(),
        );
    }
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(
            sandbox
                .results_dir()
                .join("runs")
                .join(&ids[0])
                .join("summary.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let gzip_ratio = summary["codecs"][1]["overall"]["ratio"].as_f64().unwrap();
    let (_, stdout, stderr) = text_of(
        sandbox
            .harness()
            .args(["compare", &ids[0], &ids[1], "--codec", "gzip:1"]),
    );
    assert!(stdout.starts_with("codec gzip:1\n"), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "total ratio base {gzip_ratio:.8}  attempt {gzip_ratio:.8}"
        )),
        "gzip's own ratio, not the candidate's: {stdout}"
    );
    assert!(!stdout.contains("source charged"), "{stdout}");
}

#[test]
fn the_harness_alias_lets_cargo_show_its_build_progress() {
    let config = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../.cargo/config.toml"
    ))
    .unwrap();
    let alias = config
        .lines()
        .find(|l| l.starts_with("harness = "))
        .unwrap();
    assert!(!alias.contains("--quiet"), "{alias}");
    assert!(alias.contains("run --release -p bench-harness --bin harness --"));
}
