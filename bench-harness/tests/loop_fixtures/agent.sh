#!/bin/sh
# A scripted "agent" for the loop tests: does what $AGENT_ACTION says to the repository it is
# started in, like a real agent would, and records what it was given in $AGENT_SEEN.
set -e
fixtures=$(cd "$(dirname "$0")" && pwd)
{
  echo "seed=${HARNESS_HOLDOUT_SEED:-unset}"
  echo "iteration=${LOOP_ITERATION:-}"
  echo "base=${LOOP_BASE:-}"
  printf 'prompt=%s\n' "$1"
} > "$AGENT_SEEN"
commit() {
  git add -A codec README.md
  git -c user.name=scripted-agent -c user.email=agent@localhost commit -q -m "$1"
}
case "$AGENT_ACTION" in
  better) git apply "$fixtures/patches/better.patch"; commit "ext codec: gzip -9 instead of copying" ;;
  same) git apply "$fixtures/patches/same.patch"; commit "ext codec: a comment, same bytes" ;;
  guard) echo "an agent was here" >> README.md; commit "README: a forbidden edit" ;;
  crash) git apply "$fixtures/patches/crash.patch"; commit "ext codec: crash on compress" ;;
  timeout) git apply "$fixtures/patches/same.patch"; sleep 120 ;;
  nothing) ;;
  *) echo "unknown AGENT_ACTION $AGENT_ACTION" >&2; exit 3 ;;
esac
