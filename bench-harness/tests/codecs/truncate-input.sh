#!/bin/sh
# Finds the file behind its stdin and truncates it, then copies what is left: a codec that
# destroys the data it is given.
input=$(readlink /proc/self/fd/0)
: > "$input"
cat
