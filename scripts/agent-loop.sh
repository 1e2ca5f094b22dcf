#!/usr/bin/env bash
# Starts (or resumes) an optimisation loop. Builds the harness from the current commit: that
# build is the judge of the whole loop (the loop copies it out of every clone and checksums it
# before each use). Then runs `harness loop` with the given arguments.
#
#   HARNESS_HOLDOUT_SEED=<secret> scripts/agent-loop.sh --agent 'claude -p' --iterations 50
#   scripts/agent-loop.sh --agent 'claude -p' --holdout /srv/holdout   # real files, kept outside
#
# Everything after the script name goes to `harness loop` (see `harness loop --help`).
# Interrupt with Ctrl-C at any time; running the same command again resumes.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "$(git status --porcelain -- . ':!results')" ]; then
  echo "agent-loop: commit or stash your changes first: the judge is built from the commit" >&2
  exit 1
fi
case " $* " in
  *" --holdout "*|*" --holdout="*) ;;
  *) if [ -z "${HARNESS_HOLDOUT_SEED:-}" ]; then
       echo "agent-loop: neither HARNESS_HOLDOUT_SEED nor --holdout DIR: attempts are judged without a holdout" >&2
     fi ;;
esac

cargo build --release --quiet -p bench-harness --bin harness -p codec-runner
git_dir="$(git rev-parse --absolute-git-dir)"
mkdir -p "$git_dir/agent-loop"
cp target/release/harness "$git_dir/agent-loop/harness-loop"
exec "$git_dir/agent-loop/harness-loop" loop --judge "$git_dir/agent-loop/harness-loop" "$@"
