#!/bin/sh
# Drops the last 8 bytes of stdin.
head -c -8
