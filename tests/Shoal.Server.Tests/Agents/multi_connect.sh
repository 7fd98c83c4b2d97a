#!/usr/bin/env bash
# Connects twice (VERSION/OK again): the second is a no-op; passes.
echo "VERSION: test"; echo "OK"; echo "VERSION: test"; echo "OK"
while read -r line; do [ "$line" = CLOSE ] && { echo "BYE 0"; exit 0; }; [ "$line" = END ] && echo OK; done
