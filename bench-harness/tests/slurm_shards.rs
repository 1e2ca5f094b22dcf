//! A run measured as a SLURM job array on a real cluster (`scripts/slurm-local.sh` starts a
//! one-node one here): each array job measures one shard, `harness merge` joins them, and the
//! merged run holds the same pairs and figures as the run measured whole. Without a cluster
//! the test says so and passes, except under CI (`CI` set), where it fails: `.ci/run` starts one.

mod common;
use common::*;
use std::process::Command;

fn cluster_up() -> bool {
    Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|s| ["idle", "mixed", "allocated"].contains(&s.trim()))
        })
}

#[test]
fn a_slurm_job_array_measures_the_shards_and_merge_joins_them() {
    if !cluster_up() {
        assert!(
            std::env::var_os("CI").is_none(),
            "no SLURM cluster under CI: .ci/run starts one with scripts/slurm-local.sh"
        );
        eprintln!("skipped: no SLURM cluster here (scripts/slurm-local.sh starts one, as root)");
        return;
    }
    let sandbox = Sandbox::new();
    let data = sandbox.dataset(&[
        ("a.txt", prose(20_000)),
        ("b.txt", prose(7_000)),
        ("c.txt", prose(1_500)),
    ]);
    let harness = assert_cmd::cargo::cargo_bin("harness");
    let jobs = sandbox.dir.path().join("jobs");
    std::fs::create_dir_all(&jobs).unwrap();
    let command = format!(
        "'{}' run --quiet --no-cache --codec gzip:1,zstd:1 --dataset '{}' \
         --shard $SLURM_ARRAY_TASK_ID/3",
        harness.display(),
        data.display()
    );
    let submitted = Command::new("sbatch")
        .args(["--wait", "--array=1-3", "--time=10", "--output"])
        .arg(jobs.join("shard-%a.out"))
        .arg("--wrap")
        .arg(&command)
        .env("HARNESS_DATA_DIR", sandbox.data_dir())
        .env("HARNESS_RESULTS_DIR", sandbox.results_dir())
        .env("HARNESS_RUNNER", runner())
        .env_remove("HARNESS_HOLDOUT_SEED")
        .output()
        .expect("sbatch");
    let outputs: Vec<String> = (1..=3)
        .map(|k| std::fs::read_to_string(jobs.join(format!("shard-{k}.out"))).unwrap_or_default())
        .collect();
    assert!(
        submitted.status.success(),
        "{}\n{}",
        output_text(&submitted),
        outputs.join("\n")
    );
    let ids: Vec<String> = outputs
        .iter()
        .map(|o| run_id(o).unwrap_or_else(|| panic!("a job printed no run: {o}")))
        .collect();
    for (k, output) in outputs.iter().enumerate() {
        assert!(output.contains(&format!("shard {}/3", k + 1)), "{output}");
    }

    let merged = sandbox.harness().arg("merge").args(&ids).output().unwrap();
    let text = output_text(&merged);
    assert!(merged.status.success(), "{text}");
    let merged_id = run_id(&text).expect("a merged run");
    let whole = sandbox
        .harness()
        .args([
            "run",
            "--quiet",
            "--no-cache",
            "--codec",
            "gzip:1,zstd:1",
            "--dataset",
        ])
        .arg(&data)
        .output()
        .unwrap();
    let whole_text = output_text(&whole);
    assert!(whole.status.success(), "{whole_text}");
    let whole_id = run_id(&whole_text).expect("a whole run");
    let runs = sandbox.results_dir().join("runs");
    assert_eq!(
        compressed_bytes_by_pair(&runs.join(&merged_id)),
        compressed_bytes_by_pair(&runs.join(&whole_id))
    );
    assert_eq!(compressed_bytes_by_pair(&runs.join(&merged_id)).len(), 6);
}
