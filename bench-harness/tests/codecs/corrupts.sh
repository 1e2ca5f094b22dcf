#!/bin/sh
# A "decompressor" that returns the input with one extra byte: wrong bytes.
cat
printf 'X'
