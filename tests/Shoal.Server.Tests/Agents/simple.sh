#!/usr/bin/env bash
# Connects, gets no data (CLOSE), says BYE 0: passes.
echo "VERSION: test"; echo "OK"
while read -r line; do [ "$line" = CLOSE ] && { echo "BYE 0"; exit 0; }; [ "$line" = END ] && echo OK; done
