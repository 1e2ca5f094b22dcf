#!/bin/sh
# Copies stdin to stdout and appends to the file $1 a line with the label $2 and the input's
# first five bytes, so that a test sees in which order the operations ran. The input must not
# start with a newline.
first=$(dd bs=5 count=1 2>/dev/null)
printf '%s %s\n' "$2" "$first" >> "$1"
printf '%s' "$first"
cat
