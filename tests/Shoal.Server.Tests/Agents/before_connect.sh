#!/usr/bin/env bash
# Prints text before VERSION (no newline), so the first line is not VERSION: the type is invalid.
printf 'starting up... '; echo "VERSION: test"; echo "OK"
while read -r line; do [ "$line" = CLOSE ] && { echo "BYE 0"; exit 0; }; done
