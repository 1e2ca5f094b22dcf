#!/bin/sh
# Reverses triple.sh: keeps the first third.
f=$(mktemp)
cat > "$f"
head -c $(( $(wc -c < "$f") / 3 )) "$f"
rm -f "$f"
