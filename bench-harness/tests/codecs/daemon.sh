#!/bin/sh
# Leaves a process in a session of its own (`sleep $1`, double-forked), then copies stdin and
# exits 0; with $2 = hang it hangs instead of copying.
( setsid sleep "$1" < /dev/null > /dev/null 2>&1 & )
setsid sleep "$1" < /dev/null > /dev/null 2>&1 &
if [ "${2:-}" = hang ]; then sleep 1000; fi
cat
