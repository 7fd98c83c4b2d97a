#!/usr/bin/env bash
# Exits 0 without BYE: fails.
echo "VERSION: test"; echo "OK"
while read -r line; do [ "$line" = CLOSE ] && exit 0; done
