#!/bin/sh
# Copies stdin to stdout and counts its calls in the file $1. On call number $2, if given, it
# appends one byte: a codec that misbehaves only now and then.
count=$(( $(cat "$1" 2>/dev/null || echo 0) + 1 ))
echo "$count" > "$1"
cat
if [ "$count" = "${2:-0}" ]; then printf 'X'; fi
