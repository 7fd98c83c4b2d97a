#!/usr/bin/env bash
# Connects, then dies at once: fails.
echo "VERSION: test"; echo "OK"; exit 1
