#!/usr/bin/env bash
# Sets NOKILL, then clears it and goes silent: killed, fails.
echo "VERSION: test"; echo "SPECIAL: 1 1"; sleep 0.5; echo "SPECIAL: 1 0"; sleep 30; echo "OK"
while read -r line; do [ "$line" = CLOSE ] && { echo "BYE 0"; exit 0; }; done
