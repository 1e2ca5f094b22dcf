#!/bin/sh
# Writes $1 bytes to stdout whatever the input.
cat > /dev/null
head -c "$1" /dev/zero
