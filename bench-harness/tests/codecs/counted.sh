#!/bin/sh
# Copies stdin to stdout and counts its calls in the file $1. On call number $2, if given, it
# appends one byte: a codec that misbehaves only now and then. On call number $3, if given,
# it first sleeps half a second: a run slowed down by a busy machine.
count=$(( $(cat "$1" 2>/dev/null || echo 0) + 1 ))
echo "$count" > "$1"
if [ "$count" = "${3:-0}" ]; then sleep 0.5; fi
cat
if [ "$count" = "${2:-0}" ]; then printf 'X'; fi
