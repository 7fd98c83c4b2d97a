#!/usr/bin/env bash
# Says EMAIL for each item it takes, as FOSSology agents that sum up their work do; the last one is the job's message.
echo "VERSION: test"; echo "OK"
while read -r line; do
  case "$line" in
    CLOSE) echo "BYE 0"; exit 0 ;;
    END|VERBOSE*) ;;
    *) echo "EMAIL scanned $line: 3 licenses found"; echo "OK" ;;
  esac
done
