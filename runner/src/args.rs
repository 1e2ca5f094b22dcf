//! The runner's command line: a protocol between the harness and this binary, kept readable
//! so that an operation can be replayed by hand.

use std::ffi::OsString;
use std::path::PathBuf;

pub const USAGE: &str = "usage: codec-runner --probe
       codec-runner --sources CHECKOUT
       codec-runner (--builtin NAME[:LEVEL] | --shell COMMAND) --op compress|decompress
                    --report FILE --scratch DIR [--writable DIR]... [--max-memory BYTES]
                    [--max-output BYTES] [--sandbox off|best-effort|require] [--parent PID]
       input on stdin, output on stdout";

pub enum Request {
    Probe,
    /// The state of the sources compiled into the runner, in the checkout at this path now.
    Sources(PathBuf),
    Operate(Operation),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Codec {
    /// A codec linked into the runner: `candidate`, `zstd`, `xz`, `bzip2`, `gzip` or a probe.
    Builtin { name: String, level: i32 },
    /// A command run by `/bin/sh -c`, reading stdin and writing stdout.
    Shell(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Compress,
    Decompress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Compress => "compress",
            Direction::Decompress => "decompress",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SandboxMode {
    Off,
    BestEffort,
    Require,
}

#[derive(Clone, Debug)]
pub struct Operation {
    pub codec: Codec,
    pub direction: Direction,
    /// Where the report is written (by the supervisor, never by the codec).
    pub report: PathBuf,
    /// A private, empty directory: `TMPDIR` and `HOME` of an external command (the harness
    /// sets them), and the only place it may write besides `writable`.
    pub scratch: PathBuf,
    pub writable: Vec<PathBuf>,
    /// Address space the codec may use beyond what the runner holds, in bytes.
    pub max_memory: Option<u64>,
    /// Largest output, in bytes.
    pub max_output: u64,
    pub sandbox: SandboxMode,
    /// Process id of the harness: if it is no longer the parent, the runner does nothing.
    pub parent: Option<i32>,
}

pub fn parse(args: impl Iterator<Item = OsString>) -> Result<Request, String> {
    let mut codec = None;
    let mut direction = None;
    let mut report = None;
    let mut scratch = None;
    let mut writable = Vec::new();
    let mut max_memory = None;
    let mut max_output = u64::MAX;
    let mut sandbox = SandboxMode::BestEffort;
    let mut parent = None;
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        let flag = flag.to_string_lossy().into_owned();
        if flag == "--probe" {
            return Ok(Request::Probe);
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        if flag == "--sources" {
            return Ok(Request::Sources(value.into()));
        }
        let text = || {
            value
                .to_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{flag}: not UTF-8"))
        };
        let number = || -> Result<u64, String> {
            text()?
                .parse()
                .map_err(|_| format!("{flag}: not a number of bytes"))
        };
        match flag.as_str() {
            "--builtin" => {
                let spec = text()?;
                let (name, level) = match spec.split_once(':') {
                    Some((n, l)) => (
                        n.to_string(),
                        l.parse()
                            .map_err(|_| format!("--builtin {spec}: bad level"))?,
                    ),
                    None => (spec, 0),
                };
                codec = Some(Codec::Builtin { name, level });
            }
            "--shell" => codec = Some(Codec::Shell(text()?)),
            "--op" => {
                direction = Some(match text()?.as_str() {
                    "compress" => Direction::Compress,
                    "decompress" => Direction::Decompress,
                    other => return Err(format!("--op {other}: compress or decompress")),
                })
            }
            "--report" => report = Some(PathBuf::from(value)),
            "--scratch" => scratch = Some(PathBuf::from(value)),
            "--writable" => writable.push(PathBuf::from(value)),
            "--max-memory" => max_memory = Some(number()?),
            "--max-output" => max_output = number()?,
            "--sandbox" => {
                sandbox = match text()?.as_str() {
                    "off" => SandboxMode::Off,
                    "best-effort" => SandboxMode::BestEffort,
                    "require" => SandboxMode::Require,
                    other => return Err(format!("--sandbox {other}: off, best-effort or require")),
                }
            }
            "--parent" => {
                parent = Some(
                    text()?
                        .parse()
                        .map_err(|_| "--parent: not a process id".to_string())?,
                )
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Request::Operate(Operation {
        codec: codec.ok_or("--builtin or --shell is required")?,
        direction: direction.ok_or("--op is required")?,
        report: report.ok_or("--report is required")?,
        scratch: scratch.ok_or("--scratch is required")?,
        writable,
        max_memory,
        max_output,
        sandbox,
        parent,
    }))
}
