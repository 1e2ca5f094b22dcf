#!/bin/sh
# Compressor that appends 8 random bytes: round-trips (with strip-tail.sh) but is not deterministic.
cat
head -c 8 /dev/urandom
