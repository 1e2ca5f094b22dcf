#!/bin/sh
# Creates $1.started, waits until $1.go exists, then copies stdin: lets a test act while an
# operation is running.
: > "$1.started"
while [ ! -e "$1.go" ]; do sleep 0.05; done
cat
