#!/bin/sh
# Hangs far past any test's time limit; the harness must kill it.
sleep 120
cat
