#!/usr/bin/env bash
# Writes one 3 MB line to stdout and one to stderr for every chunk, then finishes it normally.
echo "VERSION: long"; echo "OK"
while read -r line; do
  case "$line" in
    CLOSE) echo "BYE 0"; exit 0 ;;
    END) head -c 3000000 /dev/zero | tr '\0' x; echo; head -c 3000000 /dev/zero | tr '\0' y >&2; echo >&2; echo OK ;;
  esac
done
