#!/bin/sh
# Exits 1 with a message on stderr.
cat > /dev/null
echo "boom: this codec always fails" >&2
exit 1
