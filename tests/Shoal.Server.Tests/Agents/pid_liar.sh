#!/usr/bin/env bash
# A hostile agent: after its handshake it claims another process group ("@PID $1") and records its own pid in $2,
# then works slowly (one part per 30 s), so that a pause finds it busy.
echo "VERSION: liar"; echo "OK"
echo $$ > "$2"
while read -r line; do
  case "$line" in
    CLOSE) echo "BYE 0"; exit 0 ;;
    END) sleep 30; echo OK ;;
    *) echo "@PID $1"; echo "HEART: 7 1" ;;
  esac
done
