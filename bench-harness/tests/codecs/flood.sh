#!/bin/sh
# Writes $1 bytes to stderr, then copies stdin (exit 0), or with $2 = fail exits 1 after a
# last line.
head -c "$1" /dev/zero | tr '\0' 'e' >&2
if [ "${2:-}" = fail ]; then echo >&2; echo "flooded and failed" >&2; exit 1; fi
cat
