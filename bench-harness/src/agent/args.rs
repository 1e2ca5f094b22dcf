//! Arguments of `harness guard`, `compare`, `report` and `loop`.

use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct GuardArgs {
    /// The commit the attempt started from
    #[arg(long, default_value = "HEAD")]
    pub base: String,
    /// Skip the compile check of the public signature
    #[arg(long)]
    pub no_compile: bool,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The base: a run id or run directory; several, comma-separated, for timing repeats
    pub base: String,
    /// The attempt, in the same form
    pub attempt: String,
    /// Codec compared
    #[arg(long, default_value = "candidate")]
    pub codec: String,
    /// Largest accepted slowdown of compress or decompress time (attempt / base median)
    #[arg(long, default_value_t = 1.5, value_name = "FACTOR")]
    pub max_slowdown: f64,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Output file [default: <results>/report.html]
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Dataset the report is about (as runs name it, e.g. `default@0.03`) [default: the
    /// dataset of the newest run of a whole dataset]
    #[arg(long)]
    pub dataset: Option<String>,
}

#[derive(Args, Debug)]
pub struct LoopArgs {
    /// The agent command, run by `sh -c` with the prompt as its last argument
    /// (e.g. 'claude -p --dangerously-skip-permissions')
    #[arg(long)]
    pub agent: String,
    /// Iterations to reach in results/loop.tsv (a resumed loop counts those already there)
    #[arg(long, default_value_t = 10)]
    pub iterations: u32,
    /// Time limit of one agent session, in seconds
    #[arg(long, default_value_t = 3600.0, value_name = "SECONDS")]
    pub agent_timeout: f64,
    /// Instructions given to the agent [default: <workspace>/program.md]
    #[arg(long)]
    pub prompt: Option<PathBuf>,
    /// Dataset of the recorded run that decides
    #[arg(long, default_value = "default")]
    pub dataset: String,
    /// Dataset that must not get worse; `holdout` needs HARNESS_HOLDOUT_SEED (hidden from the
    /// agent), `none` skips it
    #[arg(long, default_value = "holdout")]
    pub holdout: String,
    /// Size factor of generated datasets
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Extra argument of every `harness run` (repeatable), e.g. --run-arg=--quick
    #[arg(long = "run-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub run_args: Vec<String>,
    /// Largest accepted slowdown of compress or decompress time against the base
    #[arg(long, default_value_t = 1.5, value_name = "FACTOR")]
    pub max_slowdown: f64,
    /// Timing runs of base and attempt each (alternated) before judging speed; 0 skips
    #[arg(long, default_value_t = 3)]
    pub speed_runs: u32,
    /// Command that builds the harness with the attempt's codec
    #[arg(
        long,
        default_value = "cargo build --release --quiet -p bench-harness --bin harness -p codec-runner"
    )]
    pub build_cmd: String,
    /// The built harness [default: <workspace>/target/release/harness]
    #[arg(long)]
    pub harness: Option<PathBuf>,
    /// Command that runs the codec's tests
    #[arg(long, default_value = "cargo test --quiet -p codec")]
    pub test_cmd: String,
    /// Time limit of the build, the tests and each run, in seconds
    #[arg(long, default_value_t = 7200.0, value_name = "SECONDS")]
    pub step_timeout: f64,
    /// Skip the compile check of the public signature in the guard
    #[arg(long)]
    pub no_compile_check: bool,
}
