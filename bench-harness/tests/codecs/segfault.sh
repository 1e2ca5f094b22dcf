#!/bin/sh
# Dies of a segmentation fault.
cat > /dev/null
kill -SEGV $$
