#!/usr/bin/env bash
# Creates a branch for a new optimisation experiment.
#
#   scripts/new-experiment.sh NAME [--from stub|current]
#
# --from current (default): the codec starts as it is on the current commit.
# --from stub: codec/src is replaced by the byte-copy stub (output = input, with the
#              contract's signature), to replay an experiment from the beginning; codec/tests
#              by the contract's round trips (bench-harness/contract/roundtrip.rs: every length
#              0..=4096 and the edge files), since the codec's own tests check its format.
#              `harness loop` runs those round trips on every attempt in any case.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 NAME [--from stub|current]" >&2; exit 2; }
[ $# -ge 1 ] || usage
name="$1"; shift
from=current
while [ $# -gt 0 ]; do
  case "$1" in
    --from) [ $# -ge 2 ] || usage; from="$2"; shift 2 ;;
    --from=*) from="${1#--from=}"; shift ;;
    *) usage ;;
  esac
done
case "$from" in stub|current) ;; *) usage ;; esac

if [ -n "$(git status --porcelain -- . ':!results')" ]; then
  echo "new-experiment: commit or stash your changes first" >&2
  exit 1
fi
branch="experiment/$name"
git switch -c "$branch"

if [ "$from" = stub ]; then
  git rm -r -q --cached --ignore-unmatch codec/src codec/tests
  rm -rf codec/src codec/tests codec/STRATEGY.md
  mkdir -p codec/src codec/tests
  cp bench-harness/contract/roundtrip.rs codec/tests/contract.rs
  cat > codec/src/lib.rs <<'RUST'
//! The byte-copy stub: the starting point of an experiment. Replace it with a compressor.

use std::io::{self, Read, Seek, Write};

/// Copies `input` to `output` unchanged.
pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    io::copy(&mut input, &mut output)?;
    output.flush()
}

/// Copies `input` to `output` unchanged.
pub fn decompress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    io::copy(&mut input, &mut output)?;
    output.flush()
}
RUST
  cat > codec/STRATEGY.md <<'MD'
# Strategy notes

Started from the byte-copy stub. Record here: ideas tried, their measured effect, why
failures failed, exhausted approaches, next ideas.
MD
  git add -A codec
  git commit -q -m "experiment $name: start from the byte-copy stub"
fi
echo "on branch $branch (codec from $from); start the loop with scripts/agent-loop.sh"
