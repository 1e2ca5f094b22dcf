//! What the runner tells the harness: `key=value` lines in the report file, written by the
//! supervisor. The worker's and init's lines reach it through a pipe; on a repeated key the
//! last line wins, and init writes after the worker ended, so a codec cannot replace them.
//!
//! Keys (seconds, bytes):
//! - `exit=N` or `signal=N`: how the codec's process ended;
//! - `wall_s`: the codec process's wall time, from its fork to its end;
//! - `user_s`, `sys_s`, `peak_rss_bytes`: its CPU time and peak resident memory (for an
//!   external command, the command's own; for a built-in codec, its worker process's);
//! - `codec_s`, `codec_peak_rss_bytes` (built-in codecs only): time of the codec call on
//!   in-memory buffers, and the resident memory its first call added at its peak beyond what
//!   the worker held before the call (its input buffer and the runner itself);
//! - `codec_first_s`, `codec_calls` (built-in codecs only): the first (cold) call's time and
//!   how many calls were timed; `codec_s` is the fastest of them (see `builtin::WARM_BUDGET_S`);
//! - `output_limit`: present when the codec tried to write more than `--max-output`;
//! - `containment`: `pid-namespace` or `subreaper`, with the reason after a colon;
//! - `tasks`: the cap on the operation's processes and threads and how it is enforced, or
//!   `unlimited:` and why (see `tasks`).

use std::fmt::Write as _;

pub fn line(key: &str, value: impl std::fmt::Display) -> String {
    format!("{key}={value}\n")
}

/// `--probe`: what this kernel lets the runner enforce, and the state of the sources the runner
/// (with the codec) was built from: `git_commit`, `git_dirty`, `source_digest`.
pub fn probe_text() -> String {
    let support = crate::sandbox::probe();
    let mut text = String::new();
    let _ = write!(
        text,
        "{}{}{}",
        line(
            "landlock_abi",
            support
                .landlock_abi
                .map(|v| v.to_string())
                .unwrap_or_default()
        ),
        line("seccomp", support.seccomp),
        line("pid_namespace", crate::contain::namespace_available()),
    );
    let cap = crate::tasks::Cap::prepare(false);
    text += &line("task_cap", cap.describe());
    cap.remove();
    text += &line("git_commit", env!("CODEC_RUNNER_GIT_COMMIT"));
    text += &line("git_dirty", env!("CODEC_RUNNER_GIT_DIRTY"));
    text += &line("source_digest", env!("CODEC_RUNNER_SOURCE_DIGEST"));
    text
}

/// `--sources`: the same three keys for a checkout as it is now.
pub fn sources_text(state: &crate::sources::SourceState) -> String {
    line("git_commit", &state.commit)
        + &line("git_dirty", state.dirty())
        + &line("source_digest", &state.digest)
}
