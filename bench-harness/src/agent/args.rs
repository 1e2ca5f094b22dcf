//! Arguments of `harness guard`, `compare`, `report` and `loop`.

use super::objective::Objective;
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
    /// What is compared (lower is better; the codec source is charged)
    #[arg(long, value_enum, default_value_t = Objective::Total)]
    pub objective: Objective,
    /// Largest accepted slowdown of compress or decompress time (attempt / base median); not
    /// applied while the base runs faster than a byte copy; no limit when not given
    #[arg(long, value_name = "FACTOR")]
    pub max_slowdown: Option<f64>,
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
    /// The agent command, run by `sh -c` with the prompt as its last argument, in its own
    /// scratch clone (e.g. 'claude -p --dangerously-skip-permissions')
    #[arg(long)]
    pub agent: String,
    /// Iterations to reach in results/loop.tsv (a resumed loop counts those already there)
    #[arg(long, default_value_t = 10)]
    pub iterations: u32,
    /// Time limit of one agent session, in seconds
    #[arg(long, default_value_t = 3600.0, value_name = "SECONDS")]
    pub agent_timeout: f64,
    /// A directory the agent may write besides its scratch clone and temporary directory
    /// (repeatable; e.g. the agent's own configuration directory)
    #[arg(long = "agent-writable", value_name = "DIR")]
    pub agent_writable: Vec<PathBuf>,
    /// Instructions given to the agent [default: <workspace>/program.md]
    #[arg(long)]
    pub prompt: Option<PathBuf>,
    /// Dataset of the recorded run that decides
    #[arg(long, default_value = "default")]
    pub dataset: String,
    /// The holdout every attempt must also improve: `holdout` (generated from the secret
    /// HARNESS_HOLDOUT_SEED), a directory of real files kept outside the repository (the setup
    /// for serious campaigns), or `none`
    #[arg(long, default_value = "holdout")]
    pub holdout: String,
    /// The share of the main dataset's relative gain the holdout must show (0 = not worse)
    #[arg(long, default_value_t = 0.5, value_name = "SHARE")]
    pub min_holdout_share: f64,
    /// What the loop optimises (lower is better; the codec source is charged)
    #[arg(long, value_enum, default_value_t = Objective::Total)]
    pub objective: Objective,
    /// Largest accepted slowdown of compress or decompress time against the base; no limit
    /// when not given, and not applied while the base runs faster than a byte copy
    #[arg(long, value_name = "FACTOR")]
    pub max_slowdown: Option<f64>,
    /// Smallest accepted compress and decompress speed, MB/s
    #[arg(long, value_name = "MB_PER_S")]
    pub min_speed: Option<f64>,
    /// Largest accepted peak memory of any operation (bytes, or with K/M/G suffix)
    #[arg(long, value_name = "SIZE")]
    pub max_rss: Option<String>,
    /// Timing runs of base and attempt each (alternated) when speed is judged
    /// (--max-slowdown, --objective pareto)
    #[arg(long, default_value_t = 3)]
    pub speed_runs: u32,
    /// After this many discarded attempts in a row the prompt asks for a different kind of idea
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub stuck_after: u32,
    /// Give an attempt that failed the guard, the build or the tests no second try
    #[arg(long)]
    pub no_rework: bool,
    /// Size factor of generated datasets
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Extra argument of every `harness run` (repeatable), e.g. --run-arg=--quick
    #[arg(long = "run-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub run_args: Vec<String>,
    /// The harness that judges: built from the operator's commit when not given (the copy
    /// the loop uses is checksummed before every use)
    #[arg(long, value_name = "PATH")]
    pub judge: Option<PathBuf>,
    /// Command that builds the attempt's runner in the judging clone
    #[arg(
        long,
        default_value = "cargo build --release --quiet --offline -p codec-runner"
    )]
    pub build_cmd: String,
    /// The runner the build command makes, relative to the judging clone
    #[arg(
        long,
        default_value = "target/release/codec-runner",
        value_name = "PATH"
    )]
    pub runner_path: PathBuf,
    /// Time limit of the build, the tests and each run, in seconds
    #[arg(long, default_value_t = 7200.0, value_name = "SECONDS")]
    pub step_timeout: f64,
    /// Run the agent and the judging steps without Landlock (on a kernel without it the loop
    /// refuses to start unless this is given)
    #[arg(long)]
    pub no_sandbox: bool,
}
