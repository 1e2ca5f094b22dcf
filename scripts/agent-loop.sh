#!/usr/bin/env bash
# Starts (or resumes) an optimisation loop: builds the harness once, copies it out of the way
# of the loop's own rebuilds, and runs `harness loop` with the given arguments.
#
#   HARNESS_HOLDOUT_SEED=<secret> scripts/agent-loop.sh --agent 'claude -p' --iterations 50
#
# Everything after the script name goes to `harness loop` (see `harness loop --help`).
# Interrupt with Ctrl-C at any time; running the same command again resumes.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${HARNESS_HOLDOUT_SEED:-}" ]; then
  echo "agent-loop: HARNESS_HOLDOUT_SEED is not set; attempts will be judged without a holdout" >&2
fi

cargo build --release --quiet -p bench-harness --bin harness -p codec-runner
git_dir="$(git rev-parse --absolute-git-dir)"
mkdir -p "$git_dir/agent-loop"
# The loop rebuilds target/release/harness with every attempt; it runs from a private copy.
cp target/release/harness "$git_dir/agent-loop/harness-loop"
exec "$git_dir/agent-loop/harness-loop" loop "$@"
