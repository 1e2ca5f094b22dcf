#!/bin/sh
# Fails with a message saying how many HARNESS_ variables it sees and the holdout seed.
cat > /dev/null
env >&2
echo "harness variables: $(env | grep -c '^HARNESS_'); seed=[${HARNESS_HOLDOUT_SEED}]" >&2
exit 1
