#!/bin/sh
# Writes its input three times: a faithful but 3x expanding "compressor".
f=$(mktemp)
cat > "$f"
cat "$f" "$f" "$f"
rm -f "$f"
