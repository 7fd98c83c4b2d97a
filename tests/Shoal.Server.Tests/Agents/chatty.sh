#!/usr/bin/env bash
# Says something on stdout (log output) and on stderr for every part.
echo "VERSION: chatty 1"; echo "OK"
while IFS= read -r line; do
  case "$line" in
    END) echo OK ;;
    CLOSE) echo "BYE 0"; exit 0 ;;
    *) echo "scanning $line"; echo "warning: $line looks odd" >&2 ;;
  esac
done
