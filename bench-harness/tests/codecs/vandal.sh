#!/bin/sh
# Appends a byte to the file named $1 (a dataset file, by path), then copies stdin; fails if
# it cannot write.
printf 'X' >> "$1" || exit 3
cat
