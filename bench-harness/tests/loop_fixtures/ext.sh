#!/bin/sh
# The test candidate, an external codec: `c` compresses, `d` decompresses (stdin to stdout).
case "$1" in
  c) cat ;;
  d) cat ;;
esac
